"""Errors in plain words: the known-errors table, escapes decoded, CLI hints dropped, a fallback for all."""

from __future__ import annotations

import json
import re
from importlib import resources

import pytest

from ordersync_app.domain.errors import AuthError, BugError, RecordRejected, SetupError, TransientError
from ordersync_app.services.explain import decode_escapes, explain, known_errors

# What the engine stored for a failed record when a recipe wrote the stage "已发货" (sandbox HubSpot).
INVALID_OPTION = ('Update deal rejected: Property values were not valid: [{"isValid": false, "message": '
                  '"\\u5df2\\u53d1\\u8d27 was not one of the allowed options: [checkout_completed, processed, '
                  'shipped, delivered, cancelled]", "error": "INVALID_OPTION", "name": "dealstage"}] '
                  '[VALIDATION_ERROR]')
# HubSpot's own compact form (no spaces, UTF-8 kept), as in its changelog example.
INVALID_OPTION_COMPACT = ('Update deal rejected: Property values were not valid: [{"isValid":false,"message":'
                          '"Versendet was not one of the allowed options: [shipped]","error":"INVALID_OPTION",'
                          '"name":"dealstage","localizedErrorMessage":"x"}] [VALIDATION_ERROR]')


def test_invalid_option_names_field_value_and_options_in_both_languages() -> None:
    e = explain(INVALID_OPTION, connector="hubspot")
    assert (e.key, e.action, e.field, e.value) == ("hubspot.invalid_option", "pick_valid_stage", "dealstage", "已发货")
    assert e.options == ("checkout_completed", "processed", "shipped", "delivered", "cancelled")
    assert "Deal stage" in e.what.en and "已发货" in e.what.en
    assert "交易阶段" in e.why.zh and "已发货" in e.why.zh
    assert "\\u" not in e.details and "已发货" in e.details  # the raw answer, readable, for "Details"
    assert explain(INVALID_OPTION_COMPACT, connector="hubspot").value == "Versendet"


def test_same_cause_same_group_whatever_the_record() -> None:
    assert explain(INVALID_OPTION, connector="hubspot").group == explain(INVALID_OPTION, connector="hubspot").group
    other = INVALID_OPTION.replace("\\u5df2\\u53d1\\u8d27", "Shiped")
    assert explain(other, connector="hubspot").group != explain(INVALID_OPTION, connector="hubspot").group


