"""SDK additions for the Chinese vendors: token flows with preliminary calls, state a stored token needs,
the token endpoint's own budget, and batches sent one call per write (``sdk/writes.py``)."""

from __future__ import annotations

from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from ordersync_app.connectors.sdk import auth, http
from ordersync_app.connectors.sdk.http import AnswerLost, ApiClient, RateLimiter, RetryPolicy
from ordersync_app.connectors.sdk.rules import coded_message
from ordersync_app.connectors.sdk.spec import AccountConfig, Connector, Owns, RateLimit, Write, WriteResult, fields
from ordersync_app.connectors.sdk.writes import one_by_one
from ordersync_app.domain.errors import AuthError, RecordRejected, SetupError, TransientError
from ordersync_app.domain.redact import mask
from ordersync_app.sandbox._server import Request, Response, SandboxApp, SandboxServer


class Vendor(SandboxApp):
    """A data-centre discovery, a token endpoint and one call that needs both."""

    name = "vendor"

    def setup(self) -> None:
        self.calls: dict[str, int] = {"discover": 0, "token": 0, "thing": 0}
        self.route("GET", "/discover", self._discover)
        self.route("POST", "/token", self._token)
        self.route("GET", "/thing", self._thing)

    def _discover(self, request: Request) -> Response:
        self.calls["discover"] += 1
        return Response(200, {"zone": f"zone-of-{request.arg('tenant')}"})

    def _token(self, request: Request) -> Response:
        self.calls["token"] += 1
        return Response(200, {"token": f"tok-{self.calls['token']}", "zone": (request.json() or {}).get("zone")})

    def _thing(self, request: Request) -> Response:
        self.calls["thing"] += 1
        ok = request.headers.get("authorization", "").startswith("tok-") and request.arg("zone") == "zone-of-t1"
        return Response(200 if ok else 401, {"ok": ok})


@pytest.fixture
def vendor(tmp_path: Path) -> Iterator[tuple[Vendor, SandboxServer]]:
    app = Vendor(tmp_path / "v.db")
    server = SandboxServer([app]).start()
    yield app, server
    server.stop()


def _flow(account: AccountConfig) -> Generator[httpx.Request, httpx.Response, httpx.Request]:
    """Discover the tenant's zone once (kept in state), then ask for a token."""
    zone = account.state("zone")
    if not zone:
        answer = yield httpx.Request("GET", f"{account.base_url}/discover", params={"tenant": "t1"})
        zone = str(answer.json()["zone"])
        account.save_state("zone", zone)
    return httpx.Request("POST", f"{account.base_url}/token", json={"zone": zone})


def _apply(request: httpx.Request, token: str, account: AccountConfig) -> httpx.Request:
    request.headers["Authorization"] = token
    request.url = request.url.copy_merge_params({"zone": account.state("zone") or ""})
    return request


def _connector(url: str, limit: RateLimit | None = None) -> Connector:
    def make(account: AccountConfig) -> httpx.Auth:
        return auth.TokenAuth(account, request=_flow, read=auth.json_token("token", expires_path=None),
                              apply=_apply, store_as="vendor_token", requires=("zone",), limit=limit)
    return Connector(key="vendor", name_en="Vendor", name_zh="供应商", owns=Owns.ORDERS, settings=(), base_url=url,
                     make_auth=make, rate_limit=RateLimit(1000, 1.0), error_message=lambda r: r.text,
                     test_connection=lambda c: "ok")


def _account(url: str, name: str, secrets: dict[str, str], state: dict[str, str] | None,
             lock_dir: Path | None = None) -> AccountConfig:
    """An account over these stores (``state=None``: an account that keeps no state anywhere)."""
    kept: dict[str, Any] = {} if state is None else {"state": state.get, "save_state": state.__setitem__}
    return AccountConfig(name=name, connector="vendor", base_url=url, settings={}, secret=secrets.get,
                         save_secret=secrets.__setitem__, lock_dir=str(lock_dir) if lock_dir else None, **kept)


def test_a_token_flow_discovers_then_buys_and_a_second_process_reuses_both(vendor, tmp_path) -> None:
    app, server = vendor
    url = server.url("vendor")
    secrets: dict[str, str] = {}
    state: dict[str, str] = {}
    first = _account(url, "acct-flow-1", secrets, state, tmp_path / "locks")
    with ApiClient(_connector(url), first, retry=RetryPolicy(max_attempts=2)) as client:
        assert client.json("GET", "/thing") == {"ok": True}
        assert client.json("GET", "/thing") == {"ok": True}
    assert app.calls == {"discover": 1, "token": 1, "thing": 2}
    assert state == {"zone": "zone-of-t1"} and secrets["vendor_token"] == "tok-1"
    # another process: a new holder over the same keychain and state store buys nothing
    second = _account(url, "acct-flow-1", secrets, state, tmp_path / "locks")
    auth.forget("acct-flow-1")
    with ApiClient(_connector(url), second, retry=RetryPolicy(max_attempts=2)) as client:
        assert client.json("GET", "/thing") == {"ok": True}
    assert app.calls == {"discover": 1, "token": 1, "thing": 3}


def test_a_stored_token_without_the_state_it_needs_is_bought_again(vendor) -> None:
    app, server = vendor
    url = server.url("vendor")
    secrets = {"vendor_token": "tok-stale", "vendor_token_expires_at": ""}
    with ApiClient(_connector(url), _account(url, "acct-flow-3", secrets, {}), retry=RetryPolicy(2)) as client:
        assert client.json("GET", "/thing") == {"ok": True}
    assert app.calls["discover"] == 1 and app.calls["token"] == 1
    assert secrets["vendor_token"] == "tok-1"


