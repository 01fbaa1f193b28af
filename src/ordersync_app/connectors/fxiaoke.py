"""纷享销客 Fxiaoke (ShareCRM): customers, contacts, opportunities and sales orders of a CRM that owns customers.

Sources: API-FACTS.md corrections, API-FACTS-DETAIL.md §5; developer.fxiaoke.com/openapi_v2 start/example/old.html
(``/cgi/corpAccessToken/get/V2`` → ``corpAccessToken``, ``corpId``, ``expiresIn`` ≤ 7,200 s, sent back with
``currentOpenUserId`` in every body), …/AccountObj/query-acc, the create page (writes default to ``triggerWorkFlow``/
``triggerApprovalFlow`` = true) [V]; a copy of its 全局返回码/频次限制 pages (100 calls/20 s per interface, daily quota
30002/30003, token endpoint ≤ 10/min never concurrent, offset ≤ 10,000 else 10013, 20016 = token expired) and clients
agreeing on ``data.dataList``, ``getByMobile`` → ``empList[].openUserId``, ``describe`` → ``data.describe.fields`` [S].
Still [S]/[U]: ``ContactObj``, ``SalesOrderObj``, the field names [S]; which of 14001/30004 is "100 per 20 s", the token
endpoint's over-limit code, ``data.total``, ties on ``last_modified_time``, the console paths in the help texts [U].
Reads sort on ``last_modified_time`` and restart each page at the last value read: ``offset`` stays far below 10,000.
"""

from __future__ import annotations

import json
from collections.abc import Generator, Mapping
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from ordersync_app.connectors.sdk import auth, rules, spec
from ordersync_app.connectors.sdk.http import ApiClient
from ordersync_app.connectors.sdk.keyed import FindThenSave
from ordersync_app.connectors.sdk.paginate import Offset
from ordersync_app.connectors.sdk.spec import Decision, Field, Param, Secret, Setting, Verdict, Write, WriteResult
from ordersync_app.connectors.sdk.writes import one_by_one
from ordersync_app.domain.errors import SetupError
from ordersync_app.domain.redact import register_secret

TOKEN_PATH, USER_PATH = "/cgi/corpAccessToken/get/V2", "/cgi/user/getByMobile"
QUERY, CREATE, UPDATE = "/cgi/crm/v2/data/query", "/cgi/crm/v2/data/create", "/cgi/crm/v2/data/update"
DESCRIBE, MODIFIED, PAGE_MAX, BATCH = "/cgi/crm/v2/object/describe", "last_modified_time", 100, 50
RATE = "developer.fxiaoke.com openapi_v2 start/guide/rate.html (copy) [S]"
TOKEN_LIMIT = spec.RateLimit(10, 60.0, source=RATE + ": token endpoint ≤ 10/min", family="token")
BUSY = (-1, 14001, 30004, 50009)  # system busy, over an interface limit, service timeout: try again
WWW = ("www.fxiaoke.com is Fxiaoke's website, not its API gateway (it answers with a 302 web page) / "
       "www.fxiaoke.com 是纷享销客官网，不是接口网关（只会返回 302 网页）")
