"""Jushuitan's order upload against its emulator: orders created once, a repeat updates the same order (the shop's
order number is the key), each refusal lands on its own order, and the request has the vendor's shape."""

from __future__ import annotations

import json
from collections.abc import Iterator
from itertools import count
from typing import Any

import httpx
import pytest

from ordersync_app.connectors.jushuitan import CONNECTOR
from ordersync_app.connectors.sdk.http import ApiClient, RateLimiter, RetryPolicy
from ordersync_app.connectors.sdk.spec import AccountConfig, RateLimit, TriggerContext, Write
from ordersync_app.domain.errors import RecordRejected
from ordersync_app.engine.diff import already_applied
from ordersync_app.sandbox._server import Request, Response, SandboxServer
from ordersync_app.sandbox.jushuitan import SHOP_ID, JushuitanSandbox

assert CONNECTOR.sandbox is not None
UPLOAD = CONNECTOR.action("create_order")
assert UPLOAD is not None
SHOP = {"shop_id": str(SHOP_ID)}
_names = count()


@pytest.fixture
def server(tmp_path: Any) -> Iterator[SandboxServer]:
    running = SandboxServer([JushuitanSandbox(tmp_path / "jushuitan.db")]).start()
    httpx.post(f"{running.root}/_sandbox/jushuitan/seed/20").raise_for_status()
    yield running
    running.stop()


@pytest.fixture
def api(server: SandboxServer) -> Iterator[ApiClient]:
    assert CONNECTOR.sandbox is not None
    config = AccountConfig(name=f"jst-upload-{next(_names)}", connector="jushuitan", base_url=server.url("jushuitan"),
                           settings=dict(CONNECTOR.sandbox.settings), secret=dict(CONNECTOR.sandbox.credentials).get)
    with ApiClient(CONNECTOR, config, limiter=RateLimiter(RateLimit(1000, 1.0)),
                   retry=RetryPolicy(max_attempts=2, base_delay=0.01, max_delay=0.02)) as client:
        yield client


def counters(server: SandboxServer) -> dict[str, dict[str, int]]:
    return httpx.get(f"{server.root}/_sandbox/jushuitan/counters").json()


def order(so_id: str, **more: Any) -> Write:
    items = [{"sku_id": "TEA-LJ", "name": "龙井茶 礼盒", "qty": 2, "price": "128.00"},
             {"sku_id": "BAM-02", "name": "Bamboo tray", "qty": 1, "price": 19.9}]
    return Write(f"ref-{so_id}", so_id, {"items": items, "receiver_name": "王芳", "receiver_state": "浙江省",
                                         "receiver_city": "杭州市", "receiver_address": "西湖区文三路 398 号",
                                         "receiver_mobile": "13800001234", "order_date": "2026-09-02T10:00:00Z",
                                         **more}, SHOP)


def test_orders_are_created_once_and_a_repeat_updates_the_same_order(api: ApiClient, server: SandboxServer) -> None:
    writes = [order(f"CRM-{n}") for n in range(3)]
    assert UPLOAD.read_current(api, writes) == [None, None, None]

    first = UPLOAD.deliver(api, writes)
    again = UPLOAD.deliver(api, writes)
    moved = UPLOAD.deliver(api, [order("CRM-1", receiver_address="滨江区网商路 599 号")])

    assert [r.status for r in first + again + moved] == ["ok"] * 7
    assert [r.target_id for r in first] == [r.target_id for r in again]
    assert moved[0].target_id == first[1].target_id
    seen = counters(server)
    assert seen["call"] == {"POST /open/jushuitan/orders/upload": 3}
    assert seen["order_writes"] == {r.target_id: 2 if r.ref == "ref-CRM-1" else 1 for r in first}
    assert seen["order_noop"] == {r.target_id: 1 for r in first}
    current = UPLOAD.read_current(api, writes)
    assert already_applied(current[0], writes[0].properties)
    assert current[1] is not None and current[1]["receiver_address"] == "滨江区网商路 599 号"
    read = [r for page in declared_trigger().read(api, TriggerContext({}, None, 100)) for r in page]
    uploaded = {r.payload["so_id"]: r.payload for r in read if r.payload["so_id"].startswith("CRM-")}
    assert set(uploaded) == {"CRM-0", "CRM-1", "CRM-2"}
    assert uploaded["CRM-0"]["status"] == "WaitConfirm" and uploaded["CRM-0"]["pay_amount"] == 275.9


def declared_trigger() -> Any:
    trigger = CONNECTOR.trigger("order_updated")
    assert trigger is not None
    return trigger


def test_the_upload_has_the_vendors_shape(api: ApiClient, server: SandboxServer) -> None:
    sent: list[Any] = []

    def record(request: Request, app: str) -> Response | None:
        if app == "jushuitan" and request.path.endswith("/orders/upload"):
            sent.append(json.loads(request.form()["biz"]))
        return None

    server.faults.hook = record
    UPLOAD.deliver(api, [order("CRM-9", shop_buyer_id="wangfang", freight=8)])

    (body,) = sent
    assert isinstance(body, list) and len(body) == 1  # the biz is a JSON array of orders
    up = body[0]
    assert (up["shop_id"], up["so_id"], up["order_date"], up["shop_status"]) == \
        (SHOP_ID, "CRM-9", "2026-09-02 18:00:00", "WAIT_SELLER_SEND_GOODS")  # Beijing time
    assert up["pay_amount"] == 275.9 and up["freight"] == 8.0
    assert up["items"][0] == {"sku_id": "TEA-LJ", "shop_sku_id": "TEA-LJ", "name": "龙井茶 礼盒", "qty": 2,
                              "price": 128.0, "amount": 256.0, "outer_oi_id": "CRM-9-0"}
    assert up["pay"]["amount"] == 275.9 and up["pay"]["outer_pay_id"] == "CRM-9-pay"


def test_each_refusal_lands_on_its_own_order(api: ApiClient, server: SandboxServer) -> None:
    other_shop = Write("ref-x", "CRM-X", order("CRM-X").properties, {"shop_id": "99"})
    no_sku = order("CRM-Y", items=[{"name": "Tea", "qty": 1, "price": "5"}])
    results = UPLOAD.deliver(api, [order("CRM-A"), other_shop, no_sku, order("CRM-B")])

    assert [r.status for r in results] == ["ok", "rejected", "rejected", "ok"]
    assert "店铺" in (results[1].message or "") and "sku_id" in (results[2].message or "")
    assert len(counters(server)["order_writes"]) == 2


def test_an_upload_over_the_vendors_batch_limit_is_refused_whole(api: ApiClient, server: SandboxServer) -> None:
    assert UPLOAD.batch_max == 50  # the engine never sends more
    with pytest.raises(RecordRejected, match="50"):
        UPLOAD.deliver(api, [order(f"CRM-{n}") for n in range(51)])
    assert "order_writes" not in counters(server)
