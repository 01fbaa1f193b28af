"""Emulated 旺店通·旗舰版 ``openapi``, so the connector is tested and demoed without a seller account.

One endpoint, the method in the query string, checked as the vendor documents: ``sid``/``key``/``salt``, the MD5
``sign`` over the query parameters and the body, ``timestamp`` (seconds since 2012-01-01) within 120 s, ``v=1.0``,
page parameters required for queries; answers ``{status, message, data}`` inside HTTP 200 with the vendor's codes
and wording (status 1 验证失败, 7 时间戳错误, 100 with the 60-minute, start/end, paging and per-minute-limit
messages). Orders live in :mod:`._wdt`; ``consign_time`` and ``trade_time`` are millisecond strings, ``detail_list``
the items, as the docs show. Sources are those of ``connectors/wangdiantong_qjb.py``.
"""

from __future__ import annotations

import hmac
import time
from pathlib import Path
from typing import Any

from ordersync_app.connectors.wangdiantong_qjb import CONNECTOR, EPOCH_2012, PUSH, QUERY, SHOPS, sign
from ordersync_app.sandbox._server import Request, Response
from ordersync_app.sandbox._wdt import WINDOW, WdtStore, parse

MAX_SKEW = 120  # "时间与服务器时间差120s内即合法" [V]


def _status(status: int, message: str | None = None, data: Any = None) -> Response:
    body: dict[str, Any] = {"status": status}
    if message:
        body["message"] = message  # "无错误信息不返回" [V]
    if data is not None:
        body["data"] = data
    return Response(200, body)


def _ms(text: str) -> str:
    return str(int(parse(text).timestamp() * 1000)) if text else ""


def _order(trade: dict[str, Any]) -> dict[str, Any]:
    """An order as ``sales.TradeQuery.queryWithDetail`` shows it (ms times, ``detail_list``) [V]."""
    items = trade.get("goods_list") or []
    return {**{k: v for k, v in trade.items() if k != "goods_list"}, "trade_time": _ms(trade.get("trade_time", "")),
            "consign_time": _ms(trade.get("consign_time", "")),
            "detail_list": [{**i, "src_tid": trade["src_tids"], "trade_id": trade["trade_id"]} for i in items]}


class WangdiantongQjbSandbox(WdtStore):
    """One 旺店通旗舰版 seller: orders, shops, pushes."""

    name = "wangdiantong_qjb"

    def __init__(self, db_path: Path) -> None:
        assert CONNECTOR.sandbox is not None
        settings, secret = dict(CONNECTOR.sandbox.settings), CONNECTOR.sandbox.credentials["appsecret"]
        self.sid, self.key = settings["sid"], settings["key"]
        self.secret, _, self.salt = secret.partition(":")
        super().__init__(db_path)

    def setup(self) -> None:
        """Tables and the one route."""
        super().setup()
        self.route("POST", "/", self._call)

    def throttled(self, retry_after: float | None) -> Response:
        """Status 100 "超过每分钟最大调用频率限制，请稍后重试" inside HTTP 200 [V]."""
        del retry_after
        return _status(100, "超过每分钟最大调用频率限制，请稍后重试")

    def before(self, request: Request) -> Response | None:
        """The common parameters and the sign (status 1 验证失败, 7 时间戳错误 [V]), then the per-minute limit."""
        args = {k: v[0] for k, v in request.query.items()}
        want = sign({**args, "body": request.body.decode("utf-8")}, self.secret)
        if (args.get("sid"), args.get("key"), args.get("salt")) != (self.sid, self.key, self.salt) or \
                not hmac.compare_digest(args.get("sign", ""), want):
            return _status(1, "验证失败")
        stamp = args.get("timestamp", "")
        if not stamp.isdigit() or abs(time.time() - EPOCH_2012 - int(stamp)) > MAX_SKEW:
            return _status(7, "时间戳错误")
        if args.get("v") != "1.0":
            return _status(8, "版本错误")
        return self.throttled(None) if self.over_limit() else None

    def _call(self, request: Request) -> Response:
        method, body = request.arg("method"), request.json()
        if not isinstance(body, list):
            return _status(1, "invalid argument count")  # [V] table
        if method == PUSH:
            return self._push(body)
        if method not in (QUERY, SHOPS):
            return _status(100, f"The API used internal only: {method}")  # [V] table (wording for unknown methods)
        if request.arg("page_no") is None or request.arg("page_size") is None:
            return _status(100, f"此方法仅支持分页查询：{method}")  # [V]
        page_no, page_size = int(request.arg("page_no") or 0), int(request.arg("page_size") or 0)
        if method == SHOPS:
            shop = {"shop_no": "OS-DEMO", "shop_name": "OrderSync 演示店铺", "platform_id": 127}
            return _status(0, data={"total_count": 1, "details": [shop]})
        params = body[0] if body and isinstance(body[0], dict) else {}
        start, end = params.get("start_time"), params.get("end_time")
        if not params.get("src_tid"):
            if not (start and end):
                return _status(100, "参数中必须包含起止时间")  # [V]
            try:
                if parse(end) - parse(start) > WINDOW:
                    return _status(100, "您的查询时间过宽,查询时间不能大于60分钟")  # [V]
            except ValueError:
                return _status(100, f"Unparseable date: {start}")  # [V] table
        total, trades = self.find(start=start, end=end, status=params.get("status"), shop_no=params.get("shop_no"),
                                  src_tid=params.get("src_tid"), page_no=page_no, page_size=page_size)
        data: dict[str, Any] = {"order": [_order(t) for t in trades]}
        if request.arg("calc_total") == "1":
            data["total_count"] = total
        return _status(0, data=data)

    def _push(self, body: list[Any]) -> Response:
        if len(body) < 3 or not isinstance(body[1], list) or not isinstance(body[2], list):
            return _status(1, "参数个数错误")  # [V]
        self.count("call", f"POST {PUSH}")
        lines: dict[str, list[dict[str, Any]]] = {}
        for line in body[2]:
            lines.setdefault(str(line.get("tid")), []).append(line)
        raws = [{**raw, "order_list": lines.get(str(raw.get("tid")), [])} for raw in body[1]]
        new, changed, errors = self.push(str(body[0]), raws)
        return _status(0, data={"chg_count": changed, "new_count": new, "error_list": errors})


App = WangdiantongQjbSandbox