# errorCode → plain words (en, zh): codes from the 全局返回码 page [S], wording ours.
MESSAGES: dict[int, tuple[str, str]] = {
    **dict.fromkeys((10006, 20006), ("Fxiaoke refused the App ID or App Secret", "纷享销客拒绝了 AppID 或 AppSecret")),
    **dict.fromkeys((14001, 30004), ("over 100 calls in 20 s to one interface; OrderSync slows down",
                                     "单接口 20 秒内超过 100 次，OrderSync 会放慢")),
    10013: ("Fxiaoke pages no further than offset 10,000", "纷享销客分页 offset 不能超过 10000"),
    20012: ("no employee matches the administrator's mobile", "找不到该管理员手机号对应的员工"),
    20015: ("Fxiaoke refused the permanent code", "纷享销客拒绝了永久授权码"),
    20016: ("the Fxiaoke token expired; OrderSync signs in again", "令牌已过期，OrderSync 会重新获取"),
    20020: ("the app may not read this company's data: authorise it", "应用无权获取该企业数据，请先授权"),
    30002: ("today's Open API quota is used up; calls resume after midnight (Beijing time)",
            "今日 OpenAPI 调用次数已用完，北京时间 0 点后恢复"),
    30003: ("the company has bought no Open API quota: buy a package", "企业未购买 OpenAPI 配额，请购买资源包"),
}
RULES = (
    rules.on(Verdict.REAUTH, status=200, path="errorCode", equals=(20016, 20005, 11014)),
    rules.on(Verdict.RETRY, status=200, path="errorCode", equals=BUSY),
    rules.on(Verdict.RETRY, status=200, path="errorCode", equals=(30003,), wait_seconds=6 * 3600.0),
    rules.on(Verdict.SETUP, status=200, path="errorCode",
             equals=(20006, 20012, 20014, 20015, 20020, 20021, 20022, 15003, 30027)),
    rules.on(Verdict.REJECT, status=200, path="errorCode", not_in=(0, 30002)),  # 30002: _classify
)
error_message = rules.coded_message("errorCode", "errorMessage", MESSAGES, tags=("traceId",))
ANSWERS: dict[str, Any] = {"vendor": "Fxiaoke", "code": "errorCode", "ok": 0, "busy": BUSY, "explain": error_message}


def _classify(response: httpx.Response) -> Decision | None:
    """30002: wait until the daily quota is reset at midnight, Beijing time (not a failure of the records)."""
    if (rules.body_of(response) or {}).get("errorCode") != 30002:
        return None
    now = datetime.now(ZoneInfo("Asia/Shanghai"))
    midnight = (now + timedelta(days=1)).replace(hour=0, minute=0, second=5, microsecond=0)
    return Decision(Verdict.RETRY, wait_seconds=(midnight - now).total_seconds())


def _token_flow(acct: spec.AccountConfig) -> Generator[httpx.Request, httpx.Response, auth.Token]:
    """Buy a corpAccessToken, then name the acting employee (``currentOpenUserId``) by the admin's mobile."""
    app_id, mobile, secret, code = auth.require(acct, "app_id", "admin_mobile", "app_secret", "permanent_code")
    base = acct.base_url.rstrip("/")
    got = yield httpx.Request("POST", base + TOKEN_PATH, json={"appId": app_id, "appSecret": secret,
                                                              "permanentCode": code})
    body = auth.checked(got, acct, "the App ID, App Secret or permanent code", **ANSWERS)
    token, corp = str(body["corpAccessToken"]), str(body["corpId"])
    register_secret(token)
    found = yield httpx.Request("POST", base + USER_PATH, json={"corpAccessToken": token, "corpId": corp,
                                                               "mobile": mobile})
    users = auth.checked(found, acct, "the administrator's mobile", **ANSWERS).get("empList") or []
    if not users:
        raise SetupError(f"no Fxiaoke employee has the mobile {mobile} / 找不到手机号为 {mobile} 的员工",
                         hint="enter the mobile of a CRM administrator in Accounts")
    return auth.Token(token, float(body.get("expiresIn") or 7200), keep_state={
        "corpId": corp, "openUserId": str(users[0]["openUserId"])})


def _apply(request: httpx.Request, token: str, acct: spec.AccountConfig) -> httpx.Request:
    """The legacy scheme puts the token, corp id and acting employee into every JSON body."""
    body = json.loads(request.content or b"{}")
    body.update(corpAccessToken=token, corpId=acct.state("corpId"), currentOpenUserId=acct.state("openUserId"))
    keep = {k: v for k, v in request.headers.items() if k.lower() not in ("content-length", "content-type")}
    return httpx.Request(request.method, request.url, headers=keep, json=body)


