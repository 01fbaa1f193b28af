"""Jushuitan (聚水潭) open platform: the OMS many of our Chinese users run, read as an order source.

It also proves the SDK fits signature-style auth (app_key + MD5 ``sign`` over sorted parameters), which
every Chinese platform uses. The vendor's pages (openweb.jushuitan.com docId 70 signing, 22 orders, 23
tokens) are not in our corpora: every fact is [S], from ieu/jst-java @492f5efc (an SDK generated from those
pages), files ``jst-core/src/main/java/io/github/ieu/jst/{DefaultJstBizDigest,JstBizRequest,JstErrorCode,
auth/JstRefreshTokenRequest,order/JstQuerySingleOrderRequest,order/JstQuerySingleOrderResponse}.java``;
kocotree/jushuitan-mcp ``src/jst_connector/signing.py`` signs the same way.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Generator, Iterator, Mapping
from datetime import UTC, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

import httpx

from ordersync_app.connectors.sdk import spec
from ordersync_app.domain.errors import AuthError, SetupError
from ordersync_app.domain.records import Record
from ordersync_app.domain.redact import clip, register_secret

if TYPE_CHECKING:
    from ordersync_app.connectors.sdk.http import ApiClient

BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")  # the vendor's times are Beijing wall-clock strings
ORDERS_PATH, SHOPS_PATH = "/open/orders/single/query", "/open/shops/query"
REFRESH_PATH = "/openWeb/auth/refreshToken"
WINDOW = timedelta(days=7)  # modified_begin/end: "时间间隔不能超过七天"
DEFAULT_LOOKBACK = timedelta(days=7)  # since=None reads the last 7 days (no "from the beginning" query)
MAX_PAGE_SIZE = 100  # page_size: "最大100条"
# JstErrorCode.java: 10 invalid sign (wrong app_secret), 100 invalid/expired access_token; 110 IP not
# whitelisted, 140 clock off by > 15 min, 150 service-provider apps may not refresh, 190 no API permission;
# 199 over 5 calls/s, 200 over 100 calls/min. Any other code (a bad biz) rejects the request.
_V = spec.Verdict
VERDICTS = {10: _V.REAUTH, 100: _V.REAUTH, 110: _V.SETUP, 140: _V.SETUP, 150: _V.SETUP, 190: _V.SETUP,
            199: _V.RETRY, 200: _V.RETRY}


def sign(params: Mapping[str, str], app_secret: str) -> str:
    """Lowercase hex MD5 of app_secret + name+value of every parameter but ``sign``, sorted by name."""
    text = app_secret + "".join(f"{name}{params[name]}" for name in sorted(params) if name != "sign")
    return hashlib.md5(text.encode("utf-8"), usedforsecurity=False).hexdigest()


class JushuitanSign(httpx.Auth):
    """Signs a form POST holding ``biz`` (adds app_key, access_token, timestamp, charset, version, sign).

    A refused token makes the HTTP layer call :meth:`invalidate`; the next call first renews it at
    ``/openWeb/auth/refreshToken`` when a refresh token is stored, and saves what comes back.
    """

    requires_response_body = True

    def __init__(self, account: spec.AccountConfig) -> None:
        self._account, self._app_key = account, account.settings.get("app_key", "")
        self._secret, self._token = account.secret("app_secret") or "", account.secret("access_token") or ""
        if not (self._app_key and self._secret and self._token):
            raise SetupError(f"Jushuitan account '{account.name}' needs app_key, app_secret and access_token",
                             hint="copy them from openweb.jushuitan.com → 控制台 → 应用管理")
        for value in (self._secret, self._token, account.secret("refresh_token")):
            register_secret(value)
        self._stale = False

    def invalidate(self) -> None:
        """Renew the access token before the next call (when a refresh token is stored)."""
        self._stale = True

    def _signed(self, url: httpx.URL, headers: httpx.Headers, params: dict[str, str]) -> httpx.Request:
        params = {**params, "app_key": self._app_key, "timestamp": str(int(time.time())), "charset": "utf-8"}
        params["sign"] = sign(params, self._secret)
        keep = {k: v for k, v in headers.items() if k.lower() not in ("content-length", "content-type")}
        return httpx.Request("POST", url, headers=keep, data=params)

    def _take(self, response: httpx.Response) -> None:
        body = _body(response)
        data = body.get("data") if body.get("code") == 0 else None
        if not isinstance(data, dict) or not data.get("access_token"):
            raise AuthError(f"renewing the Jushuitan token of account '{self._account.name}' failed",
                            vendor_message=clip(str(body.get("msg") or response.text), 200),
                            hint="authorise the app again in Jushuitan and store the new access token",
                            account=self._account.name)
        self._token = str(data["access_token"])
        for key in ("access_token", "refresh_token"):
            if data.get(key):
                register_secret(str(data[key]))
                self._account.save_secret(key, str(data[key]))

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        refresh = self._account.secret("refresh_token")
        if self._stale and refresh:  # fixed grant_type/scope values: JstRefreshTokenRequest.java
            url = httpx.URL(self._account.base_url.rstrip("/") + REFRESH_PATH)
            self._take((yield self._signed(url, request.headers, {
                "grant_type": "refresh_token", "refresh_token": refresh, "scope": "all"})))
        self._stale = False
        form = dict(parse_qsl(request.content.decode("utf-8"), keep_blank_values=True))
        form.update(access_token=self._token, version="2")
        yield self._signed(request.url, request.headers, form)


def _body(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def classify(response: httpx.Response) -> spec.Verdict | None:
    """WORKAROUND(jushuitan): errors come as HTTP 200 with ``code != 0`` (see the codes above)."""
    code = _body(response).get("code") if response.status_code == 200 else None
    return None if not isinstance(code, int) or code == 0 else VERDICTS.get(code, _V.REJECT)


def error_message(response: httpx.Response) -> str:
    """The vendor's ``msg`` (Chinese), else the raw text."""
    return str(_body(response).get("msg") or response.text)


