"""The order store both 旺店通 emulators share (企业版 ``openapi2`` and 旗舰版 ``openapi`` answer over one ERP's data).

Why a shared store: the two products are different APIs over the same kind of data (orders with their raw
platform order numbers, a status, a carrier and tracking number), so each emulator keeps only its own envelope,
signature and paging, and this module keeps the orders, the warehouse that ships them, pushes keyed by ``tid`` and
the per-minute call limit. Order times are anchored to the moment the sandbox was first seeded (a shop's recent
history): the vendor's 60-minute query windows would otherwise make every demo read thousands of calls back to the
shared demo data's September dates. Demo order ``i`` carries the Shopify id ``5000+i`` as its raw order number
(``src_tids``), as an OMS that pulls orders from Shopify keeps it, so deals are found by ``shopify_order_id``.
"""

from __future__ import annotations

import json
import time
from collections import deque
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from ordersync_app.sandbox import demo_data
from ordersync_app.sandbox._server import SandboxApp

BEIJING = timezone(timedelta(hours=8))
SHIPPED, CHECKED, WAITING = 95, 55, 30  # 已发货, 已审核, 待客审 (status tables of both products [S]/[V])
WINDOW = timedelta(minutes=60)  # "start_time和end_time最大跨度为60分钟" (旗舰版 doc [V]; 企业版 [S])


def beijing(moment: datetime) -> str:
    """``yyyy-MM-dd HH:mm:ss`` in Beijing time, as both products write times."""
    return moment.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")


def parse(text: str) -> datetime:
    """A Beijing wall-clock time (raises ValueError)."""
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=BEIJING)