def _auth(account: spec.AccountConfig) -> httpx.Auth:
    if httpx.URL(account.base_url).host in ("www.fxiaoke.com", "fxiaoke.com"):
        raise SetupError(WWW, hint="use open.fxiaoke.com, or your company's cloud open-<cloud>.fxiaoke.com")
    auth.require(account, "app_id", "admin_mobile", "app_secret", "permanent_code")
    return auth.TokenAuth(account, request=_token_flow, apply=_apply, store_as="corp_access_token",
                          requires=("corpId", "openUserId"), limit=TOKEN_LIMIT)


def _search(obj: str, filters: list[dict[str, Any]], limit: int, offset: int = 0, *, sort: bool = False) -> Any:
    info = {"limit": limit, "offset": offset, "filters": filters,
            "orders": [{"fieldName": MODIFIED, "isAsc": True}] if sort else []}
    return {"json": {"data": {"dataObjectApiName": obj, "find_explicit_total_num": not sort,
                              "search_query_info": info}}}


def _query(obj: str) -> spec.Encode:
    """One page of a trigger: ``last_modified_time`` ≥ since (< until), ascending (epoch ms)."""
    def encode(p: dict[str, Any]) -> dict[str, Any]:
        filters = [{"field_name": MODIFIED, "operator": op, "field_values": [p[k]]}
                   for k, op in (("since", "GTE"), ("until", "LT")) if p.get(k) is not None]
        return _search(obj, filters, int(p["limit"]), int(p["offset"]), sort=True)
    return encode


def _keyed(obj: str, writes: list[Write], *, create: bool) -> FindThenSave:
    """A find-then-save on the batch's match field: one query finds every target (several records
    with one value are refused), then each is updated, or created when ``create`` and nothing has the value."""
    field = (writes[0].params.get("match_field") if writes else None) or "_id"

    def find(client: ApiClient, values: list[str]) -> dict[str, dict[str, Any]]:
        found: dict[str, list[dict[str, Any]]] = {}
        if values:  # ≤ BATCH values: PAGE_MAX rows leave room to see duplicates
            body = _search(obj, [{"field_name": field, "operator": "IN", "field_values": values}], PAGE_MAX)
            for row in (client.json("POST", QUERY, family="query", **body).get("data") or {}).get("dataList") or []:
                found.setdefault(str(row.get(field)), []).append(row)
        return {k: rows[0] if len(rows) == 1 else {"twins": len(rows)} for k, rows in found.items()}

    def save(client: ApiClient, pairs: list[tuple[Write, Mapping[str, Any] | None]]) -> list[WriteResult]:
        work, approve = FLOWS.get(client.account.settings.get("workflows") or "off", (False, False))
        targets = {w.ref: hit for w, hit in pairs}

        def send(w: Write) -> WriteResult:
            hit = targets[w.ref]
            if (hit and "twins" in hit) or not (hit or create):
                why = f"{hit['twins']} records have" if hit else "no record has"
                return WriteResult(w.ref, "rejected", message=f"{why} {field} = {w.match} in {obj}")
            data = {"dataObjectApiName": obj, **w.properties, **({"_id": hit["_id"]} if hit else {field: w.match})}
            answer = client.json("POST", UPDATE if hit else CREATE, write=True, family="update" if hit else "create",
                                 json={"triggerWorkFlow": work, "triggerApprovalFlow": approve,
                                       "data": {"object_data": data}})
            return WriteResult(w.ref, "ok", target_id=str(hit["_id"] if hit else answer.get("dataId")),
                               message=None if hit else "created")
        return one_by_one([w for w, _hit in pairs], send)
    return FindThenSave(find, save, what=obj)


FLOWS = {"off": (False, False), "workflow": (True, False), "both": (True, True)}


def _writer(obj: str, *, create: bool) -> spec.Deliver:
    return lambda client, writes: _keyed(obj, writes, create=create).deliver(client, writes)


