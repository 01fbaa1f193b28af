"""Jushuitan connector against its emulator: signing, 7-day window walking, paging, errors, secrets."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any

import httpx
import pytest

from ordersync_app.connectors import jushuitan
from ordersync_app.connectors.jushuitan import CONNECTOR, RULES, sign
from ordersync_app.connectors.sdk.http import ApiClient, RateLimiter, RetryPolicy
from ordersync_app.connectors.sdk.rules import decide
from ordersync_app.connectors.sdk.spec import AccountConfig, RateLimit, TriggerContext, Verdict, Write
from ordersync_app.domain.errors import AuthError, RecordRejected, SetupError
from ordersync_app.domain.records import Record
from ordersync_app.sandbox._server import SandboxServer
from ordersync_app.sandbox.jushuitan import REFRESH_TOKEN, JushuitanSandbox

assert CONNECTOR.sandbox is not None
DEMO_SECRETS, DEMO_SETTINGS = dict(CONNECTOR.sandbox.credentials), dict(CONNECTOR.sandbox.settings)

SEEDED = 400  # 37 minutes apart: order 1 at 2026-09-01 08:42Z, order 400 at 2026-09-11 ~15:05Z (> 7 days)
_names = count()


@pytest.fixture
def server(tmp_path: Any) -> Iterator[SandboxServer]:
    """The Jushuitan emulator alone on a loopback port, seeded through its sandbox endpoint."""
    running = SandboxServer([JushuitanSandbox(tmp_path / "jushuitan.db")]).start()
    httpx.post(f"{running.root}/_sandbox/jushuitan/seed/{SEEDED}").raise_for_status()
    yield running
    running.stop()


def account(server: SandboxServer, saved: dict[str, str] | None = None, **secrets: str) -> AccountConfig:
    """A sandbox account; ``secrets`` override the public demo credentials, ``saved`` collects rotations."""
    values = {**DEMO_SECRETS, **secrets}
    store = saved if saved is not None else {}
    return AccountConfig(name=f"jst-test-{next(_names)}", connector="jushuitan",
                         base_url=server.url("jushuitan"), settings=dict(DEMO_SETTINGS),
                         secret=values.get, save_secret=store.__setitem__)


def client(config: AccountConfig) -> ApiClient:
    """An ApiClient without the vendor's 5-calls-per-3-s budget (the emulator does not meter)."""
    return ApiClient(CONNECTOR, config, limiter=RateLimiter(RateLimit(1000, 1.0)),
                     retry=RetryPolicy(max_attempts=2, base_delay=0.01, max_delay=0.02))


def fetch(api: ApiClient, trigger: str, since: str | None, until: str | None = None,
          page_size: int = 100) -> list[list[Record]]:
    spec = CONNECTOR.trigger(trigger)
    assert spec is not None
    pages = spec.read(api, TriggerContext(params={}, since=since, page_size=page_size, until=until))
    return [page for page in pages if page]  # the end of each window is an empty checkpoint page


def flat(pages: list[list[Record]]) -> list[Record]:
    return [record for page in pages for record in page]


@pytest.mark.parametrize(("params", "secret", "expected"), [
    # ieu/jst-java jst-core/src/test/java/io/github/ieu/jst/DefaultJstDigestTest.java
    # @aa9b2263808fe76556a0b4964f70e936e0555917 (business call; charset/version are JstBizRequest defaults)
    ({"app_key": "5b53060f23d84ddf9703056e84fa5a2d", "access_token": "d7b01bf0842a4742a9450e21ffd95f60",
      "timestamp": "1639128407", "charset": "utf-8", "version": "2",
      "biz": '{"page_index":"1","page_size":"100","nicks":["老板"]}'},
     "e9c5ca33fecb404b8e6cdbd0ef4a6d25", "395f5a78b446be465ac03a02491296c7"),
    # same file: token request (grant_type/charset are JstAccessTokenRequest defaults)
    ({"app_key": "5b53060f23d84ddf9703056e84fa5a2d", "timestamp": "1639128407",
      "grant_type": "authorization_code", "charset": "utf-8", "code": "123456"},
     "e9c5ca33fecb404b8e6cdbd0ef4a6d25", "05e3a51e19e0883afd1882ccd309e0b9"),
    # kocotree/jushuitan-mcp tests/test_signing.py @018c2199063462f591057aa1ecaa30c021fdb93b
    ({"timestamp": "100", "app_key": "app", "charset": "utf-8"},
     "secret", "706427ca94e342781ac36d501151cb10"),
])
def test_sign_matches_independent_implementations(params: dict[str, str], secret: str, expected: str) -> None:
    """No official worked example was in our corpora (docId 70 not stored); the expected values come
    verbatim from the independent implementations' own tests named above, not from our code."""
    assert sign(params, secret) == expected
    assert sign({**params, "sign": "ignored"}, secret) == expected


