"""WooCommerce REST API v3: the orders of a self-hosted WordPress shop.

Sources (woocommerce/woocommerce-rest-api-docs @13d61967, ``source/includes/wp-api-v3/``) [V]: ``_authentication.md``
(HTTP Basic with the consumer key and secret over HTTPS, query parameters when a host strips ``Authorization``),
``_introduction.md`` (``page``/``per_page``, ``X-WP-TotalPages``), ``_orders.md`` (``modified_after`` and
``dates_are_gmt``; ``orderby`` has no "modified", so orders are read by id: a stable order that a change does
not reshuffle). ``modified_after`` is exclusive (WordPress ``date_query`` "after") [U]; stores older than 2022
ignore it (woocommerce#30585 [V]), and the SDK's closed start filters client-side either way.
"""

from __future__ import annotations

from ordersync_app.connectors.sdk import auth, rules, spec
from ordersync_app.connectors.sdk.paginate import PageNumber
from ordersync_app.connectors.sdk.spec import Field, Secret, Setting

FIELDS = (Field("id", "Order ID", label_zh="订单 ID"), Field("number", "Order number", label_zh="订单号"),
          Field("status", "Status", label_zh="状态", choices=("pending", "processing", "on-hold", "completed",
                                                            "cancelled", "refunded", "failed")),
          Field("total", "Total", "number", label_zh="总额"), Field("currency", "Currency", label_zh="币种"),
          Field("date_modified_gmt", "Modified (UTC)", "datetime", label_zh="修改时间（UTC）"),
          Field("billing.email", "Customer email", label_zh="客户邮箱"),
          Field("billing.first_name", "First name", label_zh="名"),
          Field("billing.last_name", "Last name", label_zh="姓"),
          Field("shipping.city", "Ship-to city", label_zh="收货城市"), Field("line_items[0].sku", "First item SKU"))

ORDER_UPDATED = spec.Trigger(
    "order_updated", "Order created or changed", "订单新建或变更",
    spec.Cursor("date_modified_gmt", param="modified_after", inclusive=False, granularity=1, format="iso_naive",
                sorted=False),
    FIELDS, page_size=100, request=spec.Get("/orders", orderby="id", order="asc", dates_are_gmt="true"),
    paginator=PageNumber(size_param="per_page", max_size=100, total_pages_header="X-WP-TotalPages"), stable_order=True)

# A host name (RFC 1123 labels) with an optional port: it becomes https://{site}/wp-json/wc/v3, so it may
# not carry a path, a query or user info that would move the address elsewhere.
LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
HOST_NAME = rf"{LABEL}(?:\.{LABEL})*(?::[0-9]{{1,5}})?"

CONNECTOR = spec.Connector(
    key="woocommerce", name_en="WooCommerce", name_zh="WooCommerce", owns=spec.Owns.ORDERS,
    settings=(Setting("site", "Shop address", "店铺网址", "Your shop's host name, e.g. shop.example.com",
                      "店铺域名，例如 shop.example.com", pattern=HOST_NAME),
              Secret("consumer_key", "Consumer key", "Consumer key", "WooCommerce → Settings → Advanced → REST API → "
                     "Add key (read access)", "WooCommerce → 设置 → 高级 → REST API → 添加密钥（读取权限）"),
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
    error_message=rules.message_at("message", tags=("code",)), triggers=(ORDER_UPDATED,),
    test_connection=lambda client: "WooCommerce: {} order(s)".format(
        client.request("GET", "/orders", params={"per_page": 1}).headers.get("X-WP-Total", "?")),
    sandbox=spec.Sandbox("woocommerce", credentials={"consumer_key": "ck_sandbox_woocommerce",
                                                     "consumer_secret": "cs_sandbox_woocommerce"},
                         settings={"site": "shop.example"}),
)
