"""A generic in-house order system over REST, in every common paging style, to test connector files against.

Shops whose order system is home-made describe it in a connector file (``connectors/sdk/files.py``); this
app is the sandbox they (and the tests) point such a file at. It serves the demo orders under one path
per paging style, each the way small in-house APIs usually do it:

==================  ===================================================================================
``/offset/orders``  ``?offset=&limit=&updated_since=`` → ``{"data": [...], "total": N}``
``/page/orders``    ``?page=&per_page=&updated_since=`` → ``{"items": [...], "page": p, "total_pages": T}``
``/cursor/orders``  ``?cursor=&limit=&updated_since=`` → ``{"orders": [...], "next_cursor": "…" | null}``
``/link/orders``    ``?page=&per_page=&updated_since=`` → a bare list with a ``Link: <…>; rel="next"`` header
==================  ===================================================================================

Every list is sorted by ``updated_at`` then ``order_no``; ``updated_since`` is inclusive (ISO 8601, UTC).
``GET``/``PATCH /orders/{order_no}`` read and update one order. Calls need ``X-Api-Key: <key>``, HTTP Basic
``<user>:<key>`` or ``Authorization: Bearer <key>`` with the public demo key below. Errors answer
``{"error": …, "message": …}``; a ``429`` carries ``Retry-After``.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from ordersync_app.sandbox import demo_data
from ordersync_app.sandbox._server import Request, Response, SandboxApp

API_KEY = "sandbox-rest-key"  # a public demo value: it opens only this emulator
USER = "ordersync"
STYLES = ("offset", "page", "cursor", "link")


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def render_order(order: dict[str, Any]) -> dict[str, Any]:
    """A demo order the way a home-made order system might hold it."""
    shipped = order["fulfillmentStatus"] == "FULFILLED"
    return {"order_no": f"SO-{1000 + order['index']}", "shop_order_id": str(order["id"]),
            "status": "shipped" if shipped else "new", "customer_email": order["email"],
            "customer_name": f"{order['customer']['firstName']} {order['customer']['lastName']}",
            "total": order["total"], "currency": order["currency"], "tracking_no": f"SF{1400000000 + order['index']}"
            if shipped else "", "updated_at": _iso(order["updatedAt"]), "created_at": _iso(order["createdAt"])}


class RestSandbox(SandboxApp):
    """The generic in-house OMS (mounted at ``/rest``)."""

    name = "rest"

    def setup(self) -> None:
        self.db.execute("CREATE TABLE IF NOT EXISTS rest_orders (order_no TEXT PRIMARY KEY, updated_at TEXT,"
                        " body TEXT)")
        for style in STYLES:
            self.route("GET", f"/{style}/orders", lambda request, style=style: self._list(style, request))
        self.route("GET", "/orders/{order_no}", self._get_one)
        self.route("PATCH", "/orders/{order_no}", self._patch)

    def seed(self, orders: int) -> None:
        for i in range(1, orders + 1):
            order = render_order(demo_data.demo_order(i))
            self.db.execute("INSERT OR IGNORE INTO rest_orders VALUES (?, ?, ?)",
                            (order["order_no"], order["updated_at"], json.dumps(order, ensure_ascii=False)))

    def before(self, request: Request) -> Response | None:
        headers = request.headers
        basic = "Basic " + base64.b64encode(f"{USER}:{API_KEY}".encode()).decode()
        if API_KEY in (headers.get("x-api-key"), headers.get("authorization", "").removeprefix("Bearer ")) or \
                headers.get("authorization") == basic:
            return None
        return Response(401, {"error": "unauthorized", "message": "missing or wrong API key"})

    def throttled(self, retry_after: float | None) -> Response:
        headers = {"Retry-After": f"{retry_after:g}"} if retry_after is not None else {}
        return Response(429, {"error": "rate_limited", "message": "too many requests"}, headers)

    def _load(self, order_no: str) -> dict[str, Any] | None:
        row = self.db.execute("SELECT body FROM rest_orders WHERE order_no = ?", (order_no,)).fetchone()
        return json.loads(row[0]) if row else None

    def _save(self, order: dict[str, Any]) -> None:
        newest = self.db.execute("SELECT max(updated_at) FROM rest_orders").fetchone()[0]
        now = datetime.now(UTC)
        latest = datetime.fromisoformat(newest.replace("Z", "+00:00")) + timedelta(seconds=1) if newest else now
        order["updated_at"] = _iso(max(now, latest))
        self.db.execute("UPDATE rest_orders SET updated_at = ?, body = ? WHERE order_no = ?",
                        (order["updated_at"], json.dumps(order, ensure_ascii=False), order["order_no"]))

    def touch(self, key: str) -> bool:
        order = self._load(key)
        if order is not None:
            self._save(order)
        return order is not None

    def _list(self, style: str, request: Request) -> Response:
        since = request.arg("updated_since") or ""
        if since:
            try:
                since = _iso(datetime.fromisoformat(since.replace("Z", "+00:00")))
            except ValueError:
                return Response(400, {"error": "bad_request", "message": f"updated_since is not ISO 8601: {since}"})
        size = int(request.arg("limit") or request.arg("per_page") or 50)
        if not 1 <= size <= 200:
            return Response(400, {"error": "bad_request", "message": "page size must be 1..200"})
        rows = [json.loads(r[0]) for r in self.db.execute(
            "SELECT body FROM rest_orders WHERE updated_at >= ? ORDER BY updated_at, order_no", (since,))]
        if style in ("offset", "cursor"):
            start = int(request.arg("offset") or 0) if style == "offset" else \
                int(base64.urlsafe_b64decode((request.arg("cursor") or "MA==").encode()).decode() or 0)
            page = rows[start:start + size]
            if style == "offset":
                return Response(200, {"data": page, "total": len(rows)})
            more = start + size < len(rows)
            token = base64.urlsafe_b64encode(str(start + size).encode()).decode() if more else None
            return Response(200, {"orders": page, "next_cursor": token})
        number = int(request.arg("page") or 1)
        page, pages = rows[(number - 1) * size:number * size], max(1, -(-len(rows) // size))
        if style == "page":
            return Response(200, {"items": page, "page": number, "total_pages": pages})
        headers = {}
        if number < pages:
            query = {k: v[0] for k, v in request.query.items()} | {"page": number + 1}
            host = request.headers.get("host", "127.0.0.1")
            headers["Link"] = f'<http://{host}/rest/link/orders?{urlencode(query)}>; rel="next"'
        return Response(200, page, headers)

    def _get_one(self, request: Request) -> Response:
        order = self._load(request.params["order_no"])
        return Response(200, {"order": order}) if order else \
            Response(404, {"error": "not_found", "message": f"no order {request.params['order_no']}"})

    def _patch(self, request: Request) -> Response:
        order = self._load(request.params["order_no"])
        if order is None:
            return Response(404, {"error": "not_found", "message": f"no order {request.params['order_no']}"})
        changes = request.json() or {}
        unknown = sorted(set(changes) - {"status", "tracking_no", "note"})
        if unknown:
            return Response(422, {"error": "invalid", "message": f"read-only or unknown fields: {', '.join(unknown)}"})
        order.update(changes)
        self._save(order)
        self.count("order_writes", order["order_no"])
        return Response(200, {"order": order})


App = RestSandbox