def test_signed_request_is_accepted_and_tampering_refused(server: SandboxServer) -> None:
    sent: list[httpx.Request] = []
    config = account(server)
    url = server.url("jushuitan") + "/open/shops/query"
    with httpx.Client(auth=CONNECTOR.make_auth(config), event_hooks={"request": [sent.append]}) as http:
        answer = http.post(url, data={"biz": '{"page_index":1}'}).json()
    assert answer["code"] == 0
    assert answer["data"]["datas"][0]["shop_name"] == "OrderSync 演示店铺"
    form = dict(httpx.QueryParams(sent[0].content.decode()))
    assert set(form) == {"biz", "app_key", "access_token", "timestamp", "charset", "version", "sign"}
    assert (form["charset"], form["version"], len(form["sign"])) == ("utf-8", "2", 32)

    assert httpx.post(url, data=form).json()["code"] == 0  # replay within the freshness window
    tampered = httpx.post(url, data={**form, "biz": '{"page_index":2}'}).json()
    assert (tampered["code"], tampered["msg"]) == (10, "验证失败！无效签名")
    stale = {**form, "timestamp": str(int(time.time()) - 3600)}
    stale["sign"] = sign(stale, DEMO_SECRETS["app_secret"])
    assert httpx.post(url, data=stale).json()["code"] == 140


def test_connection_check_lists_shops(server: SandboxServer) -> None:
    with client(account(server)) as api:
        assert CONNECTOR.test_connection(api) == "Jushuitan: 1 shop(s) (OrderSync 演示店铺)"


def test_window_walk_across_weeks_pages_each_window(server: SandboxServer) -> None:
    with client(account(server)) as api:
        pages = fetch(api, "order_updated", "2026-09-01T00:00:00Z", until="2026-09-12T00:00:00Z")
    records = flat(pages)
    assert [r.key for r in records] == [str(9000 + i) for i in range(1, SEEDED + 1)]
    assert [r.cursor_value for r in records] == sorted(r.cursor_value for r in records)
    first = records[0]
    assert (first.version, first.cursor_value) == ("2026-09-01T08:42:00Z", "2026-09-01T08:42:00Z")
    assert first.payload["modified"] == "2026-09-01 16:42:00"  # Beijing time on the wire
    assert first.changed_at == datetime(2026, 9, 1, 8, 42, tzinfo=UTC)
    chinese = records[4].payload  # every fifth demo customer is Chinese
    assert chinese["receiver_country"] == "CN"
    assert re.fullmatch(r"[\u4e00-\u9fff]{2,3}", chinese["receiver_name"])
    assert chinese["receiver_state"].endswith(("省", "市"))
    # Window 09-01..09-08 holds 259 orders (3 pages of 100), window 09-08..09-12 holds 141 (2 pages).
    assert server.request_counts["jushuitan"] == 5
    assert all(len(page) <= 100 for page in pages)


def test_small_pages_and_closed_start(server: SandboxServer) -> None:
    with client(account(server)) as api:
        everything = flat(fetch(api, "order_updated", "2026-09-01T00:00:00Z", until="2026-09-05T00:00:00Z"))
        since = everything[99].cursor_value  # order 9100
        until = everything[129].cursor_value  # order 9130, exclusive
        calls = server.request_counts["jushuitan"]
        pages = fetch(api, "order_updated", since, until=until, page_size=7)
    assert [len(page) for page in pages] == [7, 7, 7, 7, 2]
    assert [r.key for r in flat(pages)] == [str(9000 + i) for i in range(100, 130)]  # 9100 included (>=)
    assert server.request_counts["jushuitan"] - calls == 5  # vendor paged by page_index 1..5


def test_order_shipped_and_vendor_ship_call(server: SandboxServer) -> None:
    with client(account(server)) as api:
        shipped = flat(fetch(api, "order_shipped", "2026-09-01T00:00:00Z", until="2026-09-12T00:00:00Z"))
        assert [r.key for r in shipped] == [str(9000 + i) for i in range(1, 11)]  # demo orders 1..10 are Sent
        assert {r.payload["status"] for r in shipped} == {"Sent"}
        before = datetime.now(UTC).replace(microsecond=0)
        items = [{"o_id": 9000 + i, "shop_id": 10100001, "so_id": str(1000 + i), "lc_name": "中通快递",
                  "l_id": f"ZT{80 + i}", "lc_id": "ZTO"} for i in (20, 21)]
        answer = api.json("POST", "/open/order/sent/upload", data={"biz": json.dumps({"items": items})})
        assert answer["issuccess"] is True
        # since=None reads the default 7-day lookback: the September demo orders are older than that.
        recent = flat(fetch(api, "order_shipped", None))
    assert [(r.key, r.payload["l_id"], r.payload["status"]) for r in recent] == [
        ("9020", "ZT100", "Sent"), ("9021", "ZT101", "Sent")]
    assert all(r.changed_at and r.changed_at >= before for r in recent)
    counters = httpx.get(f"{server.root}/_sandbox/jushuitan/counters").json()
    assert counters["order"] == {"9020": 1, "9021": 1}


