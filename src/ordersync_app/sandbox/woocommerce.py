"""Emulated WooCommerce REST API v3 (``/wp-json/wc/v3``) with the demo orders and customers.

It follows woocommerce/woocommerce-rest-api-docs @13d61967 (``_authentication.md``, ``_introduction.md``,
``_orders.md``, ``_customers.md``) [V]: HTTP Basic or ``consumer_key``/``consumer_secret`` query parameters,
``page``/``per_page`` (≤ 100) with ``X-WP-Total``/``X-WP-TotalPages`` and ``Link`` headers, ``orderby`` id/date,
``modified_after`` (exclusive [U]) with ``dates_are_gmt``, ``include``, ``search``, ``status``; ``POST /orders``,
``PUT /orders/{id}`` and ``POST /orders/batch`` (``create``/``update``, ≤ 100); customers with the ``email``
filter, ``POST``/``PUT`` and ``/customers/batch``. Error bodies are WordPress's ``{code, message, data}``.

Sandbox choices: ``search`` also matches ``meta_data`` values, as a store does once the meta key is added to
``woocommerce_shop_order_search_fields`` [U]; setting the app's ``ignores_modified_after`` makes it behave like a
store from before 2022, which ignores that parameter and answers every order (woocommerce#30585 [V]).
"""

from __future__ import annotations

import base64
import json
import math
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from ordersync_app.connectors.woocommerce import CONNECTOR, STATUSES
from ordersync_app.sandbox import demo_data
from ordersync_app.sandbox._server import Request, Response, SandboxApp

GMT = "%Y-%m-%dT%H:%M:%S"
BATCH_MAX, PAGE_MAX = 100, 100
TABLES = {"orders": "wc_orders", "customers": "wc_customers"}


def _error(status: int, code: str, message: str) -> Response:
    return Response(status, {"code": code, "message": message, "data": {"status": status}})


def render_order(order: dict[str, Any]) -> dict[str, Any]:
    """A demo order in the shape of ``GET /orders/{id}``."""
    ship, customer = order["shippingAddress"], order["customer"]
    return {"id": order["id"], "number": str(order["id"]), "status": "completed" if order["fulfillmentStatus"]
            == "FULFILLED" else "processing", "currency": order["currency"], "total": order["total"],
            "customer_id": customer["id"], "date_created_gmt": order["createdAt"].strftime(GMT),
            "date_modified_gmt": order["updatedAt"].strftime(GMT), "customer_note": "",
            "billing": {"first_name": customer["firstName"], "last_name": customer["lastName"],
                        "email": customer["email"]},
            "shipping": {"first_name": ship["firstName"], "last_name": ship["lastName"], "address_1": ship["address1"],
                         "city": ship["city"], "state": ship["province"], "postcode": ship["zip"],
                         "country": ship["countryCode"]},
            "line_items": [{"id": it["id"], "name": it["title"], "sku": it["sku"], "quantity": it["quantity"],
                            "price": float(it["price"])} for it in order["lineItems"]],
            "fee_lines": [], "meta_data": []}


def render_customer(order: dict[str, Any]) -> dict[str, Any]:
    """The buyer of a demo order in the shape of ``GET /customers/{id}``."""
    customer, ship = order["customer"], order["shippingAddress"]
    return {"id": customer["id"], "email": customer["email"], "first_name": customer["firstName"],
            "last_name": customer["lastName"], "role": "customer", "username": customer["email"].split("@")[0],
            "date_created_gmt": order["createdAt"].strftime(GMT), "date_modified_gmt": order["createdAt"].strftime(GMT),
            "billing": {"first_name": customer["firstName"], "last_name": customer["lastName"],
                        "email": customer["email"], "city": ship["city"], "country": ship["countryCode"],
                        "phone": "", "company": ""}, "meta_data": []}


