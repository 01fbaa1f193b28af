"""Emulated Jushuitan (聚水潭) open platform, so the connector is tested (and demoed) without an account.

The vendor's test environment (dev-api.jushuitan.com) needs a developer account and the internet;
this emulator reproduces what the connector relies on, over loopback: the MD5 request signature,
timestamp freshness, ``{code, msg, data}`` answers carried by HTTP 200, Beijing-time strings, the
7-day ``modified`` window with ``page_index`` paging, the shipping write call and token refresh.

Sources are those of ``connectors/jushuitan.py`` (ieu/jst-java, generated from the vendor's docs):
error codes/messages from ``JstErrorCode.java``, fields from ``order/JstQuerySingleOrderResponse.java``,
the ship call from ``order/JstUploadOrderSentRequest.java`` (docId 62 "订单发货-新"), the order upload from
``order/JstUploadOrdersRequest.java``/``JstUploadOrdersResponse.java`` (docId 18 "订单上传(商家自有商城、跨境线下)":
a JSON array of orders as ``biz``, ``(shop_id, so_id)`` naming one order, so a second upload updates it).
Answers marked [U] are our guess where no source shows the vendor's exact code or shape; the status an
upload gives an order (WAIT_BUYER_PAY → WaitPay, paid → WaitConfirm, closed → Cancelled) is [U] too.
Counters: ``call`` per write route, ``order_writes``/``order_noop`` per uploaded order (``order`` per ship call).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from ordersync_app.connectors.jushuitan import CONNECTOR
from ordersync_app.sandbox import demo_data
from ordersync_app.sandbox._server import Request, Response, SandboxApp

BEIJING = timezone(timedelta(hours=8))
SHOP_ID, SHOP_NAME, CO_ID = 10100001, "OrderSync 演示店铺", 12252
ORDER_ID_BASE = 9000
# Public demo refresh token of the emulator (opens nothing real); see the report on apps.py.
REFRESH_TOKEN = "sandbox-jushuitan-refresh"  # noqa: S105 - a public sandbox value
MAX_SKEW = 10 * 60  # JstBizRequest.timestamp: "允许时间最大误差范围为10分钟" (the code-140 text says 15)
MAX_WINDOW, MAX_PAGE_SIZE = timedelta(days=7), 100
E_SIGN = (10, "验证失败！无效签名")
E_TOKEN = (100, "验证失败！无效的access_token或access_token已过期")
E_TIMESTAMP = (140, "验证失败！无效的timestamp，请求最大时间误差15分钟")
# [U] code: the message is the documented rule of modified_begin/modified_end.
E_WINDOW = (130, "修改起始时间和结束时间必须同时存在，时间间隔不能超过七天，与线上单号、内部单号不能同时为空")
E_PAGE = (130, "page_size 每页最大100条，page_index 从1开始")  # [U]
E_REFRESH = (100, "验证失败！无效的refresh_token")  # [U]
UPLOAD_MAX = 50  # orders per upload (API-FACTS-DETAIL §8 [S])
E_UPLOAD = (130, "订单上传每次最多50条")  # [U] code and wording
_STATUS = {"WAIT_BUYER_PAY": "WaitPay", "TRADE_CLOSED": "Cancelled", "TRADE_CLOSED_BY_TAOBAO": "Cancelled"}  # [U]


def _fmt(moment: datetime) -> str:
    return moment.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")


def _parse(text: Any) -> datetime:
    return datetime.strptime(str(text), "%Y-%m-%d %H:%M:%S").replace(tzinfo=BEIJING)


def _ok(data: Any) -> Response:
    return Response(200, {"code": 0, "msg": "执行成功", "data": data})


def _err(code: int, msg: str) -> Response:
    return Response(200, {"code": code, "msg": msg, "data": None})


def render_order(order: dict[str, Any]) -> dict[str, Any]:
    """Demo order (vendor-neutral, see ``demo_data``) in the shape of ``/open/orders/single/query``."""
    i, ship, sent = order["index"], order["shippingAddress"], order["fulfillmentStatus"] == "FULFILLED"
    chinese = ship["countryCode"] == "CN"
    o_id = ORDER_ID_BASE + i
    return {
        "o_id": o_id, "so_id": order["name"].lstrip("#"), "shop_id": SHOP_ID, "shop_name": SHOP_NAME,
        "co_id": CO_ID, "type": "普通订单", "status": "Sent" if sent else "WaitConfirm",
        "order_date": _fmt(order["createdAt"]), "created": _fmt(order["createdAt"]),
        "pay_date": _fmt(order["createdAt"]), "modified": _fmt(order["updatedAt"]),
        "send_date": _fmt(order["updatedAt"]) if sent else "",
        "l_id": f"SF{1400000000 + i}" if sent else "", "logistics_company": "顺丰速运" if sent else "",
        "lc_id": "SF" if sent else "", "pay_amount": float(order["total"]),
        "paid_amount": float(order["total"]),
        "freight": "0.00", "currency": order["currency"], "shop_buyer_id": order["email"],
        "receiver_name": (ship["lastName"] + ship["firstName"]) if chinese
        else f"{ship['firstName']} {ship['lastName']}",
        "receiver_mobile": f"1380000{i:04d}", "receiver_country": ship["countryCode"],
        "receiver_state": ship["province"], "receiver_city": ship["city"], "receiver_district": "",
        "receiver_address": ship["address1"], "receiver_zip": ship["zip"], "buyer_message": "", "remark": "",
        "items": [{"oi_id": it["id"], "outer_oi_id": str(it["id"]), "sku_id": it["sku"], "name": it["title"],
                   "qty": it["quantity"], "price": float(it["price"]),
                   "amount": round(float(it["price"]) * it["quantity"], 2),
                   "item_status": "Sent" if sent else "WaitConfirm"} for it in order["lineItems"]],
    }


def _upload_problem(order: Any) -> str | None:
    """Why one uploaded order is refused (None: it is fine); the wording is ours [U]."""
    if not isinstance(order, dict) or order.get("shop_id") != SHOP_ID:
        return "店铺不存在或不是自有商城店铺"
    if not 0 < len(str(order.get("so_id") or "")) <= 50:
        return "线上单号不能为空且长度不能超过50"
    items = order.get("items")
    if not isinstance(items, list) or not items or \
            any(not i.get("sku_id") or not isinstance(i.get("qty"), int) or i["qty"] < 1 for i in items):
        return "商品明细不能为空，商品编码和数量必填"
    try:
        _parse(order.get("order_date"))
    except ValueError:
        return "订单日期格式错误，应为 yyyy-MM-dd HH:mm:ss"
    return None


def _uploaded(o_id: int, order: dict[str, Any], before: dict[str, Any] | None, now: str) -> dict[str, Any]:
    """The order as ``/open/orders/single/query`` answers it after an upload (``before``: the stored one)."""
    paid = order.get("pay") is not None and order.get("shop_status") not in _STATUS
    status = _STATUS.get(str(order.get("shop_status")), "WaitConfirm" if paid else "WaitPay")
    kept = ("receiver_name", "receiver_state", "receiver_city", "receiver_district", "receiver_address",
            "receiver_mobile", "receiver_phone", "receiver_zip", "receiver_country", "buyer_message", "remark",
            "shop_buyer_id")
    keep: dict[str, Any] = {k: order[k] for k in kept if k in order}
    items = [{"oi_id": o_id * 100 + n, "outer_oi_id": str(i.get("outer_oi_id") or n), "sku_id": i["sku_id"],
              "name": i.get("name") or "", "qty": i["qty"], "price": float(i.get("price") or 0),
              "amount": float(i.get("amount") or round(float(i.get("price") or 0) * i["qty"], 2)),
              "item_status": status} for n, i in enumerate(order["items"])]
    base = before or {"o_id": o_id, "shop_id": SHOP_ID, "shop_name": SHOP_NAME, "co_id": CO_ID, "type": "普通订单",
                      "created": now, "send_date": "", "l_id": "", "logistics_company": "", "lc_id": ""}
    return {**base, **keep, "so_id": str(order["so_id"]), "status": status, "order_date": order["order_date"],
            "pay_date": order["pay"].get("pay_date", now) if paid else "", "modified": now,
            "pay_amount": float(order.get("pay_amount") or 0), "paid_amount": float(order.get("pay_amount") or 0)
            if paid else 0.0, "freight": f"{float(order.get('freight') or 0):.2f}",
            "currency": order.get("currency") or "CNY", "items": items}


class JushuitanSandbox(SandboxApp):
    """Jushuitan orders, shops, the ship call and token refresh, checked like the real gateway."""

    name = "jushuitan"

    def __init__(self, db_path: Path) -> None:
        assert CONNECTOR.sandbox is not None
        self.app_key = CONNECTOR.sandbox.settings["app_key"]
        self.app_secret = CONNECTOR.sandbox.credentials["app_secret"]
        self.access_token = CONNECTOR.sandbox.credentials["access_token"]
        super().__init__(db_path)

    def touch(self, key: str) -> bool:
        """The order ``o_id = key`` changes now (its ``modified`` moves to now)."""
        row = self.db.execute("SELECT body FROM jst_orders WHERE o_id = ?", (int(key),)).fetchone()
        if row is None:
            return False
        order = json.loads(row[0])
        order["modified"] = _fmt(max(datetime.now(UTC), _parse(order["modified"]) + timedelta(seconds=1)))
        self._save(order)
        return True

    def throttled(self, retry_after: float | None) -> Response:
        """Jushuitan says "slow down" inside HTTP 200: code 199 (JstErrorCode.java [S])."""
        del retry_after
        return _err(199, "请求频率过快，一秒不超过5次")  # [U] exact wording

    def setup(self) -> None:
        """Tables and routes."""
        self.db.execute("CREATE TABLE IF NOT EXISTS jst_orders (o_id INTEGER PRIMARY KEY, so_id TEXT,"
                        " shop_id INTEGER, status TEXT, modified TEXT, body TEXT)")
        self.db.execute("CREATE INDEX IF NOT EXISTS jst_orders_modified ON jst_orders (modified, o_id)")
        self.route("POST", "/open/orders/single/query", self._query_orders)
        self.route("POST", "/open/shops/query", self._query_shops)
        self.route("POST", "/open/order/sent/upload", self._upload_sent)
        self.route("POST", "/open/jushuitan/orders/upload", self._upload_orders)
        self.route("POST", "/openWeb/auth/refreshToken", self._refresh_token)
        self.db.execute("CREATE TABLE IF NOT EXISTS jst_customers (cus_code TEXT PRIMARY KEY, body TEXT)")
        self.route("POST", "/open/jushuitan/customer/upload", self._upload_customers)
        self.route("POST", "/open/jushuitan/customer/query", self._query_customers)

    def seed(self, orders: int) -> None:
        """Demo orders 1..n as o_id 9001.., so_id "1001".. (existing rows are kept)."""
        for i in range(1, orders + 1):
            self._save(render_order(demo_data.demo_order(i)), replace=False)

    def _save(self, order: dict[str, Any], *, replace: bool = True) -> None:
        self.db.execute(
            f"INSERT OR {'REPLACE' if replace else 'IGNORE'} INTO jst_orders VALUES (?, ?, ?, ?, ?, ?)",
            (order["o_id"], order["so_id"], order["shop_id"], order["status"], order["modified"],
             json.dumps(order, ensure_ascii=False)))

    def before(self, request: Request) -> Response | None:
        """Check app_key, ``sign`` (docId 70 rule), timestamp freshness and, for business calls, the token."""
        form = request.form()
        text = self.app_secret + "".join(f"{k}{form[k]}" for k in sorted(form) if k != "sign")
        expected = hashlib.md5(text.encode("utf-8"), usedforsecurity=False).hexdigest()
        if form.get("app_key") != self.app_key or not hmac.compare_digest(form.get("sign", ""), expected):
            return _err(*E_SIGN)
        stamp = form.get("timestamp", "")
        if not stamp.isdigit() or abs(time.time() - int(stamp)) > MAX_SKEW:
            return _err(*E_TIMESTAMP)
        if not request.path.startswith("/openWeb/auth/") and form.get("access_token") != self.access_token:
            return _err(*E_TOKEN)
        return None

    @staticmethod
    def _biz(request: Request) -> dict[str, Any]:
        biz = json.loads(request.form().get("biz") or "{}")
        if not isinstance(biz, dict):
            raise ValueError("biz must be a JSON object")
        return biz

    def _query_orders(self, request: Request) -> Response:
        biz = self._biz(request)
        size, page = int(biz.get("page_size") or 30), int(biz.get("page_index") or 1)
        if not 1 <= size <= MAX_PAGE_SIZE or page < 1:
            return _err(*E_PAGE)
        where, args = ["1"], []
        if biz.get("modified_begin") or biz.get("modified_end"):
            try:
                begin, end = _parse(biz.get("modified_begin")), _parse(biz.get("modified_end"))
            except ValueError:
                return _err(*E_WINDOW)
            if end < begin or end - begin > MAX_WINDOW:
                return _err(*E_WINDOW)
            where.append("modified BETWEEN ? AND ?")  # [U] both bounds inclusive
            args += [_fmt(begin), _fmt(end)]
        elif not (biz.get("o_ids") or biz.get("so_ids")):
            return _err(*E_WINDOW)
        for column, key in (("o_id", "o_ids"), ("so_id", "so_ids")):
            if biz.get(key):
                where.append(f"{column} IN ({','.join('?' * len(biz[key]))})")
                args += list(biz[key])
        for column in ("status", "shop_id"):
            if biz.get(column):
                where.append(f"{column} = ?")
                args.append(biz[column])
        clause = " AND ".join(where)
        total = self.db.execute(f"SELECT COUNT(*) FROM jst_orders WHERE {clause}", args).fetchone()[0]
        rows = self.db.execute(f"SELECT body FROM jst_orders WHERE {clause} ORDER BY modified, o_id"
                               " LIMIT ? OFFSET ?", [*args, size, (page - 1) * size]).fetchall()
        return _ok({"page_index": page, "page_size": size, "data_count": total,
                    "page_count": math.ceil(total / size), "has_next": page * size < total,
                    "orders": [json.loads(row[0]) for row in rows]})

    def _query_shops(self, request: Request) -> Response:
        self._biz(request)
        shop = {"shop_id": SHOP_ID, "shop_name": SHOP_NAME, "co_id": CO_ID, "shop_site": "商家自有商城",
                "nick": "ordersync-demo", "session_expired": "------永久授权------", "short_name": ""}
        return _ok({"datas": [shop], "page_index": 1, "page_size": 100, "has_next": False})

    def _upload_sent(self, request: Request) -> Response:
        """``/open/order/sent/upload``: mark orders Sent with carrier and tracking number (modified = now)."""
        now, results = _fmt(datetime.now(UTC)), []
        for item in self._biz(request).get("items") or []:
            o_id = int(item.get("o_id") or 0)
            row = self.db.execute("SELECT body FROM jst_orders WHERE o_id = ?", (o_id,)).fetchone()
            if row is None:
                results.append({"o_id": item.get("o_id"), "issuccess": False, "msg": "订单不存在"})  # [U]
                continue
            order = json.loads(row[0])
            order.update(status="Sent", l_id=str(item.get("l_id", "")), lc_id=str(item.get("lc_id", "")),
                         logistics_company=str(item.get("lc_name", "")), send_date=now, modified=now)
            for line in order["items"]:
                line["item_status"] = "Sent"
            self._save(order)
            self.count("order", str(order["o_id"]))
            results.append({"o_id": order["o_id"], "so_id": order["so_id"], "issuccess": True, "msg": ""})
        self.count("call", "POST /open/order/sent/upload")
        return Response(200, {"code": 0, "msg": "执行成功", "issuccess": all(r["issuccess"] for r in results),
                              "data": results})

    def _upload_orders(self, request: Request) -> Response:
        """``/open/jushuitan/orders/upload``: create each order, or update the one with its (shop_id, so_id)."""
        self.count("call", "POST /open/jushuitan/orders/upload")
        orders = json.loads(request.form().get("biz") or "[]")
        if not isinstance(orders, list) or not 0 < len(orders) <= UPLOAD_MAX:
            return _err(*E_UPLOAD)
        now, results = _fmt(datetime.now(UTC)), []
        for order in orders:
            problem = _upload_problem(order)
            if problem:
                results.append({"o_id": None, "so_id": order.get("so_id"), "issuccess": False, "msg": problem})
                continue
            row = self.db.execute("SELECT body FROM jst_orders WHERE shop_id = ? AND so_id = ?",
                                  (order["shop_id"], str(order["so_id"]))).fetchone()
            before = json.loads(row[0]) if row else None
            o_id = before["o_id"] if before else \
                (self.db.execute("SELECT MAX(o_id) FROM jst_orders").fetchone()[0] or ORDER_ID_BASE) + 1
            body = _uploaded(o_id, order, before, now)
            if before is None or {**body, "modified": before["modified"]} != before:
                self._save(body)
                self.count("order_writes", str(o_id))
            else:
                self.count("order_noop", str(o_id))
            results.append({"o_id": o_id, "so_id": body["so_id"], "issuccess": True, "msg": ""})
        return _ok({"datas": results})

    def _upload_customers(self, request: Request) -> Response:
        """Customers upserted by ``cus_code`` (≤ 50 per call), answered per item like the order uploads [U]."""
        items = self._biz(request).get("items") or []
        if len(items) > 50:
            return _err(130, "items 每次最多50条")  # [U]
        results = []
        for item in items:
            code, name = str(item.get("cus_code") or ""), str(item.get("name") or "")
            if not code or not name:
                results.append({"cus_code": code, "issuccess": False, "msg": "客户编码和客户名称不能为空"})  # [U]
                continue
            row = self.db.execute("SELECT body FROM jst_customers WHERE cus_code = ?", (code,)).fetchone()
            customer = {**(json.loads(row[0]) if row else {"co_id": CO_ID}), **item,
                        "modified": _fmt(datetime.now(UTC))}
            self.db.execute("INSERT OR REPLACE INTO jst_customers VALUES (?, ?)",
                            (code, json.dumps(customer, ensure_ascii=False)))
            self.count("customer_writes", code)
            results.append({"cus_code": code, "issuccess": True, "msg": ""})
        self.count("call", "POST /open/jushuitan/customer/upload")
        return Response(200, {"code": 0, "msg": "执行成功", "issuccess": all(r["issuccess"] for r in results),
                              "data": results})

    def _query_customers(self, request: Request) -> Response:
        codes = [str(c) for c in self._biz(request).get("cus_codes") or []]
        rows = [json.loads(r[0]) for r in self.db.execute(
            f"SELECT body FROM jst_customers WHERE cus_code IN ({','.join('?' * len(codes))})", codes)] if codes else []
        return _ok({"datas": rows, "page_index": 1, "has_next": False})

    def _refresh_token(self, request: Request) -> Response:
        form = request.form()
        if form.get("grant_type") != "refresh_token" or form.get("refresh_token") != REFRESH_TOKEN:
            return _err(*E_REFRESH)
        self.count("call", "POST /openWeb/auth/refreshToken")
        return _ok({"access_token": self.access_token, "refresh_token": REFRESH_TOKEN,
                    "expires_in": 2_592_000, "scope": "all"})


App = JushuitanSandbox
