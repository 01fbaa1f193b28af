"""Jushuitan (聚水潭) open platform: the OMS many of our Chinese users run, read as an order source; customers
from the CRM are written into it (``upsert_customer``, whose path and fields are [U]: see below).

Signed form posts (app_key + MD5 ``sign`` over sorted parameters), business parameters as a ``biz`` JSON
string, errors inside HTTP 200 (``code != 0``), 7-day ``modified`` windows paged by ``page_index``. The
vendor's pages (openweb.jushuitan.com docId 70 signing, 22 orders, 23 tokens) are not in our corpora:
every fact is [S], from ieu/jst-java @492f5efc (an SDK generated from those pages), files ``jst-core/src/
main/java/io/github/ieu/jst/{DefaultJstBizDigest,JstBizRequest,JstErrorCode,auth/JstRefreshTokenRequest,
order/JstQuerySingleOrderRequest,order/JstQuerySingleOrderResponse}.java``; kocotree/jushuitan-mcp
``src/jst_connector/signing.py`` signs the same way. The result order of a window is not documented, so the
trigger is declared unsorted: each window is read whole (and confirmed) before the cursor moves.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

import httpx

from ordersync_app.connectors.sdk import auth, rules, spec
from ordersync_app.connectors.sdk.http import ApiClient
from ordersync_app.connectors.sdk.paginate import PageNumber
from ordersync_app.connectors.sdk.spec import Verdict
from ordersync_app.domain.errors import AuthError, SetupError
from ordersync_app.domain.redact import clip, register_secret

ORDERS_PATH, SHOPS_PATH = "/open/orders/single/query", "/open/shops/query"
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


def _biz(values: Mapping[str, Any]) -> dict[str, Any]:
    return {"data": {"biz": json.dumps(values, ensure_ascii=False, separators=(",", ":"))}}


def test_connection(client: ApiClient) -> str:
    """List the shops the token can see (a cheap signed call)."""
    data = client.json("POST", SHOPS_PATH, **_biz({"page_index": 1, "page_size": 100})).get("data") or {}
    shops = data.get("datas") or []
    names = ", ".join(str(shop.get("shop_name")) for shop in shops[:3])
    return f"Jushuitan: {len(shops)} shop(s)" + (f" ({names})" if names else "")


BEIJING_TIME = "Beijing time (UTC+8), yyyy-MM-dd HH:mm:ss"
FIELDS = tuple(spec.Field(key, label, kind, description=BEIJING_TIME if kind == "datetime" else "")
               for key, label, kind in (
    ("o_id", "内部单号 Order ID", "integer"), ("so_id", "线上单号 Shop order no.", "string"),
    ("shop_id", "店铺 Shop ID", "integer"), ("status", "状态 Status (WaitConfirm, Sent…)", "string"),
    ("l_id", "快递单号 Tracking no.", "string"), ("logistics_company", "快递公司 Carrier", "string"),
    ("send_date", "发货时间 Shipped at", "datetime"), ("pay_amount", "应付金额 Amount", "number"),
    ("receiver_name", "收件人 Receiver", "string"), ("receiver_state", "省 Province", "string"),
    ("receiver_city", "市 City", "string"), ("receiver_address", "地址 Address", "string"),
    ("modified", "修改时间 Modified", "datetime"), ("items", "商品 Items", "array"),
    ("items[0].sku_id", "商品编码 SKU", "string"), ("items[0].name", "商品名称 Item", "string"),
    ("items[0].qty", "数量 Quantity", "integer"),
))
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
    return spec.Trigger(key, en, zh, CURSOR, FIELDS, params=PARAMS, page_size=MAX_PAGE_SIZE, description=about,
                        request=spec.Post(ORDERS_PATH, encode=_biz, **({"status": status} if status else {})),
                        records="data.orders", record_key="o_id", paginator=PAGES, count_path="data.data_count")


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
    actions=(UPSERT_CUSTOMER,),
    sandbox=spec.Sandbox("jushuitan", credentials={"app_secret": "sandbox-jushuitan-secret",
                                                   "access_token": "sandbox-jushuitan-token"},
                         settings={"app_key": "sandbox-app-key"}),
    hosts=("openapi.jushuitan.com", "dev-api.jushuitan.com"), docs="https://openweb.jushuitan.com/dev-doc?docType=4&docId=22",
)
