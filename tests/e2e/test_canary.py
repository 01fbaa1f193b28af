"""Canary secrets against a hostile loopback vendor: no secret, nor any 8-character piece of one, is
found anywhere OrderSync writes or says (issue 9, "What it must show", defects 1 and 2).

The "vendor" is a stdlib HTTP server on loopback that plays HubSpot badly: it answers every call with
the bearer token it was sent, echoed raw, base64 (standard and url-safe), URL-encoded, inside HTML,
inside a fake stack trace, inside a malformed HTTP status line (so httpx's exception text quotes it),
and placed so that the 200- and 500-character cut-offs fall at every position inside it. The
recipe's failures then reach the database, the log, the CLI, exports, the alert tables and loopback
DingTalk/WeCom/SMTP sinks, all of which are searched.
"""

from __future__ import annotations

import base64
import itertools
import json
import sqlite3
import subprocess
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest
from tests.e2e.helpers import cli_env, ordersync
from tests.unit.test_alerts import DING_SECRET, DING_TOKEN, WECOM_KEY, RobotsApp, TinySmtp

from ordersync_app.sandbox._server import SandboxServer

CANARIES = {
    "crm": "shpat_CANARY0987654321fedcba\r\n",  # read with $(cat token.txt) from a Windows file
    "crm2": "  pat-na1-CANARY-spaced-4455667788  ",  # pasted with spaces around it
    "crm3": "密钥-CANARY-ünïcödé-токен-99887766",  # not ASCII: sent as UTF-8, echoed back as Latin-1
}
PIECE = 8


def _shapes(token: str) -> list[Callable[[], tuple[int, bytes, str]]]:
    """Answers that echo ``token``: (status, body, content type). One per call, in order."""
    raw = token.encode("utf-8")

    def body(status: int, text: str, kind: str = "application/json") -> Callable[[], tuple[int, bytes, str]]:
        return lambda: (status, text.encode("utf-8"), kind)

    shapes = [
        body(400, json.dumps({"status": "error", "message": f"token {token} is not valid", "category": "X"})),
        body(400, json.dumps({"message": base64.b64encode(raw).decode()})),
        body(400, json.dumps({"message": base64.urlsafe_b64encode(raw).decode().rstrip("=")})),
        body(400, json.dumps({"message": base64.b64encode(b"Bearer " + raw).decode()})),
        body(400, json.dumps({"message": f"?access={quote(token)}&again={quote_plus(token)}"})),
        body(400, f"<html><body><h1>Bad token</h1><pre>{token}</pre></body></html>", "text/html"),
        body(400, f"Traceback (most recent call last):\n  File \"api.py\"\nValueError: bad bearer {token!r}",
             "text/plain"),
        body(400, json.dumps({"message": f"partial {token[: len(token) // 2 + 4]}…"})),
    ]
    for offset in range(len(token) + 1):  # the token straddles each cut-off (200, 300, 500) at every position
        text = "".join(("E" * (limit - offset - done)) + token for limit, done in
                       ((200, 0), (300, 200 - offset + len(token)), (500, 300 - offset + len(token))))
        shapes.append(body(400, text + "F" * 40, "text/plain"))
        shapes.append(body(400, json.dumps({"message": text[12:]})))  # the JSON wrapper shifts it by 12
    return shapes


