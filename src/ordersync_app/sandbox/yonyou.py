"""Emulated 用友 YonBIP open platform for one tenant, so the connector is tested without a YonBIP subscription.

What the connector's sources say (``connectors/yonyou.py``), over loopback: data-centre discovery whose
``gatewayUrl``/``tokenUrl`` point back at this emulator (under ``/iuap-api-gateway`` and ``/iuap-api-auth``, as the
real ones end [S]); the signed self-built-app token (HmacSHA256 over ``appKey…timestamp…``, 2 h) [V corp-demo];
``?access_token=`` on business calls, unknown paths answered HTTP 404 ``310404`` before the token is checked, bad
tokens ``310036 非法token`` inside HTTP 200 [S probe]; ``merchant/newlist`` (``pubts`` ≥, bare list, by id),
``voucherorder/list`` (``simpleVOs``, ``queryOrders``, ``pageIndex``/``pageSize``, ``data.recordList``) and
``detail`` [S]; ``singleSave`` idempotent on ``resubmitCheckKey`` (the first answer within an hour, then ``100004``
with the id) [S]; ``batchsubmit`` with ``failCount``/``messages``/``infos`` [S, shapes U]; sales-order calls limited to
60 a minute per path (``310046``, which of the four codes [U]); CRM opportunities at ``/yonbip/crm/oppt/bill/list``
[U]. Demo customer ``i`` has the code ``C{7000+i}``, like the Fxiaoke emulator's ``customer_code__c``.

``lineclose``/``lineopen`` with ``failCount``/``messages``/``infos`` [S]; an order whose every line is closed has
``status`` 2 (已关闭) [U]. Sales orders keep the shop's order id as ``purchaseNo`` (see :meth:`seed`).

Sandbox-only: :meth:`expire_tokens`. Write counters: ``sales_order_writes`` per order for every save, submit, line
close or line open call (a save answered from the idempotency cache counts too: it was a call).
"""

from __future__ import annotations

import hmac
import json
import math
import time
import uuid
from collections import defaultdict, deque
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from ordersync_app.connectors.sdk.paths import dig
from ordersync_app.connectors.yonyou import CONNECTOR, signature
from ordersync_app.sandbox import demo_data
from ordersync_app.sandbox._server import Request, Response, SandboxApp

BEIJING = timezone(timedelta(hours=8))
TOKEN_LIFETIME, KEY_MEMORY = 7200, 3600  # corp-demo README [V]; 幂等性: results cached 1 h [S]
GATEWAY, AUTH = "/iuap-api-gateway", "/iuap-api-auth"
SD = {"/yonbip/sd/voucherorder/list", "/yonbip/sd/voucherorder/detail", "/yonbip/sd/voucherorder/singleSave"}
BUSINESS = {*SD, "/yonbip/digitalModel/merchant/newlist", "/yonbip/sd/voucherorder/batchsubmit",
            "/yonbip/crm/oppt/bill/list", "/yonbip/sd/voucherorder/lineclose", "/yonbip/sd/voucherorder/lineopen"}
REQUIRED = ("salesOrgId", "transactionTypeId", "vouchdate", "agentId", "settlementOrgId", "orderPrices!currency",
            "payMoney", "orderDetails")  # singleSave V2 [S]
TABLES = {"customer": 1_700_000_000, "sales_order": 2_100_000_000, "opportunity": 2_300_000_000}  # id bases


def _now() -> str:
    return datetime.now(BEIJING).strftime("%Y-%m-%d %H:%M:%S")


def _wall(moment: datetime) -> str:
    return moment.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")


def _ok(data: Any, message: str = "操作成功") -> Response:
    return Response(200, {"code": "200", "message": message, "data": data})


def _err(code: str, message: str, status: int = 200) -> Response:
    return Response(status, {"code": code, "message": message})


