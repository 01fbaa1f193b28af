"""纷享销客 Fxiaoke connector against its emulator: the token (cached, renewed once, its endpoint's limit), the
vendor's rate-limit and quota answers, errors inside HTTP 200, the website host refused, workflows off, describe."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import count
from pathlib import Path
from typing import Any

import httpx
import pytest

from ordersync_app.connectors.fxiaoke import CONNECTOR, RULES, TOKEN_LIMIT, error_message
from ordersync_app.connectors.sdk import auth, http
from ordersync_app.connectors.sdk.http import ApiClient, RateLimiter, RetryPolicy
from ordersync_app.connectors.sdk.rules import decide
from ordersync_app.connectors.sdk.spec import AccountConfig, RateLimit, TriggerContext, Verdict, Write
from ordersync_app.domain.errors import AuthError, RecordRejected, SetupError, TransientError
from ordersync_app.sandbox._server import Request, SandboxServer
from ordersync_app.sandbox.fxiaoke import FxiaokeSandbox

assert CONNECTOR.sandbox is not None
SECRETS, SETTINGS = dict(CONNECTOR.sandbox.credentials), dict(CONNECTOR.sandbox.settings)
SEEDED = 250
_names = count()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[SandboxServer]:
    running = SandboxServer([FxiaokeSandbox(tmp_path / "fx.db")]).start()
    httpx.post(f"{running.root}/_sandbox/fxiaoke/seed/{SEEDED}").raise_for_status()
    yield running
    running.stop()


def app_of(server: SandboxServer) -> FxiaokeSandbox:
    app = server.apps["fxiaoke"]
    assert isinstance(app, FxiaokeSandbox)
    return app


def account(server: SandboxServer, *, name: str | None = None, keychain: dict[str, str] | None = None,
            state: dict[str, str] | None = None, lock_dir: Path | None = None, **settings: str) -> AccountConfig:
    """A sandbox account; ``keychain``/``state`` stand for the stores another process would share."""
    keys = {**SECRETS, **(keychain if keychain is not None else {})}
    kept = state if state is not None else {}
    store = keychain if keychain is not None else keys
    return AccountConfig(name=name or f"fx-test-{next(_names)}", connector="fxiaoke", base_url=server.url("fxiaoke"),
                         settings={**SETTINGS, **settings}, secret=lambda k: store.get(k) or keys.get(k),
                         save_secret=store.__setitem__, state=kept.get, save_state=kept.__setitem__,
                         lock_dir=str(lock_dir) if lock_dir else None)


def client(config: AccountConfig) -> ApiClient:
    api = ApiClient(CONNECTOR, config, retry=RetryPolicy(max_attempts=3, base_delay=0.01, max_delay=0.02))
    api.limiters = [RateLimiter(RateLimit(10_000, 1.0))]
    return api


def token_calls(server: SandboxServer) -> int:
    return app_of(server).counters().get("call", {}).get("POST /cgi/corpAccessToken/get/V2", 0)


def read(api: ApiClient, trigger: str, size: int = 40) -> Iterator[list[Any]]:
    spec = CONNECTOR.trigger(trigger)
    assert spec is not None
    return (page for page in spec.read(api, TriggerContext(params={}, since=None, page_size=size)) if page)


def test_token_is_bought_once_and_shared_across_processes(server: SandboxServer, tmp_path: Path) -> None:
    keychain: dict[str, str] = {}
    state: dict[str, str] = {}
    with client(account(server, name="fx-shared", keychain=keychain, state=state, lock_dir=tmp_path)) as api:
        assert CONNECTOR.test_connection(api) == f"Fxiaoke 纷享销客: {SEEDED} customer(s) / 客户"
        CONNECTOR.test_connection(api)
    assert token_calls(server) == 1
    assert state == {"corpId": "FSCID_0D1E2A3F4B5C6D7E", "openUserId": "FSUID_5A1B2C3D4E5F60718293A4B5C6D7E8F9"}
    assert float(keychain["corp_access_token_expires_at"]) > 0
    auth.forget("fx-shared")  # "another process": a new holder over the same keychain, state and lock files
    with client(account(server, name="fx-shared", keychain=keychain, state=state, lock_dir=tmp_path)) as api:
        CONNECTOR.test_connection(api)
    assert token_calls(server) == 1


def test_a_token_expiring_mid_run_is_renewed_once_and_the_read_goes_on(server: SandboxServer) -> None:
    with client(account(server)) as api:
        pages = read(api, "opportunity_changed")
        first = next(pages)
        app_of(server).expire_tokens()
        rest = [r for page in pages for r in page]
        assert api.stats.errors == 1  # the one 20016, answered by renewing
    assert len({r.key for r in first + rest}) == SEEDED
    assert token_calls(server) == 2


def test_reads_restart_at_the_last_value_so_offsets_stay_small(server: SandboxServer) -> None:
    offsets: list[int] = []

    def watch(request: Request, app: str) -> None:
        if request.path.endswith("/data/query"):
            offsets.append(request.json()["data"]["search_query_info"]["offset"])

    server.faults.hook = watch  # type: ignore[assignment]
    with client(account(server)) as api:
        records = [r for page in read(api, "customer_changed", size=100) for r in page]
    assert len(records) == SEEDED
    assert offsets and max(offsets) == 0  # every page starts again at the last last_modified_time read


def test_the_token_endpoint_has_its_own_budget_and_its_limit_answer_is_transient(server: SandboxServer) -> None:
    assert TOKEN_LIMIT in CONNECTOR.limits({}) and TOKEN_LIMIT.requests == 10 and TOKEN_LIMIT.per_seconds == 60
    config = account(server)
    with client(config) as api:
        CONNECTOR.test_connection(api)
    assert len(http.limiter_for(config.name, TOKEN_LIMIT)._sent) == 1  # the purchase took from the budget
    for _ in range(9):  # others spend the vendor's ten a minute
        httpx.post(server.url("fxiaoke") + "/cgi/corpAccessToken/get/V2", json={})
    with client(account(server)) as api, pytest.raises(TransientError) as caught:
        CONNECTOR.test_connection(api)
    assert "接口调用超过限制" in (caught.value.vendor_message or "")


def test_the_vendors_slow_down_answer_is_retried(server: SandboxServer) -> None:
    app = app_of(server)
    with client(account(server)) as api:
        CONNECTOR.test_connection(api)
        server.faults.once("fxiaoke", app.throttled(None), app.throttled(None))
        assert CONNECTOR.test_connection(api).startswith("Fxiaoke")
        assert api.stats.retries == 2


def test_the_daily_quota_is_a_long_wait_until_midnight_in_beijing(tmp_path: Path) -> None:
    running = SandboxServer([FxiaokeSandbox(tmp_path / "q.db", daily_quota=2)]).start()
    try:
        httpx.post(f"{running.root}/_sandbox/fxiaoke/seed/5").raise_for_status()
        with client(account(running)) as api:
            CONNECTOR.test_connection(api)  # getByMobile and this query: the day's two calls
            with pytest.raises(TransientError) as caught:
                CONNECTOR.test_connection(api)
    finally:
        running.stop()
    assert caught.value.retry_after is not None and 0 < caught.value.retry_after <= 86_400
    assert "北京时间 0 点后恢复" in (caught.value.vendor_message or "")


def test_errors_inside_http_200_say_who_must_act_in_both_languages(server: SandboxServer) -> None:
    with client(account(server)) as api, pytest.raises(RecordRejected) as caught:
        api.json("POST", "/cgi/crm/v2/data/update", json={"data": {"object_data": {
            "dataObjectApiName": "AccountObj", "_id": "no-such-record"}}})
    assert "数据不存在或已作废" in (caught.value.vendor_message or "")
    answer = httpx.Response(200, json={"errorCode": 30003, "errorMessage": "未购买 openapi 配额", "traceId": "t1"})
    assert error_message(answer).startswith("the company has bought no Open API quota")
    assert "企业未购买 OpenAPI 配额" in error_message(answer) and "traceId t1" in error_message(answer)
    expected = {0: None, 20016: Verdict.REAUTH, 30004: Verdict.RETRY, 14001: Verdict.RETRY, 30003: Verdict.RETRY,
                20006: Verdict.SETUP, 20022: Verdict.SETUP, 320001: Verdict.REJECT, 30002: None}
    for code, verdict in expected.items():
        decision = decide(RULES, httpx.Response(200, json={"errorCode": code}))
        assert (decision.verdict if decision else None) is verdict, code
    quota = decide(RULES, httpx.Response(200, json={"errorCode": 30003}))
    assert quota is not None and quota.wait_seconds == 6 * 3600


def test_wrong_credentials_and_the_website_host_are_refused_clearly(server: SandboxServer) -> None:
    with client(account(server, keychain={"permanent_code": "wrong-code-4711"})) as api, \
            pytest.raises(AuthError) as caught:
        CONNECTOR.test_connection(api)
    assert "permanent code" in str(caught.value) and "wrong-code-4711" not in str(caught.value)
    website = AccountConfig(name="fx-www", connector="fxiaoke", base_url="https://www.fxiaoke.com",
                            settings=SETTINGS, secret=SECRETS.get)
    with pytest.raises(SetupError, match=r"open\.fxiaoke\.com") as refused:
        ApiClient(CONNECTOR, website)
    assert "www.fxiaoke.com 是纷享销客官网" in str(refused.value)
    with client(account(server, admin_mobile="13900000000")) as api, pytest.raises(SetupError, match="13900000000"):
        CONNECTOR.test_connection(api)


def test_sync_writes_run_no_workflows_unless_asked(server: SandboxServer) -> None:
    update = CONNECTOR.action("update_opportunity")
    assert update is not None
    writes = [Write(ref=f"r{i}", match=str(1000 + i), properties={"sales_stage": "shipped"},
                    params={"match_field": "order_no__c"}) for i in (11, 12)]
    with client(account(server)) as api:
        results = update.deliver(api, writes)
        assert [r.status for r in results] == ["ok", "ok"]
        assert update.read_current(api, writes) == [{"sales_stage": "shipped"}] * 2
    assert "flows" not in app_of(server).counters()
    with client(account(server, workflows="both")) as api:
        update.deliver(api, writes[:1])
    assert app_of(server).counters()["flows"] == {"triggered": 1}
    assert len(app_of(server).counters()["opportunity_writes"]) == 2


def test_missing_and_ambiguous_targets_are_rejected_per_record(server: SandboxServer) -> None:
    update = CONNECTOR.action("update_customer")
    assert update is not None
    writes = [Write(ref="a", match="C7001", properties={"tel": "1"}, params={"match_field": "customer_code__c"}),
              Write(ref="b", match="C9999", properties={"tel": "2"}, params={"match_field": "customer_code__c"}),
              Write(ref="c", match="零售", properties={"tel": "3"}, params={"match_field": "industry"})]
    with client(account(server)) as api:
        results = update.deliver(api, writes[:2]) + update.deliver(api, writes[2:])
    assert [r.status for r in results] == ["ok", "rejected", "rejected"]
    assert "no record has customer_code__c = C9999" in (results[1].message or "")
    assert "records have industry = 零售" in (results[2].message or "")


def test_describe_lists_custom_fields_and_stage_options(server: SandboxServer) -> None:
    assert CONNECTOR.discover_fields is not None
    with client(account(server)) as api:
        fields = {f.key: f for f in CONNECTOR.discover_fields(api, "NewOpportunityObj")}
    assert fields["order_no__c"].label == "网店订单号" and fields["order_no__c"].description == "custom field"
    assert fields["sales_stage"].choice_labels["shipped"] == "已发货"
    assert fields["amount"].type == "number"


def test_two_writes_to_one_new_key_in_a_batch_create_one_record(server: SandboxServer) -> None:
    upsert = CONNECTOR.action("create_or_update_customer")
    assert upsert is not None and upsert.semantics == "keyed"
    writes = [Write(ref=r, match="C9100", properties={"name": f"新客户{r}"}, params={"match_field": "customer_code__c"})
              for r in ("a", "b")]
    with client(account(server)) as api:
        results = upsert.deliver(api, writes)
        assert [r.status for r in results] == ["ok", "transient"]  # the second waits for the next batch
        assert [r.status for r in upsert.deliver(api, writes[1:])] == ["ok"]  # and then updates the one created
        assert upsert.read_current(api, writes[1:]) == [{"name": "新客户b"}]
    assert list(app_of(server).counters()["customer_writes"].values()) == [2]
