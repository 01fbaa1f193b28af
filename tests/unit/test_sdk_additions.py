"""SDK pieces added for the Chinese ERP/OMS connectors, each tested on its own: plain-words rule explanations,
per-account TLS from settings (a pinned self-signed certificate over real loopback TLS), keyed find-then-save
writes, positional rows, settings and fields as data, and the sandbox's ship endpoint."""

from __future__ import annotations

import datetime as dt
import ssl
import threading
from collections.abc import Iterator, Mapping
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from ordersync_app.connectors.sdk import rules, spec
from ordersync_app.connectors.sdk.http import ApiClient, fingerprint, tls_from_files
from ordersync_app.connectors.sdk.keyed import FindThenSave
from ordersync_app.connectors.sdk.paths import rows_by_position
from ordersync_app.connectors.sdk.spec import AccountConfig, Verdict, Write, WriteResult
from ordersync_app.domain.errors import SetupError
from ordersync_app.sandbox._server import SandboxServer
from ordersync_app.sandbox.woocommerce import WooCommerceSandbox


def test_a_rule_explains_in_both_languages_then_quotes_the_vendor() -> None:
    rule = rules.on(Verdict.RETRY, path="status", equals=100, message="message", explain=("Too fast", "太快了"))
    answer = httpx.Response(200, json={"status": 100, "message": "超过每分钟最大调用频率限制"})
    explained = "Too fast / 太快了 (超过每分钟最大调用频率限制)"
    assert rules.decide([rule], answer) == spec.Decision(Verdict.RETRY, explained)
    plain = rules.on(Verdict.RETRY, path="status", equals=100, message="message")
    assert rules.decide([plain], answer) == spec.Decision(Verdict.RETRY, "超过每分钟最大调用频率限制")  # unchanged
    quiet = rules.on(Verdict.SETUP, path="status", equals=100, explain=("No access", "无权限"))
    assert rules.decide([quiet], answer) == spec.Decision(Verdict.SETUP, "No access / 无权限")


def test_rows_by_position_names_values_and_nests_dotted_keys() -> None:
    named = rows_by_position(("FID", "FCustId.FNumber", "FCustId.FName"))
    assert named([[1, "C1", "张三"], [2, "C2", None]]) == [
        {"FID": 1, "FCustId": {"FNumber": "C1", "FName": "张三"}},
        {"FID": 2, "FCustId": {"FNumber": "C2", "FName": None}}]
    assert named({"Result": {}}) == [] and named([]) == []


def test_settings_and_fields_from_data_files() -> None:
    settings = spec.settings_from("ordersync_app.connectors", "kingdee_settings.json")
    by_key = {s.key: s for s in settings}
    assert by_key["app_secret"].secret and not by_key["app_secret"].required
    assert by_key["app_secret"].shown_when == {"sign_in": ("app_secret", "signed")}
    assert by_key["sign_in"].choices == ("app_secret", "password", "signed")
    assert by_key["sign_in"].choice_labels["password"] == ("User name and password", "用户名和密码")
    assert all(s.help_en and s.help_zh for s in settings if s.key != "lcid")
    fields = spec.fields_from("ordersync_app.connectors", "kingdee_fields.json")
    status = next(f for f in fields["sales_order"] if f.key == "FDocumentStatus")
    assert status.choices[:2] == ("Z", "A") and status.choice_labels["C"] == "已审核 Audited"
    assert fields["save_sales_order"][0].required and fields["sales_order"][0].label_zh == "内码"


class _Store:
    """A vendor with no upsert, in memory: find by number, save with an id or create."""

    def __init__(self) -> None:
        self.rows: dict[str, dict[str, Any]] = {"A-1": {"id": 1, "note": "old"}}
        self.saved: list[list[tuple[str, Any]]] = []

    def find(self, _client: Any, keys: list[str]) -> Mapping[str, Mapping[str, Any]]:
        return {k: self.rows[k] for k in keys if k in self.rows}

    def save(self, _client: Any, pairs: list[tuple[Write, Mapping[str, Any] | None]]) -> list[WriteResult]:
        self.saved.append([(str(w.match), (now or {}).get("id")) for w, now in pairs])
        for w, _now in pairs:
            self.rows.setdefault(str(w.match), {"id": len(self.rows) + 1}).update(w.properties)
        return [WriteResult(w.ref, "ok") for w, _now in pairs[:-1]]  # the vendor says nothing of the last one


