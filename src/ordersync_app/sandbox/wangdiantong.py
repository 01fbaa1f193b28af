"""Emulated 旺店通·企业版 ``openapi2``, so the connector is tested and demoed without a seller account.

It checks what the real gateway checks, over loopback: ``sid``/``appkey``, the ``LL-name:VVVV-value`` MD5 ``sign``
and the timestamp's freshness, then answers ``{code, message, …}`` inside HTTP 200: ``trade_query.php`` by
``start_time``/``end_time`` (at most 60 minutes) or ``src_tid``, ``page_no`` from 0 and ``page_size`` ≤ 100 with
``total_count`` and ``trades``; ``trade_push.php`` keyed by ``tid``; ``shop.php``; a per-minute call limit. The
orders live in :mod:`._wdt`. Customers: ``customer_push.php`` keyed by ``customer_no`` and ``customer_query.php`` —
names and shapes [U], as in the connector (write counter ``customer_writes`` per customer number, every push
counts). Sources are those of ``connectors/wangdiantong.py``; codes and wording no source shows are [U]: the auth
failures (code 100), the window and page errors, the limit's answer (code 1200).
"""

from __future__ import annotations

import hmac
import json
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ordersync_app.connectors.wangdiantong import CONNECTOR, sign
from ordersync_app.sandbox._server import Request, Response
from ordersync_app.sandbox._wdt import WINDOW, WdtStore, beijing, parse

MAX_SKEW, PAGE_MAX = 300, 100  # [U] timestamp tolerance; page_size 100 (two clients [S])


def _answer(code: int, message: str, **data: Any) -> Response:
    return Response(200, {"code": code, "message": message, **data})


def _trade(trade: dict[str, Any]) -> dict[str, Any]:
    """An order in the shape of ``trade_query.php`` (field names as in the 旗舰版 docs and clients [S])."""
    return {**{k: v for k, v in trade.items() if k != "goods_list"}, "goods_list": trade.get("goods_list") or []}


class WangdiantongSandbox(WdtStore):
    """One 旺店通企业版 seller: orders, shops, pushes."""

    name = "wangdiantong"

    def __init__(self, db_path: Path) -> None:
        assert CONNECTOR.sandbox is not None
        self.keys = dict(CONNECTOR.sandbox.settings) | dict(CONNECTOR.sandbox.credentials)
        super().__init__(db_path)

    def setup(self) -> None:
        """Tables and routes."""
        super().setup()
        self.route("POST", "/trade_query.php", self._query)
        self.route("POST", "/trade_push.php", self._push)
        self.route("POST", "/shop.php", self._shops)
        self.db.execute("CREATE TABLE IF NOT EXISTS wdt_customers (customer_no TEXT PRIMARY KEY, body TEXT)")
        self.route("POST", "/customer_push.php", self._push_customers)
        self.route("POST", "/customer_query.php", self._query_customers)

    def throttled(self, retry_after: float | None) -> Response:
        """The limit's answer inside HTTP 200 (code 1200 is one a client retries [S]; the wording is [U])."""
        del retry_after
        return _answer(1200, "调用频率超限，请稍后重试")

    def before(self, request: Request) -> Response | None:
        """sid/appkey, ``sign`` and timestamp freshness, then the seller's per-minute limit."""
        form = request.form()
        if form.get("sid") != self.keys["sid"] or form.get("appkey") != self.keys["appkey"]:
            return _answer(100, f"无效的appkey:{form.get('appkey', '')}")  # [U]
        if not hmac.compare_digest(form.get("sign", ""), sign(form, self.keys["appsecret"])):
            return _answer(100, "无效的sign")  # [U]
        stamp = form.get("timestamp", "")
        if not stamp.isdigit() or abs(time.time() - int(stamp)) > MAX_SKEW:
            return _answer(100, "无效的timestamp")  # [U]
        return self.throttled(None) if self.over_limit() else None

    def _query(self, request: Request) -> Response:
        form = request.form()
        page_no, page_size = int(form.get("page_no") or 0), int(form.get("page_size") or 40)
        if page_no < 0 or not 1 <= page_size <= PAGE_MAX:
            return _answer(1, f"page_size 最大为{PAGE_MAX}，page_no 从0开始")  # [U]
        start, end = form.get("start_time"), form.get("end_time")
        if not form.get("src_tid"):
            try:
                if not (start and end) or parse(end) - parse(start) > WINDOW or parse(end) < parse(start):
                    return _answer(1, "start_time与end_time必填，且时间跨度不能超过60分钟")  # [U] wording
            except ValueError:
                return _answer(1, "时间格式错误，应为 yyyy-MM-dd HH:mm:ss")  # [U]
        total, trades = self.find(start=start, end=end, status=form.get("status"), shop_no=form.get("shop_no"),
                                  src_tid=form.get("src_tid"), page_no=page_no, page_size=page_size)
        return _answer(0, "", total_count=total, trades=[_trade(t) for t in trades])

    def _push(self, request: Request) -> Response:
        form = request.form()
        trades = json.loads(form.get("trade_list") or "[]")
        if not isinstance(trades, list) or not form.get("shop_no"):
            return _answer(1, "shop_no 与 trade_list 必填")  # [U]
        self.count("call", "POST /trade_push.php")
        new, changed, errors = self.push(form["shop_no"], trades)
        return _answer(0, "", new_count=new, chg_count=changed, error_list=[
            {"tid": e["no"], "error": e["error"]} for e in errors])

    def _push_customers(self, request: Request) -> Response:
        """Customers keyed by ``customer_no``: new ones are created, known ones updated (shape [U])."""
        customers = json.loads(request.form().get("customer_list") or "[]")
        if not isinstance(customers, list):
            return _answer(1, "customer_list 必填")  # [U]
        self.count("call", "POST /customer_push.php")
        new = changed = 0
        errors = []
        for item in customers:
            number = str(item.get("customer_no") or "")
            missing = [k for k in ("customer_no", "name") if not item.get(k)]
            if missing:
                errors.append({"customer_no": number, "error": f"{'、'.join(missing)}不能为空"})
                continue
            row = self.db.execute("SELECT body FROM wdt_customers WHERE customer_no = ?", (number,)).fetchone()
            customer = {**(json.loads(row[0]) if row else {}), **item, "modified": beijing(datetime.now(UTC))}
            self.db.execute("INSERT OR REPLACE INTO wdt_customers VALUES (?, ?)",
                            (number, json.dumps(customer, ensure_ascii=False)))
            self.count("customer_writes", number)
            new, changed = (new, changed + 1) if row else (new + 1, changed)
        return _answer(0, "", new_count=new, chg_count=changed, error_list=errors)

    def _query_customers(self, request: Request) -> Response:
        numbers = [n for n in (request.form().get("customer_no") or "").split(",") if n]
        found = [json.loads(r[0]) for r in self.db.execute(
            f"SELECT body FROM wdt_customers WHERE customer_no IN ({','.join('?' * len(numbers))}) "
            "ORDER BY customer_no", numbers)] if numbers else []
        return _answer(0, "", total_count=len(found), customers=found)

    def _shops(self, request: Request) -> Response:
        del request
        return _answer(0, "", total_count=1, shoplist=[{"shop_no": "OS-DEMO", "shop_name": "OrderSync 演示店铺",
                                                       "platform_id": 127, "is_disabled": 0}])


App = WangdiantongSandbox
