"""Alerts: DingTalk signing and WeCom bodies checked by a loopback robot server, e-mail through a
tiny in-test SMTP server, the low-noise policy on a fake clock, and the service end to end."""

from __future__ import annotations

import argparse
import base64
import contextlib
import email
import email.policy
import hashlib
import hmac
import json
import socket
import ssl
import threading
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

from ordersync_app.alerts import AlertPolicy, Outcome, RecipeState, register_sink, unregister_sink
from ordersync_app.alerts.dingtalk import DingTalkSink, sign, signed_url
from ordersync_app.alerts.email import EmailSink
from ordersync_app.alerts.policy import sample_alert
from ordersync_app.alerts.sinks import Alert, truncate_utf8
from ordersync_app.alerts.wecom import WeComSink
from ordersync_app.cli import ops
from ordersync_app.domain.errors import SetupError, TransientError
from ordersync_app.domain.records import RunSummary
from ordersync_app.sandbox._server import Request, Response, SandboxApp, SandboxServer
from ordersync_app.services import alerts
from ordersync_app.storage import db
from ordersync_app.storage.tables import AlertDelivery, AlertSetting, Execution, Recipe, Run

DING_TOKEN = "ding-token-0123456789"
DING_SECRET = "SECfa1e0c2b9d8e7f6a5b4c3d2e1f00112233445566778899aabbccddeeff0011"
WECOM_KEY = "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"


# -- a loopback DingTalk + WeCom robot ---------------------------------------------------------
class RobotsApp(SandboxApp):
    """Answers like the two robots do, checking what the docs require of a request."""

    name = "robots"

    def setup(self) -> None:
        self.dingtalk: list[dict] = []
        self.wecom: list[dict] = []
        self.route("POST", "/robot/send", self.ding)
        self.route("POST", "/cgi-bin/webhook/send", self.wework)

    def ding(self, request: Request) -> Response:
        if request.arg("access_token") == "busy":
            return Response(200, {"errcode": 130101, "errmsg": "send too fast, exceed 20 times per minute"})
        if request.arg("access_token") != DING_TOKEN:
            return Response(200, {"errcode": 300001, "errmsg": "token is not exist"})
        timestamp, given = request.arg("timestamp") or "0", request.arg("sign") or ""
        # The doc's recipe, written out independently of the code under test.
        digest = hmac.new(DING_SECRET.encode(), f"{timestamp}\n{DING_SECRET}".encode(), hashlib.sha256).digest()
        if abs(int(timestamp) - time.time() * 1000) > 3600_000 or given != base64.b64encode(digest).decode():
            return Response(200, {"errcode": 310000, "errmsg": "sign not match"})
        if "charset=utf-8" not in request.headers.get("content-type", ""):
            return Response(200, {"errcode": 40035, "errmsg": "not utf-8"})
        body = request.json()
        if body.get("msgtype") != "text" or "OrderSync" not in body["text"]["content"]:
            return Response(200, {"errcode": 310000, "errmsg": "keywords not in content"})
        self.dingtalk.append(body)
        return Response(200, {"errcode": 0, "errmsg": "ok"})

    def wework(self, request: Request) -> Response:
        if request.arg("key") != WECOM_KEY:
            return Response(200, {"errcode": 93000, "errmsg": "invalid webhook url, hint: [1], from ip: 127.0.0.1"})
        body = request.json()
        text = body.get("text") or {}
        if body.get("msgtype") != "text" or not text.get("content") or len(text["content"].encode()) > 2048:
            return Response(200, {"errcode": 40008, "errmsg": "invalid message type or content too long"})
        self.wecom.append(body)
        return Response(200, {"errcode": 0, "errmsg": "ok"})


@pytest.fixture
def robots(tmp_path: Path) -> Iterator[tuple[RobotsApp, str]]:
    app = RobotsApp(tmp_path / "robots.db")
    server = SandboxServer([app]).start()
    yield app, server.url("robots")
    server.stop()


