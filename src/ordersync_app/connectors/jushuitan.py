"""Jushuitan (聚水潭) open platform: the OMS many of our Chinese users run, read as an order source; orders are
uploaded into it (``/open/jushuitan/orders/upload``, an upsert on the shop's order number) and customers from
the CRM written into it (``upsert_customer``, whose path and fields are [U]: see below).

Signed form posts (app_key + MD5 ``sign`` over sorted parameters), business parameters as a ``biz`` JSON
string, errors inside HTTP 200 (``code != 0``), 7-day ``modified`` windows paged by ``page_index``. The
vendor's pages (openweb.jushuitan.com docId 70 signing, 22 orders, 23 tokens) are not in our corpora:
every fact is [S], from ieu/jst-java @492f5efc (an SDK generated from those pages), files ``jst-core/src/
main/java/io/github/ieu/jst/{DefaultJstBizDigest,JstBizRequest,JstErrorCode,auth/JstRefreshTokenRequest,
order/JstQuerySingleOrderRequest,order/JstQuerySingleOrderResponse,order/JstUploadOrdersRequest,order/
JstUploadOrdersResponse,order/DefaultJstOrderClient}.java`` (fields in snake_case: jackson2/DefaultObjectMapperFactory
.java); kocotree/jushuitan-mcp
``src/jst_connector/signing.py`` signs the same way. The result order of a window is not documented, so the
trigger is declared unsorted: each window is read whole (and confirmed) before the cursor moves.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

import httpx

from ordersync_app.connectors.sdk import auth, rules, spec
from ordersync_app.connectors.sdk.cursor import parse_instant, zone
from ordersync_app.connectors.sdk.http import ApiClient
from ordersync_app.connectors.sdk.paginate import PageNumber
from ordersync_app.connectors.sdk.spec import Verdict, Write, WriteResult
from ordersync_app.connectors.sdk.values import as_written, lines_as_written, order_lines
from ordersync_app.domain.errors import AuthError, SetupError
from ordersync_app.domain.redact import clip, register_secret

ORDERS_PATH, SHOPS_PATH, UPLOAD_PATH = "/open/orders/single/query", "/open/shops/query", "/open/jushuitan/orders/upload"
UPLOAD_MAX = 50  # orders per upload (API-FACTS-DETAIL §8 [S])
SO_IDS_MAX = 20  # so_ids per query: "最大限制20条" (JstQuerySingleOrderRequest.java [S])
REFRESH_PATH = "/openWeb/auth/refreshToken"
WEEK = 7 * 86400  # modified_begin/end: "时间间隔不能超过七天"; with no cursor, the last 7 days are read
MAX_PAGE_SIZE = 100  # page_size: "最大100条"
# JstErrorCode.java: 10 invalid sign (wrong app_secret), 100 invalid/expired access_token; 110 IP not
# whitelisted, 140 clock off by > 15 min, 150 service-provider apps may not refresh, 190 no API permission;
# 199 over 5 calls/s, 200 over 100 calls/min. Any other code (a bad biz) rejects the request.
RULES = (
    rules.on(Verdict.REAUTH, status=200, path="code", equals=(10, 100), message="msg"),
    rules.on(Verdict.SETUP, status=200, path="code", equals=(110, 140, 150, 190), message="msg"),
    rules.on(Verdict.RETRY, status=200, path="code", equals=(199, 200), message="msg"),
    rules.on(Verdict.REJECT, status=200, path="code", not_in=(0,), message="msg"),
)


def sign(params: Mapping[str, str], app_secret: str) -> str:
    """Lowercase hex MD5 of app_secret + name+value of every parameter but ``sign``, sorted by name."""
    text = app_secret + "".join(f"{name}{params[name]}" for name in sorted(params) if name != "sign")
    return hashlib.md5(text.encode("utf-8"), usedforsecurity=False).hexdigest()


def _signed(account: spec.AccountConfig, url: httpx.URL, headers: httpx.Headers, params: dict[str, str]
            ) -> httpx.Request:
    secret = account.secret("app_secret") or ""
    params = {**params, "app_key": account.settings.get("app_key", ""), "timestamp": str(int(time.time())),
              "charset": "utf-8"}
    params["sign"] = sign(params, secret)
    keep = {k: v for k, v in headers.items() if k.lower() not in ("content-length", "content-type")}
    return httpx.Request("POST", url, headers=keep, data=params)


def _refresh(account: spec.AccountConfig) -> httpx.Request:
    """Renew a refused token (fixed grant_type/scope values: JstRefreshTokenRequest.java)."""
    refresh = account.secret("refresh_token")
    if not refresh:
        raise AuthError(f"Jushuitan refused the credentials of account '{account.name}' (no refresh token is "
                        "stored to renew them)", account=account.name,
                        hint="authorise the app again in Jushuitan and store the new access token")
    url = httpx.URL(account.base_url.rstrip("/") + REFRESH_PATH)
    return _signed(account, url, httpx.Headers(), {"grant_type": "refresh_token", "refresh_token": refresh,
                                                   "scope": "all"})


def _read_token(response: httpx.Response, account: spec.AccountConfig) -> auth.Token:
    body = rules.body_of(response) or {}
    data = body.get("data") if isinstance(body, dict) and body.get("code") == 0 else None
    if not isinstance(data, dict) or not data.get("access_token"):
        said = str(body.get("msg") if isinstance(body, dict) else "") or response.text
        raise AuthError(f"renewing the Jushuitan token of account '{account.name}' failed",
                        vendor_message=clip(said, 200), account=account.name,
                        hint="authorise the app again in Jushuitan and store the new access token")
    return auth.Token(str(data["access_token"]), None,
                      keep_secrets={"refresh_token": str(data["refresh_token"])} if data.get("refresh_token") else {})


def _sign_call(request: httpx.Request, token: str, account: spec.AccountConfig) -> httpx.Request:
    form = dict(parse_qsl(request.content.decode("utf-8"), keep_blank_values=True))
    form.update(access_token=token, version="2")
    return _signed(account, request.url, request.headers, form)


def _auth(account: spec.AccountConfig) -> httpx.Auth:
    if not (account.settings.get("app_key") and account.secret("app_secret") and account.secret("access_token")):
        raise SetupError(f"Jushuitan account '{account.name}' needs app_key, app_secret and access_token",
                         hint="copy them from openweb.jushuitan.com → 控制台 → 应用管理")
    register_secret(account.secret("app_secret"))
    register_secret(account.secret("refresh_token"))
    return auth.TokenAuth(account, request=_refresh, read=_read_token, apply=_sign_call)


def _biz(values: Mapping[str, Any] | list[Any]) -> dict[str, Any]:
    return {"data": {"biz": json.dumps(values, ensure_ascii=False, separators=(",", ":"))}}


def test_connection(client: ApiClient) -> str:
    """List the shops the token can see (a cheap signed call)."""
    data = client.json("POST", SHOPS_PATH, **_biz({"page_index": 1, "page_size": 100})).get("data") or {}
    shops = data.get("datas") or []
    names = ", ".join(str(shop.get("shop_name")) for shop in shops[:3])
    return f"Jushuitan: {len(shops)} shop(s)" + (f" ({names})" if names else "")


# Fields of the orders query (JstQuerySingleOrderResponse.java) and of the upload (JstUploadOrdersRequest.java) [S].
FIELDS = spec.fields_from("ordersync_app.connectors", "jushuitan_fields.json")
# Beijing wall-clock strings, whole seconds, both bounds inclusive. lag [U]: an ERP row may be stamped before
# its transaction commits, so re-read the last minute (the engine de-duplicates).
CURSOR = spec.Cursor("modified", param="modified_begin", until_param="modified_end", format="%Y-%m-%d %H:%M:%S",
                     zone="Asia/Shanghai", granularity=1, sorted=False, lag_seconds=60, max_window_seconds=WEEK,
                     first_read_seconds=WEEK)
PAGES = PageNumber("page_index", size_param="page_size", max_size=MAX_PAGE_SIZE, has_next_path="data.has_next")
PARAMS = (spec.Param("shop_id", "店铺编号 Shop ID", description="Only this shop's orders; empty = all.",
                     send_as="shop_id"),)


def _trigger(key: str, en: str, zh: str, status: str | None, about: str) -> spec.Trigger:
    # Key = o_id (内部单号, unique per company); so_id repeats across shops and on split/merged orders.
    return spec.Trigger(key, en, zh, CURSOR, FIELDS["order"], params=PARAMS, page_size=MAX_PAGE_SIZE, description=about,
                        request=spec.Post(ORDERS_PATH, encode=_biz, **({"status": status} if status else {})),
                        records="data.orders", record_key="o_id", paginator=PAGES, count_path="data.data_count")


BEIJING_FORMAT = "%Y-%m-%d %H:%M:%S"
_PAID = ("WAIT_SELLER_SEND_GOODS", "WAIT_BUYER_CONFIRM_GOODS", "TRADE_FINISHED")
_TEXT = tuple(f.key for f in FIELDS["upload"] if f.type == "string" and f.key not in ("shop_status", "payment"))


def _order(w: Write) -> dict[str, Any]:
    """One upload from a write (JstUploadOrdersRequest.java [S]); ValueError names what is missing."""
    p, so_id = w.properties, str(w.match or "")
    if not so_id or len(so_id) > 50 or not str(w.params.get("shop_id") or "").isdigit():
        raise ValueError("an uploaded order needs its shop order number (so_id, ≤ 50 characters) and a shop_id")
    lines = order_lines(p.get("items"))
    if any(not line["sku"] for line in lines):
        raise ValueError("every item needs its sku_id (商品编码)")
    when = parse_instant(str(p["order_date"])) if p.get("order_date") else datetime.now(UTC)
    date = when.astimezone(zone("Asia/Shanghai")).strftime(BEIJING_FORMAT)
    status, amount = str(p.get("shop_status") or "WAIT_SELLER_SEND_GOODS"), p.get("pay_amount")
    order: dict[str, Any] = {
        "shop_id": int(w.params["shop_id"]), "so_id": so_id, "order_date": date, "shop_status": status,
        "pay_amount": float(amount) if amount not in (None, "") else sum(float(i["price"]) * i["quantity"]
                                                                         for i in lines),
        "freight": float(p.get("freight") or 0), **{k: str(p[k]) for k in _TEXT if p.get(k) not in (None, "")},
        "items": [{"sku_id": i["sku"], "shop_sku_id": i["sku"], "name": i["title"], "qty": i["quantity"],
                   "price": float(i["price"]), "amount": round(float(i["price"]) * i["quantity"], 2),
                   "outer_oi_id": f"{so_id}-{n}"} for n, i in enumerate(lines)]}
    if status in _PAID:  # without a pay node the order waits for payment (JstUploadOrdersRequest.pay [S])
        order["pay"] = {"outer_pay_id": f"{so_id}-pay", "pay_date": date, "amount": order["pay_amount"],
                        "payment": str(p.get("payment") or "OrderSync"), "seller_account": "OrderSync",
                        "buyer_account": order.get("shop_buyer_id") or so_id}  # [U] which pay fields are required
    return order


def _upload(client: ApiClient, writes: list[Write]) -> list[WriteResult]:
    """Upload up to 50 orders in one call; each answer (``data.datas[]``: o_id, so_id, issuccess, msg) is matched to
    its write by so_id. ``(shop_id, so_id)`` names one order, so a repeat updates it: nothing is duplicated."""
    out: dict[str, WriteResult] = {}
    orders = []
    for w in writes:
        try:
            orders.append(_order(w))
        except ValueError as exc:
            out[w.ref] = WriteResult(w.ref, "rejected", message=str(exc))
    answer = client.json("POST", UPLOAD_PATH, write=True, **_biz(orders)) if orders else {}
    by_so = {str(d.get("so_id")): d for d in (answer.get("data") or {}).get("datas") or []}
    for w in (w for w in writes if w.ref not in out):
        found = by_so.get(str(w.match))
        out[w.ref] = WriteResult(w.ref, "ok", target_id=str(found.get("o_id"))) if found and found.get("issuccess") \
            else WriteResult(w.ref, "rejected", message=str((found or {}).get("msg") or "Jushuitan did not answer it"))
    return [out[w.ref] for w in writes]


def _read_uploaded(client: ApiClient, writes: list[Write]) -> list[dict[str, Any] | None]:
    """The orders by shop order number (``so_ids``, 20 a query), in the write's shape; the upload's own keys
    the query does not answer (shop_status, payment, labels) read as unknown."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for start in range(0, len(writes), SO_IDS_MAX):
        chunk = writes[start:start + SO_IDS_MAX]
        shops = {str(w.params.get("shop_id") or "") for w in chunk}
        biz = {"so_ids": [str(w.match) for w in chunk], "page_index": 1, "page_size": MAX_PAGE_SIZE,
               **({"shop_id": int(next(iter(shops)))} if len(shops) == 1 and next(iter(shops)).isdigit() else {})}
        for order in (client.json("POST", ORDERS_PATH, **_biz(biz)).get("data") or {}).get("orders") or []:
            found[(str(order["so_id"]), str(order["shop_id"]))] = order
    out: list[dict[str, Any] | None] = []
    for w in writes:
        order = found.get((str(w.match), str(w.params.get("shop_id"))))
        lines = [{"title": i.get("name"), "sku": i.get("sku_id"), "quantity": i.get("qty"), "price": i.get("price")}
                 for i in (order or {}).get("items") or []]
        if order is not None:  # the order date comes back as Beijing wall-clock text
            order = {**order, "order_date": _instant(order.get("order_date"), w.properties.get("order_date"))}
        out.append(None if order is None else {k: lines_as_written(lines, v) if k == "items" else
                                               as_written(order.get(k), v) for k, v in w.properties.items()})
    return out