def test_state_reaches_apply_when_the_account_keeps_none(vendor) -> None:
    app, server = vendor
    url = server.url("vendor")
    with ApiClient(_connector(url), _account(url, "acct-flow-4", {}, None), retry=RetryPolicy(2)) as client:
        assert client.json("GET", "/thing") == {"ok": True}
        assert client.json("GET", "/thing") == {"ok": True}
    assert app.calls == {"discover": 1, "token": 1, "thing": 2}


def test_the_token_endpoint_budget_is_taken_before_each_purchase(vendor) -> None:
    app, server = vendor
    url = server.url("vendor")
    limit = RateLimit(1, 60.0, family="token")
    now, slept = [0.0], []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    http._limiters[("acct-flow-5", "token", 60.0)] = RateLimiter(limit, clock=lambda: now[0], sleep=sleep)
    with ApiClient(_connector(url, limit), _account(url, "acct-flow-5", {}, None), retry=RetryPolicy(2)) as client:
        holder: Any = auth.shared(client.account, client.connector.make_auth)
        assert client.json("GET", "/thing") == {"ok": True}
        holder.invalidate()
        assert client.json("GET", "/thing") == {"ok": True}
    assert app.calls["token"] == 2
    assert slept and sum(slept) >= 60.0  # the second purchase waited for the one-a-minute window


def test_a_flow_may_return_the_token_itself(vendor) -> None:
    _app, server = vendor
    url = server.url("vendor")

    def flow(account: AccountConfig) -> Generator[httpx.Request, httpx.Response, auth.Token]:
        answer = yield httpx.Request("POST", f"{account.base_url}/token", json={"zone": "zone-of-t1"})
        return auth.Token(answer.json()["token"], 60.0, keep_state={"zone": answer.json()["zone"]})

    def make(account: AccountConfig) -> httpx.Auth:
        return auth.TokenAuth(account, request=flow, read=auth.json_token(), apply=_apply, store_as="t2")
    connector = Connector(key="vendor", name_en="Vendor", name_zh="供应商", owns=Owns.ORDERS, settings=(),
                          base_url=url, make_auth=make, rate_limit=RateLimit(1000, 1.0),
                          error_message=lambda r: r.text, test_connection=lambda c: "ok")
    with ApiClient(connector, _account(url, "acct-flow-6", {}, None), retry=RetryPolicy(2)) as client:
        assert client.json("GET", "/thing") == {"ok": True}


def test_one_by_one_keeps_each_outcome_with_its_write() -> None:
    writes = [Write(ref=f"r{i}", match=str(i), properties={}) for i in range(5)]

    def send(write: Write) -> WriteResult:
        if write.ref == "r1":
            raise RecordRejected("no", vendor_message="数据不存在")
        if write.ref == "r2":
            raise AnswerLost("cut")
        if write.ref == "r3":
            raise TransientError("busy")
        return WriteResult(write.ref, "ok", target_id=write.match)

    results = one_by_one(writes, send)
    assert [(r.ref, r.status) for r in results] == [
        ("r0", "ok"), ("r1", "rejected"), ("r2", "unknown"), ("r3", "transient"), ("r4", "transient")]
    assert results[1].message == "数据不存在"


def test_checked_token_answers_say_who_must_act() -> None:
    account = AccountConfig(name="acct-checked", connector="vendor", base_url="https://v.example", settings={},
                            secret=lambda _k: None)
    kw: dict[str, Any] = {"vendor": "Vendor", "code": "code", "ok": "00000", "busy": (14001,)}
    assert auth.checked(httpx.Response(200, json={"code": "00000", "data": 1}), account, "x", **kw)["data"] == 1
    with pytest.raises(TransientError) as busy:
        auth.checked(httpx.Response(200, json={"code": 14001}), account, "the token", **kw)
    assert busy.value.retry_after == 60.0
    with pytest.raises(AuthError, match="Vendor refused the app secret of account 'acct-checked'"):
        auth.checked(httpx.Response(200, json={"code": "10018"}), account, "the app secret", **kw)
    with pytest.raises(SetupError, match="does not know the tenant ID") as setup:
        auth.checked(httpx.Response(200, json={"code": "500"}), account, "the tenant ID", setup=True, **kw)
    assert not isinstance(setup.value, AuthError)
    with pytest.raises(SetupError, match="answered no JSON"):
        auth.checked(httpx.Response(302, text="<html>moved</html>"), account, "the token", **kw)


def test_require_names_every_missing_value_and_registers_secrets() -> None:
    values = {"app_secret": "s3cret-value-1234"}
    account = AccountConfig(name="acct-req", connector="vendor", base_url="https://v.example",
                            settings={"app_id": "A1"}, secret=values.get)
    assert auth.require(account, "app_id", "app_secret") == ["A1", "s3cret-value-1234"]
    assert "s3cret-value-1234" not in mask("the secret is s3cret-value-1234")
    with pytest.raises(SetupError, match="has no tenant_id, app_key"):
        auth.require(account, "tenant_id", "app_key", "app_id")


def test_coded_messages_and_field_rows() -> None:
    explain = coded_message("code", "message", {310036: ("token expired", "令牌过期")}, tags=("traceId",))
    said = explain(httpx.Response(200, json={"code": "310036", "message": "非法token", "traceId": "t9"}))
    assert said == "token expired / 令牌过期 (非法token) [code 310036, traceId t9]"
    plain = explain(httpx.Response(200, json={"code": "999", "message": "服务端逻辑异常"}))
    assert plain == "服务端逻辑异常 [code 999]"
    assert explain(httpx.Response(200, text="非法token")) == "非法token"
    [field] = fields("amount|Amount|金额|number")
    assert (field.key, field.label, field.label_zh, field.type) == ("amount", "Amount", "金额", "number")
