"""Both 旺店通 connectors (企业版 ``openapi2``, 旗舰版 ``openapi``) against their emulators over loopback: signature
test vectors from open SDKs, 60-minute windows, the shipped trigger with tracking numbers, the rate-limit answer and
errors inside HTTP 200, and pushes keyed by ``tid`` that create nothing twice when an answer is lost."""

from __future__ import annotations

import itertools
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from ordersync_app.connectors import wangdiantong, wangdiantong_qjb
from ordersync_app.connectors.sdk.http import ApiClient, RateLimiter, RetryPolicy
from ordersync_app.connectors.sdk.spec import Connector, RateLimit, TriggerContext, Write
from ordersync_app.domain.errors import AuthError, RecordRejected, TransientError
from ordersync_app.engine import runner
from ordersync_app.sandbox._server import Request, SandboxServer
from ordersync_app.sandbox.apps import sandbox_account
from ordersync_app.services import accounts, recipes, runs

CONNECTORS = [wangdiantong.CONNECTOR, wangdiantong_qjb.CONNECTOR]
IDS = [c.key for c in CONNECTORS]
_names = itertools.count()


def client(connector: Connector, sandbox: SandboxServer, **secrets: str) -> ApiClient:
    assert connector.sandbox is not None
    account = sandbox_account(connector, sandbox.url(connector.sandbox.app), name=f"wdt-{next(_names)}")
    if secrets:
        values = {**connector.sandbox.credentials, **secrets}
        account = type(account)(name=account.name, connector=account.connector, base_url=account.base_url,
                                settings=account.settings, secret=values.get)
    return ApiClient(connector, account, limiter=RateLimiter(RateLimit(1000, 1.0)),
                     retry=RetryPolicy(max_attempts=3, base_delay=0.01, max_delay=0.02))


def recent(connector: Connector, key: str, api: ApiClient) -> list[Any]:
    """Everything from 13 hours ago (the emulators' demo orders lie in the 12 hours before their first seed)."""
    trigger = connector.trigger(key)
    assert trigger is not None
    since = f"{datetime.now(UTC) - timedelta(hours=13):%Y-%m-%dT%H:%M:%SZ}"
    return [r for page in trigger.read(api, TriggerContext(params={}, since=since, page_size=25)) for r in page]


# 企业版: slpcode/wangdiantong-sdk src/Api.php @7142b2c8, its pack() and sign() bodies run unchanged with PHP 8.2
# (php-cli from Debian, outside the repository) on the parameters below; the printed hex digests are pasted here.
@pytest.mark.parametrize(("params", "secret", "golden"), [
    ({"sid": "apidevnew2", "appkey": "ordersync-test", "timestamp": "1767225600", "start_time": "2026-09-01 08:00:00",
      "end_time": "2026-09-01 09:00:00", "page_no": "0", "page_size": "100"}, "12345",
     "80782c24a84fee48aa63ee69fce9a1c7"),
    ({"sid": "apidevnew2", "appkey": "ordersync-test", "timestamp": "1700000000", "shop_no": "demo",
      "trade_list": '[{"tid":"T1","receiver_name":"王芳","receiver_area":"浙江省 杭州市 西湖区"}]', "switch": "1"},
     "s3cr3t", "814bb6a360b2523775b01d938ce842ba"),
])
def test_enterprise_sign_matches_the_open_sdk(params: dict[str, str], secret: str, golden: str) -> None:
    assert wangdiantong.sign(params, secret) == golden
    assert wangdiantong.sign({**params, "sign": "ignored"}, secret) == golden
    assert wangdiantong.pack({"ab": "王芳"}) == "02-ab:0002-王芳"  # lengths in characters, not bytes


# 旗舰版: go-marvis/wangdian-sdk-go core/transport.go @10aa973f, its sign() run with Go 1.19 (golang-go from Debian,
# outside the repository; slices.Sorted(maps.Keys(…)) written as a sorted key slice, as Go 1.19 has no slices
# package) on the values below, "body" being the JSON text sent; the printed digests are pasted here.
@pytest.mark.parametrize(("params", "secret", "golden"), [
    ({"method": "sales.TradeQuery.queryWithDetail", "sid": "apidevnew2", "key": "ordersync-test", "salt": "pepper",
      "timestamp": "442656000", "v": "1.0", "page_size": "100", "page_no": "0", "calc_total": "1",
      "body": '[{"start_time":"2026-01-01 08:00:00","end_time":"2026-01-01 09:00:00"}]'}, "testsecret",
     "4303b2c072cf245f74a1440e697b9a98"),
    ({"method": "sales.RawTrade.pushSelf", "sid": "apidevnew2", "key": "ordersync-test", "salt": "pepper",
      "timestamp": "374652800", "v": "1.0",
      "body": '["demo",[{"tid":"T1","receiver_name":"王芳"}],[{"tid":"T1","oid":"T1-1","num":1}]]'}, "s3cr3t",
     "02874d3d5962e47d0e2b6818805d164a"),
])
def test_ultimate_sign_matches_the_open_sdk(params: dict[str, str], secret: str, golden: str) -> None:
    assert wangdiantong_qjb.sign(params, secret) == golden