def test_find_then_save_refuses_keyless_writes_and_splits_twins() -> None:
    store = _Store()
    keyed = FindThenSave(store.find, store.save, what="bill")
    writes = [Write("w1", "A-1", {"note": "new"}), Write("w2", "B-1", {"note": "b"}), Write("w3", None, {}),
              Write("w4", "B-1", {"note": "twin"}), Write("w5", "C-1", {"note": "c"})]
    results = keyed.deliver(None, writes)  # type: ignore[arg-type]
    assert [r.status for r in results] == ["ok", "ok", "rejected", "transient", "unknown"]
    assert store.saved == [[("A-1", 1), ("B-1", None), ("C-1", None)]]  # found by key: an id means "update"
    assert keyed.read_current(None, [writes[1], Write("w6", "Z-9", {"note": "?"})]) == [  # type: ignore[arg-type]
        {"note": "b"}, None]


@pytest.fixture
def self_signed(tmp_path: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (the kind an on-premise ERP server often has)."""
    crypto = pytest.importorskip("cryptography")  # keyring's SecretStorage brings it on Linux
    del crypto
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "erp.intranet")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30)).sign(key, hashes.SHA256()))
    cert_path, key_path = tmp_path / "server.pem", tmp_path / "server.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


@pytest.fixture
def tls_server(self_signed: tuple[Path, Path]) -> Iterator[str]:
    class Hello(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *_args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Hello)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*self_signed)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _connector(tls_for: Any) -> spec.Connector:
    return spec.Connector("tlstest", "TLS test", "TLS 测试", spec.Owns.ORDERS, (), "https://x", lambda _a: None,
                          spec.RateLimit(100, 1.0), lambda _r: "", lambda _c: "", tls_for=tls_for)


def test_a_pinned_self_signed_certificate_is_trusted_and_nothing_else(tls_server: str,
                                                                     self_signed: tuple[Path, Path]) -> None:
    settings = {"pinned": str(self_signed[0])}
    account = AccountConfig("onprem", "tlstest", tls_server, settings, secret=lambda _k: None)
    pinned = _connector(lambda s: tls_from_files(None, s.get("pinned")))
    with ApiClient(pinned, account) as client:
        assert client.json("GET", "/") == {}
    plain = _connector(None)  # the same server without the pin: verification refuses it
    with ApiClient(plain, account, retry=None) as client:
        client.retry.max_attempts, client.retry.base_delay = 1, 0.0
        with pytest.raises(SetupError, match="certificate is not trusted"):  # a setup problem, not a retry
            client.json("GET", "/")
    assert len(fingerprint(self_signed[0].read_text())) == 95  # what the user compares before pinning


def test_tls_files_are_checked_with_a_clear_error(tmp_path: Path) -> None:
    assert tls_from_files(None, None) is None
    with pytest.raises(SetupError, match="cannot be read"):
        tls_from_files(str(tmp_path / "missing.pem"), None)
    der = tmp_path / "server.der"
    der.write_text("MIIBCgKCAQEA (base64 without the PEM header)")
    with pytest.raises(SetupError, match="holds no PEM certificate"):
        tls_from_files(None, str(der))


def test_sandbox_ship_endpoint_answers_404_for_apps_without_a_warehouse(tmp_path: Path) -> None:
    server = SandboxServer([WooCommerceSandbox(tmp_path / "woo.db")]).start()
    try:
        answer = httpx.post(f"{server.root}/_sandbox/woocommerce/ship/3")
        assert answer.status_code == 404 and "no warehouse" in answer.json()["message"]
    finally:
        server.stop()
