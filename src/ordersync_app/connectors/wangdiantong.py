"""旺店通·企业版 (Wangdiantong ERP, "openapi2"): orders of the OMS/WMS many Chinese shops ship from.

Signed form posts to ``{api}.php``: ``sid``, ``appkey``, ``timestamp`` (s) and ``sign`` = md5 over every other
parameter sorted by name, written ``LL-name:VVVV-value`` (lengths in characters, zero-padded), joined by ";" and
followed by the appsecret. Errors come inside HTTP 200 (``code`` ≠ 0, ``message``). Orders are read by modified-time
windows of at most 60 minutes with pages numbered from 0; their order in a window is not documented, so each window
is read whole and confirmed by ``total_count``. Orders are pushed keyed by ``tid`` (the source's order number), unique
per seller: pushing again updates the same raw order, so a repeat after a lost answer creates nothing new.

Sources (the vendor's 企业版 pages were not readable: every fact is [S]): slpcode/wangdiantong-sdk ``src/Api.php``
@7142b2c8 (system parameters, pack/sign; the same ``WdtClient.php`` packing is in many repositories);
wangdiantong-py 0.3.0 (PyPI, MIT: ``trade_query`` ``page_no`` from 0, statuses 5 已取消 … 95 已发货 … 110 已完成,
``trade_push`` ``shop_no``/``trade_list``/``switch``, ``code`` 0 = success); a Node client (``trade_query.php`` in
60-minute windows, ``page_size`` 100, ``trades``, codes it retries 1012 1013 1020 1030 1040 1200 1610) and a Java job
(hourly blocks of 100); field names shared with the 旗舰版 docs (``trade_id``, ``src_tids``, ``logistics_no``);
API-FACTS-DETAIL.md §9. Still [U]: lengths in characters, not bytes (wangdiantong-py counts bytes; they differ only
for non-ASCII values); the answers to a bad sign/appkey/timestamp (code 100 + message); the rate limit; that a
pushed order is found by ``src_tid`` once submitted; ``trade_push``'s ``error_list``; the customer API (see below).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qsl

import httpx

from ordersync_app.connectors.sdk import rules, spec
from ordersync_app.connectors.sdk.auth import SignedAuth
from ordersync_app.connectors.sdk.http import ApiClient
from ordersync_app.connectors.sdk.paginate import PageNumber
from ordersync_app.connectors.sdk.paths import dig
from ordersync_app.connectors.sdk.spec import Verdict, Write, WriteResult
from ordersync_app.domain.errors import SetupError
from ordersync_app.domain.redact import register_secret

ORDERS_PATH, PUSH_PATH, SHOPS_PATH = "/trade_query.php", "/trade_push.php", "/shop.php"
# WORKAROUND(wangdiantong): no source we could read (API-FACTS, the open SDKs above, slpcode's Basic.php with its
# shop/warehouse/logistics/purchase_provider calls, code and doc search) names the 企业版 customer API. These
# names follow the product's <object>_push.php/<object>_query.php pattern (trade_push, purchase_provider_create [S]);
# path, customer_list/customer_no/customers and the answer's error_list are [U]: check open.wangdian.cn first.
CUSTOMER_PUSH, CUSTOMER_QUERY = "/customer_push.php", "/customer_query.php"
HOUR, DAY, PAGE_MAX, PUSH_MAX = 3600, 86400, 100, 50  # PUSH_MAX [U]
SHIPPED = 95  # 已发货 (wangdiantong-py OrderStatus [S])
RETRY_CODES = (1012, 1013, 1020, 1030, 1040, 1200, 1610)  # retried by a Node client [S]; meanings [U]
BEIJING = timezone(timedelta(hours=8))


def pack(params: Mapping[str, str]) -> str:
    """``LL-name:VVVV-value`` for every parameter but ``sign``, sorted by name, joined by ";" (Api.php pack [S])."""
    return ";".join(f"{len(k):02d}-{k}:{len(str(params[k])):04d}-{params[k]}" for k in sorted(params) if k != "sign")


def sign(params: Mapping[str, str], appsecret: str) -> str:
    """Lowercase hex MD5 of the packed parameters followed by the appsecret (Api.php sign [S])."""
    return hashlib.md5((pack(params) + appsecret).encode("utf-8"), usedforsecurity=False).hexdigest()


def _sign(request: httpx.Request, account: spec.AccountConfig) -> httpx.Request:
    sid, appkey, secret = (account.settings.get(k) or account.secret(k) or "" for k in ("sid", "appkey", "appsecret"))
    if not (sid and appkey and secret):
        raise SetupError(f"旺店通 account '{account.name}' needs sid, appkey and appsecret",
                         hint="open.wangdian.cn → 企业版 → 自助对接 → 应用管理 shows the appkey and appsecret")
    form = dict(parse_qsl(request.content.decode("utf-8"), keep_blank_values=True))
    form.update(sid=sid, appkey=appkey, timestamp=str(int(time.time())))
    form["sign"] = sign(form, secret)
    keep = {k: v for k, v in request.headers.items() if k.lower() not in ("content-length", "content-type")}
    return httpx.Request("POST", request.url, headers=keep, data=form)


def _auth(account: spec.AccountConfig) -> httpx.Auth:
    register_secret(account.secret("appsecret"))
    return SignedAuth(account, _sign)


def _on(verdict: Verdict, en: str, zh: str, **when: Any) -> rules.Rule:
    return rules.on(verdict, status=200, message="message", explain=(en, zh), **when)


RULES = (  # errors inside HTTP 200: code ≠ 0 and a message (wangdiantong-py, Node client [S])
    _on(Verdict.SETUP, "Wangdiantong refused the request time: check this computer's clock",
        "旺店通拒绝了请求时间，请校准本机时钟", path="message", contains="timestamp"),
    *(_on(Verdict.REAUTH, "Wangdiantong refused the sid, appkey or appsecret", "旺店通不认可卖家账号、appkey 或密钥",
          path="message", contains=word) for word in ("sign", "appkey")),
    _on(Verdict.RETRY, "Wangdiantong is busy or limits calls; trying again", "旺店通繁忙或限制调用频率，稍后重试",
        path="code", equals=RETRY_CODES),
    _on(Verdict.RETRY, "Wangdiantong limits how often it may be called; trying again shortly",
        "旺店通限制了调用频率，稍后重试", path="message", contains="频率"),
    _on(Verdict.REJECT, "Wangdiantong refused the request", "旺店通拒绝了请求", path="code", not_in=(0, "0")),
)
FIELDS = spec.fields_from("ordersync_app.connectors", "wangdiantong_fields.json")
# Beijing wall-clock strings, both bounds sent; lag [U]: an ERP row may be stamped before its transaction commits.
CURSOR = spec.Cursor("modified", param="start_time", until_param="end_time", format="%Y-%m-%d %H:%M:%S",
                     zone="Asia/Shanghai", granularity=1, sorted=False, lag_seconds=60, max_window_seconds=HOUR,
                     first_read_seconds=DAY, quiet_windows=True)
PARAMS = (spec.Param("shop_no", "Only this shop", label_zh="仅此店铺", description="店铺编号; empty = all shops",
                     send_as="shop_no"),)


def _trigger(key: str, en: str, zh: str, about: str, **fixed: Any) -> spec.Trigger:
    return spec.Trigger(key, en, zh, CURSOR, FIELDS["trade"], params=PARAMS, page_size=PAGE_MAX, description=about,
                        request=spec.Post(ORDERS_PATH, body="form", **fixed), records="trades", record_key="trade_id",
                        paginator=PageNumber("page_no", start=0, size_param="page_size", max_size=PAGE_MAX),
                        count_path="total_count")


_ITEM = ("spec_no", "goods_name", "num", "price")


def _raw_trade(write: Write, now: str) -> dict[str, Any]:
    """One raw order of ``trade_list`` (paid, awaiting shipment, cash before delivery) with one item line."""
    p, tid = write.properties, str(write.match)
    item = {k: p[k] for k in _ITEM if k in p}
    line = {"oid": f"{tid}-1", "status": 30, "refund_status": 0, "num": 1, "adjust_amount": 0, "discount": 0,
            "share_discount": 0, "goods_id": item.get("spec_no"), "spec_id": item.get("spec_no"), **item}
    return {"tid": tid, "trade_status": 30, "pay_status": 2, "delivery_term": 1, "trade_time": now, "pay_time": now,
            "buyer_nick": p.get("buyer_nick") or p.get("receiver_name"), "post_amount": 0, "cod_amount": 0,
            "ext_cod_fee": 0, "other_amount": 0, **{k: v for k, v in p.items() if k not in _ITEM}, "order_list": [line]}


def _push(client: ApiClient, writes: list[Write]) -> list[WriteResult]:
    """``trade_push.php``: the batch's raw orders in one call; an ``error_list`` entry refuses its order."""
    shop = client.account.settings.get("shop_no")
    if not shop:
        raise SetupError("pushing orders to 旺店通 needs the shop number", hint="set 'shop_no' on the account")
    now = datetime.now(UTC).astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")
    trades = [_raw_trade(w, now) for w in writes if w.match]
    body = client.json("POST", PUSH_PATH, write=True, data={
        "shop_no": shop, "switch": "1", "trade_list": json.dumps(trades, ensure_ascii=False)}) if trades else {}
    return _answered(writes, body, "no order number (tid) to push under")