def test_ultimate_timestamp_counts_from_2012(sandbox: SandboxServer) -> None:
    sent: list[httpx.Request] = []
    with client(wangdiantong_qjb.CONNECTOR, sandbox) as api:
        api._http.event_hooks["request"].append(sent.append)
        api.json("POST", "/", **wangdiantong_qjb.call(wangdiantong_qjb.SHOPS, {}, page=(0, 1)))
    stamp = int(sent[-1].url.params["timestamp"])
    assert abs(time.time() - 1325347200 - stamp) < 5
    assert sent[-1].content.startswith(b"[{")  # the arguments travel as a JSON array


@pytest.mark.parametrize("connector", CONNECTORS, ids=IDS)
def test_shipped_orders_carry_tracking_numbers(connector: Connector, sandbox: SandboxServer) -> None:
    app = sandbox.apps[connector.sandbox.app]  # type: ignore[union-attr]
    with client(connector, sandbox) as api:
        shipped = recent(connector, "order_shipped", api)
        assert [r.payload["src_tids"] for r in shipped] == [str(5000 + i) for i in range(1, 11)]
        assert all(r.payload["trade_status"] == 95 and r.payload["logistics_no"].startswith("SF") for r in shipped)
        assert httpx.post(f"{sandbox.root}/_sandbox/{app.name}/ship/3").json()["shipped"] == ["5011", "5012", "5013"]
        later = recent(connector, "order_shipped", api)
    assert len(later) == 13 and later[-1].payload["logistics_name"] == "顺丰速运"


@pytest.mark.parametrize("connector", CONNECTORS, ids=IDS)
def test_the_vendor_rate_limit_answer_inside_http_200_is_retried(connector: Connector, sandbox: SandboxServer) -> None:
    app = sandbox.apps[connector.sandbox.app]  # type: ignore[union-attr]
    with client(connector, sandbox) as api:
        before = len(recent(connector, "order_updated", api))
        sandbox.faults.once(app.name, app.throttled(None))
        assert len(recent(connector, "order_updated", api)) == before == 60
        assert api.stats.retries == 1
        app._calls.clear()  # a new minute begins …
        app.per_minute = 1  # … with the seller's own limit: a second call within it is refused …
        connector.test_connection(api)
        with pytest.raises(TransientError) as caught:
            connector.test_connection(api)
    assert "稍后重试" in caught.value.render()  # … and retried until the in-run budget is spent


@pytest.mark.parametrize("connector", CONNECTORS, ids=IDS)
def test_a_wrong_secret_and_an_error_inside_http_200_are_told_apart(connector: Connector,
                                                                    sandbox: SandboxServer) -> None:
    secret = "appsecret"
    with client(connector, sandbox, **{secret: "wrong:salt"}) as api, pytest.raises(AuthError):
        connector.test_connection(api)
    trigger = connector.trigger("order_updated")
    assert trigger is not None and trigger.request is not None
    too_wide = {"start_time": "2026-09-01 08:00:00", "end_time": "2026-09-01 10:00:00", "page_no": 0,
                "page_size": 10}
    kwargs = trigger.request.encode(too_wide) if trigger.request.encode else {"data": too_wide}
    with client(connector, sandbox) as api, pytest.raises(RecordRejected) as caught:
        api.json("POST", trigger.request.path, **kwargs)
    assert "60" in caught.value.render() and "refused the request / 旺店通拒绝了请求" in caught.value.render()


def _push(connector: Connector, api: ApiClient, tid: str, **values: Any) -> Any:
    action = connector.action("push_order")
    assert action is not None
    write = Write(ref=f"p-{next(_names)}", match=tid, properties={
        "receiver_name": "王芳", "receiver_mobile": "13800000000", "receiver_area": "浙江省 杭州市 西湖区",
        "receiver_address": "文三路 398 号", "paid": 128.0, "spec_no": "TEA-LJ", "num": 1, "price": 128.0, **values})
    return action.deliver(api, [write])[0], action.read_current(api, [write])[0]