def _biz(values: Mapping[str, Any]) -> dict[str, str]:
    return {"biz": json.dumps(values, ensure_ascii=False, separators=(",", ":"))}


def _instant(text: str) -> datetime:
    """UTC instant of an ISO cursor ("...Z") or of a Beijing "yyyy-MM-dd HH:mm:ss[.fff]" string."""
    if "T" in text:
        return datetime.fromisoformat(text).astimezone(UTC)
    return datetime.strptime(text[:19], "%Y-%m-%d %H:%M:%S").replace(tzinfo=BEIJING).astimezone(UTC)


def _record(order: dict[str, Any]) -> Record:
    # Key = o_id (内部单号, unique per company); so_id repeats across shops and on split/merged orders.
    changed = _instant(str(order["modified"]))
    stamp = changed.strftime("%Y-%m-%dT%H:%M:%SZ")
    return Record(str(order["o_id"]), stamp, stamp, order, changed)


def _window(client: ApiClient, biz: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for page in range(1, 10_000):
        data = client.json("POST", ORDERS_PATH, data=_biz({**biz, "page_index": page})).get("data") or {}
        yield from data.get("orders") or []
        if not data.get("has_next") or not data.get("orders"):
            return


def _fetch(status: str | None) -> spec.Fetch:
    def fetch(client: ApiClient, ctx: spec.TriggerContext) -> Iterator[list[Record]]:
        """Walk [since, until) in windows of ≤ 7 days, each paged; closed start, ascending by modified."""
        now = datetime.now(UTC)
        start = _instant(ctx.since).replace(microsecond=0) if ctx.since else now - DEFAULT_LOOKBACK
        end = max(_instant(ctx.until) if ctx.until else now, start)
        size = max(1, min(ctx.page_size, MAX_PAGE_SIZE))
        base = {"page_size": size, **({"status": status} if status else {})}
        if ctx.params.get("shop_id"):
            base["shop_id"] = int(ctx.params["shop_id"])
        while True:
            stop = min(start + WINDOW, end)
            last = stop >= end
            begin, finish = (f"{t.astimezone(BEIJING):%Y-%m-%d %H:%M:%S}" for t in (start, stop))
            # Both bounds are inclusive, so a record stamped `stop` is left to the next window; the last
            # window keeps everything when reading up to now (until=None), else stops before `until`.
            upper = None if last and ctx.until is None else stop
            orders = _window(client, {**base, "modified_begin": begin, "modified_end": finish})
            records = [r for r in map(_record, orders)
                       if r.changed_at and r.changed_at >= start and (upper is None or r.changed_at < upper)]
            records.sort(key=lambda r: (r.cursor_value, int(r.key)))
            for i in range(0, len(records), size):
                yield records[i:i + size]
            if last:
                return
            start = stop

    return fetch


def test_connection(client: ApiClient) -> str:
    """List the shops the token can see (a cheap signed call)."""
    data = client.json("POST", SHOPS_PATH, data=_biz({"page_index": 1, "page_size": 100})).get("data") or {}
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
# lag [U]: an ERP row may be stamped before its transaction commits, so re-read the last minute (the engine
# de-duplicates). The docs advise ts (row version) paging against misses while data changes; we keep time.
CURSOR = spec.Cursor("modified", lag_seconds=60, max_window_seconds=int(WINDOW.total_seconds()))
PARAMS = (spec.Param("shop_id", "店铺编号 Shop ID", description="Only this shop's orders; empty = all."),)


def _trigger(key: str, en: str, zh: str, status: str | None, about: str) -> spec.Trigger:
    return spec.Trigger(key, en, zh, _fetch(status), CURSOR, FIELDS, PARAMS, page_size=100, description=about)


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
    make_auth=JushuitanSign,
    # Codes 199 "一秒不超过5次" and 200 "一分钟不超过100次" (JstErrorCode.java [S]): 5 per 3 s honours both.
    rate_limit=spec.RateLimit(5, 3.0, source="ieu/jst-java JstErrorCode.java, codes 199/200 [S]"),
    error_message=error_message, test_connection=test_connection, classify=classify, sandbox="jushuitan",
    triggers=(
        _trigger("order_shipped", "Order shipped", "订单已发货", "Sent",
                 "Orders with status Sent, by modified time; a later change to one yields a new version."),
        _trigger("order_updated", "Order created or changed", "订单新增或变更", None,
                 "Every order whose modified time moved, whatever its status."),
    ),
    docs="https://openweb.jushuitan.com/dev-doc?docType=4&docId=22",
    # Production and the vendor's test environment (API-FACTS-DETAIL.md, Jushuitan hosts [V]).
    hosts=("openapi.jushuitan.com", "dev-api.jushuitan.com"),
)
