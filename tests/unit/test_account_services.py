"""Accounts: display names in any language, no ghost rows, a status that follows the last real test,
sign-in methods with labelled choices, and unlocking the encrypted keyring with a typed passphrase."""

from __future__ import annotations

import keyring.errors
import pytest

from ordersync_app.connectors.sdk import registry
from ordersync_app.domain.errors import SetupError
from ordersync_app.secrets import store
from ordersync_app.services import account_forms, accounts, keychain, sandbox


def test_display_name_in_chinese_gets_an_ascii_key(home) -> None:
    info = accounts.add_account("", "shopify", display_name="我的店铺", base_url="sandbox://shopify")
    assert (info.name, info.label) == ("shopify-1", "我的店铺")
    again = accounts.add_account("", "shopify", display_name="我的店铺", base_url="sandbox://shopify")
    assert again.name == "shopify-2"
    assert accounts.suggest_key("My Shop", "shopify") == "my-shop"
    assert accounts.suggest_key("Café Ürün", "shopify") == "cafe-urun"
    assert accounts.get_account("shopify-1").display_name == "我的店铺"


class RefusingKeyring(keyring.backend.KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> str | None:
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.PasswordSetError("the keychain is locked")

    def delete_password(self, service: str, username: str) -> None:
        raise keyring.errors.PasswordDeleteError(username)


def test_a_refused_secret_leaves_no_ghost_account(home) -> None:
    store.set_backend(RefusingKeyring())
    with pytest.raises(SetupError, match="keychain refused"):
        accounts.add_account("real-shop", "shopify", settings={"shop": "my-store"},
                             secret_values={"access_token": "shpat_123"})
    assert accounts.list_accounts() == []


def test_a_failed_save_puts_the_previous_secrets_back(home, memory_keyring, monkeypatch) -> None:
    accounts.add_account("crm", "hubspot", secret_values={"access_token": "old-token"})
    real = accounts.db.session
    calls = []

    def failing_second_session(*args, **kwargs):  # the name check passes; writing the row fails
        calls.append(1)
        if len(calls) == 2:
            raise SetupError("the database is read-only")
        return real(*args, **kwargs)

    monkeypatch.setattr(accounts.db, "session", failing_second_session)
    with pytest.raises(SetupError, match="read-only"):
        accounts.add_account("crm", "hubspot", secret_values={"access_token": "new-token"}, replace=True)
    monkeypatch.setattr(accounts.db, "session", real)
    assert store.get_secret("crm", "access_token") == "old-token"


def test_status_follows_the_last_real_test(home, sandbox) -> None:
    accounts.add_account("crm", "hubspot", base_url=sandbox.url("hubspot"), secret_values={"access_token": "wrong"})
    assert accounts.get_account("crm").status == "untested"
    with pytest.raises(SetupError):
        accounts.test_account("crm")
    bad = accounts.get_account("crm")
    assert bad.status == "reconnect" and bad.status_message


def test_status_ok_after_a_successful_test(home) -> None:
    try:
        accounts.add_account("shop", "shopify", base_url="sandbox://shopify")
        assert "Shopify" in accounts.test_account("shop")
        assert accounts.get_account("shop").status == "ok"
    finally:
        sandbox.stop_in_process()


def test_sign_in_methods_group_fields_and_label_choices() -> None:
    hubspot = registry.get("hubspot")
    assert hubspot is not None
    methods = {m.key: m for m in account_forms.sign_in_methods(hubspot)}
    assert list(methods) == ["private_app", "oauth", "sandbox"]
    assert methods["private_app"].fields == ("access_token", "plan")
    assert methods["oauth"].browser and "access_token" not in methods["oauth"].fields
    plan = next(s for s in hubspot.settings if s.key == "plan")
    assert account_forms.choice_label("hubspot", plan, "starter").zh == "免费版或入门版"
    flows = next(s for s in accounts.connector("fxiaoke").settings if s.key == "workflows")
    assert account_forms.choice_label("fxiaoke", flows, "off").zh == "不触发（推荐）"  # the connector's own labels
    shopify = registry.get("shopify")
    assert shopify is not None
    assert [m.key for m in account_forms.sign_in_methods(shopify)] == ["token", "client_credentials", "sandbox"]
    assert account_forms.method_of(shopify, {"shop": "x", "client_id": "abc"}) == "client_credentials"
    assert account_forms.method_of(hubspot, {"auth_mode": "oauth"}) == "oauth"


def test_keyring_unlocks_with_a_typed_passphrase(home, monkeypatch) -> None:
    store.set_backend(None)
    monkeypatch.setattr(store, "_os_keychain", lambda: None)
    monkeypatch.delenv("ORDERSYNC_KEYRING_PASSPHRASE", raising=False)
    state = keychain.state()
    assert state.locked and state.new
    keychain.unlock("correct horse")
    assert not keychain.state().locked
    store.set_secret("crm", "access_token", "pat-canary-0002")
    store.set_backend(None)
    with pytest.raises(SetupError, match="does not open"):
        keychain.unlock("wrong horse")
    assert keychain.state().locked and not keychain.state().new
    keychain.unlock("correct horse")
    assert store.get_secret("crm", "access_token") == "pat-canary-0002"