def _reader(obj: str) -> spec.ReadCurrent:
    return lambda client, writes: _keyed(obj, writes, create=False).read_current(client, writes)


def _fields(*rows: str) -> tuple[Field, ...]:
    """The fields every object has, then ``rows``."""
    return spec.fields("_id|ID|ID|string", "name|Name|名称|string", f"{MODIFIED}|Modified|最后修改时间|datetime", *rows)


# (key, API name, en, zh, fields, has a trigger); API and field names: see the module docstring [S]
OBJECTS = (
    ("customer", "AccountObj", "Customer", "客户", _fields(
        "tel|Phone|电话|string", "address|Address|地址|string", "industry|Industry|行业|string"), True),
    ("contact", "ContactObj", "Contact", "联系人", _fields(
        "mobile|Mobile|手机|string", "email|Email|邮箱|string", "job_title|Job title|职务|string",
        "account_id|Customer ID|客户|string"), False),
    ("opportunity", "NewOpportunityObj", "Opportunity", "商机", _fields(
        "sales_stage|Sales stage|销售阶段|string", "sales_status|Status|商机状态|string",
        "amount|Amount|商机金额|number", "close_date|Close date (epoch ms)|预计结单日期|date",
        "account_id|Customer ID|客户|string"), True),
    ("sales_order", "SalesOrderObj", "Sales order", "销售订单", _fields(
        "order_amount|Order amount|订单金额|number", "order_status|Order status|订单状态|string",
        "account_id|Customer ID|客户|string"), True),
)
MATCH_FIELD = Param("match_field", "Field that identifies the record", default="_id", label_zh="用于匹配的字段",
                    description="_id, or a unique field such as a custom order_no__c")
_SET = "data/update of the one record whose match field equals the match: sets values, a repeat changes nothing"
_FIND = "an upsert keyed on the match field (keep it unique): found by it, a lost create is never made twice"
ACTIONS = tuple(action for key, obj, en, zh, every, _t in OBJECTS
                for fields in [tuple(f for f in every if f.key not in ("_id", MODIFIED))] for action in (
    spec.Action(f"update_{key}", f"Update {en.lower()}", f"更新{zh}", fields, _writer(obj, create=False),
                _reader(obj), match=Param("match", "Match value", required=True, label_zh="匹配值"),
                params=(MATCH_FIELD,), batch_max=BATCH, object=obj, open_fields=True, idempotency=_SET),
    *([] if key == "sales_order" else [spec.Action(
        f"create_or_update_{key}", f"Create or update {en.lower()}", f"创建或更新{zh}", fields,
        _writer(obj, create=True), _reader(obj), match=Param("match", "Key value", required=True, label_zh="键值"),
        params=(MATCH_FIELD,), batch_max=BATCH, object=obj, open_fields=True, idempotency=_FIND,
        semantics=spec.WriteSemantics.KEYED)])))
CURSOR = spec.Cursor(MODIFIED, param="since", until_param="until", format="epoch_ms", granularity=0.001)
TRIGGERS = tuple(spec.Trigger(
    f"{key}_changed", f"{en} created or changed", f"{zh}新建或变更", CURSOR, fields, page_size=PAGE_MAX,
    description=f"{obj} by last_modified_time, oldest first; pages restart at the last value read",
    request=spec.Post(QUERY, encode=_query(obj), family="query"), records="data.dataList", record_key="_id",
    paginator=Offset(max_size=PAGE_MAX)) for key, obj, en, zh, fields, trigger in OBJECTS if trigger)
TYPES = {"number": "number", "currency": "number", "date": "date", "date_time": "datetime", "true_or_false": "boolean"}


