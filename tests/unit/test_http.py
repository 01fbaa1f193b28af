"""The shared HTTP layer against a real loopback server: retries, Retry-After, error mapping, limits."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ordersync_app.connectors.sdk.auth import bearer
from ordersync_app.connectors.sdk.http import ApiClient, RateLimiter, RetryPolicy, retry_after_seconds
from ordersync_app.connectors.sdk.spec import AccountConfig, Connector, Owns, RateLimit
from ordersync_app.domain.errors import AuthError, RecordRejected, SetupError, Stopped, TransientError
from ordersync_app.sandbox._server import Request, Response, SandboxApp, SandboxServer

CANARY = "canary-secret-7f3a9b"


class Scripted(SandboxApp):
    """Answers each call with the next scripted response."""

    name = "scripted"

    def setup(self) -> None:
        self.script: list[Response] = []
        self.seen: list[Request] = []
        self.route("GET", "/thing", self._answer)
        self.route("POST", "/thing", self._answer)

    def _answer(self, request: Request) -> Response:
        self.seen.append(request)
        return self.script.pop(0) if self.script else Response(200, {"ok": True})


@pytest.fixture
def scripted(tmp_path: Path) -> Iterator[tuple[Scripted, SandboxServer]]:
    app = Scripted(tmp_path / "s.db")
    server = SandboxServer([app]).start()
    yield app, server
    server.stop()


def make_client(url: str, retry: RetryPolicy, *, limit: RateLimit | None = None) -> ApiClient:
    connector = Connector(
        key="test", name_en="Test", name_zh="测试", owns=Owns.ORDERS, settings=(), base_url=url,
        make_auth=lambda account: bearer(account.secret("token") or ""),
        rate_limit=limit or RateLimit(1000, 1.0), error_message=lambda r: r.json().get("message", ""),
        test_connection=lambda client: "ok",
    )
    account = AccountConfig(name=f"acct-{id(retry)}", connector="test", base_url=url, settings={},
                            secret={"token": CANARY}.get)
    return ApiClient(connector, account, retry=retry)


def test_sends_bearer_token_and_returns_json(scripted, fast_retry) -> None:
    app, server = scripted
    with make_client(server.url("scripted"), fast_retry) as client:
        assert client.json("GET", "/thing") == {"ok": True}
    assert app.seen[0].headers["authorization"] == f"Bearer {CANARY}"


def test_retries_429_honouring_retry_after_then_succeeds(scripted, fast_retry) -> None:
    app, server = scripted
    app.script = [Response(429, {"message": "slow down"}, {"Retry-After": "0.2"}), Response(503, {}),
                  Response(200, {"done": 1})]
    slept: list[float] = []
    client = make_client(server.url("scripted"), fast_retry)
    client._sleep = slept.append
    assert client.json("POST", "/thing", json={"a": 1}) == {"done": 1}
    client.close()
    assert client.stats.throttled == 1 and client.stats.retries == 2
    assert 0.2 <= slept[0] <= 0.31  # Retry-After honoured (plus a little jitter)
    assert [json.loads(r.body) for r in app.seen] == [{"a": 1}] * 3


def test_gives_up_with_transient_error_after_budget(scripted, fast_retry) -> None:
    app, server = scripted
    app.script = [Response(500, {"message": "boom"})] * 10
    with make_client(server.url("scripted"), fast_retry) as client, pytest.raises(TransientError) as err:
        client.request("GET", "/thing")
    assert len(app.seen) == fast_retry.max_attempts
    assert "boom" in err.value.render()


def test_long_retry_after_is_handed_back_to_the_engine(scripted, fast_retry) -> None:
    app, server = scripted
    app.script = [Response(429, {"message": "daily limit"}, {"Retry-After": "3600"})]
    with make_client(server.url("scripted"), fast_retry) as client, pytest.raises(TransientError) as err:
        client.request("GET", "/thing")
    assert err.value.retry_after == 3600 and len(app.seen) == 1


@pytest.mark.parametrize(("status", "error"), [(401, AuthError), (403, SetupError), (422, RecordRejected)])
def test_maps_4xx_to_who_must_act(scripted, fast_retry, status, error) -> None:
    app, server = scripted
    app.script = [Response(status, {"message": f"vendor says no, token {CANARY}"})] * 3
    with make_client(server.url("scripted"), fast_retry) as client, pytest.raises(error) as err:
        client.request("GET", "/thing")
    text = err.value.render()
    assert "vendor says no" in text
    assert CANARY not in text  # secrets are masked before any message is built


def test_connection_refused_is_transient(fast_retry) -> None:
    with make_client("http://127.0.0.1:9", fast_retry) as client, pytest.raises(TransientError):
        client.request("GET", "/thing")


def test_rate_limiter_keeps_the_window() -> None:
    now = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    limiter = RateLimiter(RateLimit(3, 10.0), clock=lambda: now[0], sleep=sleep)
    for _ in range(3):
        assert limiter.acquire() == 0
    limiter.acquire()  # the fourth call waits until the first leaves the 10-second window
    assert now[0] == pytest.approx(10.3)  # the window plus its safety margin
    limiter.pause(5)
    limiter.acquire()
    assert now[0] == pytest.approx(15.3)


def test_retry_after_http_date() -> None:
    response = httpx.Response(429, headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"})
    assert retry_after_seconds(response) == 0.0
    assert retry_after_seconds(httpx.Response(429, headers={"Retry-After": "soon"})) is None


def test_a_call_the_lease_no_longer_covers_is_not_sent(scripted, fast_retry) -> None:
    """The fence of a run that holds a recipe's lease: asked for the call's timeout plus a margin, and when it
    says no, nothing reaches the vendor (a 429's retry included) and the run stops."""
    app, server = scripted
    app.script = [Response(429, {"message": "slow down"}, {"Retry-After": "0.01"})]
    asked: list[float] = []
    covered = [True]

    def fence(seconds: float) -> bool:
        asked.append(seconds)
        return covered.pop(0) if covered else False

    with make_client(server.url("scripted"), fast_retry) as client:
        client.fence = fence
        with pytest.raises(Stopped, match="not sent"):
            client.json("POST", "/thing", json={"a": 1})
    assert len(app.seen) == 1  # the first attempt (429) went out; its retry did not
    assert asked == [client.timeout + 2.0] * 2
