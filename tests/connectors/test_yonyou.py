"""用友 YonBIP connector against its emulator: the published signature example, data-centre discovery kept in the
account's state, a token expiring mid-run, the gateway's rate-limit answer, errors inside HTTP 200, a partial batch
failure and an idempotent create under a lost answer."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterator
from itertools import count
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import httpx
import pytest

from ordersync_app.connectors import yonyou
from ordersync_app.connectors.sdk.http import ApiClient, RateLimiter, RetryPolicy
from ordersync_app.connectors.sdk.rules import decide
from ordersync_app.connectors.sdk.spec import AccountConfig, RateLimit, TriggerContext, Verdict, Write
from ordersync_app.connectors.yonyou import CONNECTOR, RULES, signature
from ordersync_app.domain.errors import AuthError, RecordRejected, SetupError
from ordersync_app.sandbox._server import SandboxServer
from ordersync_app.sandbox.yonyou import YonyouSandbox

assert CONNECTOR.sandbox is not None
SECRETS, SETTINGS = dict(CONNECTOR.sandbox.credentials), dict(CONNECTOR.sandbox.settings)
_names = count()

# yonyoucloud-open/corp-demo README.md @4355ff1ca7172ac280cb7909e4d5764db1f3121f, "示例请求" (values copied verbatim).
# The README gives the app key, the timestamp and the resulting URL-encoded signature, but not the app secret, so the
# HMAC itself cannot be recomputed from it: the string layout and the Base64/URL-encoding layers are checked against
# it, and the HMAC-SHA256 + Base64 layer against RFC 4231 test case 2 (key "Jefe").
DEMO_APP_KEY, DEMO_TIMESTAMP = "fbb5f5b6-21fb-4156-8b73-3ec3ac389ab7", "1547192727928"
DEMO_SIGNATURE_IN_URL = "7OzDhux%2FyJQt%2B9K2GK4E8YuX%2Fl30NYcnsbEO8D%2F0jCc%3D"
RFC4231_CASE2 = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[SandboxServer]:
    running = SandboxServer([YonyouSandbox(tmp_path / "yy.db")]).start()
    httpx.post(f"{running.root}/_sandbox/yonyou/seed/40").raise_for_status()
    yield running
    running.stop()


def app_of(server: SandboxServer) -> YonyouSandbox:
    app = server.apps["yonyou"]
    assert isinstance(app, YonyouSandbox)
    return app


def account(server: SandboxServer, state: dict[str, str] | None = None, **secrets: str) -> AccountConfig:
    kept = state if state is not None else {}
    values = {**SECRETS, **secrets}
    return AccountConfig(name=f"yy-test-{next(_names)}", connector="yonyou", base_url=server.url("yonyou"),
                         settings=dict(SETTINGS), secret=values.get, state=kept.get, save_state=kept.__setitem__)


def client(config: AccountConfig) -> ApiClient:
    api = ApiClient(CONNECTOR, config, retry=RetryPolicy(max_attempts=3, base_delay=0.01, max_delay=0.02))
    api.limiters = [RateLimiter(RateLimit(10_000, 1.0))]
    return api


def test_signature_string_layout_follows_the_published_rule() -> None:
    params = {"timestamp": DEMO_TIMESTAMP, "appKey": DEMO_APP_KEY, "signature": "ignored"}
    text = f"appKey{DEMO_APP_KEY}timestamp{DEMO_TIMESTAMP}"  # names sorted, name+value, signature left out
    digest = hmac.new(b"any-secret", text.encode(), hashlib.sha256).digest()
    assert signature(params, "any-secret") == base64.b64encode(digest).decode()


def test_hmac_and_base64_layers_match_rfc_4231() -> None:
    expected = base64.b64encode(bytes.fromhex(RFC4231_CASE2)).decode()
    assert signature({"what do ya want for nothing?": ""}, "Jefe") == expected


def test_the_published_signature_is_base64_of_a_sha256_hmac_encoded_once_in_the_url() -> None:
    decoded = unquote(DEMO_SIGNATURE_IN_URL)
    assert len(base64.b64decode(decoded, validate=True)) == hashlib.sha256().digest_size
    request = httpx.Request("GET", "https://example.invalid" + yonyou.TOKEN_PATH,
                            params={"appKey": DEMO_APP_KEY, "timestamp": DEMO_TIMESTAMP, "signature": decoded})
    assert request.url.query.decode() == (f"appKey={DEMO_APP_KEY}&timestamp={DEMO_TIMESTAMP}"
                                          f"&signature={DEMO_SIGNATURE_IN_URL}")


def test_the_data_centre_is_discovered_once_and_kept_with_the_account(server: SandboxServer) -> None:
    seen: list[str] = []
    server.faults.hook = lambda request, app: seen.append(request.path)  # type: ignore[assignment,func-returns-value]
    state: dict[str, str] = {}
    with client(account(server, state)) as api:
        assert CONNECTOR.test_connection(api).startswith("Yonyou 用友: customers readable")
        CONNECTOR.test_connection(api)
    assert state == {"gatewayUrl": server.url("yonyou") + "/iuap-api-gateway",
                     "tokenUrl": server.url("yonyou") + "/iuap-api-auth"}
    assert seen == ["/open-auth/dataCenter/getGatewayAddress",
                    "/iuap-api-auth/open-auth/selfAppAuth/base/v1/getAccessToken",
                    "/iuap-api-gateway/yonbip/digitalModel/merchant/newlist",
                    "/iuap-api-gateway/yonbip/digitalModel/merchant/newlist"]
    assert "diwork" not in str(state)


def test_an_unknown_tenant_and_a_wrong_secret_say_who_must_act(server: SandboxServer) -> None:
    config = account(server)
    unknown = AccountConfig(name="yy-unknown", connector="yonyou", base_url=config.base_url,
                            settings={**SETTINGS, "tenant_id": "nosuchtenant"}, secret=config.secret)
    with client(unknown) as api, pytest.raises(SetupError, match="does not know the tenant ID") as caught:
        CONNECTOR.test_connection(api)
    assert not isinstance(caught.value, AuthError)
    with client(account(server, app_secret="wrong-secret-9876")) as api, pytest.raises(AuthError) as refused:
        CONNECTOR.test_connection(api)
    assert "签名校验失败" in (refused.value.vendor_message or "") and "wrong-secret-9876" not in str(refused.value)


def test_a_token_expiring_mid_run_is_renewed_once_and_the_read_goes_on(server: SandboxServer) -> None:
    trigger = CONNECTOR.trigger("sales_order_changed")
    assert trigger is not None
    with client(account(server)) as api:
        pages = (p for p in trigger.read(api, TriggerContext(params={}, since=None, page_size=7)) if p)
        first = next(pages)
        app_of(server).expire_tokens()
        rest = [r for page in pages for r in page]
        assert api.stats.errors == 1  # the one 310036, answered by renewing
    assert len({r.key for r in first + rest}) == 40
    assert app_of(server).counters()["call"]["GET getAccessToken"] == 2


def test_the_gateways_rate_limit_answer_is_retried(server: SandboxServer) -> None:
    app = app_of(server)
    with client(account(server)) as api:
        CONNECTOR.test_connection(api)
        server.faults.once("yonyou", app.throttled(None))
        assert CONNECTOR.test_connection(api).startswith("Yonyou")
        assert api.stats.retries == 1
    for code in yonyou.LIMITED:
        decision = decide(RULES, httpx.Response(200, json={"code": code, "message": "限流"}))
        assert decision is not None and decision.verdict is Verdict.RETRY


def test_errors_inside_http_200_and_the_unknown_path(server: SandboxServer) -> None:
    with client(account(server)) as api:
        with pytest.raises(RecordRejected) as caught:
            api.json("POST", yonyou.ORDER_SAVE, json={"data": {"_status": "Insert"}})
        assert caught.value.vendor_message is not None
        assert caught.value.vendor_message.startswith("Yonyou refused the data")
        assert "用友拒绝了数据" in caught.value.vendor_message and "服务端逻辑异常" in caught.value.vendor_message
        with pytest.raises(SetupError, match="HTTP 404") as missing:
            api.json("POST", "/yonbip/sd/voucherorder/no_such_api", json={})
        assert "网关上没有此 API" in (missing.value.vendor_message or "")
    plain = httpx.Response(200, text="非法token", headers={"Content-Type": "text/plain; charset=utf-8"})
    assert decide(RULES, plain).verdict is Verdict.REAUTH  # type: ignore[union-attr]
    assert decide(RULES, httpx.Response(200, json={"code": "100004", "data": {"id": 1}})) is None


def order(i: int) -> dict[str, Any]:
    return {"salesOrgId": "SO01", "transactionTypeId": "SO-001", "vouchdate": "2026-12-01 10:00:00",
            "agentId": f"C{7000 + i}", "settlementOrgId": "SO01", "orderPrices!currency": "CNY", "payMoney": 88.5,
            "orderDetails": [{"productId": "TEA-LJ", "qty": 1, "oriTaxUnitPrice": 88.5}], "purchaseNo": str(1000 + i)}


def test_a_create_whose_answer_was_lost_is_found_by_its_key_and_never_doubled(server: SandboxServer) -> None:
    create = CONNECTOR.action("create_sales_order")
    assert create is not None and create.semantics == "keyed"
    write = Write(ref="7:9001:2026-12-01T10:00:00Z:0", match=None, properties=order(1),
                  params={"key_field": "headItem.define1"})
    with client(account(server)) as api:
        assert create.read_current(api, [write]) == [None]
        CONNECTOR.test_connection(api)  # signs in: the next call to the emulator is the save
        server.faults.once("yonyou", "drop-after")
        [lost] = create.deliver(api, [write])
        assert lost.status == "unknown"
        assert create.read_current(api, [write]) == [order(1)]  # the engine would settle it here
        [again] = create.deliver(api, [write])  # and even a blind re-send answers the same order
    writes = app_of(server).counters()["sales_order_writes"]
    assert list(writes.values()) == [2]  # two calls for one order: the emulator kept the first answer for the key
    assert again.status == "ok" and again.target_id == next(iter(writes))
    orders = app_of(server).db.execute("SELECT count(*) FROM yy_records WHERE kind = 'sales_order'").fetchone()[0]
    assert orders == 41


def test_a_partial_batch_failure_is_reported_per_order(server: SandboxServer) -> None:
    submit = CONNECTOR.action("submit_sales_orders")
    assert submit is not None
    real = str(2_100_000_000 + 5)
    writes = [Write(ref="a", match=real, properties={"submitted": True}),
              Write(ref="b", match="42", properties={"submitted": True})]
    with client(account(server)) as api:
        results = submit.deliver(api, writes)
        assert submit.read_current(api, writes) == [{"submitted": True}, None]
    assert [r.status for r in results] == ["ok", "rejected"]
    assert results[1].message == "单据[42]不存在"


def test_closing_and_reopening_a_sales_orders_lines_by_its_purchase_number(server: SandboxServer) -> None:
    close = CONNECTOR.action("close_sales_order")
    assert close is not None
    params = {"match_field": "purchaseNo"}
    shut, unknown = (Write(ref="r1", match="5003", properties={"closed": True}, params=params),
                     Write(ref="r2", match="9999", properties={"closed": True}, params=params))
    with client(account(server)) as api:
        assert close.read_current(api, [shut, unknown]) == [{"closed": False}, None]
        done, refused = close.deliver(api, [shut, unknown])
        assert (done.status, done.target_id) == ("ok", "2100000003")
        assert refused.status == "rejected" and "9999" in (refused.message or "")
        assert close.read_current(api, [shut]) == [{"closed": True}]
        [reopened] = close.deliver(api, [Write(ref="r3", match="5003", properties={"closed": False}, params=params)])
        assert reopened.status == "ok" and close.read_current(api, [shut]) == [{"closed": False}]
    assert app_of(server).counters()["sales_order_writes"] == {"2100000003": 2}