def _answered(writes: list[Write], body: Any, missing: str) -> list[WriteResult]:
    """Per write: refused when it has no key or an ``error_list`` entry names its key, else written."""
    errors = {str(e.get("tid") or e.get("no") or e.get("customer_no")): str(e.get("error"))
              for e in (body or {}).get("error_list") or []}
    return [WriteResult(w.ref, "rejected", message=missing) if not w.match else
            WriteResult(w.ref, "rejected", message=errors[str(w.match)]) if str(w.match) in errors else
            WriteResult(w.ref, "ok", target_id=str(w.match)) for w in writes]


def _push_customers(client: ApiClient, writes: list[Write]) -> list[WriteResult]:
    """``customer_push.php`` [U]: the batch's customers in one call, keyed by ``customer_no``."""
    found = [{"customer_no": str(w.match), **w.properties} for w in writes if w.match]
    body = client.json("POST", CUSTOMER_PUSH, write=True, data={
        "customer_list": json.dumps(found, ensure_ascii=False)}) if found else {}
    return _answered(writes, body, "no customer number to push under")


def _read_customers(client: ApiClient, writes: list[Write]) -> list[dict[str, Any] | None]:
    """``customer_query.php`` [U] by the batch's numbers (comma-separated, like ``status`` lists)."""
    nos = ",".join(str(w.match) for w in writes if w.match)
    body = client.json("POST", CUSTOMER_QUERY, data={"customer_no": nos, "page_no": 0, "page_size": PAGE_MAX}) \
        if nos else {}
    got = {str(c.get("customer_no")): c for c in (body or {}).get("customers") or []}
    return [{k: got[str(w.match)].get(k) for k in w.properties} if str(w.match) in got else None for w in writes]