def _instant(beijing: Any, wanted: Any) -> Any:
    """The vendor's Beijing time, as ``wanted`` when both are the same instant."""
    try:
        same = parse_instant(str(beijing), default_zone=zone("Asia/Shanghai")) == parse_instant(str(wanted))
    except ValueError:
        same = False
    return wanted if same else beijing




# Customers (客户资料) written from the CRM, which owns them. Neither path nor field names are in our sources: the
# brief names /open/jushuitan/customer/upload; the answer mirrors the order upload's per-item
# {issuccess, msg} (JstUploadOrderSentResponse.java [S]) — all [U] until the vendor's doc is read.
CUSTOMER_UPLOAD, CUSTOMER_QUERY = "/open/jushuitan/customer/upload", "/open/jushuitan/customer/query"
CUSTOMER_FIELDS = spec.fields("name|Customer name|客户名称|string", "mobile|Mobile|手机|string",
                              "tel|Phone|电话|string", "email|Email|邮箱|string", "address|Address|地址|string",
                              "remark|Remark|备注|string")


def _upload_customers(client: ApiClient, writes: list[spec.Write]) -> list[spec.WriteResult]:
    """One upload for the batch (upsert by ``cus_code``), answered per customer."""
    items = [{"cus_code": w.match, **w.properties} for w in writes if w.match]
    body = client.json("POST", CUSTOMER_UPLOAD, write=True, **_biz({"items": items})) if items else {}
    said = {str(r.get("cus_code")): r for r in body.get("data") or [] if isinstance(r, dict)}
    return [spec.WriteResult(w.ref, "ok", target_id=str(w.match)) if said.get(str(w.match), {}).get("issuccess")
            else spec.WriteResult(w.ref, "rejected", message=str(said.get(str(w.match), {}).get("msg")
                                                                  or "no customer code to write"))
            for w in writes]