class WdtStore(SandboxApp):
    """Orders, the warehouse and pushes of one 旺店通 seller; subclasses add the product's API."""

    per_minute: int | None = None  # the seller's call limit; None = unmetered (the tests set it)

    def setup(self) -> None:
        """The orders table; routes are the subclass's."""
        self._calls: deque[float] = deque()
        self.db.executescript("""
            CREATE TABLE IF NOT EXISTS wdt_trades (trade_id INTEGER PRIMARY KEY, src_tid TEXT, status INTEGER,
                shop_no TEXT, modified TEXT, body TEXT);
            CREATE TABLE IF NOT EXISTS wdt_meta (name TEXT PRIMARY KEY, value TEXT);
        """)

    def over_limit(self) -> bool:
        """Count one call; True when it is over the per-minute limit."""
        now = time.monotonic()
        while self._calls and self._calls[0] <= now - 60:
            self._calls.popleft()
        self._calls.append(now)
        return self.per_minute is not None and len(self._calls) > self.per_minute

    def _anchor(self) -> datetime:
        row = self.db.execute("SELECT value FROM wdt_meta WHERE name = 'anchor'").fetchone()
        if row is None:
            row = (datetime.now(UTC).replace(microsecond=0).isoformat(),)
            self.db.execute("INSERT INTO wdt_meta VALUES ('anchor', ?)", row)
        return datetime.fromisoformat(row[0])

    def earliest(self) -> str | None:
        """The demo orders begin 12 hours before the first seed."""
        return (self._anchor() - timedelta(hours=12)).strftime("%Y-%m-%dT%H:%M:%SZ")

    def seed(self, orders: int) -> None:
        """Demo orders 1..n, 20 s apart over the 12 hours before the first seed; 1..10 already shipped."""
        start = self._anchor() - timedelta(hours=12)
        for i in range(1, orders + 1):
            order = demo_data.demo_order(i)
            ship, shipped = order["shippingAddress"], order["fulfillmentStatus"] == "FULFILLED"
            created = min(start + timedelta(seconds=20 * i), self._anchor())
            chinese = ship["countryCode"] == "CN"
            trade = {
                "trade_id": 30000 + i, "trade_no": f"JY{20260000 + i}", "src_tids": str(order["id"]),
                "shop_no": "OS-DEMO", "shop_name": "OrderSync 演示店铺", "platform_id": 127,
                "trade_status": SHIPPED if shipped else CHECKED, "trade_type": 1, "refund_status": 0,
                "buyer_nick": order["email"], "receiver_name": (ship["lastName"] + ship["firstName"]) if chinese
                else f"{ship['firstName']} {ship['lastName']}", "receiver_mobile": f"1380000{i:04d}",
                "receiver_area": f"{ship['province']} {ship['city']}", "receiver_address": ship["address1"],
                "receivable": float(order["total"]), "paid": float(order["total"]), "currency": order["currency"],
                "trade_time": beijing(created), "modified": beijing(created + timedelta(minutes=5)),
                "logistics_no": f"SF{1400000000 + i}" if shipped else "",
                "logistics_name": "顺丰速运" if shipped else "",
                "consign_time": beijing(created + timedelta(minutes=5)) if shipped else "",
                "goods_list": [{"spec_no": it["sku"], "goods_name": it["title"], "num": it["quantity"],
                                "price": float(it["price"])} for it in order["lineItems"]]}
            self._save(trade, replace=False)

    def _save(self, trade: dict[str, Any], *, replace: bool = True) -> None:
        self.db.execute(f"INSERT OR {'REPLACE' if replace else 'IGNORE'} INTO wdt_trades VALUES (?, ?, ?, ?, ?, ?)",
                        (trade["trade_id"], trade["src_tids"], trade["trade_status"], trade["shop_no"],
                         trade["modified"], json.dumps(trade, ensure_ascii=False)))

    def _changed(self, trade: dict[str, Any]) -> dict[str, Any]:
        """``modified`` moves to now (past the order's own previous time at least) and the order is stored."""
        now = datetime.now(UTC)
        before = trade.get("modified")
        trade["modified"] = beijing(max(now, parse(before) + timedelta(seconds=1)) if before else now)
        self._save(trade)
        return trade

    def _trade(self, trade_id: int) -> dict[str, Any] | None:
        row = self.db.execute("SELECT body FROM wdt_trades WHERE trade_id = ?", (trade_id,)).fetchone()
        return json.loads(row[0]) if row else None

    def touch(self, key: str) -> bool:
        """The order ``trade_id = key`` is edited now."""
        trade = self._trade(int(key)) if key.isdigit() else None
        if trade is not None:
            self._changed(trade)
        return trade is not None

    def ship(self, count: int) -> list[str]:
        """The warehouse ships the ``count`` oldest reviewed orders: 已发货, SF tracking number, consigned now."""
        rows = self.db.execute("SELECT body FROM wdt_trades WHERE status < ? AND status >= ? ORDER BY trade_id LIMIT ?",
                               (SHIPPED, WAITING, count)).fetchall()
        shipped = []
        for (body,) in rows:
            trade = json.loads(body)
            trade.update(trade_status=SHIPPED, logistics_no=f"SF{1500000000 + trade['trade_id']}",
                         logistics_name="顺丰速运", consign_time=beijing(datetime.now(UTC)))
            shipped.append(self._changed(trade)["src_tids"])
        return shipped

    def find(self, *, start: str | None, end: str | None, status: str | None, shop_no: str | None,
             src_tid: str | None, page_no: int, page_size: int) -> tuple[int, list[dict[str, Any]]]:
        """One page of orders (by ``trade_id``, a stable order) and how many match."""
        where, args = ["1"], []
        for clause, value in (("modified >= ?", start), ("modified <= ?", end), ("shop_no = ?", shop_no),
                              ("src_tid = ?", src_tid)):
            if value:
                where.append(clause)
                args.append(value)
        if status:
            codes = [int(s) for s in str(status).replace("，", ",").split(",") if s.strip()]
            where.append(f"status IN ({','.join('?' * len(codes))})")
            args += codes
        clause = " AND ".join(where)
        total = self.db.execute(f"SELECT count(*) FROM wdt_trades WHERE {clause}", args).fetchone()[0]
        rows = self.db.execute(f"SELECT body FROM wdt_trades WHERE {clause} ORDER BY trade_id LIMIT ? OFFSET ?",
                               [*args, page_size, page_no * page_size]).fetchall()
        return total, [json.loads(r[0]) for r in rows]

    def push(self, shop_no: str, raw_trades: list[dict[str, Any]]) -> tuple[int, int, list[dict[str, str]]]:
        """Raw orders keyed by ``tid`` (unique per seller): new ones become orders (submitted at once), known ones
        are updated. Every push of an order counts as one write of it. Returns (new, changed, errors)."""
        new = changed = 0
        errors = []
        for raw in raw_trades:
            tid = str(raw.get("tid") or "")
            missing = [k for k in ("tid", "receiver_name", "receiver_mobile", "receiver_address") if not raw.get(k)]
            if missing:
                errors.append({"no": tid, "error": f"{'、'.join(missing)}不能为空"})  # "xxx不能为空" [V] table
                continue
            row = self.db.execute("SELECT body FROM wdt_trades WHERE src_tid = ?", (tid,)).fetchone()
            trade = json.loads(row[0]) if row else {
                "trade_id": (self.db.execute("SELECT max(trade_id) FROM wdt_trades").fetchone()[0] or 30000) + 1,
                "src_tids": tid, "shop_no": shop_no, "trade_status": WAITING, "logistics_no": "",
                "logistics_name": "", "consign_time": ""}
            trade.setdefault("trade_no", f"JY{trade['trade_id'] + 20000000}")
            trade.update({k: v for k, v in raw.items() if k not in ("tid", "order_list", "trade_status",
                                                                      "process_status", "pay_status")})
            trade["goods_list"] = [{k: line.get(k) for k in ("spec_no", "goods_name", "num", "price")}
                                   for line in raw.get("order_list") or []]
            self._changed(trade)
            self.count("order_writes", tid)
            new, changed = (new, changed + 1) if row else (new + 1, changed)
        return new, changed, errors
