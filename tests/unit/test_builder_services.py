"""Builder services: labelled field choices (likely match first), value options, step order, recipe problems in
plain words, and run summaries worded as previews or with the reason nothing happened."""

from __future__ import annotations

import re

import pytest

from ordersync_app.connectors.sdk import registry
from ordersync_app.domain.records import RunSummary
from ordersync_app.recipes import load
from ordersync_app.services import builder, problems, summaries

SHOPIFY_ORDER = {"id": "gid://shopify/Order/5010", "legacyResourceId": "5010", "name": "#1010",
                 "displayFulfillmentStatus": "FULFILLED", "fulfillments": [{"trackingInfo": {"number": "1ZSB"}}]}


def _declared() -> list:
    shopify = registry.get("shopify")
    assert shopify is not None
    trigger = shopify.trigger("order_fulfilled")
    assert trigger is not None
    return list(trigger.fields)


def test_field_choices_carry_labels_samples_and_put_the_likely_match_first() -> None:
    choices = builder.field_choices(SHOPIFY_ORDER, _declared(),
                                    target="Value of the unique deal property (e.g. the order id)")
    first = choices[0]
    assert (first.path, first.label_en, first.label_zh, first.sample) == ("legacyResourceId", "Order ID", "订单 ID",
                                                                          "5010")
    paths = [c.path for c in choices]
    assert paths.index("legacyResourceId") < paths.index("id")
    tracking = next(c for c in choices if c.path == "fulfillments[0].trackingInfo.number")
    assert (tracking.label_zh, tracking.sample) == ("快递单号", "1ZSB")
    assert builder.field_choices(SHOPIFY_ORDER, _declared(), lookups={"found": {"id": "77"}})[-1].path == \
        "steps.found.id"


def test_field_options_are_the_static_choices_today() -> None:
    assert builder.field_options(None, "update_deal", "dealstage", connector_key="hubspot") is None
    options = builder.field_options(None, "update_deal", "dealtype", connector_key="hubspot")
    assert options == [("newbusiness", "newbusiness"), ("existingbusiness", "existingbusiness")]


def test_a_filter_after_its_action_is_flagged() -> None:
    doc = {"steps": [{"action": {}}, {"filter": {}}, {"lookup": {}}]}
    found = builder.order_problems(doc)
    assert [i for i, _t in found] == [1, 2]
    assert "filter" in found[0][1].en and "过滤" in found[0][1].zh
    assert builder.order_problems({"steps": [{"filter": {}}, {"action": {}}]}) == []


def test_recipe_problems_in_plain_words_keyed_by_step() -> None:
    doc = {"format": "ordersync-recipe", "version": 1, "name": "", "accounts": {"shop": "shopify", "crm": "hubspot"},
           "trigger": {"account": "shop", "event": "order_fulfiled"},
           "steps": [{"action": {"account": "crm", "action": "upsert_deal", "fields": {}}},
                     {"filter": {"match": "all", "conditions": [{"field": "", "op": "in"}]}}]}
    with pytest.raises(load.RecipeInvalid) as caught:
        load.load_document(doc)
    plain = problems.plain_problems(caught.value.problems, doc)
    by_place = {(p.part, p.step, p.where): p.text for p in plain}
    assert by_place[("recipe", None, "name")].zh == "这一项不能为空。"
    assert by_place[("trigger", None, "event")].en == "Pick an event from the list."
    assert "交易名称" in by_place[("step", 0, "fields")].zh
    assert by_place[("step", 1, "conditions[0].field")].en == "Pick a field."
    for p in plain:
        assert not re.search(r"`|steps\[|validation error|\{source", p.text.en + p.text.zh)


def test_a_syntax_error_names_its_line() -> None:
    with pytest.raises(load.RecipeInvalid) as caught:
        load.load_text("format: ordersync-recipe\nversion: 1\nname: [unclosed\n")
    (plain,) = problems.plain_problems(caught.value.problems)
    assert plain.text.en.startswith("Line ") and "行" in plain.text.zh


DOC = {"trigger": {"start": "now"}, "steps": [{"action": {"action": "update_deal"}}]}


def test_a_dry_run_is_worded_as_a_preview() -> None:
    summary = RunSummary(1, "demo", status="succeeded", dry_run=True, seen=12, succeeded=12,
                         previews=[{"changes": [{"field": "dealstage"}]}] * 10 + [{"changes": []}] * 2)
    text = summaries.describe_run(summary, DOC)
    assert text.en.startswith("Dry run: 10 deals would change; nothing was written.")
    assert "2 deals already have" in text.en and "试运行" in text.zh


def test_an_empty_run_says_why() -> None:
    text = summaries.describe_run(RunSummary(1, "demo", status="succeeded"), DOC, cursor="2026-11-30T09:30:00Z")
    assert "from now on" in text.en and "从现在开始" in text.zh
    everything = {**DOC, "trigger": {"start": "everything"}}
    later = summaries.describe_run(RunSummary(1, "demo", status="succeeded"), everything)
    assert later.en.startswith("Nothing new since the last check")
    moved = summaries.describe_run(RunSummary(1, "demo", status="succeeded", seen=1, succeeded=1), DOC)
    assert moved.en == "Updated 1 deal." and moved.zh == "已更新 1 个交易。"