def _read_customers(client: ApiClient, writes: list[spec.Write]) -> list[dict[str, Any] | None]:
    codes = [str(w.match) for w in writes if w.match]
    data = client.json("POST", CUSTOMER_QUERY, **_biz({"cus_codes": codes, "page_index": 1, "page_size": 50})
                       ).get("data") if codes else None
    found = {str(c.get("cus_code")): c for c in (data or {}).get("datas") or []}
    return [{k: found[str(w.match)].get(k) for k in w.properties} if str(w.match) in found else None for w in writes]


UPSERT_CUSTOMER = spec.Action(
    "upsert_customer", "Create or update customer", "创建或更新客户", CUSTOMER_FIELDS, _upload_customers,
    _read_customers, match=spec.Param("match", "Customer code", required=True, label_zh="客户编码"), batch_max=50,
    semantics=spec.WriteSemantics.KEYED, idempotency="upload keyed by the customer code: a repeat rewrites the "
    "same customer (≤ 50 per call, like the order upload [S])")


CONNECTOR = spec.Connector(
    key="jushuitan", name_en="Jushuitan", name_zh="聚水潭", owns=spec.Owns.ORDERS,
    settings=(
        spec.Setting("app_key", "App key", "应用 AppKey",
                     "openweb.jushuitan.com → 控制台 → 应用管理: create a self-developed app, open it.",
                     "在开放平台控制台「应用管理」创建自研应用，详情页可见。"),
        spec.Secret("app_secret", "App secret", "应用 AppSecret", "On the same page.", "同一页面。"),
        spec.Secret("access_token", "Access token", "授权令牌", "Issued when the merchant authorises the app "
                    "(self-developed: /openWeb/auth/getInitToken; providers: code → accessToken); ~30 days.",
                    "商家授权后获得（自研应用 getInitToken，服务商用 code 换取），约 30 天有效。"),
        spec.Secret("refresh_token", "Refresh token", "刷新令牌", "Optional; renews an expired access token "
                    "(service-provider apps may not refresh since 2023-08-15).",
                    "可选，用于自动续期（服务商应用自 2023-08-15 起不可刷新）。", required=False),
    ),
    base_url="https://openapi.jushuitan.com",  # the vendor's test env: https://dev-api.jushuitan.com
    make_auth=_auth, rules=RULES, error_message=rules.message_at("msg"), test_connection=test_connection,
    # Codes 199 "一秒不超过5次" and 200 "一分钟不超过100次" (JstErrorCode.java [S]): both windows, per account.
    rate_limit=spec.RateLimit(5, 1.0, source="ieu/jst-java JstErrorCode.java, code 199 [S]"),
    more_limits=(spec.RateLimit(100, 60.0, source="ieu/jst-java JstErrorCode.java, code 200 [S]"),),
    triggers=(
        _trigger("order_shipped", "Order shipped", "订单已发货", "Sent",
                 "Orders with status Sent, by modified time; a later change to one yields a new version."),
        _trigger("order_updated", "Order created or changed", "订单新增或变更", None,
                 "Every order whose modified time moved, whatever its status."),
    ),
    actions=(spec.Action(
        "create_order", "Upload order", "上传订单", FIELDS["upload"], _upload, _read_uploaded, batch_max=UPLOAD_MAX,
        match=spec.Param("so_id", "线上单号 Shop order no.", required=True, label_zh="线上单号"),
        params=(spec.Param("shop_id", "店铺编号 Shop ID (self-owned mall)", required=True,
                           label_zh="店铺编号（自有商城）"),),
        semantics=spec.WriteSemantics.KEYED, object="orders",
        idempotency="orders/upload is keyed by (shop_id, so_id): a repeat updates that order, never makes a second"),
        UPSERT_CUSTOMER),
    sandbox=spec.Sandbox("jushuitan", credentials={"app_secret": "sandbox-jushuitan-secret",
                                                   "access_token": "sandbox-jushuitan-token"},
                         settings={"app_key": "sandbox-app-key"}),
    hosts=("openapi.jushuitan.com", "dev-api.jushuitan.com"), docs="https://openweb.jushuitan.com/dev-doc?docType=4&docId=22",
)
