"""用友 YonBIP / YonSuite open API: customers, sales orders and (CRM tenants) opportunities; the CRM owns customers.

The tenant's data centre comes from ``getGatewayAddress?tenantId=`` (kept in the account's state; ``api.diwork.com``
is never assumed). Token: ``{tokenUrl}/open-auth/selfAppAuth/base/v1/getAccessToken?appKey&timestamp(ms)&signature``,
signature = URLEncode(Base64(HmacSHA256(appSecret, "appKey<k>timestamp<ms>"))), answer ``{code "00000", data
{access_token, expire 7200}}`` [V yonyoucloud-open/corp-demo README @4355ff1c]; calls carry ``?access_token=``.
[S] (API-FACTS corrections, DETAIL §7, copies of the vendor's pages voucherorder/list, singleSave V2,
lineclose/lineopen, oppose, merchant/newlist, 返回码说明, 幂等性): errors in HTTP 200 with ``code != "200"`` (310036
token, 310032/310039/310042/310046 limits, 310037 API not authorised), HTTP 404 ``310404``, ``data.failCount`` in
batches; ``resubmitCheckKey`` (≤ 32 chars, in ``data``) keeps singleSave idempotent (same key: the first answer within 1
h, then ``100004`` with the id); sales-order list/detail/save free up to 60/min. Still [U]:
``/yonbip/crm/oppt/bill/list`` and its shape, ``pubts`` order of lists, other limits, the bad-signature code,
``batchsubmit`` messages, whether closing every line closes the order (status 2), the key's header field
(``headItem.define1`` by default), the console paths in the help texts.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Generator, Mapping
from typing import Any

import httpx

from ordersync_app.connectors.sdk import auth, rules, spec
from ordersync_app.connectors.sdk.http import ApiClient
from ordersync_app.connectors.sdk.paginate import PageNumber
from ordersync_app.connectors.sdk.paths import dig
from ordersync_app.connectors.sdk.spec import Field, Param, Secret, Setting, Verdict, Write, WriteResult
from ordersync_app.connectors.sdk.writes import one_by_one
from ordersync_app.domain.errors import SetupError

DISCOVERY, TOKEN_PATH = "/open-auth/dataCenter/getGatewayAddress", "/open-auth/selfAppAuth/base/v1/getAccessToken"
CUSTOMERS, OPPORTUNITIES = "/yonbip/digitalModel/merchant/newlist", "/yonbip/crm/oppt/bill/list"
ORDERS, ORDER_SAVE = "/yonbip/sd/voucherorder/list", "/yonbip/sd/voucherorder/singleSave"
ORDER_SUBMIT, ORDER_DETAIL = "/yonbip/sd/voucherorder/batchsubmit", "/yonbip/sd/voucherorder/detail"
# 销售订单行关闭/行打开 {data: [{id, lockIn, orderDetails: [{id}]}]} [S: vendor page copies, apiId 4a1cda63…/eeb4cd66…]
LINE_CLOSE, LINE_OPEN = "/yonbip/sd/voucherorder/lineclose", "/yonbip/sd/voucherorder/lineopen"
WALL_CLOCK, FAR = "%Y-%m-%d %H:%M:%S", "2999-12-31 23:59:59"
OK_CODES = ("200", "100004", "10004")  # 100004/10004: an idempotent save seen before (both spellings in the doc)
LIMITED = ("310032", "310039", "310042", "310046")  # system, app, product and API level limits
MESSAGES: dict[str, tuple[str, str]] = {
    "310036": ("the Yonyou token is invalid or expired; OrderSync signs in again", "令牌无效或已过期，会重新获取"),
    **dict.fromkeys(LIMITED, ("Yonyou's rate limit was reached; OrderSync slows down", "触发用友限流，会放慢")),
    "310037": ("the app may not call this API: 开放平台 → API 授权", "应用未获授权，请在开放平台授权该 API"),
    "310404": ("the gateway has no such API (does the tenant have this product, e.g. CRM?)",
               "网关上没有此 API（租户是否开通了该产品，如 CRM？）"),
    **dict.fromkeys(("310031", "310038", "310041", "310047"), ("an IP allow-list blocks this computer",
                                                             "IP 访问控制拒绝了本机")),
    "999": ("Yonyou refused the data (does every code exist in this tenant?)", "用友拒绝了数据（编码是否存在？）"),
    "10018": ("Yonyou knows no such app key, or the app is disabled", "应用不存在或 appKey 已停用"),
}
ANSWERS: dict[str, Any] = {"vendor": "Yonyou", "code": "code", "ok": "00000",
                           "explain": rules.coded_message("code", "message", MESSAGES)}
RULES = (
    rules.on(Verdict.REAUTH, status=200, contains="非法token"),  # some APIs answer it as plain text [S]
    rules.on(Verdict.REAUTH, path="code", equals=("310036", "310001")),
    rules.on(Verdict.RETRY, path="code", equals=(*LIMITED, "202", "310504", "310043", "310071", "310072")),
    rules.on(Verdict.SETUP, path="code", equals=("310037", "310005", "310006", "310031", "310038", "310041",
                                                 "310047", "310404")),
    rules.on(Verdict.REJECT, path="code", not_in=OK_CODES),
)


def signature(params: Mapping[str, str], app_secret: str) -> str:
    """Base64 of HmacSHA256(appSecret, name+value of every parameter but ``signature``, sorted by name).

    The published rule's last step, URL-encoding, is the query string's own: pass the result as a parameter.
    """
    text = "".join(f"{name}{params[name]}" for name in sorted(params) if name != "signature")
    return base64.b64encode(hmac.new(app_secret.encode(), text.encode(), hashlib.sha256).digest()).decode()


def _trusted(url: Any, account: spec.AccountConfig) -> str:
    """A discovered host receives the token: only over HTTPS (or the account's own loopback host, the sandbox)."""
    found, base = httpx.URL(str(url or "")), httpx.URL(account.base_url)
    if found.scheme == "https" or (found.host == base.host and base.host in ("127.0.0.1", "localhost")):
        return str(found).rstrip("/")
    raise SetupError(f"Yonyou named an unusable data-centre address '{url}' for account '{account.name}'")


def _token_flow(acct: spec.AccountConfig) -> Generator[httpx.Request, httpx.Response, httpx.Request]:
    """Discover the tenant's data centre once (kept in the account's state), then sign a token request."""
    tenant, key, secret = auth.require(acct, "tenant_id", "app_key", "app_secret")
    if not (acct.state("gatewayUrl") and acct.state("tokenUrl")):
        found = yield httpx.Request("GET", acct.base_url.rstrip("/") + DISCOVERY, params={"tenantId": tenant})
        data = auth.checked(found, acct, "the tenant ID", setup=True, **ANSWERS)["data"]
        for name in ("gatewayUrl", "tokenUrl"):
            acct.save_state(name, _trusted(data.get(name), acct))
    params = {"appKey": key, "timestamp": str(int(time.time() * 1000))}
    return httpx.Request("GET", f"{acct.state('tokenUrl')}{TOKEN_PATH}",
                         params={**params, "signature": signature(params, secret)})


def _read_token(response: httpx.Response, account: spec.AccountConfig) -> auth.Token:
    data = auth.checked(response, account, "the app key or app secret", **ANSWERS)["data"]
    return auth.Token(str(data["access_token"]), float(data.get("expire") or 7200))


def _apply(request: httpx.Request, token: str, acct: spec.AccountConfig) -> httpx.Request:
    """Send the call to the tenant's gateway, with ``?access_token=``."""
    gateway, base = httpx.URL(str(acct.state("gatewayUrl"))), httpx.URL(acct.base_url).path.rstrip("/")
    path = request.url.path[len(base):] if base and request.url.path.startswith(base) else request.url.path
    url = gateway.copy_with(path=gateway.path.rstrip("/") + path, query=request.url.query or None)
    keep = {k: v for k, v in request.headers.items() if k.lower() not in ("host", "content-length")}
    return httpx.Request(request.method, url.copy_merge_params({"access_token": token}), headers=keep,
                         content=request.content)


def _auth(account: spec.AccountConfig) -> httpx.Auth:
    auth.require(account, "tenant_id", "app_key", "app_secret")
    return auth.TokenAuth(account, request=_token_flow, read=_read_token, apply=_apply, store_as="yonyou_token",
                          requires=("gatewayUrl", "tokenUrl"))


def _vo_query(p: dict[str, Any]) -> dict[str, Any]:
    """A list page: ``pubts`` between since and until, ascending, headers only (``isSum``)."""
    where = [{"field": "pubts", "op": "between", "value1": p["since"], "value2": p.get("until") or FAR}] \
        if p.get("since") else []
    return {"json": {"pageIndex": p["pageIndex"], "pageSize": p["pageSize"], "isSum": True, "simpleVOs": where,
                     "queryOrders": [{"field": "pubts", "order": "asc"}, {"field": "id", "order": "asc"}]}}


def _text(value: Any) -> Any:
    """Multilingual values (``{"simplifiedName": …}``) as their Simplified Chinese text."""
    return value.get("simplifiedName") or value.get("zh_CN") if isinstance(value, dict) else value


def _listed(key: str, en: str, zh: str, path: str, fields: tuple[Field, ...], family: str) -> spec.Trigger:
    cursor = spec.Cursor("pubts", param="since", until_param="until", format=WALL_CLOCK, zone="Asia/Shanghai",
                         granularity=1)
    return spec.Trigger(f"{key}_changed", f"{en} created or changed", f"{zh}新建或变更", cursor, fields,
                        page_size=500, request=spec.Post(path, encode=_vo_query, family=family),
                        records="data.recordList", record_key="id", paginator=PageNumber(
                            "pageIndex", size_param="pageSize", max_size=500, total_pages_path="data.pageCount"))


CUSTOMER_FIELDS = spec.fields("id|Customer ID|客户ID|string", "code|Code|客户编码|string", "name|Name|客户名称|string",
                          "shortname|Short name|简称|string", "contactName|Contact|联系人|string",
                          "contactTel|Phone|联系电话|string", "email|Email|邮箱|string", "address|Address|地址|string",
                          "modifyTime|Modified|修改时间|datetime")
CUSTOMER_CHANGED = spec.Trigger(
    "customer_changed", "Customer created or changed", "客户新建或变更",
    spec.Cursor("modifyTime", param="pubts", format=WALL_CLOCK, zone="Asia/Shanghai", granularity=1, sorted=False),
    CUSTOMER_FIELDS, page_size=500, request=spec.Post(CUSTOMERS), records="data", record_key="id",
    paginator=PageNumber("pageIndex", size_param="pageSize", max_size=500), stable_order=True,
    shape=lambda c: {**c, **{k: _text(c.get(k)) for k in ("name", "shortname", "address")}},
    description="merchant/newlist with pubts ≥ the cursor (its order is not documented: read whole, by id)")
ORDER_FIELDS = spec.fields("id|Order ID|订单ID|string", "code|Order number|单据编号|string",
                       "vouchdate|Document date|单据日期|datetime", "agentId|Customer (id or code)|客户|string",
                       "agentId_name|Customer name|客户名称|string", "salesOrgId|Sales org|销售组织|string",
                       "settlementOrgId|Invoicing org|开票组织|string",
                       "transactionTypeId|Transaction type|交易类型|string",
                       "orderPrices!currency|Currency|币种|string", "payMoney|Total incl. tax|含税金额|number",
                       "nextStatus|Status|订单状态|string", "verifystate|Approval state|审批状态|integer",
                       "purchaseNo|Customer PO number|客户采购订单号|string", "memo|Memo|备注|string",
                       "orderDetails|Lines|订单明细|array", "pubts|Changed|时间戳|datetime")
OPPORTUNITY_FIELDS = spec.fields("id|Opportunity ID|商机ID|string", "code|Code|商机编码|string",
                             "name|Name|商机名称|string", "customer|Customer|客户|string", "stage|Stage|阶段|string",
                             "pubts|Changed|时间戳|datetime")


def _key(write: Write) -> str:
    """The write's ``resubmitCheckKey``: its ledger reference hashed to 32 characters, the same on every re-send."""
    return hashlib.sha256(write.ref.encode()).hexdigest()[:32]


def _nest(values: Mapping[str, Any]) -> dict[str, Any]:
    """``headItem.define1`` → ``{"headItem": {"define1": …}}`` (``orderPrices!currency`` stays a flat key)."""
    out: dict[str, Any] = {}
    for name, value in values.items():
        *parents, leaf = name.split(".")
        node = out
        for parent in parents:
            node = node.setdefault(parent, {})
        node[leaf] = value
    return out


def _deliver_orders(client: ApiClient, writes: list[Write]) -> list[WriteResult]:
    def send(w: Write) -> WriteResult:
        key_field = str(w.params.get("key_field") or "headItem.define1")
        data = _nest({**w.properties, key_field: _key(w), "resubmitCheckKey": _key(w), "_status": "Insert"})
        answer = client.json("POST", ORDER_SAVE, json={"data": data}, write=True, family="sd")
        return WriteResult(w.ref, "ok", target_id=str(dig(answer, "data.id")), message=(
            "already saved (idempotent key)" if str(answer.get("code")) != "200" else "created"))
    return one_by_one(writes, send)


def _first(client: ApiClient, field: str, value: Any) -> dict[str, Any] | None:
    where = [{"field": field, "op": "eq", "value1": value}]
    body = client.json("POST", ORDERS, family="sd", json={"pageIndex": 1, "pageSize": 1, "isSum": True,
                                                           "simpleVOs": where})
    return dig(body, "data.recordList[0]")


def _read_orders(client: ApiClient, writes: list[Write]) -> list[dict[str, Any] | None]:
    """The order carrying the write's key is this write (the key hashes its ledger reference): its written values."""
    return [{**w.properties} if _first(client, str(w.params.get("key_field") or "headItem.define1"), _key(w))
            else None for w in writes]


def _submit(client: ApiClient, writes: list[Write]) -> list[WriteResult]:
    """``batchsubmit``: one call for the batch; ``data.failCount`` and its messages say which orders failed."""
    data = client.json("POST", ORDER_SUBMIT, json={"data": [{"id": w.match} for w in writes]}, write=True)["data"]
    return _answered(data, [(w, str(w.match)) for w in writes])


def _answered(data: Mapping[str, Any], done_ids: list[tuple[Write, str]]) -> list[WriteResult]:
    """A batch answer (``failCount``, ``messages``, ``infos``) per write: its order id in ``infos`` or no failures."""
    done = {str(i.get("id")) for i in data.get("infos") or [] if isinstance(i, dict)}
    said = [str(m) for m in data.get("messages") or []]
    return [WriteResult(w.ref, "ok", target_id=oid) if oid in done or not data.get("failCount")
            else WriteResult(w.ref, "rejected", message=next((m for m in said if oid in m),
                                                                 "; ".join(said) or "Yonyou refused the order"))
            for w, oid in done_ids]


def _by_match(client: ApiClient, w: Write) -> dict[str, Any] | None:
    return _first(client, str(w.params.get("match_field") or "purchaseNo"), w.match) if w.match else None


def _close(client: ApiClient, writes: list[Write]) -> list[WriteResult]:
    """Close (``closed`` true) or reopen every line of the order found by the match field: line ids from ``detail``,
    then one ``lineclose``/``lineopen`` call per direction for the batch."""
    found = {w.ref: _by_match(client, w) for w in writes}
    done = {w.ref: WriteResult(w.ref, "rejected", message=f"no Yonyou sales order matches '{w.match}' (match_field)")
            for w in writes if found[w.ref] is None}
    for path, shut in ((LINE_CLOSE, True), (LINE_OPEN, False)):
        batch = [(w, str(found[w.ref]["id"])) for w in writes if w.ref not in done  # type: ignore[index]
                 and (str(w.properties.get("closed")).lower() not in ("false", "0", "")) == shut]
        data = [{"id": oid, "lockIn": False, "orderDetails": [{"id": d["id"]} for d in dig(client.json(
            "GET", ORDER_DETAIL, params={"id": oid}, family="sd"), "data.orderDetails") or [] if "id" in d]}
            for _, oid in batch]
        done |= {r.ref: r for r in _answered(client.json("POST", path, json={"data": data}, write=True)["data"],
                                             batch)} if batch else {}
    return [done[w.ref] for w in writes]


def _read_closed(client: ApiClient, writes: list[Write]) -> list[dict[str, Any] | None]:
    """``status`` 2 = 已关闭 (单据状态 0 开立, 1 已审核, 2 已关闭, 3 审核中 [S: voucherorder/oppose page])."""
    return [{"closed": int(f.get("status") or 0) == 2} if (f := _by_match(client, w)) else None for w in writes]


def _read_submitted(client: ApiClient, writes: list[Write]) -> list[dict[str, Any] | None]:
    return [{"submitted": int(found.get("verifystate") or 0) >= 1}
            if w.match and (found := _first(client, "id", w.match)) else None for w in writes]


REQUIRED = {"salesOrgId", "transactionTypeId", "vouchdate", "agentId", "settlementOrgId", "orderPrices!currency",
            "payMoney", "orderDetails"}  # singleSave V2 marks these required [S]
KEY_FIELD = Param("key_field", "Header field holding OrderSync's key", default="headItem.define1",
                  label_zh="存放 OrderSync 键的表头字段", description="a header custom item (表头自定义项) kept for it")
ACTIONS = (
    spec.Action("create_sales_order", "Create sales order", "创建销售订单", tuple(
        Field(f.key, f.label, f.type, f.key in REQUIRED, label_zh=f.label_zh) for f in ORDER_FIELDS
        if f.key not in ("id", "agentId_name", "nextStatus", "verifystate", "pubts")),
        _deliver_orders, _read_orders, params=(KEY_FIELD,), semantics=spec.WriteSemantics.KEYED,
        idempotency="singleSave with resubmitCheckKey = the ledger reference hashed: a re-send answers the first "
                    "order; the key also goes into a header field, so the order can be found"),
    spec.Action("submit_sales_orders", "Submit sales orders", "提交销售订单",
                (Field("submitted", "Submitted", "boolean", label_zh="已提交"),), _submit, _read_submitted,
                match=Param("match", "Sales order ID", required=True, label_zh="销售订单ID"), batch_max=100,
                idempotency="batchsubmit; an order already submitted stays submitted"),
    spec.Action("close_sales_order", "Close or reopen sales order lines", "关闭或打开销售订单行",
                (Field("closed", "Lines closed", "boolean", True, label_zh="行已关闭"),), _close, _read_closed,
                match=Param("match", "Value of the match field", required=True, label_zh="匹配值"), batch_max=50,
                params=(Param("match_field", "Order field to match", default="purchaseNo", label_zh="匹配的订单字段",
                              description="e.g. purchaseNo (客户采购订单号)"),),
                idempotency="lineclose/lineopen set a state: closing closed lines again changes nothing",
                description="YonBIP's open API has no 'set status' call for sales orders: an order shipped "
                            "elsewhere is closed by closing its lines (销售订单行关闭), and reopened by lineopen"),
)
CONNECTOR = spec.Connector(
    key="yonyou", name_en="Yonyou YonBIP", name_zh="用友 YonBIP", owns=spec.Owns.CUSTOMERS,
    settings=(
        Setting("tenant_id", "Tenant ID", "租户ID", "YonBIP → 开发者中心 (or the open platform's 自建应用 page) shows "
                "your tenant ID; OrderSync finds your data centre from it.",
                "在 YonBIP「开发者中心」或开放平台「自建应用」页面可见；OrderSync 据此找到租户所在的数据中心。"),
        Setting("app_key", "App key", "应用 AppKey", "开放平台 → 自建应用 → your app → 应用凭证: AppKey.",
                "开放平台 → 自建应用 → 你的应用 → 应用凭证：AppKey。"),
        Secret("app_secret", "App secret", "应用 AppSecret", "On the same 应用凭证 page.", "同一「应用凭证」页面。"),
    ),
    base_url="https://apigateway.yonyoucloud.com",  # data-centre discovery only (API-FACTS-DETAIL §7 [S])
    make_auth=_auth, rules=RULES,
    error_message=rules.coded_message("code", "message", MESSAGES, tags=("displayCode",)),
    rate_limit=spec.RateLimit(10, 1.0, source="[U] no published limit: the gateway answers 310032…310046"),
    more_limits=(spec.RateLimit(60, 60.0, source="sales-order list/detail/save free 60/min [S]", family="sd"),),
    test_connection=lambda client: "Yonyou 用友: customers readable / 可读取客户 ({} on the first page)".format(len(
        client.json("POST", CUSTOMERS, json={"pageIndex": 1, "pageSize": 10}).get("data") or [])),
    triggers=(CUSTOMER_CHANGED, _listed("sales_order", "Sales order", "销售订单", ORDERS, ORDER_FIELDS, "sd"),
              _listed("opportunity", "Opportunity (CRM)", "商机（CRM）", OPPORTUNITIES, OPPORTUNITY_FIELDS, "crm")),
    actions=ACTIONS, hosts=("apigateway.yonyoucloud.com", "*.yonyoucloud.com", "*.diwork.com"),
    sandbox=spec.Sandbox("yonyou", credentials={"app_secret": "sandbox-yonyou-app-secret"},
                         settings={"tenant_id": "sbx0tenant", "app_key": "sandbox-yonyou-app-key"}),
    docs="https://open.yonyoucloud.com",
)