@pytest.mark.parametrize(("text", "connector", "key", "action"), [
    ("Update deal rejected: Could not get some deal objects, they may be deleted or not exist. [OBJECT_NOT_FOUND]",
     "hubspot", "hubspot.object_not_found", "open_recipe_field"),
    ('Update deal rejected: Property values were not valid: [{"isValid": false, "message": "Property \\"foo\\" does '
     'not exist", "error": "PROPERTY_DOESNT_EXIST", "name": "foo"}] [VALIDATION_ERROR]',
     "hubspot", "hubspot.property_missing", "open_recipe_field"),
    ("HubSpot denied access for account 'crm' (HubSpot GET /crm/v3/pipelines/0-3, HTTP 403) (vendor says: "
     "This app hasn't been granted all required scopes [MISSING_SCOPES])", "hubspot", "hubspot.missing_scopes",
     "reconnect_account"),
    ("HubSpot POST /crm/v3/objects/0-3/batch/update answered 429 (vendor says: You have reached your "
     "ten_secondly_rolling limit. [TEN_SECONDLY_ROLLING])", "hubspot", "hubspot.rate_limit", "wait"),
    ("Shopify POST /admin/api/2025-10/graphql.json answered 200 (vendor says: Throttled)", "shopify",
     "shopify.throttled", "wait"),
    ("Shopify denied access for account 'shop' (vendor says: Access denied for orders field. [ACCESS_DENIED])",
     "shopify", "shopify.access_denied", "reconnect_account"),
    ("Add tags to order rejected: Order does not exist", "shopify", "shopify.order_not_found", "open_recipe_field"),
    ("Jushuitan refused the credentials of account 'jst' (vendor says: 验证失败！无效签名)", "jushuitan",
     "jushuitan.bad_signature", "reconnect_account"),
    ("Jushuitan refused the credentials of account 'jst' (vendor says: "
     "验证失败！无效的access_token或access_token已过期)",
     "jushuitan", "jushuitan.token_expired", "reconnect_account"),
    ("Jushuitan rejected the request (vendor says: 一分钟不超过100次)", "jushuitan", "jushuitan.rate_limit", "wait"),
    ("Shopify POST /admin/api/2025-10/graphql.json answered 503 (vendor says: {\"status\": \"error\"})", None,
     "http.outage", "wait"),
    ("HubSpot refused the credentials of account 'bad' (vendor says: Authentication credentials not found. "
     "[INVALID_AUTHENTICATION]) — reconnect the account: ordersync account add bad --connector hubspot --replace",
     None, "http.credentials", "reconnect_account"),
    ("Shopify POST /admin/api/2025-10/graphql.json timed out", None, "http.network", "wait"),
    ("field 'dealstage', lookup_table: lookup_table: no entry for 'ON_HOLD' in the table (known: FULFILLED) — add it",
     "hubspot", "ordersync.lookup_table_miss", "open_recipe_field"),
    ("gave up after 7 attempts: HubSpot POST /crm/v3/objects/0-3/batch/update answered 503", "hubspot",
     "ordersync.gave_up", "resend"),
    ("no system keychain is available on this machine, and the encrypted keyring is locked", None,
     "keychain.locked", "unlock_keychain"),
    ("Shopify orders: the vendor answered the same page twice — the cursor was not moved; the next run reads from it "
     "again", "shopify", "connector.unexpected_answer", "wait"),
    ("recipe 'demo' is already running (pid 4242 on host shop-pc) — it finishes on its own", None,
     "ordersync.already_running", None),
])
def test_known_vendor_errors(text: str, connector: str | None, key: str, action: str | None) -> None:
    e = explain(text, connector=connector)
    assert (e.key, e.action) == (key, action)
    for sentence in (e.what, e.why, e.todo):
        assert sentence.en and sentence.zh
        assert not re.search(r"\{\w+\}", sentence.en + sentence.zh), "every placeholder is filled"
        assert re.search(r"[\u4e00-\u9fff]", sentence.zh), "the Chinese sentence is Chinese"
    assert "ordersync account" not in e.render("en") + e.details, "no CLI command reaches the GUI"


def test_lookup_table_miss_extracts_field_and_value() -> None:
    e = explain("field 'dealstage', lookup_table: lookup_table: no entry for 'ON_HOLD' in the table "
                "(known: FULFILLED, PARTIALLY_FULFILLED)", connector="hubspot")
    assert (e.field, e.value, e.options) == ("dealstage", "ON_HOLD", ("FULFILLED", "PARTIALLY_FULFILLED"))
    assert "Deal stage" in e.why.en


@pytest.mark.parametrize(("error", "who", "action"), [
    (RecordRejected("HubSpot said something new"), "data", "resend"),
    (TransientError("the network wobbled"), "vendor", "wait"),
    (AuthError("refused"), "account", "reconnect_account"),
    (SetupError("odd setting"), "account", "reconnect_account"),
    (BugError("an invariant broke"), "app", "open_log"),
])
def test_unknown_errors_fall_back_by_who_must_act(error, who: str, action: str) -> None:
    e = explain(error)
    assert (e.key.startswith("generic."), e.who, e.action) == (True, who, action)
    assert e.details


def test_table_entries_are_complete_and_cite_vendor_sources() -> None:
    data = json.loads(resources.files("ordersync_app.services").joinpath("known_errors.json").read_text("utf-8"))
    keys = [item["key"] for item in data["errors"]]
    assert len(keys) == len(set(keys))
    for item in data["errors"]:
        assert {"en", "zh"} <= item["what"].keys() and {"en", "zh"} <= item["why"].keys()
        if item.get("connectors"):
            assert re.search(r"\[(V|S|U)\]", item.get("source", "")), f"{item['key']} cites its vendor source"
    assert len(known_errors()) == len(keys)


def test_decode_escapes_keeps_other_text() -> None:
    assert decode_escapes("a \\u5df2\\u53d1 b \\ud83d\\ude00 \\uZZZZ") == "a 已发 b 😀 \\uZZZZ"
