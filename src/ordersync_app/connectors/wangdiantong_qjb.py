"""旺店通·旗舰版 (Wangdiantong Ultimate, "openapi"): orders through the vendor's newer API, a product of its own.

One endpoint; the method travels in the query string with ``sid``, ``key``, ``salt``, ``v=1.0``, ``timestamp`` =
now − 1325347200 (seconds since 2012-01-01 Beijing time) and ``sign`` = md5(secret + name+value of every query
parameter and of the body, sorted by name + secret); the body is the JSON array of the method's arguments. Answers
carry ``status`` 0 or a code and ``message`` inside HTTP 200; the per-minute limit is status 100 "超过每分钟最大调用
频率限制，请稍后重试" and is retried. Orders are read by modified time in windows of at most 60 minutes, pages from 0.
Orders are pushed keyed by ``tid``, unique per seller: a second push updates the same raw order.

Sources: [V] the vendor's pages as copied in ``cunsheng/wangdiantong-api-qjb`` @3459a5b6 (``Firecrawl/
sales.TradeQuery.queryWithDetail.md``: common parameters, timestamp within 120 s, 60-minute span, ``page_no`` from 0,
``data.order``/``total_count``, status 95 已发货, ``consign_time`` in ms; ``sales.RawTrade.pushSelf2.md``: ``tid``
unique per sid, a re-push updates, ``data.new_count``/``chg_count``/``error_list``; ``qjbguide_cwmsm.md``: the error
table). [S] ``go-marvis/wangdian-sdk-go`` ``core/transport.go`` @10aa973f (the sign, ``[args]`` bodies, retrying the
limit). Still [S]/[U]: the sign itself [S] (the vendor's Sign page was not copied); ``sales.RawTrade.pushSelf``'s
argument order ``[shop_no, rawTradeList, rawTradeOrderList]`` [S]; the per-minute number [U]; ``data.details`` of
``setting.Shop.queryShop`` [U].
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import httpx

from ordersync_app.connectors.sdk import rules, spec
from ordersync_app.connectors.sdk.auth import SignedAuth
from ordersync_app.connectors.sdk.http import ApiClient
from ordersync_app.connectors.sdk.paginate import PageNumber
from ordersync_app.connectors.sdk.paths import dig
from ordersync_app.connectors.sdk.spec import Verdict, Write, WriteResult
from ordersync_app.domain.errors import SetupError
from ordersync_app.domain.redact import register_secret

EPOCH_2012 = 1325347200  # "当前时间戳减去 2012-01-01 00:00:00(1325347200)" [V]
QUERY, PUSH, SHOPS = "sales.TradeQuery.queryWithDetail", "sales.RawTrade.pushSelf", "setting.Shop.queryShop"
HOUR, DAY, PAGE_MAX, PUSH_MAX = 3600, 86400, 100, 100  # "单次推送建议单量不超过100单" [V]
SHIPPED = 95  # 已发货 [V]
BEIJING = timezone(timedelta(hours=8))
JSON_BODY = {"Content-Type": "application/json; charset=utf-8"}


def sign(params: Mapping[str, str], secret: str) -> str:
    """md5(secret + name+value of every parameter but ``sign`` (body included), sorted by name + secret) [S]."""
    text = secret + "".join(f"{k}{params[k]}" for k in sorted(params) if k != "sign") + secret
    return hashlib.md5(text.encode("utf-8"), usedforsecurity=False).hexdigest()


def _sign(request: httpx.Request, account: spec.AccountConfig) -> httpx.Request:
    secret, _, salt = (account.secret("appsecret") or "").partition(":")
    sid, key = account.settings.get("sid"), account.settings.get("key")
    if not (sid and key and secret and salt):
        raise SetupError(f"旺店通旗舰版 account '{account.name}' needs sid, key and the appsecret as secret:salt",
                         hint="open.wangdian.cn → 旗舰版 → 自助对接 → 应用管理 shows them")
    params = {**dict(request.url.params), "sid": sid, "key": key, "salt": salt, "v": "1.0",
              "timestamp": str(int(time.time()) - EPOCH_2012)}
    params["sign"] = sign({**params, "body": request.content.decode("utf-8")}, secret)
    request.url = request.url.copy_with(params=params)
    return request


def _auth(account: spec.AccountConfig) -> httpx.Auth:
    register_secret((account.secret("appsecret") or "").partition(":")[0])
    return SignedAuth(account, _sign)


def call(method: str, *args: Any, page: tuple[int, int] | None = None) -> dict[str, Any]:
    """httpx arguments of one call: the method (and paging) in the query, the arguments as a JSON array."""
    paging = {"page_no": page[0], "page_size": page[1], "calc_total": 1} if page else {}
    return {"params": {"method": method, **paging}, "headers": JSON_BODY,
            "content": json.dumps(list(args), ensure_ascii=False, separators=(",", ":")).encode("utf-8")}


def _query(p: spec.Params) -> dict[str, Any]:
    kwargs = call(QUERY, {k: v for k, v in p.items() if k not in ("page_no", "page_size")},
                  page=(int(p["page_no"]), int(p["page_size"])))
    del kwargs["headers"]  # the trigger's request declares them
    return kwargs


def _on(verdict: Verdict, en: str, zh: str, **when: Any) -> rules.Rule:
    return rules.on(verdict, status=200, message="message", explain=(en, zh), **when)


_CREDENTIALS = ("Wangdiantong refused the sid, key or secret", "旺店通不认可卖家账号、appkey 或密钥")
RULES = (  # the vendor's error table (qjbguide_cwmsm [V]); status ≠ 0 inside HTTP 200
    *(_on(Verdict.REAUTH, *_CREDENTIALS, path="message", contains=said)
      for said in ("验证失败", "app auth fail", "sid is not")),
    _on(Verdict.RETRY, "Wangdiantong limits calls per minute; trying again shortly",
        "旺店通限制了每分钟调用次数，稍后重试", path="message", contains="最大调用频率"),
    _on(Verdict.RETRY, "Wangdiantong limits concurrent calls; trying again shortly", "旺店通限制了并发次数，稍后重试",
        path="message", contains="最大并发"),
    _on(Verdict.RETRY, "Wangdiantong's database failed; trying again", "旺店通数据库错误，稍后重试", path="status",
        equals=(4, 5)),
    _on(Verdict.SETUP, "Wangdiantong refused the request time: check this computer's clock",
        "时间戳错误，请校准本机时钟", path="status", equals=(7,)),
    _on(Verdict.SETUP, "Wangdiantong refused this computer (IP allow-list, dynamic password or version)",
        "旺店通拒绝了本机（IP 白名单、动态口令或版本）", path="status", equals=(3, 6, 8)),
    _on(Verdict.SETUP, "The appkey lacks a permission in Wangdiantong", "该 appkey 在旺店通中权限不足",
        path="message", contains="权限不足"),
    _on(Verdict.REJECT, "Wangdiantong refused the request", "旺店通拒绝了请求", path="status", not_in=(0,)),
)
FIELDS = spec.fields_from("ordersync_app.connectors", "wangdiantong_fields.json")
CURSOR = spec.Cursor("modified", param="start_time", until_param="end_time", format="%Y-%m-%d %H:%M:%S",
                     zone="Asia/Shanghai", granularity=1, sorted=False, lag_seconds=60, max_window_seconds=HOUR,
                     first_read_seconds=DAY, quiet_windows=True)
PARAMS = (spec.Param("shop_no", "Only this shop", label_zh="仅此店铺", description="店铺编号; empty = all shops",
                     send_as="shop_no"),)


def _trigger(key: str, en: str, zh: str, about: str, **fixed: Any) -> spec.Trigger:
    return spec.Trigger(key, en, zh, CURSOR, FIELDS["trade"], params=PARAMS, page_size=PAGE_MAX, description=about,
                        request=spec.Request("POST", "/", fixed, encode=_query, headers=JSON_BODY),
                        records="data.order", record_key="trade_id", count_path="data.total_count",
                        paginator=PageNumber("page_no", start=0, size_param="page_size", max_size=PAGE_MAX))


_ITEM = ("spec_no", "goods_name", "num", "price")


def _push(client: ApiClient, writes: list[Write]) -> list[WriteResult]:
    """``sales.RawTrade.pushSelf``: raw orders (paid, awaiting shipment) with one line each, keyed by ``tid``."""
    shop = client.account.settings.get("shop_no")
    if not shop:
        raise SetupError("pushing orders to 旺店通 needs the shop number", hint="set 'shop_no' on the account")
    now = datetime.now(UTC).astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")
    todo = [w for w in writes if w.match]
    trades = [{"tid": str(w.match), "process_status": 10, "trade_status": 30, "refund_status": 0, "pay_status": 2,
               "order_count": 1, "goods_count": w.properties.get("num", 1), "pay_method": 1, "trade_time": now,
               "pay_time": now, "end_time": None, "buyer_nick": w.properties.get("buyer_nick") or
               w.properties.get("receiver_name"), "post_amount": 0, "discount": 0, "delivery_term": 1,
               "is_auto_wms": False, "warehouse_no": "", "receivable": w.properties.get("paid"),
               **{k: v for k, v in w.properties.items() if k not in _ITEM}} for w in todo]
    lines = [{"tid": str(w.match), "oid": f"{w.match}-1", "status": 30, "refund_status": 0, "num": 1, "discount": 0,
              "share_discount": 0, "adjust_amount": 0, "refund_amount": 0, "remark": "", "json": "",
              "goods_id": w.properties.get("spec_no"), "spec_id": w.properties.get("spec_no"),
              "goods_no": w.properties.get("spec_no"), **{k: w.properties[k] for k in _ITEM if k in w.properties}}
             for w in todo]
    body = client.json("POST", "/", write=True, **call(PUSH, shop, trades, lines)) if todo else {}
    errors = {str(e.get("no")): str(e.get("error")) for e in dig(body, "data.error_list") or []}
    return [WriteResult(w.ref, "rejected", message="no order number (tid) to push under") if not w.match else
            WriteResult(w.ref, "rejected", message=errors[str(w.match)]) if str(w.match) in errors else
            WriteResult(w.ref, "ok", target_id=str(w.match)) for w in writes]


def _read_pushed(client: ApiClient, writes: list[Write]) -> list[dict[str, Any] | None]:
    """The order made from each pushed ``tid`` (``src_tid`` needs no time window [V])."""
    def one(write: Write) -> dict[str, Any] | None:
        trade = (dig(client.json("POST", "/", **call(QUERY, {"src_tid": str(write.match)}, page=(0, 1))),
                     "data.order") or [None])[0]
        return None if trade is None else {k: dig(trade, f"detail_list[0].{k}" if k in _ITEM else k)
                                           for k in write.properties}
    return [one(w) if w.match else None for w in writes]


def test_connection(client: ApiClient) -> str:
    """A cheap signed call: the shops the appkey may see."""
    data = dig(client.json("POST", "/", **call(SHOPS, {}, page=(0, 10))), "data") or {}
    names = ", ".join(str(s.get("shop_name")) for s in (data.get("details") or [])[:3])
    return f"旺店通旗舰版: {data.get('total_count', 0)} shop(s)" + (f" ({names})" if names else "")


CONNECTOR = spec.Connector(
    key="wangdiantong_qjb", name_en="Wangdiantong Ultimate (旗舰版)", name_zh="旺店通·旗舰版", owns=spec.Owns.ORDERS,
    settings=spec.settings_from("ordersync_app.connectors", "wangdiantong_qjb_settings.json"),
    base_url="https://wdt.wangdian.cn/openapi", make_auth=_auth, rules=RULES, test_connection=test_connection,
    error_message=rules.message_at("message", tags=("status",)),
    rate_limit=spec.RateLimit(60, 60.0, source="per-minute limit, number unpublished [U]"),
    triggers=(
        _trigger("order_updated", "Order created or changed", "订单新建或变更",
                 "Every order whose modified time moved (sales.TradeQuery.queryWithDetail, 60-minute windows)."),
        _trigger("order_shipped", "Order shipped", "订单已发货",
                 "Orders in status 95 (已发货), with tracking number and carrier.", status=str(SHIPPED)),
    ),
    actions=(spec.Action(
        "push_order", "Push order", "推送订单", FIELDS["push"], _push, _read_pushed, batch_max=PUSH_MAX,
        match=spec.Param("match", "Order number in the source (tid)", required=True, label_zh="原始单号 (tid)"),
        idempotency="sales.RawTrade.pushSelf keyed by tid (unique per seller): a second push updates the raw order",
        semantics=spec.WriteSemantics.KEYED, object="trade"),),
    sandbox=spec.Sandbox("wangdiantong_qjb", credentials={"appsecret": "sandbox-qjb-secret:sandbox-qjb-salt"},
                         settings={"sid": "ordersync-demo", "key": "ordersync-demo-api", "shop_no": "OS-DEMO"}),
    hosts=("wdt.wangdian.cn",), docs="https://open.wangdian.cn/qjb/open/apidoc",
)