class WooCommerceSandbox(SandboxApp):
    """The demo shop's orders and customers behind WooCommerce's REST API."""

    name = "woocommerce"
    ignores_modified_after = False

    def setup(self) -> None:
        assert CONNECTOR.sandbox is not None
        key, secret = (CONNECTOR.sandbox.credentials[k] for k in ("consumer_key", "consumer_secret"))
        self.basic = "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()
        self.keys = {"consumer_key": key, "consumer_secret": secret}
        for table in TABLES.values():
            self.db.execute(f"CREATE TABLE IF NOT EXISTS {table} (id INTEGER PRIMARY KEY, modified TEXT, body TEXT)")
        for kind in TABLES:
            self.route("GET", f"/{kind}", lambda request, kind=kind: self._list(kind, request))
            self.route("POST", f"/{kind}", lambda request, kind=kind: self._create_one(kind, request))
            self.route("PUT", f"/{kind}/{{id}}", lambda request, kind=kind: self._update_one(kind, request))
            self.route("POST", f"/{kind}/batch", lambda request, kind=kind: self._batch(kind, request))

    def seed(self, orders: int) -> None:
        for i in range(1, orders + 1):
            demo = demo_data.demo_order(i)
            for kind, obj in (("orders", render_order(demo)), ("customers", render_customer(demo))):
                self.db.execute(f"INSERT OR IGNORE INTO {TABLES[kind]} VALUES (?, ?, ?)",
                                (obj["id"], obj["date_modified_gmt"], json.dumps(obj, ensure_ascii=False)))

    def before(self, request: Request) -> Response | None:
        given = {k: request.arg(k) for k in self.keys}
        if request.headers.get("authorization") == self.basic or given == self.keys:
            return None
        return _error(401, "woocommerce_rest_cannot_view", "Sorry, you cannot list resources.")

    # -- storage ------------------------------------------------------------------------------
    def _get(self, kind: str, object_id: Any) -> dict[str, Any] | None:
        if not str(object_id).isdigit():
            return None
        row = self.db.execute(f"SELECT body FROM {TABLES[kind]} WHERE id = ?", (int(object_id),)).fetchone()
        return json.loads(row[0]) if row else None

    def _save(self, kind: str, obj: dict[str, Any], *, count: bool = True) -> dict[str, Any]:
        table = TABLES[kind]
        newest = self.db.execute(f"SELECT max(modified) FROM {table}").fetchone()[0] or ""
        stamp = max(datetime.now(UTC), datetime.fromisoformat(newest).replace(tzinfo=UTC) + timedelta(seconds=1)
                    if newest else datetime.now(UTC))
        obj["date_modified_gmt"] = stamp.strftime(GMT)
        if "id" not in obj:
            obj["id"] = (self.db.execute(f"SELECT max(id) FROM {table}").fetchone()[0] or 0) + 1
            obj.setdefault("date_created_gmt", obj["date_modified_gmt"])
        self.db.execute(f"INSERT OR REPLACE INTO {table} VALUES (?, ?, ?)",
                        (obj["id"], obj["date_modified_gmt"], json.dumps(obj, ensure_ascii=False)))
        if count:
            self.count(f"{kind[:-1]}_writes", str(obj["id"]))
        return obj

    def touch(self, key: str) -> bool:
        for kind in TABLES:
            obj = self._get(kind, key)
            if obj is not None:
                self._save(kind, obj, count=False)
                return True
        return False

    # -- reads --------------------------------------------------------------------------------
    def _list(self, kind: str, request: Request) -> Response:
        page, size = int(request.arg("page", "1") or 1), int(request.arg("per_page", "10") or 10)
        if not 1 <= size <= PAGE_MAX or page < 1:
            return _error(400, "rest_invalid_param", "Invalid parameter(s): per_page")
        where, args = ["1"], []
        if request.arg("modified_after") and kind == "orders" and not self.ignores_modified_after:
            where.append("modified > ?")  # GMT when dates_are_gmt=true (the connector always sends it)
            args.append((request.arg("modified_after") or "")[:19])
        if request.arg("include"):
            ids = [int(i) for i in (request.arg("include") or "").split(",") if i.strip().isdigit()]
            where.append(f"id IN ({','.join('?' * len(ids)) or 'NULL'})")
            args += ids
        if request.arg("email") and kind == "customers":
            where.append("lower(json_extract(body, '$.email')) = lower(?)")
            args.append(request.arg("email", ""))
        if request.arg("search"):  # id, number, billing email and name, and meta values (see the module docstring)
            where.append("(CAST(id AS TEXT) = ? OR instr(lower(json_extract(body, '$.billing')), lower(?)) > 0 OR "
                         "EXISTS (SELECT 1 FROM json_each(json_extract(body, '$.meta_data')) m "
                         "WHERE json_extract(m.value, '$.value') = ?))")
            args += [request.arg("search")] * 3
        order_by = {"id": "id", "date": "json_extract(body, '$.date_created_gmt')",
                    "registered_date": "json_extract(body, '$.date_created_gmt')"}.get(
            request.arg("orderby", "date" if kind == "orders" else "id") or "")
        if order_by is None:
            return _error(400, "rest_invalid_param", "Invalid parameter(s): orderby")
        direction = "ASC" if request.arg("order", "desc" if kind == "orders" else "asc") == "asc" else "DESC"
        sql = f"FROM {TABLES[kind]} WHERE {' AND '.join(where)}"
        total = self.db.execute(f"SELECT count(*) {sql}", args).fetchone()[0]
        rows = self.db.execute(f"SELECT body {sql} ORDER BY {order_by} {direction}, id LIMIT ? OFFSET ?",
                               [*args, size, (page - 1) * size]).fetchall()
        pages = math.ceil(total / size)
        headers = {"X-WP-Total": str(total), "X-WP-TotalPages": str(pages)}
        if page < pages:
            query = {k: v[0] for k, v in request.query.items() if k not in self.keys} | {"page": page + 1}
            host = request.headers.get("host", "127.0.0.1")
            headers["Link"] = f'<http://{host}/woocommerce/{kind}?{urlencode(query)}>; rel="next"'
        return Response(200, [json.loads(r[0]) for r in rows], headers)

    # -- writes -------------------------------------------------------------------------------
    def _apply(self, kind: str, obj: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
        for key, value in changes.items():
            if key == "meta_data":
                for meta in value or []:
                    obj["meta_data"] = [m for m in obj.get("meta_data", []) if m["key"] != meta["key"]] + [meta]
            elif isinstance(value, dict) and isinstance(obj.get(key), dict):
                obj[key] = {**obj[key], **value}
            elif key != "id":
                obj[key] = value
        if kind == "orders" and obj.get("fee_lines"):
            obj["total"] = f"{sum(float(f.get('total') or 0) for f in obj['fee_lines']):.2f}"
        return self._save(kind, obj)

    def _new(self, kind: str, body: dict[str, Any]) -> dict[str, Any]:
        if kind == "customers":
            email = str(body.get("email") or "")
            if "@" not in email:
                return {"error": {"code": "rest_invalid_param", "message": "Invalid parameter(s): email"}}
            if self.db.execute("SELECT 1 FROM wc_customers WHERE lower(json_extract(body, '$.email')) = lower(?)",
                               (email,)).fetchone():
                return {"error": {"code": "registration-error-email-exists",
                                  "message": "An account is already registered with your email address."}}
            base = {"role": "customer", "username": email.split("@")[0], "billing": {}, "meta_data": []}
        else:
            status = body.get("status", "pending")
            if status not in STATUSES:
                return {"error": {"code": "rest_invalid_param", "message": "Invalid parameter(s): status"}}
            base = {"status": status, "currency": "USD", "total": "0.00", "customer_note": "", "billing": {},
                    "shipping": {}, "line_items": [], "fee_lines": [], "meta_data": []}
        made = self._apply(kind, base, {k: v for k, v in body.items() if k != "id"})
        if kind == "orders":
            made["number"] = str(made["id"])
            self._save(kind, made, count=False)
        return made

    def _create_one(self, kind: str, request: Request) -> Response:
        made = self._new(kind, request.json() or {})
        error = made.get("error")
        return _error(400, error["code"], error["message"]) if error else Response(201, made)

    def _update_one(self, kind: str, request: Request) -> Response:
        obj = self._get(kind, request.params["id"])
        if obj is None:
            return _error(404, f"woocommerce_rest_{'shop_order' if kind == 'orders' else 'customer'}_invalid_id",
                          "Invalid ID.")
        return Response(200, self._apply(kind, obj, request.json() or {}))

    def _batch(self, kind: str, request: Request) -> Response:
        body = request.json() or {}
        create, update = body.get("create") or [], body.get("update") or []
        if len(create) + len(update) + len(body.get("delete") or []) > BATCH_MAX:
            return _error(413, "rest_request_entity_too_large", f"Unable to accept more than {BATCH_MAX} items.")
        self.count("call", f"POST /{kind}/batch")
        answer: dict[str, list[Any]] = {}
        if create:
            answer["create"] = [self._new(kind, item) for item in create]
        if update:
            done = []
            for change in update:
                obj = self._get(kind, change.get("id"))
                done.append(self._apply(kind, obj, change) if obj else {"id": change.get("id"), "error": {
                    "code": f"woocommerce_rest_{'shop_order' if kind == 'orders' else 'customer'}_invalid_id",
                    "message": "Invalid ID.", "data": {"status": 400}}})
            answer["update"] = done
        return Response(200, answer)


App = WooCommerceSandbox