def test_vendor_window_cap_and_page_size_are_rejected_with_vendor_message(server: SandboxServer) -> None:
    begin = datetime(2026, 9, 1, 8, 0)
    with client(account(server)) as api:
        with pytest.raises(RecordRejected, match="时间间隔不能超过七天"):
            api.json("POST", jushuitan.ORDERS_PATH, data={"biz": json.dumps({
                "modified_begin": f"{begin:%Y-%m-%d %H:%M:%S}",
                "modified_end": f"{begin + timedelta(days=7, seconds=1):%Y-%m-%d %H:%M:%S}"})})
        with pytest.raises(RecordRejected, match="最大100条"):
            api.json("POST", jushuitan.ORDERS_PATH,
                     data={"biz": json.dumps({"o_ids": [9001], "page_size": 101})})


def test_bad_secret_is_an_auth_error_with_vendor_message_and_no_secret(server: SandboxServer) -> None:
    secret = "wrong-app-secret-4711"
    with client(account(server, app_secret=secret)) as api, pytest.raises(AuthError) as caught:
        CONNECTOR.test_connection(api)
    text = str(caught.value)
    assert caught.value.vendor_message == "验证失败！无效签名"
    assert "Jushuitan refused the credentials" in text
    for value in (secret, *DEMO_SECRETS.values()):
        assert value not in text


def test_expired_token_without_refresh_token_is_an_auth_error(server: SandboxServer) -> None:
    token = "expired-access-token-0042"
    with client(account(server, access_token=token)) as api, pytest.raises(AuthError) as caught:
        CONNECTOR.test_connection(api)
    assert caught.value.vendor_message == "验证失败！无效的access_token或access_token已过期"
    assert token not in str(caught.value)


def test_expired_token_is_renewed_with_refresh_token(server: SandboxServer) -> None:
    saved: dict[str, str] = {}
    config = account(server, saved, access_token="expired-access-token-0043", refresh_token=REFRESH_TOKEN)
    with client(config) as api:
        assert CONNECTOR.test_connection(api).startswith("Jushuitan: 1 shop")
    token = DEMO_SECRETS["access_token"]
    assert (saved["access_token"], saved["refresh_token"]) == (token, REFRESH_TOKEN)


def test_missing_secret_is_a_setup_error(server: SandboxServer) -> None:
    with pytest.raises(SetupError, match="needs app_key, app_secret and access_token"):
        client(account(server, app_secret=""))


@pytest.mark.parametrize(("code", "verdict"), [
    (0, None), (10, Verdict.REAUTH), (100, Verdict.REAUTH), (110, Verdict.SETUP), (190, Verdict.SETUP),
    (199, Verdict.RETRY), (200, Verdict.RETRY), (130, Verdict.REJECT),
])
def test_vendor_codes_are_declared_rules(code: int, verdict: Verdict | None) -> None:
    decision = decide(RULES, httpx.Response(200, json={"code": code, "msg": "…", "data": None}))
    assert (decision.verdict if decision else None) is verdict


def test_customers_are_upserted_by_code_and_read_back(server: SandboxServer) -> None:
    upsert = CONNECTOR.action("upsert_customer")
    assert upsert is not None and upsert.semantics == "keyed"
    writes = [Write(ref="a", match="C7001", properties={"name": "王芳", "mobile": "13900007001"}),
              Write(ref="b", match="C7002", properties={"name": ""})]
    with client(account(server)) as api:
        assert upsert.read_current(api, writes) == [None, None]
        results = upsert.deliver(api, writes)
        assert [r.status for r in results] == ["ok", "rejected"]
        assert results[1].message == "客户编码和客户名称不能为空"
        assert upsert.read_current(api, writes) == [{"name": "王芳", "mobile": "13900007001"}, None]
        assert [r.status for r in upsert.deliver(api, writes[:1])] == ["ok"]  # the same code: the same customer
    counters = httpx.get(f"{server.root}/_sandbox/jushuitan/counters").json()
    assert counters["customer_writes"] == {"C7001": 2}
