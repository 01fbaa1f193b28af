"""WooCommerce REST API v3: the orders and customers of a self-hosted WordPress shop, read and written.

Sources (woocommerce/woocommerce-rest-api-docs @13d61967, ``source/includes/wp-api-v3/``) [V]: ``_authentication.md``
(HTTP Basic with the consumer key and secret over HTTPS, query parameters when a host strips ``Authorization``),
``_introduction.md`` (``page``/``per_page``, ``X-WP-TotalPages``), ``_orders.md`` (``modified_after`` and
``dates_are_gmt``; ``orderby`` has no "modified", so orders are read by id: a stable order that a change does
not reshuffle; ``POST /orders/batch`` with ``create``/``update`` arrays, 100 objects by default; ``search``),
``_customers.md`` (``email`` filter, no modified filter, ``POST /customers/batch``). ``modified_after`` is
exclusive (WordPress ``date_query`` "after") [U]; stores older than 2022 ignore it (woocommerce#30585 [V]): the
SDK's closed start drops what is older than the cursor client-side either way.

WooCommerce has no idempotency key and no external-id upsert (shared/API-FACTS-DETAIL.md §4). Orders created
here carry the write's ledger reference in ``meta_data`` (``ordersync_ref``); after a lost answer OrderSync looks
for it before creating again: through ``search`` (which covers that meta key only where the store adds it to
``woocommerce_shop_order_search_fields`` [U]), then in the newest 100 orders — so a duplicate is possible only
if more than 100 orders arrived between the lost answer and the check. Customers are keyed by email, which
WordPress keeps unique [U].
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ordersync_app.connectors.sdk import auth, rules, spec
from ordersync_app.connectors.sdk.http import ApiClient, fingerprint
from ordersync_app.connectors.sdk.paginate import PageNumber
from ordersync_app.connectors.sdk.paths import dig
from ordersync_app.connectors.sdk.spec import Field, Param, Secret, Setting, Write, WriteResult, WriteStatus

BATCH_MAX = 100  # _orders.md / _customers.md "limited to up to 100 objects" [V]
REF = "ordersync_ref"
STATUSES = ("pending", "processing", "on-hold", "completed", "cancelled", "refunded", "failed")
FIELDS = (Field("id", "Order ID", label_zh="订单 ID"), Field("number", "Order number", label_zh="订单号"),
          Field("status", "Status", label_zh="状态", choices=STATUSES),
          Field("total", "Total", "number", label_zh="总额"), Field("currency", "Currency", label_zh="币种"),
          Field("date_modified_gmt", "Modified (UTC)", "datetime", label_zh="修改时间（UTC）"),
          Field("billing.email", "Customer email", label_zh="客户邮箱"),
          Field("billing.first_name", "First name", label_zh="名"),
          Field("billing.last_name", "Last name", label_zh="姓"),
          Field("shipping.city", "Ship-to city", label_zh="收货城市"), Field("line_items[0].sku", "First item SKU"))
CUSTOMER_FIELDS = (Field("email", "Email", required=True, label_zh="邮箱"),
                   Field("first_name", "First name", label_zh="名"), Field("last_name", "Last name", label_zh="姓"),
                   Field("billing.phone", "Phone", label_zh="电话"),
                   Field("billing.company", "Company", label_zh="公司"),
                   Field("billing.city", "City", label_zh="城市"), Field("billing.country", "Country", label_zh="国家"))
_PAGES = PageNumber(size_param="per_page", max_size=100, total_pages_header="X-WP-TotalPages")

ORDER_UPDATED = spec.Trigger(
    "order_updated", "Order created or changed", "订单新建或变更",
    spec.Cursor("date_modified_gmt", param="modified_after", inclusive=False, granularity=1, format="iso_naive",
                sorted=False),
    FIELDS, page_size=100, request=spec.Get("/orders", orderby="id", order="asc", dates_are_gmt="true"),
    paginator=_PAGES, stable_order=True)
# /customers has no modified filter: every poll reads the whole list and the SDK keeps what is >= the cursor.
CUSTOMER_UPDATED = spec.Trigger(
    "customer_updated", "Customer created or changed", "客户新建或变更",
    spec.Cursor("date_modified_gmt", format="iso_naive", sorted=False),
    (Field("id", "Customer ID", label_zh="客户 ID"), *CUSTOMER_FIELDS,
     Field("date_modified_gmt", "Modified (UTC)", "datetime", label_zh="修改时间（UTC）")),
    page_size=100, request=spec.Get("/customers", orderby="id", order="asc"), paginator=_PAGES, stable_order=True)


def _body(props: Mapping[str, Any]) -> dict[str, Any]:
    """Dotted field keys as WooCommerce's nested body: ``billing.email``; ``meta.<key>`` → ``meta_data``;
    ``fee_name``/``fee_total`` → one fee line (an order's amount without catalogue products)."""
    body: dict[str, Any] = {}
    for key, value in props.items():
        if key.startswith("meta."):
            body.setdefault("meta_data", []).append({"key": key[5:], "value": value})
        elif key in ("fee_name", "fee_total"):
            line = body.setdefault("fee_lines", [{"name": "Order"}])[0]
            line[key[4:]] = value if key == "fee_name" else str(value)
        elif "." in key:
            head, tail = key.split(".", 1)
            body.setdefault(head, {})[tail] = value
        else:
            body[key] = value
    return body


def _value(obj: Mapping[str, Any], key: str) -> Any:
    if key.startswith("meta."):
        return next((m.get("value") for m in obj.get("meta_data") or [] if m.get("key") == key[5:]), None)
    return dig(obj, f"fee_lines[0].{key[4:]}" if key in ("fee_name", "fee_total") else key)


def _results(writes: list[Write], answers: list[Any]) -> list[WriteResult]:
    """Per-write results from a batch answer (same order as sent; an error names the record it refused)."""
    out = []
    for write, answer in zip(writes, answers + [None] * (len(writes) - len(answers)), strict=True):
        if not isinstance(answer, dict):
            out.append(WriteResult(write.ref, WriteStatus.UNKNOWN, message="no answer for this record"))
        elif answer.get("error"):
            out.append(WriteResult(write.ref, WriteStatus.REJECTED, message=str(answer["error"].get("message"))))
        else:
            out.append(WriteResult(write.ref, WriteStatus.OK, target_id=str(answer.get("id"))))
    return out


def _update_orders(client: ApiClient, writes: list[Write]) -> list[WriteResult]:
    todo = [w for w in writes if w.match and str(w.match).isdigit()]
    body = client.json("POST", "/orders/batch", write=True, json={
        "update": [{"id": int(str(w.match)), **_body(w.properties)} for w in todo]}) if todo else {}
    done = {w.ref: r for w, r in zip(todo, _results(todo, body.get("update") or []), strict=True)}
    return [done.get(w.ref) or WriteResult(w.ref, WriteStatus.REJECTED, message="no numeric order id") for w in writes]


def _read_orders(client: ApiClient, writes: list[Write]) -> list[dict[str, Any] | None]:
    ids = sorted({str(w.match) for w in writes if w.match and str(w.match).isdigit()})
    found = {str(o["id"]): o for o in client.json("GET", "/orders", params={
        "include": ",".join(ids), "per_page": BATCH_MAX})} if ids else {}
    return [{k: _value(o, k) for k in w.properties} if (o := found.get(str(w.match))) else None for w in writes]


def _create_orders(client: ApiClient, writes: list[Write]) -> list[WriteResult]:
    orders = [_body({**w.properties, f"meta.{REF}": w.ref}) for w in writes]  # the engine stamps it too (marker)
    return _results(writes, client.json("POST", "/orders/batch", write=True, json={"create": orders}).get("create")
                    or [])


def _find_created(client: ApiClient, writes: list[Write]) -> list[dict[str, Any] | None]:
    newest = client.json("GET", "/orders", params={"orderby": "date", "order": "desc", "per_page": 100})
    out: list[dict[str, Any] | None] = []
    for write in writes:
        hits = client.json("GET", "/orders", params={"search": write.ref, "per_page": 10}) + newest
        order = next((o for o in hits if _value(o, f"meta.{REF}") == write.ref), None)
        out.append({k: _value(order, k) for k in write.properties} if order else None)
    return out


def _customers(client: ApiClient, writes: list[Write]) -> list[dict[str, Any] | None]:
    return [next(iter(client.json("GET", "/customers", params={"email": str(w.match), "role": "all"})), None)
            if w.match else None for w in writes]


def _upsert_customers(client: ApiClient, writes: list[Write]) -> list[WriteResult]:
    found = _customers(client, writes)
    create = [(w, _body({**w.properties, "email": w.match})) for w, c in zip(writes, found, strict=True) if not c]
    update = [(w, {"id": c["id"], **_body(w.properties)}) for w, c in zip(writes, found, strict=True) if c]
    body = client.json("POST", "/customers/batch", write=True,
                       json={"create": [b for _w, b in create], "update": [b for _w, b in update]})
    results = _results([w for w, _b in create], body.get("create") or []) + \
        _results([w for w, _b in update], body.get("update") or [])
    by_ref = {r.ref: r for r in results}
    return [by_ref[w.ref] for w in writes]


def _read_customers(client: ApiClient, writes: list[Write]) -> list[dict[str, Any] | None]:
    return [{k: _value(c, k) for k in w.properties} if c else None for w, c in zip(
        writes, _customers(client, writes), strict=True)]


_ORDER_ID = Param("match", "WooCommerce order ID", required=True, label_zh="WooCommerce 订单 ID")
ACTIONS = (
    spec.Action("update_order", "Update order (status, customer note, meta)", "更新订单（状态、客户备注、元数据）",
                (Field("status", "Status", label_zh="状态", choices=STATUSES),
                 Field("customer_note", "Customer note", label_zh="客户备注"),
                 Field("meta.crm_id", "Meta field (meta.<key>)", label_zh="元数据字段（meta.<键>）")),
                _update_orders, _read_orders, match=_ORDER_ID, batch_max=BATCH_MAX, open_fields=True,
                semantics=spec.WriteSemantics.KEYED, object="orders",
                idempotency="POST /orders/batch update by order id sets the values; repeating it changes nothing"),
    spec.Action("create_order", "Create order", "创建订单",
                (Field("status", "Status", label_zh="状态", choices=STATUSES), Field("currency", "Currency"),
                 *(Field(f"billing.{k}", label, label_zh=zh) for k, label, zh in (
                     ("email", "Customer email", "客户邮箱"), ("first_name", "First name", "名"),
                     ("last_name", "Last name", "姓"), ("company", "Company", "公司"))),
                 Field("customer_note", "Customer note", label_zh="客户备注"),
                 Field("fee_name", "Amount line: name", label_zh="金额行：名称"),
                 Field("fee_total", "Amount line: total", "number", label_zh="金额行：金额")),
                _create_orders, _find_created, batch_max=BATCH_MAX, semantics=spec.WriteSemantics.APPEND,
                marker=f"meta.{REF}", open_fields=True, object="orders",
                idempotency=f"creates; the order carries meta {REF} = the write's reference, looked for before any "
                            "re-send after a lost answer"),
    spec.Action("upsert_customer", "Create or update customer", "创建或更新客户", CUSTOMER_FIELDS, _upsert_customers,
                _read_customers, match=Param("match", "Customer email", required=True, label_zh="客户邮箱"),
                batch_max=BATCH_MAX, semantics=spec.WriteSemantics.KEYED, object="customers",
                idempotency="looked up by email, then POST /customers/batch create or update"),
)


def _test_connection(client: ApiClient) -> str:
    total = client.request("GET", "/orders", params={"per_page": 1}).headers.get("X-WP-Total", "?")
    notes = [f"WooCommerce: {total} order(s)"]
    if client.account.settings.get("auth_in") == "query":  # _authentication.md: a fallback, not the way [V]
        notes.append("warning: the keys travel in the query string, where proxies and server logs can record "
                     "them; use this only if the host strips the Authorization header")
    if client.account.tls is not None and client.account.tls.pinned_pem:
        notes.append(f"TLS: trusting only the certificate SHA-256 {fingerprint(client.account.tls.pinned_pem)}")
    return "; ".join(notes)


# A host name (RFC 1123 labels) with an optional port: it becomes https://{site}/wp-json/wc/v3, so it may
# not carry a path, a query or user info that would move the address elsewhere.
LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
HOST_NAME = rf"{LABEL}(?:\.{LABEL})*(?::[0-9]{{1,5}})?"

CONNECTOR = spec.Connector(
    key="woocommerce", name_en="WooCommerce", name_zh="WooCommerce", owns=spec.Owns.ORDERS,
    settings=(Setting("site", "Shop address", "店铺网址", "Your shop's host name, e.g. shop.example.com",
                      "店铺域名，例如 shop.example.com", pattern=HOST_NAME),
              Secret("consumer_key", "Consumer key", "Consumer key", "WooCommerce → Settings → Advanced → REST API → "
                     "Add key (read/write)", "WooCommerce → 设置 → 高级 → REST API → 添加密钥（读/写权限）"),
              Secret("consumer_secret", "Consumer secret", "Consumer secret", "Shown once, next to the key",
                     "与密钥一同显示，仅显示一次"),
              Setting("auth_in", "Send keys as", "密钥发送方式", required=False, default="header",
                      choices=("header", "query"),
                      choice_labels={"header": ("HTTP Basic (recommended)", "HTTP Basic（推荐）"),
                                     "query": ("Query string (host strips Authorization)",
                                               "查询参数（主机丢弃 Authorization 时）")})),
    base_url="https://{site}/wp-json/wc/v3", rate_limit=spec.RateLimit(5, 1.0, source="no documented limit [U]"),
    make_auth=lambda account: auth.basic(account, "consumer_key", "consumer_secret",
                                         query_fallback=account.settings.get("auth_in") == "query"),
    rules=(rules.on(spec.Verdict.SETUP, status=404, path="code", equals="rest_no_route", message="message"),),
    error_message=rules.message_at("message", tags=("code",)), triggers=(ORDER_UPDATED, CUSTOMER_UPDATED),
    actions=ACTIONS, test_connection=_test_connection,
    sandbox=spec.Sandbox("woocommerce", credentials={"consumer_key": "ck_sandbox_woocommerce",
                                                     "consumer_secret": "cs_sandbox_woocommerce"},
                         settings={"site": "shop.example"}),
)
