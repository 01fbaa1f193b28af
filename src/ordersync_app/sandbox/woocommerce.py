"""Emulated WooCommerce REST API v3 (``/wp-json/wc/v3``) with the demo orders, for the connector and demos.

It follows woocommerce/woocommerce-rest-api-docs @13d61967 (``_authentication.md``, ``_introduction.md``,
``_orders.md``) [V]: HTTP Basic or ``consumer_key``/``consumer_secret`` query parameters, ``page``/``per_page``
(≤ 100) with ``X-WP-Total``/``X-WP-TotalPages`` and ``Link`` headers, ``orderby`` id/date, ``modified_after``
(exclusive [U]) with ``dates_are_gmt``, ``status``, ``PUT /orders/{id}`` and ``POST /orders/batch`` (≤ 100).
Error bodies are WordPress's ``{code, message, data: {status}}``.
"""

from __future__ import annotations

import base64
import json
import math
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from ordersync_app.connectors.woocommerce import CONNECTOR
from ordersync_app.sandbox import demo_data
from ordersync_app.sandbox._server import Request, Response, SandboxApp

GMT = "%Y-%m-%dT%H:%M:%S"
BATCH_MAX, PAGE_MAX = 100, 100


def _error(status: int, code: str, message: str) -> Response:
    return Response(status, {"code": code, "message": message, "data": {"status": status}})


def render_order(order: dict[str, Any]) -> dict[str, Any]:
    """A demo order in the shape of ``GET /orders/{id}``."""
    ship, customer = order["shippingAddress"], order["customer"]
    return {"id": order["id"], "number": str(order["id"]), "status": "completed" if order["fulfillmentStatus"]
            == "FULFILLED" else "processing", "currency": order["currency"], "total": order["total"],
            "customer_id": customer["id"], "date_created_gmt": order["createdAt"].strftime(GMT),
            "date_modified_gmt": order["updatedAt"].strftime(GMT),
            "billing": {"first_name": customer["firstName"], "last_name": customer["lastName"],
                        "email": customer["email"]},
            "shipping": {"first_name": ship["firstName"], "last_name": ship["lastName"], "address_1": ship["address1"],
                         "city": ship["city"], "state": ship["province"], "postcode": ship["zip"],
                         "country": ship["countryCode"]},
            "line_items": [{"id": it["id"], "name": it["title"], "sku": it["sku"], "quantity": it["quantity"],
                            "price": float(it["price"])} for it in order["lineItems"]],
            "meta_data": []}