def _discover(client: ApiClient, obj: str) -> tuple[Field, ...]:
    """The object's fields from its describe, custom ``…__c`` fields and option lists included."""
    body = client.json("POST", DESCRIBE, json={"apiName": obj, "includeDetail": False}, family="describe")
    fields = ((body.get("data") or {}).get("describe") or {}).get("fields") or {}
    return tuple(Field(key, str(f.get("label") or key), TYPES.get(str(f.get("type")), "string"),
                       description="custom field" if key.endswith("__c") else "",
                       choices=tuple(str(o["value"]) for o in f.get("options") or []),
                       choice_labels={str(o["value"]): str(o.get("label")) for o in f.get("options") or []})
                 for key, f in fields.items())


_WHY = ("Off for synced writes: they repeat values another system already decided; approval flows would lock each "
        "record until someone approves, and workflows would notify or change fields again on every sync and re-send.",
        "同步写入默认不触发：数据已由另一系统确定；审批流会锁定记录直到审批，工作流会在每次同步和重发时再次通知或改字段。")
CONNECTOR = spec.Connector(
    key="fxiaoke", name_en="Fxiaoke (ShareCRM)", name_zh="纷享销客", owns=spec.Owns.CUSTOMERS,
    settings=(
        Setting("host", "API host", "接口域名", "open.fxiaoke.com, or your company's cloud open-<cloud>.fxiaoke.com "
                "(ask your Fxiaoke administrator); not www.fxiaoke.com, the website.", "填 open.fxiaoke.com；"
                "专属云企业填 open-<云名>.fxiaoke.com（可问管理员）；不要填官网 www.fxiaoke.com。",
                required=False, default="open.fxiaoke.com"),
        Setting("app_id", "App ID", "应用 AppID", "Fxiaoke Open Platform (open.fxiaoke.com) → 应用管理 → your "
                "self-built app: the AppID (FSAID_…).",
                "纷享销客开放平台 → 应用管理 → 自建应用：AppID（FSAID_ 开头）。"),
        Secret("app_secret", "App Secret", "应用 AppSecret", "On the same page as the AppID.", "与 AppID 同一页面。"),
        Secret("permanent_code", "Permanent code", "永久授权码", "Shown once your company's administrator has "
               "authorised the app (same page → 授权信息).", "企业管理员授权应用后显示（同一页面 → 授权信息）。"),
        Setting("admin_mobile", "Administrator's mobile", "管理员手机号", "Mobile number of the CRM administrator "
                "OrderSync acts as (管理后台 → 员工管理).", "OrderSync 以这位 CRM 管理员的身份读写（管理后台 → "
                "员工管理）。"),
        Setting("workflows", "Workflows and approvals on writes", "写入时触发工作流和审批流", *_WHY, required=False,
                default="off", choices=tuple(FLOWS), choice_labels={
                    "off": ("Off (recommended)", "不触发（推荐）"), "workflow": ("Workflows only", "仅工作流"),
                    "both": ("Workflows and approvals", "工作流和审批流")}),
    ),
    base_url="https://{host}", make_auth=_auth, rules=RULES, classify=_classify, error_message=error_message,
    rate_limit=spec.RateLimit(100, 20.0, source=RATE, family="query"),
    more_limits=(*(spec.RateLimit(100, 20.0, source=RATE, family=f) for f in ("create", "update", "describe")),
                 TOKEN_LIMIT),
    test_connection=lambda client: "Fxiaoke 纷享销客: {} customer(s) / 客户".format((client.json(
        "POST", QUERY, family="query", **_search("AccountObj", [], 1)).get("data") or {}).get("total", "?")),
    triggers=TRIGGERS, actions=ACTIONS, discover_fields=_discover,
    sandbox=spec.Sandbox("fxiaoke", credentials={"app_secret": "sandbox-fxiaoke-secret",
                                                 "permanent_code": "sandbox-fxiaoke-permanent-code"},
                         settings={"app_id": "FSAID_sandbox", "admin_mobile": "13800000000"}),
    hosts=("open.fxiaoke.com", "*.fxiaoke.com"), docs="https://developer.fxiaoke.com/openapi_v2/",
)
