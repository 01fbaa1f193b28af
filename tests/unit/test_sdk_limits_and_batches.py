"""SDK pieces added for Salesforce, each general: long limits hold a client (``LimitReached``), a vendor's
quota report in the stats, ``NextUrl`` page sizes, batches split so a key goes once per call, and the alert
policy's one "limited" alert per quota episode."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ordersync_app.alerts import AlertPolicy, Outcome, RecipeState
from ordersync_app.connectors.sdk.auth import bearer
from ordersync_app.connectors.sdk.batch import distinct_rounds
from ordersync_app.connectors.sdk.http import ApiClient, RetryPolicy
from ordersync_app.connectors.sdk.paginate import NextUrl
from ordersync_app.connectors.sdk.spec import AccountConfig, Connector, Owns, RateLimit
from ordersync_app.domain.errors import LimitReached, TransientError
from ordersync_app.sandbox._server import Request, Response, SandboxApp, SandboxServer


class Scripted(SandboxApp):
    """Answers each call with the next scripted response, reporting a quota on every answer."""

    name = "scripted"

    def setup(self) -> None:
        self.script: list[Response] = []
        self.seen: list[Request] = []
        self.route("GET", "/thing", self._answer)

    def _answer(self, request: Request) -> Response:
        self.seen.append(request)
        answer = self.script.pop(0) if self.script else Response(200, {"ok": True})
        answer.headers["X-Quota"] = f"used={len(self.seen)}/100"
        return answer


@pytest.fixture
def scripted(tmp_path: Path) -> Iterator[tuple[Scripted, SandboxServer]]:
    app = Scripted(tmp_path / "s.db")
    server = SandboxServer([app]).start()
    yield app, server
    server.stop()


def client(url: str, name: str) -> ApiClient:
    connector = Connector(key="quota", name_en="Quota", name_zh="额度", owns=Owns.ORDERS, settings=(), base_url=url,
                          make_auth=lambda _a: bearer("t"), rate_limit=RateLimit(1000, 1.0),
                          error_message=lambda r: r.text, test_connection=lambda _c: "ok",
                          usage=lambda r: r.headers.get("X-Quota"))
    account = AccountConfig(name=name, connector="quota", base_url=url, settings={}, secret=lambda _k: None)
    return ApiClient(connector, account, retry=RetryPolicy(max_attempts=3, base_delay=0.01, max_delay=0.02,
                                                           max_retry_after=120.0))


def test_a_long_limit_holds_the_client_until_it_passes_without_calling_or_sleeping(scripted) -> None:
    app, server = scripted
    app.script = [Response(429, {"message": "daily quota"}, {"Retry-After": "3600"})]
    now = [1000.0]
    api = client(server.url("scripted"), "held")
    api._clock = lambda: now[0]
    api._sleep = lambda _s: pytest.fail("a long limit must not sleep")
    with pytest.raises(LimitReached) as first:
        api.request("GET", "/thing")
    assert first.value.retry_after == 3600 and isinstance(first.value, TransientError)
    now[0] += 1800
    with pytest.raises(LimitReached) as held:
        api.request("GET", "/thing")
    assert held.value.retry_after == pytest.approx(1800) and "not sent" in held.value.what
    assert len(app.seen) == 1 and api.stats.throttled == 1
    assert api.limiter._paused_until == 0.0  # other clients of the account are not made to wait
    now[0] += 1801
    assert api.json("GET", "/thing") == {"ok": True}
    assert api.stats.usage == "used=2/100"  # the vendor's latest quota report
    api.close()


def test_a_short_wait_is_still_retried_inside_the_call(scripted) -> None:
    app, server = scripted
    app.script = [Response(429, {"message": "slow down"}, {"Retry-After": "0.01"})]
    with client(server.url("scripted"), "short") as api:
        assert api.json("GET", "/thing") == {"ok": True}
        assert api.stats.retries == 1 and api.stats.usage == "used=2/100"


def test_next_url_sends_the_page_size_first_and_then_follows_the_url() -> None:
    state = NextUrl("nextRecordsUrl", "done", size_param="batchSize").begin(5)
    assert state.params() == {"batchSize": 5} and state.url is None
    more = state.advance(httpx.Response(200), {"done": False, "nextRecordsUrl": "/q/01g-5"}, [{}] * 5)
    assert more and state.url == "/q/01g-5"
    assert not state.advance(httpx.Response(200), {"done": True, "nextRecordsUrl": "/q/01g-10"}, [{}])
    assert NextUrl("next").begin(5).params() == {}


def test_a_key_goes_once_per_round_and_later_duplicates_keep_their_order() -> None:
    items = [("a", 1), ("b", 1), ("a", 2), ("c", 1), ("a", 3), ("b", 2)]
    rounds = distinct_rounds(items, lambda item: item[0])
    assert rounds == [[("a", 1), ("b", 1), ("c", 1)], [("a", 2), ("b", 2)], [("a", 3)]]
    assert distinct_rounds([], str) == []


def test_one_limited_alert_per_quota_episode() -> None:
    clock = [0.0]
    policy, state = AlertPolicy(3600, clock=lambda: clock[0]), RecipeState()

    def run(run_id: int, *, limited: bool, waiting: int, status: str = "succeeded"):
        return policy.observe(state, "orders", Outcome(run_id, status, limited="daily limit" if limited else None,
                                                       waiting=waiting))

    alert = run(1, limited=True, waiting=50, status="failed")
    assert alert is not None and alert.kind == "limited" and "50 record(s) wait" in alert.lines[0][0]
    assert "daily limit" in (alert.first_error or "")
    policy.delivered(state, alert)
    assert run(2, limited=False, waiting=50) is None  # nothing due yet; the records still wait
    assert run(3, limited=True, waiting=50, status="failed") is None  # the same episode: said once
    assert run(4, limited=False, waiting=0) is None and not state.limited  # all landed: the episode is over
    assert run(5, limited=True, waiting=10, status="failed") is not None  # a new episode is said again
