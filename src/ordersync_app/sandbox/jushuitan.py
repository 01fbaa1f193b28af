"""Emulated Jushuitan (聚水潭) open platform, so the connector is tested (and demoed) without an account.

The vendor's test environment (dev-api.jushuitan.com) needs a developer account and the internet;
this emulator reproduces what the connector relies on, over loopback: the MD5 request signature,
timestamp freshness, ``{code, msg, data}`` answers carried by HTTP 200, Beijing-time strings, the
7-day ``modified`` window with ``page_index`` paging, the shipping write call and token refresh.

Sources are those of ``connectors/jushuitan.py`` (ieu/jst-java, generated from the vendor's docs):
error codes/messages from ``JstErrorCode.java``, fields from ``order/JstQuerySingleOrderResponse.java``,
the ship call from ``order/JstUploadOrderSentRequest.java`` (docId 62 "订单发货-新"). Answers marked
[U] are our guess where no source shows the vendor's exact code or shape.
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
