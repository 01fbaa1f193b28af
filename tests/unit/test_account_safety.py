"""Accounts: secrets cleaned, addresses checked, data files private, keyring failures clear and nothing
half-written, auth failures pinned on their own account (issue 9, defects 1, 3, 6, 7 and 8)."""

from __future__ import annotations

import json
import os
import stat
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from ordersync_app import logs, paths
from ordersync_app.connectors import jushuitan
from ordersync_app.connectors.sdk.auth import client_credentials, oauth2_refresh
from ordersync_app.connectors.sdk.http import ApiClient
from ordersync_app.connectors.sdk.spec import AccountConfig
from ordersync_app.domain.errors import AuthError, SetupError
from ordersync_app.secrets import store
from ordersync_app.services import accounts, alerts, audit
from ordersync_app.services import sandbox as sandbox_service
from ordersync_app.storage import db

TOKEN = "shpat_CANARY0987654321fedcba"


# -- 1: secrets are cleaned where they are stored; a header that cannot be sent is a setup error ------
def test_secrets_are_stripped_and_control_characters_refused(home, sandbox, memory_keyring) -> None:
    base = sandbox.url("shopify")
    accounts.add_account("s", "shopify", base_url=base, settings={"shop": "x"},
                         secret_values={"access_token": f"  {TOKEN}\r\n"})
    assert store.get_secret("s", "access_token") == TOKEN
    with pytest.raises(SetupError, match=r"control characters \(\\r\)") as refused:
        accounts.add_account("t", "shopify", base_url=base, settings={"shop": "x"},
                             secret_values={"access_token": f"shpat_{'a' * 10}\rsecond-line"})
    assert "second-line" not in refused.value.render()
    with pytest.raises(SetupError):
        accounts.get_account("t")  # nothing was stored for the refused account
    with pytest.raises(SetupError, match="control characters"):
        alerts.configure_sink("wecom", secrets={"webhook": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=a\nb"})


def test_a_token_that_cannot_be_sent_is_a_setup_error_and_not_retried(sandbox, fast_retry) -> None:
    from ordersync_app.connectors import shopify

    config = AccountConfig(name="s", connector="shopify", base_url=sandbox.url("shopify"), settings={"shop": "x"},
                           secret=lambda key: f"{TOKEN}\r" if key == "access_token" else None)
    with ApiClient(shopify.CONNECTOR, config, retry=fast_retry) as api, \
            pytest.raises(SetupError, match="could not be sent") as refused:
        api.request("POST", "/admin/api/2025-07/graphql.json", json={"query": "{ shop { name } }"})
    assert api.stats.calls == 1  # no retry can fix a malformed header
    assert TOKEN[:8] not in refused.value.render() and TOKEN[-8:] not in refused.value.render()


# -- 3: an auth failure names its account ---------------------------------------------------------
class _Refusing(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = json.dumps({"error": "invalid_grant", "code": 100, "msg": "token revoked"}).encode()
        self.send_response(400)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST

    def log_message(self, *_args: object) -> None:
        return


@pytest.fixture
def refusing_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Refusing)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _config(name: str, base: str) -> AccountConfig:
    values = {"refresh_token": "r-123456789", "client_secret": "c-123456789", "app_secret": "s-123456789"}
    return AccountConfig(name=name, connector="x", base_url=base, settings={"client_id": "id", "app_key": "k"},
                         secret=values.get, save_secret=lambda _k, _v: None)


@pytest.mark.parametrize("make", [
    lambda config, base: oauth2_refresh(config, f"{base}/token"),
    lambda config, base: client_credentials(config, f"{base}/token"),
])
def test_an_oauth_refusal_names_its_account(refusing_server, make) -> None:
    auth = make(_config("crm-one", refusing_server), refusing_server)
    with pytest.raises(AuthError) as refused:
        httpx.get(f"{refusing_server}/api", auth=auth)
    assert refused.value.account == "crm-one"


def test_a_jushuitan_refresh_refusal_names_its_account(refusing_server) -> None:
    answer = httpx.Response(200, json={"code": 100, "msg": "refresh token expired"},
                            request=httpx.Request("POST", f"{refusing_server}/openWeb/auth/refreshToken"))
    with pytest.raises(AuthError) as refused:
        jushuitan._read_token(answer, _config("oms-one", refusing_server))
    assert refused.value.account == "oms-one"


# -- 6: account addresses ---------------------------------------------------------------------------
def test_http_is_only_for_loopback_and_hosts_outside_the_vendor_need_allow_host(home, memory_keyring) -> None:
    secret = {"access_token": "pat-123456789"}
    with pytest.raises(SetupError, match="not encrypted"):
        accounts.add_account("a", "hubspot", base_url="http://api.hubapi.com", secret_values=secret)
    with pytest.raises(SetupError, match="not a HubSpot address") as refused:
        accounts.add_account("a", "hubspot", base_url="https://evil.example", secret_values=secret)
    assert "--allow-host" in (refused.value.hint or "")
    info = accounts.add_account("a", "hubspot", base_url="https://crm.internal.example", secret_values=secret,
                                allow_host=True)
    assert accounts.foreign_host(accounts.connector("hubspot"), info.base_url) == "crm.internal.example"
    assert accounts.add_account("b", "hubspot", secret_values=secret).base_url == "https://api.hubapi.com"
    assert accounts.add_account("c", "hubspot", base_url="http://127.0.0.1:9", secret_values=secret)
    assert accounts.add_account("d", "hubspot", base_url="sandbox://hubspot")


@pytest.mark.parametrize(("settings", "problem"), [
    ({"shop": "evil.example/x?"}, "'shop' is not valid"),
    ({"shop": "my-store", "api_version": "../../../x"}, "'api_version' is not valid"),
    ({"shop": "-bad-"}, "'shop' is not valid"),
])
def test_shopify_settings_that_would_change_the_address_are_refused(home, settings, problem) -> None:
    with pytest.raises(SetupError, match=problem):
        accounts.add_account("s", "shopify", settings=settings, secret_values={"access_token": "shpat_123456789"})


def test_a_woocommerce_site_must_be_a_host_name(home, memory_keyring) -> None:
    keys = {"consumer_key": "ck_123456789", "consumer_secret": "cs_123456789"}
    with pytest.raises(SetupError, match="'site' is not valid"):
        accounts.add_account("w", "woocommerce", settings={"site": "evil.example/x?"}, secret_values=keys)
    info = accounts.add_account("w", "woocommerce", settings={"site": "shop.example.com"}, secret_values=keys)
    assert info.base_url == "https://shop.example.com/wp-json/wc/v3"


def test_a_valid_shop_builds_its_myshopify_address(home, memory_keyring) -> None:
    info = accounts.add_account("s", "shopify", settings={"shop": "my-store", "api_version": "2025-07"},
                                secret_values={"access_token": "shpat_123456789"})
    assert info.base_url == "https://my-store.myshopify.com"


@pytest.mark.parametrize("url", ["https://{0}.myshopify.com", "https://{shop.__class__}.myshopify.com",
                                 "https://{token}.myshopify.com", "https://{client_secret}.myshopify.com"])
def test_a_base_url_is_never_a_format_string(home, url) -> None:
    with pytest.raises(SetupError, match="address"):
        accounts.add_account("s", "shopify", base_url=url, settings={"shop": "x"},
                             secret_values={"access_token": "shpat_123456789"})


def test_changing_an_accounts_host_requires_the_secret_again(home, memory_keyring) -> None:
    accounts.add_account("crm", "hubspot", base_url="http://127.0.0.1:9",
                         secret_values={"access_token": "pat-old-1234"})
    accounts.add_account("crm", "hubspot", base_url="http://127.0.0.1:9/", replace=True)  # same host: kept
    assert store.get_secret("crm", "access_token") == "pat-old-1234"
    with pytest.raises(SetupError, match="required again"):
        accounts.add_account("crm", "hubspot", base_url="https://crm.example", replace=True, allow_host=True)
    assert accounts.get_account("crm").base_url == "http://127.0.0.1:9/"  # unchanged
    accounts.add_account("crm", "hubspot", base_url="https://crm.example", replace=True, allow_host=True,
                         secret_values={"access_token": "pat-new-5678"})
    assert store.get_secret("crm", "access_token") == "pat-new-5678"


def test_the_sandbox_address_is_trusted_only_on_loopback(home, sandbox) -> None:
    marker = paths.sandbox_dir() / "serve.json"
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text(json.dumps({"pid": os.getpid(), "url": "https://evil.example"}), "utf-8")
    try:
        assert not sandbox_url_is("https://evil.example")
        marker.write_text(json.dumps({"pid": os.getpid(), "url": sandbox.root}), "utf-8")
        assert sandbox_url_is(sandbox.root)
    finally:
        marker.unlink()
        sandbox_service.stop_in_process()


def sandbox_url_is(url: str) -> bool:
    return sandbox_service.resolve("sandbox://hubspot") == f"{url}/hubspot"


# -- 7: private files ------------------------------------------------------------------------------
@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_data_directory_and_files_with_order_data_are_private(home, tmp_path: Path) -> None:
    import logging

    root = logging.getLogger("ordersync_app")
    for handler in [h for h in root.handlers if getattr(h, "_ordersync", False)]:  # an earlier test's home
        root.removeHandler(handler)
        handler.close()
    db.engine()
    logs.setup()
    alerts.configure_app(enabled=True)
    export = tmp_path / "audit.csv"
    audit.export_csv(export)
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    for path in (home / "ordersync.db", home / "logs" / "ordersync.log", export):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    for handler in [h for h in root.handlers if getattr(h, "_ordersync", False)]:
        root.removeHandler(handler)
        handler.close()


# -- 8: the encrypted keyring --------------------------------------------------------------------
@pytest.fixture
def file_keyring(home, monkeypatch) -> Path:
    store.set_backend(None)
    monkeypatch.setattr(store, "_os_keychain", lambda: None)
    monkeypatch.setenv("ORDERSYNC_KEYRING_PASSPHRASE", "correct horse")
    return home / "secrets.cfg"


def _reopen(monkeypatch, passphrase: str = "correct horse") -> None:  # noqa: S107 - a test passphrase
    store.set_backend(None)
    monkeypatch.setenv("ORDERSYNC_KEYRING_PASSPHRASE", passphrase)


def test_a_wrong_passphrase_is_a_clear_error_and_adds_no_account(file_keyring, monkeypatch) -> None:
    accounts.add_account("one", "hubspot", base_url="http://127.0.0.1:9", secret_values={"access_token": "pat-1234567"})
    _reopen(monkeypatch, "wrong horse")
    with pytest.raises(SetupError, match="passphrase is wrong"):
        accounts.add_account("two", "hubspot", base_url="http://127.0.0.1:9",
                             secret_values={"access_token": "pat-7654321"})
    assert [a.name for a in accounts.list_accounts()] == ["one"]  # nothing half-written


def test_a_changed_byte_or_a_lost_keyring_file_is_a_clear_error(file_keyring, monkeypatch) -> None:
    store.set_secret("crm", "access_token", "pat-1234567")
    good = file_keyring.read_bytes()
    damaged = bytearray(good)
    damaged[good.index(b"password") + 40] ^= 0x01
    file_keyring.write_bytes(bytes(damaged))
    _reopen(monkeypatch)
    with pytest.raises(SetupError, match=r"passphrase is wrong, or the file was changed|damaged"):
        store.get_secret("crm", "access_token")
    file_keyring.write_bytes(good[: len(good) // 3])
    _reopen(monkeypatch)
    with pytest.raises(SetupError, match="damaged"):
        store.get_secret("crm", "access_token")
    file_keyring.unlink()
    _reopen(monkeypatch)
    with pytest.raises(SetupError, match="is missing") as missing:
        store.get_secret("crm", "access_token")
    assert "backup" in (missing.value.hint or "")
    assert not file_keyring.exists()  # no new, empty keyring was made over the lost one


def test_the_keyring_is_unlocked_once_and_each_secret_read_once(file_keyring, monkeypatch) -> None:
    store.set_secret("crm", "access_token", "pat-1234567")
    _reopen(monkeypatch)
    reads: list[str] = []
    backend = store.backend()
    original = backend.get_password
    monkeypatch.setattr(backend, "get_password", lambda service, user: reads.append(user) or original(service, user))
    for _ in range(5):
        assert store.get_secret("crm", "access_token") == "pat-1234567"
    assert reads == ["ordersync:all-secrets"]


def _derivations(monkeypatch) -> list[int]:
    """Count Argon2 key derivations (each costs about a second of CPU and 64 MB)."""
    import argon2.low_level

    calls: list[int] = []
    original = argon2.low_level.hash_secret_raw
    monkeypatch.setattr(argon2.low_level, "hash_secret_raw", lambda *a, **k: calls.append(1) or original(*a, **k))
    return calls


def test_a_process_unlocks_the_keyring_file_once_however_many_secrets_it_reads(file_keyring, monkeypatch) -> None:
    secrets = {("shop", "access_token"): "shpat-1234567", ("crm", "access_token"): "pat-7654321",
               ("crm", "refresh_token"): "rt-2468024", ("fx", "app_secret"): "fx-1357913"}
    for (account, key), value in secrets.items():
        store.set_secret(account, key, value)
    _reopen(monkeypatch)
    calls = _derivations(monkeypatch)
    assert {k: store.get_secret(*k) for k in secrets} == secrets
    assert len(calls) == 2  # the passphrase check, then every secret at once (one entry each: 1 + 4)


def test_secrets_saved_one_per_entry_by_an_older_version_move_into_the_bundle(file_keyring, monkeypatch) -> None:
    from ordersync_app.secrets.bundle import BUNDLE_USER

    old = store.backend()
    old.set_password("OrderSync", "crm/access_token", "pat-1234567")  # as versions before the bundle stored them
    old.set_password("OrderSync", "shop/access_token", "shpat-7654321")
    _reopen(monkeypatch)
    assert store.get_secret("crm", "access_token") == "pat-1234567"
    assert store.get_secret("shop", "access_token") == "shpat-7654321"
    text = file_keyring.read_text("utf-8")
    assert "crm" not in text and "shop" not in text  # the single entries are gone, the bundle holds them
    _reopen(monkeypatch)
    assert store.backend().get_password("OrderSync", "crm/access_token") is None
    assert json.loads(store.backend().get_password("OrderSync", BUNDLE_USER)) == {
        "crm/access_token": "pat-1234567", "shop/access_token": "shpat-7654321"}


def test_a_secret_saved_by_another_process_meanwhile_is_kept(file_keyring, monkeypatch) -> None:
    from ordersync_app.secrets import bundle

    store.set_secret("crm", "access_token", "pat-1234567")
    assert store.get_secret("crm", "access_token") == "pat-1234567"  # this process holds the bundle now
    other = store._open_file("correct horse")  # another process (the app) adds an account meanwhile
    with bundle.locked(file_keyring):
        values = bundle.load(other, "OrderSync")
        bundle.save(other, "OrderSync", {**values, "shop/access_token": "shpat-7654321"})
    store.set_secret("crm", "access_token", "pat-refreshed-1")  # this one refreshes its token
    store.delete_secrets("gone", ["access_token"])
    _reopen(monkeypatch)
    assert store.get_secret("shop", "access_token") == "shpat-7654321"
    assert store.get_secret("crm", "access_token") == "pat-refreshed-1"


def test_a_damaged_secrets_entry_is_a_clear_error(file_keyring, monkeypatch) -> None:
    from ordersync_app.secrets.bundle import BUNDLE_USER

    store.set_secret("crm", "access_token", "pat-1234567")
    store.backend().set_password("OrderSync", BUNDLE_USER, '["not", "an object"]')
    _reopen(monkeypatch)
    with pytest.raises(SetupError, match=r"secrets in the encrypted keyring .* are damaged") as damaged:
        store.get_secret("crm", "access_token")
    assert "backup" in (damaged.value.hint or "")