def _read_pushed(client: ApiClient, writes: list[Write]) -> list[dict[str, Any] | None]:
    """The order made from each pushed ``tid`` (``src_tid`` query), with the pushed fields' current values."""
    def one(write: Write) -> dict[str, Any] | None:
        body = client.json("POST", ORDERS_PATH, data={"src_tid": str(write.match), "page_no": 0, "page_size": 1})
        trade = ((body or {}).get("trades") or [None])[0]
        return None if trade is None else {k: dig(trade, f"goods_list[0].{k}" if k in _ITEM else k)
                                           for k in write.properties}
    return [one(w) if w.match else None for w in writes]


def test_connection(client: ApiClient) -> str:
    """A cheap signed call: the shops the appkey may see."""
    body = client.json("POST", SHOPS_PATH, data={"page_no": 0, "page_size": 10}) or {}
    shops = body.get("shoplist") or []
    names = ", ".join(str(s.get("shop_name")) for s in shops[:3])
    return f"旺店通企业版: {body.get('total_count', len(shops))} shop(s)" + (f" ({names})" if names else "")


CONNECTOR = spec.Connector(
    key="wangdiantong", name_en="Wangdiantong ERP (企业版)", name_zh="旺店通·企业版", owns=spec.Owns.ORDERS,
    settings=spec.settings_from("ordersync_app.connectors", "wangdiantong_settings.json"),
    base_url="https://{api_host}/openapi2", make_auth=_auth, rules=RULES, test_connection=test_connection,
    error_message=rules.message_at("message", tags=("code",)),
    rate_limit=spec.RateLimit(5, 1.0, source="unpublished; two clients wait ~1 s between pages [U]"),
    triggers=(
        _trigger("order_updated", "Order created or changed", "订单新建或变更",
                 "Every order whose last-modified time moved (trade_query.php, 60-minute windows)."),
        _trigger("order_shipped", "Order shipped", "订单已发货",
                 "Orders in status 95 (已发货), with tracking number and carrier.", status=SHIPPED),
    ),
    actions=(spec.Action(
        "push_order", "Push order", "推送订单", FIELDS["push"], _push, _read_pushed, batch_max=PUSH_MAX,
        match=spec.Param("match", "Order number in the source (tid)", required=True, label_zh="原始单号 (tid)"),
        idempotency="trade_push.php keyed by tid (unique per seller): pushing again updates the same raw order",
        semantics=spec.WriteSemantics.KEYED, object="trade"), spec.Action(
        "push_customer", "Create or update customer", "创建或更新客户", FIELDS["customer"], _push_customers,
        _read_customers, batch_max=PUSH_MAX, semantics=spec.WriteSemantics.KEYED, object="customer",
        match=spec.Param("match", "Customer number", required=True, label_zh="客户编号 (customer_no)"),
        idempotency="customer_push.php keyed by customer_no [U]: pushing again updates the same customer"),),
    sandbox=spec.Sandbox("wangdiantong", credentials={"appsecret": "sandbox-wdt-appsecret"},
                         settings={"api_host": "sandbox.wangdian.cn", "sid": "ordersync-demo",
                                   "appkey": "ordersync-demo-api", "shop_no": "OS-DEMO"}),
    hosts=("api.wangdian.cn", "sandbox.wangdian.cn"), docs="https://open.wangdian.cn/qyb/open/apidoc",
)