class HostileVendor:
    """A loopback 'HubSpot' that echoes whatever bearer token it receives."""

    def __init__(self) -> None:
        self.calls = 0
        self.broken_status_sent = False
        vendor = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: object) -> None:
                return

            def _answer(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                token = (self.headers.get("Authorization") or "").removeprefix("Bearer ")
                vendor.calls += 1
                if not vendor.broken_status_sent and vendor.calls > 1:
                    # A status line h11 cannot parse: httpx's exception text quotes it, token and all.
                    vendor.broken_status_sent = True
                    self.wfile.write(b"HTTP/1.1 999999 " + token.encode() + b"\r\n\r\n")
                    self.close_connection = True
                    return
                shapes = vendor.shapes.setdefault(token, itertools.cycle(_shapes(token)))
                vendor.served[token] = vendor.served.get(token, 0) + 1
                status, data, kind = next(shapes)()
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PATCH = _answer

        self.shapes: dict[str, Iterator[Callable[[], tuple[int, bytes, str]]]] = {}
        self.served: dict[str, int] = {}
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def vendor() -> Iterator[HostileVendor]:
    server = HostileVendor()
    yield server
    server.close()


@pytest.fixture
def sinks(tmp_path: Path) -> Iterator[tuple[RobotsApp, str, TinySmtp]]:
    robots = RobotsApp(tmp_path / "robots.db")
    server = SandboxServer([robots]).start()
    smtp = TinySmtp()
    yield robots, server.url("robots"), smtp
    smtp.close()
    server.stop()


def _pieces(secret: str) -> set[str]:
    core = secret.strip()
    found = set()
    for shown in (core, core.encode().decode("latin-1")):
        found |= {shown[i:j] for i in range(len(shown)) for j in range(i + PIECE, len(shown) + 1)}
    for encoded in (base64.b64encode(core.encode()).decode(), base64.urlsafe_b64encode(core.encode()).decode(),
                    quote(core, safe="")):
        found |= {encoded[i:i + 12] for i in range(0, max(len(encoded) - 12, 0) + 1, 4)}
    return found


def _leaks(text: str) -> list[str]:
    return sorted({p for secret in CANARIES.values() for p in _pieces(secret) if p in text}, key=len)[-3:]


def test_canary_secrets_never_leave_the_keychain(tmp_path: Path, vendor: HostileVendor, sinks) -> None:
    robots, robots_url, smtp = sinks
    home = tmp_path / "home"
    env = cli_env(home)
    outputs: list[subprocess.CompletedProcess[str]] = []

    def run(*args: str, secrets: dict[str, str] | None = None, ok: tuple[int, ...] = (0,)) -> str:
        extra = {f"ORDERSYNC_SECRET_{k.upper()}": v for k, v in (secrets or {}).items()}
        result = ordersync(home, *args, env=env | extra)
        outputs.append(result)
        assert result.returncode in ok, (args, result.returncode, result.stderr)
        assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr
        return result.stdout

    run("account", "add", "shop", "--connector", "shopify", "--base-url", "sandbox://shopify")
    for name, token in CANARIES.items():
        run("account", "add", name, "--connector", "hubspot", "--base-url", vendor.url,
            secrets={"access_token": token})
    run("account", "test", "crm", ok=(1, 2))
    run("account", "test", "crm2", ok=(1, 2))
    run("account", "test", "crm3", ok=(1, 2))

    run("alerts", "set", "dingtalk", "--set", "keyword=OrderSync",
        secrets={"webhook": f"{robots_url}/robot/send?access_token={DING_TOKEN}", "sign_secret": DING_SECRET})
    run("alerts", "set", "wecom", secrets={"webhook": f"{robots_url}/cgi-bin/webhook/send?key={WECOM_KEY}"})
    run("alerts", "set", "email", "--set", "host=127.0.0.1", "--set", f"port={smtp.port}", "--set", "security=none",
        "--set", f"username={smtp.user}", "--set", "sender=alerts@shop.cn", "--set", "recipients=boss@shop.cn",
        secrets={"password": smtp.password})
    run("alerts", "app", "on", "--sinks", "all")

    template = Path(__file__).parents[2] / "recipes" / "shopify-fulfilled-to-hubspot-deal-stage.yaml"
    run("recipe", "import", str(template), "--bind", "shop=shop", "--bind", "crm=crm", "--name", "orders")
    run("sandbox", "fulfil", "--count", "60")
    run("run", "orders", "--dry-run", ok=(0, 1))
    run("recipe", "dry-run", "orders", "off")
    run("run", "orders", ok=(1,))
    run("retry", "--all-failed", ok=(1,))
    for args in (("history", "--json"), ("history", "--failed"), ("inspect", "1"), ("stats",), ("stats", "--json"),
                 ("alerts", "show", "--json"), ("account", "list", "--json"), ("recipe", "show", "orders")):
        run(*args)
    run("audit", "export", str(home / "audit.csv"))
    run("recipe", "export", "orders", "-o", str(home / "shared.yaml"))
    crm_token = CANARIES["crm"].strip()
    assert vendor.broken_status_sent
    assert vendor.served[crm_token] >= len(_shapes(crm_token))  # every shape, every cut-off position was sent
    assert robots.dingtalk and robots.wecom and smtp.messages, "each sink received the failing alert"

    with sqlite3.connect(home / "ordersync.db") as conn:
        dump = "\n".join(conn.iterdump())
    found = {"database dump": _leaks(dump)}
    for result in outputs:
        found[f"output of {' '.join(map(str, result.args[3:]))}"] = _leaks(result.stdout + result.stderr)
    for path in home.rglob("*"):
        if path.is_file():
            found[str(path)] = _leaks(path.read_bytes().decode("utf-8", "replace"))
    sent = [json.dumps(b, ensure_ascii=False) for b in robots.dingtalk + robots.wecom]
    sent += [data.decode("utf-8", "replace") for _s, _r, data in smtp.messages]
    found["alert bodies received"] = _leaks("\n".join(sent))
    assert "rejected" in "\n".join(sent) or "HubSpot" in "\n".join(sent)
    assert not any(found.values()), {k: v for k, v in found.items() if v}