def _free_port() -> int:
    """A loopback port nobody listens on (connections are refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _alert(recipe: str = "订单同步") -> Alert:
    alert = AlertPolicy().observe(RecipeState(), recipe, Outcome(
        run_id=1, status="failed", failed=3, first_error="HubSpot rejected the request (HTTP 400)"))
    assert alert is not None
    return alert


# -- DingTalk ---------------------------------------------------------------------------------
def test_dingtalk_sign_matches_the_docs_reference_code() -> None:
    # The Python sample of the DingTalk doc (customize-robot-security-settings), with the doc's
    # example secret and a fixed timestamp; no published input/output pair exists, so the doc's own
    # code is the oracle and the literal below pins the value.
    timestamp, secret = "1577262236757", "this is secret"
    hmac_code = hmac.new(secret.encode("utf-8"), f"{timestamp}\n{secret}".encode(),
                         digestmod=hashlib.sha256).digest()
    reference = urllib.parse.quote_plus(base64.b64encode(hmac_code))
    assert sign(secret, int(timestamp)) == reference
    assert reference == "hmPWwU%2B7lVdm3ZZz0r9tSfx0L4Q26jWOZr9%2BGs6EZQM%3D"
    url = signed_url("https://oapi.dingtalk.com/robot/send?access_token=abc", secret, int(timestamp))
    assert url == f"https://oapi.dingtalk.com/robot/send?access_token=abc&timestamp={timestamp}&sign={reference}"
    assert signed_url("https://oapi.dingtalk.com/robot/send?access_token=abc", None, 1).endswith("=abc")


def test_dingtalk_sink_posts_a_signed_bilingual_text(robots) -> None:
    app, url = robots
    sink = DingTalkSink(f"{url}/robot/send?access_token={DING_TOKEN}", secret=DING_SECRET, keyword="OrderSync",
                        at_mobiles=["13800001111"])
    for _ in range(3):  # several signatures in a row: '+', '/' and '=' must survive the URL each time
        sink.send(_alert())
    assert len(app.dingtalk) == 3
    body = app.dingtalk[0]
    content = body["text"]["content"]
    assert "订单同步" in content
    assert "3 record(s) failed" in content
    assert "3 条记录失败" in content
    assert "Activity" in content
    assert "活动" in content
    assert body["at"] == {"atMobiles": ["13800001111"], "isAtAll": False}


def test_dingtalk_refusals_are_clear_and_never_show_the_secret(robots) -> None:
    _app, url = robots
    wrong = DingTalkSink(f"{url}/robot/send?access_token={DING_TOKEN}", secret="SECwrong-secret-000")
    with pytest.raises(SetupError, match="310000") as info:
        wrong.send(_alert())
    assert "sign not match" in info.value.render()
    assert "SECwrong-secret-000" not in info.value.render()
    assert DING_TOKEN not in info.value.render()
    busy = DingTalkSink(f"{url}/robot/send?access_token=busy")
    with pytest.raises(TransientError, match="rate-limited"):
        busy.send(_alert())


def test_dingtalk_keyword_is_added_when_missing() -> None:
    sink = DingTalkSink("https://oapi.dingtalk.com/robot/send?access_token=x", keyword="告警")
    assert sink.payload(_alert())["text"]["content"].startswith("[告警] OrderSync")


def test_webhook_must_be_https_except_on_loopback() -> None:
    with pytest.raises(SetupError, match="https"):
        WeComSink("http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x")
    with pytest.raises(SetupError, match="https"):
        DingTalkSink("oapi.dingtalk.com/robot/send")


# -- WeCom ------------------------------------------------------------------------------------
def test_wecom_sink_posts_the_documented_body(robots) -> None:
    app, url = robots
    WeComSink(f"{url}/cgi-bin/webhook/send?key={WECOM_KEY}", mentioned_mobiles=["@all"]).send(_alert())
    assert app.wecom[0]["msgtype"] == "text"
    assert app.wecom[0]["text"]["mentioned_mobile_list"] == ["@all"]
    assert "配方「订单同步」同步失败" in app.wecom[0]["text"]["content"]
    long_alert = _alert(recipe="超长" * 2000)
    WeComSink(f"{url}/cgi-bin/webhook/send?key={WECOM_KEY}").send(long_alert)  # cut to 2048 bytes
    assert len(app.wecom[1]["text"]["content"].encode()) <= 2048


def test_wecom_wrong_key_and_unreachable_robot(robots) -> None:
    _app, url = robots
    with pytest.raises(SetupError, match="93000"):
        WeComSink(f"{url}/cgi-bin/webhook/send?key=deleted-key-1234").send(_alert())
    with pytest.raises(TransientError, match="could not be reached"):
        WeComSink(f"http://127.0.0.1:{_free_port()}/cgi-bin/webhook/send?key=x", timeout=2).send(_alert())


def test_truncate_utf8_never_splits_a_character() -> None:
    text = truncate_utf8("失败" * 1000, 2048)
    assert len(text.encode()) <= 2048
    assert text.endswith("…")
    assert truncate_utf8("short", 10) == "short"


# -- e-mail -----------------------------------------------------------------------------------
class TinySmtp:
    """A minimal SMTP responder (stdlib ``smtpd`` is gone in 3.12): EHLO, STARTTLS (when given a
    TLS context), AUTH PLAIN, MAIL, RCPT, DATA, QUIT."""

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.user, self.password = "alerts@shop.cn", "app-code-7788"
        self.tls = tls
        self.messages: list[tuple[str, list[str], bytes]] = []
        self.encrypted: list[bool] = []  # per message: was the session upgraded with STARTTLS?
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept() (close alone does not)
        self.sock.close()
        self.thread.join(5)

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with contextlib.suppress(OSError):
                self._session(conn)

    def _session(self, conn: socket.socket) -> None:
        reader = conn.makefile("rb")
        try:
            self._reply(conn, "220 tiny ESMTP")
            sender, rcpts, upgraded = "", [], False
            while line := reader.readline():
                cmd = line.decode().strip()
                verb = cmd.split(" ", 1)[0].upper()
                if verb in ("EHLO", "HELO"):
                    starttls = ["250-STARTTLS"] if self.tls and not upgraded else []
                    self._reply(conn, "250-tiny", *starttls, "250-AUTH PLAIN", "250 8BITMIME")
                elif verb == "STARTTLS" and self.tls and not upgraded:
                    self._reply(conn, "220 go ahead")
                    reader.close()
                    conn = self.tls.wrap_socket(conn, server_side=True)
                    reader, upgraded = conn.makefile("rb"), True
                elif verb == "AUTH":
                    _zero, user, password = base64.b64decode(cmd.split()[2]).split(b"\0")
                    ok = (user.decode(), password.decode()) == (self.user, self.password)
                    self._reply(conn, "235 2.7.0 accepted" if ok else "535 5.7.8 authentication failed")
                elif verb == "MAIL":
                    sender = cmd.split(":", 1)[1].split()[0].strip("<>")
                    self._reply(conn, "250 ok")
                elif verb == "RCPT":
                    rcpts.append(cmd.split(":", 1)[1].strip().strip("<>"))
                    self._reply(conn, "250 ok")
                elif verb == "DATA":
                    self._reply(conn, "354 end with <CRLF>.<CRLF>")
                    data = b""
                    while (chunk := reader.readline()) not in (b".\r\n", b""):
                        data += chunk[1:] if chunk.startswith(b"..") else chunk
                    self.messages.append((sender, rcpts, data))
                    self.encrypted.append(upgraded)
                    self._reply(conn, "250 queued")
                elif verb == "QUIT":
                    self._reply(conn, "221 bye")
                    return
                else:
                    self._reply(conn, "250 ok")
        finally:
            reader.close()
            conn.close()

    @staticmethod
    def _reply(conn: socket.socket, *lines: str) -> None:
        conn.sendall("".join(f"{line}\r\n" for line in lines).encode())


def _self_signed(tmp_path: Path) -> tuple[ssl.SSLContext, Path]:
    """A server TLS context and the CA file a client must trust, for 127.0.0.1."""
    pytest.importorskip("cryptography")  # present wherever keyring pulls in SecretStorage
    import ipaddress
    from datetime import UTC, datetime, timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(minutes=5))
            .not_valid_after(now + timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    return context, cert_file


@pytest.fixture
def smtp() -> Iterator[TinySmtp]:
    server = TinySmtp()
    yield server
    server.close()


def test_email_sink_sends_a_bilingual_utf8_mail(smtp: TinySmtp) -> None:
    sink = EmailSink("127.0.0.1", port=smtp.port, security="none", username=smtp.user, password=smtp.password,
                     sender="alerts@shop.cn", recipients=["boss@shop.cn", " ops@shop.cn "], timeout=5)
    sink.send(_alert())
    sender, rcpts, data = smtp.messages[0]
    assert (sender, rcpts) == ("alerts@shop.cn", ["boss@shop.cn", "ops@shop.cn"])
    msg = email.message_from_bytes(data, policy=email.policy.default)
    assert msg["Subject"] == "OrderSync: recipe '订单同步' is failing / OrderSync：配方「订单同步」同步失败"
    body = msg.get_content()
    assert "3 条记录失败" in body
    assert "HubSpot rejected the request (HTTP 400)" in body


def test_email_starttls_verifies_the_certificate_and_logs_in(tmp_path: Path) -> None:
    context, ca_file = _self_signed(tmp_path)
    server = TinySmtp(tls=context)
    try:
        EmailSink("127.0.0.1", port=server.port, security="starttls", username=server.user,
                  password=server.password, sender="alerts@shop.cn", recipients=["boss@shop.cn"], timeout=5,
                  ca_file=str(ca_file)).send(_alert())
        assert server.encrypted == [True]
        untrusted = EmailSink("127.0.0.1", port=server.port, security="starttls", sender="a@shop.cn",
                              recipients=["b@shop.cn"], timeout=5)  # system CAs do not know our certificate
        with pytest.raises(SetupError, match="TLS with the mail server"):
            untrusted.send(_alert())
    finally:
        server.close()


def test_email_errors_are_clear(smtp: TinySmtp) -> None:
    bad = EmailSink("127.0.0.1", port=smtp.port, security="none", username=smtp.user, password="wrong-pass",
                    sender="alerts@shop.cn", recipients=["boss@shop.cn"], timeout=5)
    with pytest.raises(SetupError, match="refused the user name or password") as info:
        bad.send(_alert())
    assert "wrong-pass" not in info.value.render()
    no_tls = EmailSink("127.0.0.1", port=smtp.port, security="starttls", sender="a@shop.cn",
                       recipients=["b@shop.cn"], timeout=5)
    with pytest.raises(SetupError, match="does not offer STARTTLS"):
        no_tls.send(_alert())
    with pytest.raises(SetupError, match="without encryption"):
        EmailSink("smtp.example.com", security="none", password="pw", sender="a@x.cn", recipients=["b@x.cn"])
    with pytest.raises(TransientError, match="could not be reached"):
        EmailSink("127.0.0.1", port=_free_port(), security="none", sender="a@x.cn", recipients=["b@x.cn"],
                  timeout=2).send(_alert())


# -- the policy on a fake clock -----------------------------------------------------------------
class FakeClock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


def test_policy_start_quiet_digest_recover() -> None:
    clock = FakeClock()
    policy = AlertPolicy(3600, clock=clock)
    state = RecipeState()
    ok = Outcome(run_id=1, status="succeeded")
    assert policy.observe(state, "demo", ok) is None  # healthy and never failed: nothing to say

    start = policy.observe(state, "demo", Outcome(2, "failed", failed=4, first_error="HTTP 400: bad stage"))
    assert start is not None
    assert start.kind == "failing"
    assert start.failed == 4
    assert start.first_error == "HTTP 400: bad stage"
    policy.delivered(state, start)

    for run_id in range(3, 13):  # ten more failing runs within the hour: silence
        clock.now += 300
        assert policy.observe(state, "demo", Outcome(run_id, "failed", failed=2, first_error="x")) is None
    clock.now += 300
    assert policy.observe(state, "demo", Outcome(13, "failed", failed=1)) is None  # 3300 s: not yet
    clock.now += 300  # 3600 s since the start alert
    digest = policy.observe(state, "demo", Outcome(14, "error", error="HubSpot unreachable"))
    assert digest is not None
    assert digest.kind == "digest"
    assert (digest.failed, digest.runs) == (21, 12)  # counts since the last alert, not since the start
    policy.delivered(state, digest)

    clock.now += 60
    assert policy.observe(state, "demo", Outcome(15, "failed", failed=1)) is None
    assert policy.observe(state, "demo", Outcome(16, "stopped")) is None  # neutral: changes nothing
    assert state.failing
    recovered = policy.observe(state, "demo", Outcome(17, "succeeded"), queued=5)
    assert recovered is not None
    assert recovered.kind == "recovered"
    assert (recovered.failed, recovered.runs) == (26, 14)
    assert "5 failed record(s) still wait" in recovered.text()
    assert "还有 5 条记录" in recovered.text()
    assert not state.failing
    assert state.last_run_id == 17
    assert policy.observe(state, "demo", Outcome(18, "succeeded")) is None  # only one "recovered"


def test_policy_retries_an_undelivered_start_and_ignores_seen_runs() -> None:
    clock = FakeClock()
    policy = AlertPolicy(3600, clock=clock)
    state = RecipeState()
    first = policy.observe(state, "demo", Outcome(5, "failed", failed=1, first_error="e1"))
    assert first is not None  # ... but no sink took it (delivered() not called)
    assert policy.observe(state, "demo", Outcome(5, "failed", failed=1)) is None  # same run again
    assert policy.observe(state, "demo", Outcome(4, "failed", failed=1)) is None  # an older run
    again = policy.observe(state, "demo", Outcome(6, "failed", failed=2, first_error="e2"))
    assert again is not None
    assert again.kind == "failing"
    assert again.first_error == "e1"
    assert "3 record(s) failed in 2 runs" in again.text()
    # a recovery nobody was told about the failure of stays silent
    assert policy.observe(state, "demo", Outcome(7, "succeeded")) is None
    restored = RecipeState.from_dict(json.loads(json.dumps(state.to_dict())) | {"future_key": 1})
    assert restored == state


# -- the service end to end -----------------------------------------------------------------------
def _recipe_with_failed_run(name: str, *, failed: int, error: str | None = None) -> RunSummary:
    with db.session() as s:
        recipe = s.query(Recipe).filter_by(name=name).one_or_none()
        if recipe is None:
            recipe = Recipe(name=name, title=name)
            s.add(recipe)
            s.flush()
        run = Run(recipe_id=recipe.id, recipe_version=1, status="failed" if failed else "succeeded")
        s.add(run)
        s.flush()
        for n in range(failed):
            s.add(Execution(recipe_id=recipe.id, run_id=run.id, record_key=f"{run.id}-{n}", record_version="v1",
                            payload={}, status="failed", error=error))
        run_id = run.id
    return RunSummary(run_id=run_id, recipe=name, status="failed" if failed else "succeeded", failed=failed)


def stored_alerts_text() -> str:
    """Every alert row in the database as text (to check that no secret is in it)."""
    with db.session() as s:
        rows = [(r.section, r.name, r.value) for r in s.query(AlertSetting)]
        rows += [(d.at, d.recipe, d.kind, d.sink, d.ok, d.error) for d in s.query(AlertDelivery)]
    return json.dumps(rows, ensure_ascii=False)


@pytest.fixture
def configured(home, robots) -> RobotsApp:
    app, url = robots
    alerts.configure_sink("dingtalk", {"keyword": "OrderSync"},
                          {"webhook": f"{url}/robot/send?access_token={DING_TOKEN}", "sign_secret": DING_SECRET})
    alerts.configure_sink("wecom", {}, {"webhook": f"{url}/cgi-bin/webhook/send?key={WECOM_KEY}"})
    return app


def test_observe_run_alerts_once_then_recovers_and_keeps_secrets_out_of_the_database(configured, home,
                                                                                 memory_keyring) -> None:
    app = configured
    leaked = "access_token=pat-na1-LEAKED-0001"
    summary = _recipe_with_failed_run("demo", failed=3, error=f"HubSpot said no ({leaked}): stage 'x' unknown")
    sent = alerts.observe_run("demo", summary)
    assert [a.kind for a in sent] == ["failing"]
    assert len(app.dingtalk) == len(app.wecom) == 1
    content = app.wecom[0]["text"]["content"]
    assert "3 record(s) failed" in content
    assert "stage 'x' unknown" in content
    assert "LEAKED" not in content
    assert alerts.observe_run("demo", summary) == []  # the same run twice: once only

    for _ in range(3):  # keeps failing, within the digest period; state survives in the database
        assert alerts.observe_run("demo", _recipe_with_failed_run("demo", failed=1)) == []
    assert len(app.dingtalk) == 1

    recovered = alerts.observe_run("demo", _recipe_with_failed_run("demo", failed=0))
    assert [a.kind for a in recovered] == ["recovered"]
    assert "6 failed record(s) still wait in the queue" in app.dingtalk[-1]["text"]["content"]

    text = stored_alerts_text()
    assert "failing" in text
    for secret in (DING_TOKEN, DING_SECRET, WECOM_KEY):
        assert secret not in text
    assert ("OrderSync", "alerts:dingtalk/sign_secret") in memory_keyring.values
    shown = json.dumps(alerts.show())
    assert DING_SECRET not in shown
    assert "stored in keychain" in shown


def test_digest_period_and_desktop_sink(configured) -> None:
    app = configured
    desktop: list[Alert] = []

    class Desktop:
        def send(self, alert: Alert) -> None:
            desktop.append(alert)

    register_sink("desktop", Desktop())
    try:
        alerts.configure_app(sinks=["wecom", "desktop"], digest_minutes=0)
        alerts.observe_run("demo", _recipe_with_failed_run("demo", failed=2))
        sent = alerts.observe_run("demo", _recipe_with_failed_run("demo", failed=1))
        assert [a.kind for a in sent] == ["digest"]
        assert [a.kind for a in desktop] == ["failing", "digest"]
        assert len(app.wecom) == 2
        assert not app.dingtalk
        alerts.configure_recipe("demo", enabled=False)
        assert alerts.observe_run("demo", _recipe_with_failed_run("demo", failed=1)) != []  # decided ...
        assert len(desktop) == 2  # ... but not sent: alerts are off for this recipe
    finally:
        unregister_sink("desktop")


def test_send_failures_are_recorded_and_never_raise(home, robots) -> None:
    _app, url = robots
    alerts.configure_sink("wecom", {"timeout": "2"}, {"webhook": f"{url}/cgi-bin/webhook/send?key=revoked-key-99"})
    first = alerts.observe_run("demo", _recipe_with_failed_run("demo", failed=1))
    assert [a.kind for a in first] == ["failing"]
    delivery = alerts.show()["deliveries"][-1]
    assert delivery["ok"] is False
    assert "93000" in delivery["error"]
    assert "revoked-key-99" not in delivery["error"]
    # nobody heard about it, so the next failing run tries the start alert again
    assert [a.kind for a in alerts.observe_run("demo", _recipe_with_failed_run("demo", failed=1))] == ["failing"]


def test_observe_run_survives_a_broken_old_state_file(home) -> None:
    (home / "alerts.json").mkdir(parents=True)  # an old file that cannot be read: left alone, never fatal
    assert [a.kind for a in alerts.observe_run("demo", _recipe_with_failed_run("demo", failed=1))] == ["failing"]
    (home / "alerts.json").rmdir()
    (home / "alerts.json").write_text("{not json", "utf-8")
    assert alerts.observe_run("demo", _recipe_with_failed_run("demo", failed=1)) == []
    assert (home / "alerts.json").exists()


def test_configure_sink_validates_and_test_sink_sends(configured) -> None:
    with pytest.raises(SetupError, match="is a secret"):
        alerts.configure_sink("wecom", {"webhook": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=1"})
    with pytest.raises(SetupError, match="did you mean 'keyword'"):
        alerts.configure_sink("dingtalk", {"keywrd": "x"})
    with pytest.raises(SetupError, match="did you mean 'wecom'"):
        alerts.configure_sink("wecon", {})
    with pytest.raises(SetupError, match="needs host, sender, recipients"):
        alerts.configure_sink("email", {"port": "465"})
    with pytest.raises(SetupError, match="not set up"):
        alerts.test_sink("email")
    assert "WeCom" in alerts.test_sink("wecom")
    assert "测试提醒" in configured.wecom[-1]["text"]["content"]


def test_cli_alerts_take_secrets_from_env_never_argv(configured, monkeypatch, capsys) -> None:
    parser = argparse.ArgumentParser()
    ops.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["alerts", "set", "dingtalk", "--set", "sign_secret=SECoops"])
    with pytest.raises(SetupError, match="never given on the command line"):
        args.func(args)
    monkeypatch.setenv("ORDERSYNC_SECRET_PASSWORD", "cli-mail-pass-1")
    args = parser.parse_args(["alerts", "set", "email", "--set", "host=127.0.0.1", "--set", "security=ssl",
                              "--set", "sender=a@shop.cn", "--set", "recipients=b@shop.cn;c@shop.cn"])
    assert args.func(args) == 0
    assert "Saved the e-mail alert" in capsys.readouterr().out
    args = parser.parse_args(["alerts", "show", "--json"])
    args.func(args)
    shown = json.loads(capsys.readouterr().out)
    assert shown["sinks"]["email"]["settings"]["recipients"] == ["b@shop.cn", "c@shop.cn"]
    assert shown["sinks"]["email"]["secrets"] == {"password": "stored in keychain"}
    assert "cli-mail-pass-1" not in json.dumps(shown)
    args = parser.parse_args(["alerts", "test", "wecom"])
    assert args.func(args) == 0


def test_sample_alert_text_has_both_languages() -> None:
    text = sample_alert(now=0).text()
    assert text.splitlines()[:2] == ["OrderSync test alert", "OrderSync 测试提醒"]
    english = sample_alert(now=0).text("en")
    assert english == "OrderSync test alert\nIf you can read this, OrderSync alerts reach this channel."