class WooCommerceSandbox(SandboxApp):
    """The demo shop's orders behind WooCommerce's REST API."""

    name = "woocommerce"

    def setup(self) -> None:
        assert CONNECTOR.sandbox is not None
        key, secret = (CONNECTOR.sandbox.credentials[k] for k in ("consumer_key", "consumer_secret"))
        self.basic = "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()
        self.keys = {"consumer_key": key, "consumer_secret": secret}
        self.db.execute("CREATE TABLE IF NOT EXISTS wc_orders (id INTEGER PRIMARY KEY, modified TEXT, body TEXT)")
        self.route("GET", "/orders", self._list)
        self.route("PUT", "/orders/{id}", self._update)
        self.route("POST", "/orders/batch", self._batch)

    def seed(self, orders: int) -> None:
        for i in range(1, orders + 1):
            order = render_order(demo_data.demo_order(i))
            self.db.execute("INSERT OR IGNORE INTO wc_orders VALUES (?, ?, ?)",
                            (order["id"], order["date_modified_gmt"], json.dumps(order, ensure_ascii=False)))

    def before(self, request: Request) -> Response | None:
        given = {k: request.arg(k) for k in self.keys}
        if request.headers.get("authorization") == self.basic or given == self.keys:
            return None
        return _error(401, "woocommerce_rest_cannot_view", "Sorry, you cannot list resources.")

    def _get(self, order_id: int) -> dict[str, Any] | None:
        row = self.db.execute("SELECT body FROM wc_orders WHERE id = ?", (order_id,)).fetchone()
        return json.loads(row[0]) if row else None

    def _save(self, order: dict[str, Any], *, count: bool = True) -> None:
        newest = self.db.execute("SELECT max(modified) FROM wc_orders").fetchone()[0] or ""
        stamp = max(datetime.now(UTC), datetime.fromisoformat(newest).replace(tzinfo=UTC) + timedelta(seconds=1)
                    if newest else datetime.now(UTC))
        order["date_modified_gmt"] = stamp.strftime(GMT)
        self.db.execute("UPDATE wc_orders SET modified = ?, body = ? WHERE id = ?",
                        (order["date_modified_gmt"], json.dumps(order, ensure_ascii=False), order["id"]))
        if count:
            self.count("order_writes", str(order["id"]))

    def touch(self, key: str) -> bool:
        order = self._get(int(key)) if key.isdigit() else None
        if order is not None:
            self._save(order, count=False)
        return order is not None

    def _list(self, request: Request) -> Response:
        page, size = int(request.arg("page", "1") or 1), int(request.arg("per_page", "10") or 10)
        if not 1 <= size <= PAGE_MAX or page < 1:
            return _error(400, "rest_invalid_param", "Invalid parameter(s): per_page")
        where, args = ["1"], []
        if request.arg("modified_after"):
            where.append("modified > ?")  # GMT when dates_are_gmt=true (the connector always sends it)
            args.append(request.arg("modified_after", "")[:19])
        order_by = {"id": "id", "date": "json_extract(body, '$.date_created_gmt')"}.get(request.arg("orderby", "date"))
        if order_by is None:
            return _error(400, "rest_invalid_param", "Invalid parameter(s): orderby")
        direction = "ASC" if request.arg("order", "desc") == "asc" else "DESC"
        total = self.db.execute(f"SELECT count(*) FROM wc_orders WHERE {' AND '.join(where)}", args).fetchone()[0]
        rows = self.db.execute(f"SELECT body FROM wc_orders WHERE {' AND '.join(where)} ORDER BY {order_by} "
                               f"{direction}, id LIMIT ? OFFSET ?", [*args, size, (page - 1) * size]).fetchall()
        pages = math.ceil(total / size)
        headers = {"X-WP-Total": str(total), "X-WP-TotalPages": str(pages)}
        if page < pages:
            query = {k: v[0] for k, v in request.query.items() if k not in self.keys} | {"page": page + 1}
            host = request.headers.get("host", "127.0.0.1")
            headers["Link"] = f'<http://{host}/woocommerce/orders?{urlencode(query)}>; rel="next"'
        return Response(200, [json.loads(r[0]) for r in rows], headers)

    def _update(self, request: Request) -> Response:
        order = self._get(int(request.params["id"])) if request.params["id"].isdigit() else None
        if order is None:
            return _error(404, "woocommerce_rest_shop_order_invalid_id", "Invalid ID.")
        return Response(200, self._apply(order, request.json() or {}))

    def _apply(self, order: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
        for key in ("status", "customer_note"):
            if key in changes:
                order[key] = changes[key]
        for meta in changes.get("meta_data") or []:
            order["meta_data"] = [m for m in order["meta_data"] if m["key"] != meta["key"]] + [meta]
        self._save(order)
        return order

    def _batch(self, request: Request) -> Response:
        body = request.json() or {}
        updates = body.get("update") or []
        if len(updates) + len(body.get("create") or []) + len(body.get("delete") or []) > BATCH_MAX:
            return _error(413, "rest_request_entity_too_large", f"Unable to accept more than {BATCH_MAX} items.")
        self.count("call", "POST /orders/batch")
        done = []
        for change in updates:
            order = self._get(int(change.get("id") or 0))
            done.append(self._apply(order, change) if order else {"id": change.get("id"), "error": {
                "code": "woocommerce_rest_shop_order_invalid_id", "message": "Invalid ID.", "data": {"status": 400}}})
        return Response(200, {"update": done})


App = WooCommerceSandbox