@pytest.mark.parametrize("connector", CONNECTORS, ids=IDS)
def test_a_second_push_of_a_tid_updates_the_same_order(connector: Connector, sandbox: SandboxServer) -> None:
    with client(connector, sandbox) as api:
        first, _ = _push(connector, api, "HS-9001")
        second, current = _push(connector, api, "HS-9001", receiver_address="文三路 400 号")
        refused, _ = _push(connector, api, "HS-9002", receiver_mobile="")
    assert (first.status, second.status) == ("ok", "ok")
    assert current is not None and current["receiver_address"] == "文三路 400 号" and current["spec_no"] == "TEA-LJ"
    assert refused.status == "rejected" and "不能为空" in (refused.message or "")
    app = sandbox.apps[connector.sandbox.app]  # type: ignore[union-attr]
    assert app.db.execute("SELECT count(*) FROM wdt_trades WHERE src_tid = 'HS-9001'").fetchone() == (1,)


RECIPE = """format: ordersync-recipe
version: 1
name: HubSpot won deal to 旺店通 order
accounts: {crm: hubspot, oms: CONNECTOR}
trigger: {account: crm, event: deal_updated, every: 5m, start: "2026-01-01T00:00:00Z"}
steps:
  - filter:
      conditions: [{field: dealstage, op: equals, value: shipped}]
  - action:
      account: oms
      action: push_order
      match: {template: "HS-{id}"}
      fields:
        receiver_name: {source: dealname}
        receiver_mobile: {value: "13800000000"}
        receiver_area: {value: "浙江省 杭州市 西湖区"}
        receiver_address: {value: "文三路 398 号"}
        paid: {source: amount, transforms: [to_number]}
        spec_no: {value: TEA-LJ}
options: {dry_run: false, on_error: continue}
"""


@pytest.mark.parametrize("connector", CONNECTORS, ids=IDS)
def test_a_lost_push_answer_creates_no_second_order(connector: Connector, home: Path, sandbox: SandboxServer,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """The push lands but its answer is lost: the engine reads the orders by tid before sending anything again."""
    monkeypatch.setenv("ORDERSYNC_HTTP_TIMEOUT", "1")
    monkeypatch.setattr(runner, "RETRY_SCHEDULE", (1, 1, 2, 2, 3))
    box, hubspot = connector.sandbox, accounts.connector("hubspot").sandbox
    assert box is not None and hubspot is not None
    accounts.add_account("crm", "hubspot", base_url=sandbox.url("hubspot"), secret_values=dict(hubspot.credentials))
    accounts.add_account("oms", connector.key, base_url=sandbox.url(box.app), settings=dict(box.settings),
                         secret_values=dict(box.credentials))
    recipes.import_recipe(RECIPE.replace("CONNECTOR", connector.key), {"crm": "crm", "oms": "oms"}, name="won")
    dropped: list[str] = []

    def drop_first_push(request: Request, app: str) -> str | None:
        pushing = request.path.endswith("trade_push.php") or request.arg("method") == wangdiantong_qjb.PUSH
        if app == box.app and pushing and not dropped:
            dropped.append(app)
            return "drop-after"
        return None
    sandbox.faults.hook = drop_first_push
    first = runs.run_recipe("won")
    assert dropped and (first.seen, first.filtered, first.retrying) == (60, 50, 10)  # 10 deals are "shipped"
    deadline = time.monotonic() + 60
    while runs.history("won", status="retrying") and time.monotonic() < deadline:
        runs.run_recipe("won")
        time.sleep(0.5)
    assert {h.status for h in runs.history("won")} <= {"succeeded", "filtered"}
    app = sandbox.apps[box.app]
    tids = [t for (t,) in app.db.execute("SELECT src_tid FROM wdt_trades WHERE src_tid LIKE 'HS-%'")]
    assert len(tids) == len(set(tids)) == 10
    writes = httpx.get(f"{sandbox.root}/_sandbox/{box.app}/counters").json()["order_writes"]
    assert writes == dict.fromkeys(tids, 1)


def test_a_second_customer_push_updates_the_same_customer(sandbox: SandboxServer) -> None:
    action = wangdiantong.CONNECTOR.action("push_customer")
    assert action is not None and action.semantics == "keyed"
    first = Write(ref="c1", match="C9001", properties={"name": "王芳", "mobile": "13800000001"})
    again = Write(ref="c2", match="C9001", properties={"name": "王芳", "mobile": "13800000002"})
    nameless = Write(ref="c3", match="C9002", properties={"name": "", "mobile": "13800000003"})
    with client(wangdiantong.CONNECTOR, sandbox) as api:
        assert action.read_current(api, [first]) == [None]
        done, refused = action.deliver(api, [first, nameless])
        assert done.status == "ok" and refused.status == "rejected" and "name" in (refused.message or "")
        assert action.deliver(api, [again])[0].status == "ok"
        assert action.read_current(api, [first, nameless]) == [{"name": "王芳", "mobile": "13800000002"}, None]
    writes = httpx.get(f"{sandbox.root}/_sandbox/wangdiantong/counters").json()["customer_writes"]
    assert writes == {"C9001": 2}  # one customer, written twice; the refused one never stored