class YonyouSandbox(SandboxApp):
    """One YonBIP tenant: discovery, token, customers, sales orders, opportunities."""

    name = "yonyou"

    def __init__(self, db_path: Path) -> None:
        assert CONNECTOR.sandbox is not None
        self.tenant = CONNECTOR.sandbox.settings["tenant_id"]
        self.app_key = CONNECTOR.sandbox.settings["app_key"]
        self.app_secret = CONNECTOR.sandbox.credentials["app_secret"]
        self._calls: dict[str, deque[float]] = defaultdict(deque)
        super().__init__(db_path)

    def setup(self) -> None:
        """Tables and routes."""
        self.db.execute("CREATE TABLE IF NOT EXISTS yy_tokens (token TEXT PRIMARY KEY, issued REAL)")
        self.db.execute("CREATE TABLE IF NOT EXISTS yy_records (kind TEXT, id INTEGER, pubts TEXT, body TEXT,"
                        " PRIMARY KEY (kind, id))")
        self.db.execute("CREATE TABLE IF NOT EXISTS yy_keys (key TEXT PRIMARY KEY, id INTEGER, at REAL, answer TEXT)")
        self.route("GET", "/open-auth/dataCenter/getGatewayAddress", self._discover)
        self.route("GET", AUTH + "/open-auth/selfAppAuth/base/v1/getAccessToken", self._token)
        self.route("POST", GATEWAY + "/yonbip/digitalModel/merchant/newlist", self._customers)
        self.route("POST", GATEWAY + "/yonbip/sd/voucherorder/list", lambda r: self._list(r, "sales_order"))
        self.route("POST", GATEWAY + "/yonbip/crm/oppt/bill/list", lambda r: self._list(r, "opportunity"))
        self.route("GET", GATEWAY + "/yonbip/sd/voucherorder/detail", self._detail)
        self.route("POST", GATEWAY + "/yonbip/sd/voucherorder/singleSave", self._save_order)
        self.route("POST", GATEWAY + "/yonbip/sd/voucherorder/batchsubmit", self._submit)
        self.route("POST", GATEWAY + "/yonbip/sd/voucherorder/lineclose", lambda r: self._lines(r, close=True))
        self.route("POST", GATEWAY + "/yonbip/sd/voucherorder/lineopen", lambda r: self._lines(r, close=False))

    # -- demo data ----------------------------------------------------------------------------
    def seed(self, orders: int) -> None:
        """Demo order ``i``: its customer (code ``C{7000+i}``), a sales order, and for every third an opportunity.

        The sales order keeps the shop's order id (Shopify ``5000+i``) as ``purchaseNo``, the raw order number 旺店通
        keeps as ``src_tids``: both systems were fed from the same shop, so a shipment finds its sales order.
        """
        for i in range(1, orders + 1):
            order = demo_data.demo_order(i)
            who, ship = order["customer"], order["shippingAddress"]
            chinese = ship["countryCode"] == "CN"
            name = who["lastName"] + who["firstName"] if chinese else f"{who['firstName']} {who['lastName']}"
            changed, customer = _wall(order["updatedAt"]), TABLES["customer"] + i
            self._put("customer", {
                "id": customer, "code": f"C{7000 + i}", "name": {"simplifiedName": name},
                "shortname": {"simplifiedName": name}, "contactName": name, "contactTel": f"1390000{i:04d}",
                "email": order["email"], "address": {"simplifiedName": f"{ship['province']}{ship['city']}"
                                                                          f"{ship['address1']}"},
                "createTime": _wall(order["createdAt"]), "modifyTime": changed, "pubts": changed}, replace=False)
            self._put("sales_order", {
                "id": TABLES["sales_order"] + i, "code": f"UO-{order['createdAt']:%Y%m%d}{i:06d}",
                "vouchdate": _wall(order["createdAt"]), "agentId": customer, "agentId_name": name,
                "salesOrgId": "SO01", "settlementOrgId": "SO01", "transactionTypeId": "SO-001",
                "orderPrices": {"currency": order["currency"]}, "payMoney": float(order["total"]),
                "nextStatus": "ENDORDER" if order["fulfillmentStatus"] == "FULFILLED" else "DELIVERGOODS",
                "verifystate": 2, "status": 1, "purchaseNo": str(order["id"]), "headItem": {}, "pubts": changed,
                "orderDetails": [{"id": (TABLES["sales_order"] + i) * 100 + k, "productId": item["sku"],
                                  "qty": item["quantity"], "oriTaxUnitPrice": float(item["price"])}
                                 for k, item in enumerate(order["lineItems"], start=1)]},
                replace=False)
            if i % 3 == 0:
                self._put("opportunity", {"id": TABLES["opportunity"] + i, "code": f"OPP{i:05d}",
                                          "name": f"{name} 复购商机", "customer": customer, "stage": "需求确认",
                                          "pubts": changed}, replace=False)

    def _put(self, kind: str, record: dict[str, Any], *, replace: bool = True) -> None:
        self.db.execute(f"INSERT OR {'REPLACE' if replace else 'IGNORE'} INTO yy_records VALUES (?, ?, ?, ?)",
                        (kind, record["id"], record["pubts"], json.dumps(record, ensure_ascii=False)))

    def _rows(self, kind: str) -> list[dict[str, Any]]:
        return [json.loads(r[0]) for r in self.db.execute(
            "SELECT body FROM yy_records WHERE kind = ? ORDER BY id", (kind,))]

    def _get(self, kind: str, record_id: Any) -> dict[str, Any] | None:
        row = self.db.execute("SELECT body FROM yy_records WHERE kind = ? AND id = ?",
                              (kind, int(record_id) if str(record_id).isdigit() else -1)).fetchone()
        return json.loads(row[0]) if row else None

    def _changed(self, kind: str, record: dict[str, Any]) -> None:
        """The record changed now: ``pubts`` (and ``modifyTime``) move forward by at least a second."""
        after = datetime.strptime(record["pubts"], "%Y-%m-%d %H:%M:%S").replace(tzinfo=BEIJING) + timedelta(seconds=1)
        record["pubts"] = max(_now(), _wall(after))
        if "modifyTime" in record:
            record["modifyTime"] = record["pubts"]
        self._put(kind, record)

    def touch(self, key: str) -> bool:
        """The customer, order or opportunity with id ``key`` changes now."""
        for kind in TABLES:
            record = self._get(kind, key)
            if record is not None:
                self._changed(kind, record)
                return True
        return False

    def expire_tokens(self) -> None:
        """Every token issued so far expires now (tests: a token running out mid-run)."""
        self.db.execute("UPDATE yy_tokens SET issued = issued - ?", (TOKEN_LIFETIME + 1,))

    def throttled(self, retry_after: float | None) -> Response:
        """YonBIP's gateway says "slow down" inside HTTP 200 (310046 API 级限流) [S]."""
        del retry_after
        return _err("310046", "触发了API级限流，请稍后再试")

    # -- gateway ------------------------------------------------------------------------------
    def before(self, request: Request) -> Response | None:
        """Gateway paths: the path is checked first (404 ``310404``), then ``access_token``, then the limits."""
        if not request.path.startswith(GATEWAY):
            return None
        path = request.path[len(GATEWAY):]
        if path not in BUSINESS:
            return _err("310404", f"网关上没有注册此API[{path}]，请确认后重新调用", 404)
        token = request.arg("access_token")
        if not token:
            return _err("310001", "access_token不能为空。")
        row = self.db.execute("SELECT issued FROM yy_tokens WHERE token = ?", (token,)).fetchone()
        if row is None or time.time() - row[0] >= TOKEN_LIFETIME:
            return _err("310036", "非法token")
        calls, now = self._calls[path], time.monotonic()
        while calls and calls[0] <= now - 60:
            calls.popleft()
        if path in SD and len(calls) >= 60:
            return self.throttled(None)
        calls.append(now)
        return None

    def _discover(self, request: Request) -> Response:
        if request.arg("tenantId") != self.tenant:
            return _err("500", "根据租户id获取网关地址出现异常")  # probe [S]
        root = f"http://{request.headers.get('host', '127.0.0.1')}/{self.name}"
        return Response(200, {"code": "00000", "message": "成功！",
                              "data": {"gatewayUrl": root + GATEWAY, "tokenUrl": root + AUTH}})

    def _token(self, request: Request) -> Response:
        self.count("call", "GET getAccessToken")
        params = {"appKey": request.arg("appKey") or "", "timestamp": request.arg("timestamp") or ""}
        if params["appKey"] != self.app_key:
            return _err("10018", "应用不存在或appKey已停用")  # probe [S]
        if not params["timestamp"].isdigit() or abs(time.time() * 1000 - int(params["timestamp"])) > 600_000:
            return _err("10019", "timestamp 已失效")  # [U]
        if not hmac.compare_digest(request.arg("signature") or "", signature(params, self.app_secret)):
            return _err("10020", "签名校验失败")  # [U]
        token = uuid.uuid4().hex
        self.db.execute("INSERT INTO yy_tokens VALUES (?, ?)", (token, time.time()))
        return Response(200, {"code": "00000", "message": "成功！",
                              "data": {"access_token": token, "expire": TOKEN_LIFETIME}})

    def _customers(self, request: Request) -> Response:
        body = request.json() or {}
        size, page = int(body.get("pageSize") or 500), int(body.get("pageIndex") or 1)
        if not 1 <= size <= 5000 or page < 1:
            return _err("999", "pageSize 最大为5000")  # newlist: max 5000 [S], wording [U]
        rows = [r for r in self._rows("customer") if not body.get("pubts") or r["pubts"] >= body["pubts"]]
        rows = [r for r in rows if not body.get("code") or r["code"] == body["code"]]
        return _ok(rows[(page - 1) * size:page * size], "处理成功")

    @staticmethod
    def _matches(record: dict[str, Any], vo: dict[str, Any]) -> bool:
        value, op = dig(record, str(vo.get("field"))), vo.get("op")
        one, two = vo.get("value1"), vo.get("value2")
        if op == "eq":
            return str(value) == str(one)
        if value is None:
            return False
        if op == "between":
            return str(one) <= str(value) <= str(two)
        if op in ("gt", "lt"):
            return str(value) > str(one) if op == "gt" else str(value) < str(one)
        raise ValueError(f"op {op} is not emulated")

    def _list(self, request: Request, kind: str) -> Response:
        body = request.json() or {}
        size, page = int(body.get("pageSize") or 10), int(body.get("pageIndex") or 1)
        if not 1 <= size <= 500 or page < 1:
            return _err("999", "服务端逻辑异常: pageSize 最大 500")  # [U] maximum
        rows = [r for r in self._rows(kind) if all(self._matches(r, vo) for vo in body.get("simpleVOs") or [])]
        for order in reversed(body.get("queryOrders") or []):
            rows.sort(key=lambda r: str(dig(r, order["field"])).zfill(20), reverse=order.get("order") == "desc")
        return _ok({"pageIndex": page, "pageSize": size, "recordCount": len(rows),
                    "pageCount": math.ceil(len(rows) / size), "recordList": rows[(page - 1) * size:page * size]})

    def _detail(self, request: Request) -> Response:
        order = self._get("sales_order", request.arg("id"))
        return _ok(order) if order else _err("1002", "数据不存在")  # list doc error table [S]

    def _save_order(self, request: Request) -> Response:
        data = (request.json() or {}).get("data")
        if not isinstance(data, dict):
            return _err("310002", "请求体必须是JSON结构")
        key = str(data.get("resubmitCheckKey") or "")
        if len(key) > 32:
            return _err("999", "resubmitCheckKey长度不能超过32位")  # ≤ 32 [S], wording [U]
        seen = self.db.execute("SELECT id, at, answer FROM yy_keys WHERE key = ?", (key,)).fetchone() if key else None
        if seen is not None:
            self.count("sales_order_writes", str(seen[0]))
            if time.time() - seen[1] < KEY_MEMORY:
                return Response(200, json.loads(seen[2]))
            return Response(200, {"code": "100004", "message": "重复提交", "data": {"id": seen[0]}})
        missing = [f for f in REQUIRED if f not in data or data[f] in (None, "", [])]
        customer = self._get("customer", data.get("agentId")) or next(
            (c for c in self._rows("customer") if c["code"] == data.get("agentId")), None)
        if missing or customer is None:
            why = f"{missing[0]}不能为空" if missing else f"客户[{data.get('agentId')}]不存在"
            return _err("999", f"服务端逻辑异常: {why}")
        count = self.db.execute("SELECT count(*) FROM yy_records WHERE kind = 'sales_order'").fetchone()[0]
        order = {k: v for k, v in data.items() if k not in ("resubmitCheckKey", "_status") and "!" not in k}
        order.update(id=TABLES["sales_order"] + 100_000 + count, agentId=customer["id"], verifystate=0, status=0,
                     agentId_name=customer["name"]["simplifiedName"], nextStatus="CONFIRMORDER",
                     orderPrices={"currency": data["orderPrices!currency"]}, pubts=_now(),
                     code=data.get("code") or f"UO-{datetime.now(UTC):%Y%m%d}{count + 1:06d}")
        order["orderDetails"] = [{**line, "id": order["id"] * 100 + k} for k, line in enumerate(
            [d for d in order.get("orderDetails") or [] if isinstance(d, dict)], start=1)]
        self._put("sales_order", order)
        answer = {"code": "200", "message": "操作成功", "data": order}
        if key:
            self.db.execute("INSERT INTO yy_keys VALUES (?, ?, ?, ?)",
                            (key, order["id"], time.time(), json.dumps(answer, ensure_ascii=False)))
        self.count("sales_order_writes", str(order["id"]))
        return Response(200, answer)

    def _submit(self, request: Request) -> Response:
        items = (request.json() or {}).get("data") or []
        infos, messages = [], []
        for item in items:
            order = self._get("sales_order", item.get("id"))
            if order is None:
                messages.append(f"单据[{item.get('id')}]不存在")
                continue
            order["verifystate"] = max(1, int(order.get("verifystate") or 0))
            self._changed("sales_order", order)
            self.count("sales_order_writes", str(order["id"]))
            infos.append({"id": order["id"], "code": order["code"]})
        return _ok({"count": len(items), "sucessCount": len(infos), "failCount": len(messages),
                    "messages": messages, "infos": infos})


    def _lines(self, request: Request, *, close: bool) -> Response:
        """销售订单行关闭/行打开: the named lines (all when none are named) get or lose ``linecloseTime``; an order
        whose every line is closed has ``status`` 2 (已关闭), else 1 (已审核) [S pages; the order status rule is U]."""
        items = (request.json() or {}).get("data") or []
        infos, messages = [], []
        for item in items:
            order = self._get("sales_order", item.get("id"))
            if order is None:
                messages.append(f"当前单据[{item.get('id')}]不存在")  # 999 "当前单据不存在" [S]
                continue
            named = {str(d.get("id")) for d in item.get("orderDetails") or []}
            for line in order.get("orderDetails") or []:
                if close and (not named or str(line.get("id")) in named):
                    line.update(linecloseTime=_now(), linecloser="OrderSync")
                elif not named or str(line.get("id")) in named:
                    line.pop("linecloseTime", None)
            lines = order.get("orderDetails") or []
            order["status"] = 2 if lines and all(d.get("linecloseTime") for d in lines) else 1
            self._changed("sales_order", order)
            self.count("sales_order_writes", str(order["id"]))
            infos.append({"id": order["id"], "code": order["code"], "status": order["status"]})
        return _ok({"count": len(items), "sucessCount": len(infos), "failCount": len(messages),
                    "messages": messages, "infos": infos})


App = YonyouSandbox
