"""Salesforce REST API v62.0: opportunities, accounts, contacts and orders, read by SOQL, written in sObject Collections
(≤ 200 records a call). Salesforce owns the CUSTOMERS side of the one-direction rule.

Sources [V], developer.salesforce.com/docs/platform/api-rest/guide/: ``resources-query`` (``nextRecordsUrl``, batches
≤ 2,000 by ``Sforce-Query-Options: batchSize``), ``resources-composite-sobjects-collections-upsert``
(``attributes.type`` on each record, results in request order, ``allOrNone`` false by default) and the create and
update pages, ``dome-sobject-describe``, ``headers_api_usage`` (``Sforce-Limit-Info``), ``errorcodes`` (``[{message,
errorCode, fields}]``; 401 ``INVALID_SESSION_ID`` (sign in again); 403 ``REQUEST_LIMIT_EXCEEDED`` = the daily
allocation, "TotalRequests Limit exceeded.", no Retry-After, or the concurrent-request limit: API-FACTS.md
corrections); help.salesforce.com OAuth web server flow (PKCE) and JWT bearer flow; token answers carry
``instance_url``, no ``expires_in`` (API-FACTS-DETAIL.md §2); SOQL and SOSL Reference (literals). "Opportunity
entered stage X" is a condition on the new value (``StageName = X``, changed since the cursor), so edits while it
stays in X fire again; a true "changed to X" needs recipe format v2.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from importlib import resources
from typing import Any

import httpx

from ordersync_app.connectors.sdk import auth, rules, spec
from ordersync_app.connectors.sdk.batch import distinct_rounds
from ordersync_app.connectors.sdk.http import ApiClient
from ordersync_app.connectors.sdk.paginate import NextUrl
from ordersync_app.connectors.sdk.spec import Field, Param, Secret, Setting, Verdict, Write, WriteResult
from ordersync_app.domain.errors import RecordRejected

API = "/services/data/v62.0"  # Winter '25, in the REST API Developer Guide's version menu (API-FACTS-DETAIL §2) [V]
BATCH_MAX, PAGE_MAX = 200, 2000
MARKER = "OrderSync_Id__c"  # the External ID field (Text, External ID, Unique) OrderSync suggests creating
DAILY_WAIT = 3600.0  # no Retry-After [V]; the allocation is a rolling 24 h window that frees up as calls age [U]
TRANSIENT = {"UNABLE_TO_LOCK_ROW"}  # another transaction holds the record: try again later [S]
NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")  # an sObject or field API name (``Amount``, ``Shopify_Order_Id__c``)
RECORD_ID = re.compile(r"[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?")
_CATALOGUE = json.loads(resources.files(__package__).joinpath("salesforce_fields.json").read_text("utf-8"))
LABELS = {obj: tuple(about["label"]) for obj, about in _CATALOGUE.items() if not obj.startswith("_")}
OBJECTS = {obj: (Field("Id", "Record ID", label_zh="记录 ID", read_only=True),  # Id and the stamp are read-only
                 *(Field(key, en, kind, label_zh=zh, choices=tuple(choices), read_only=ro)
                   for key, en, zh, kind, choices, ro in _CATALOGUE[obj]["fields"]),
                 Field("SystemModstamp", "Last changed", "datetime", label_zh="最后修改时间", read_only=True))
           for obj in LABELS}
_NAMES = {obj: ", ".join(f.key for f in fields) for obj, fields in OBJECTS.items()}
_ESCAPES = str.maketrans({"\\": "\\\\", "'": "\\'", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def _name(value: Any, what: str = "field") -> str:
    """An API name as given, or the record is refused (names go into SOQL and URLs unquoted)."""
    if not isinstance(value, str) or not NAME.fullmatch(value):
        raise RecordRejected(f"'{value}' is not a Salesforce {what} API name")
    return value


def _quote(value: Any) -> str:
    """A SOQL string literal: backslash, quotes and line breaks escaped."""
    return f"'{str(value).translate(_ESCAPES)}'"


def _flat(record: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k != "attributes"}


def _query(client: ApiClient, soql: str) -> list[dict[str, Any]]:
    """One SOQL batch (≤ 2,000 rows; lookups and re-reads ask for at most 200)."""
    return [_flat(r) for r in client.json("GET", f"{API}/query", params={"q": soql}).get("records") or []]


# -- triggers --------------------------------------------------------------------------------------
def _soql(obj: str) -> spec.Encode:
    """The page's SOQL: ``SystemModstamp`` ≥ since (< until), oldest first, the batch size in its header."""
    def encode(p: dict[str, Any]) -> dict[str, Any]:
        where = [f"SystemModstamp {op} {p[k]}" for k, op in (("since", ">="), ("until", "<")) if p.get(k)]
        where += [f"StageName = {_quote(p['stage'])}"] if p.get("stage") else []
        soql = f"SELECT {_NAMES[obj]} FROM {obj}" + (" WHERE " + " AND ".join(where) if where else "")
        return {"params": {"q": soql + " ORDER BY SystemModstamp, Id"},
                "headers": {"Sforce-Query-Options": f"batchSize={p['batchSize']}"}}
    return encode


def _trigger(key: str, en: str, zh: str, obj: str, *params: Param) -> spec.Trigger:
    return spec.Trigger(
        key, en, zh, spec.Cursor("SystemModstamp", param="since", until_param="until", granularity=1), OBJECTS[obj],
        params=params, page_size=BATCH_MAX, record_key="Id", shape=_flat, records="records",
        request=spec.Request("GET", f"{API}/query", encode=_soql(obj)),
        paginator=NextUrl("nextRecordsUrl", "done", PAGE_MAX, size_param="batchSize"))


TRIGGERS = (*(_trigger(f"{o.lower()}_updated", f"{en.capitalize()} created or changed", f"{zh}新建或变更", o)
              for o, (en, zh) in LABELS.items()),
            _trigger("opportunity_entered_stage", "Opportunity entered a stage", "商机进入某阶段", "Opportunity",
                     Param("stage", "Stage", required=True, default="Closed Won", label_zh="阶段", send_as="stage")))


# -- actions: upsert by External ID, update by record ID, create with a marker ---------------------
def _key(how: str, w: Write) -> tuple[str, Any]:
    """The field a write is found by, and its value: External ID, record ID, or marker (the write's ref)."""
    named = w.params.get("external_id_field") or w.params.get("marker_field") or MARKER
    return ("Id" if how == "update" else _name(named)), (w.ref if how == "create" else w.match)


def _fold(value: Any) -> str:
    return str(value).casefold()  # External ID text matches without regard to case [U]


def _result(write: Write, answer: Mapping[str, Any]) -> WriteResult:
    """One UpsertResult/SaveResult: ``{id, success, errors: [{statusCode, message, fields}], created}``."""
    if answer.get("success"):
        return WriteResult(write.ref, "ok", str(answer["id"]), "created" if answer.get("created") else None)
    errors = answer.get("errors") or [{"statusCode": "NO_RESULT", "message": "Salesforce sent no result"}]
    text = "; ".join(f"{e.get('message')} [{e.get('statusCode')}]" for e in errors)
    codes = {e.get("statusCode") for e in errors}
    return WriteResult(write.ref, "transient" if codes <= TRANSIENT else "unknown" if "NO_RESULT" in codes else
                       "rejected", message=text)


def _deliver(obj: str, how: str) -> spec.Deliver:
    """sObject Collections (≤ 200), per-record results mapped back in request order; a key goes once per call."""
    def deliver(client: ApiClient, writes: list[Write]) -> list[WriteResult]:
        out = {w.ref: WriteResult(w.ref, "rejected", message="no key") for w in writes if not _key(how, w)[1]}
        for batch in distinct_rounds((w for w in writes if w.ref not in out), lambda w: _fold(_key(how, w)[1])):
            field = _key(how, batch[0])[0]
            records = [{"attributes": {"type": obj}, **{_name(k): v for k, v in w.properties.items()},
                        "id" if how == "update" else field: _key(how, w)[1]} for w in batch]
            path = f"{API}/composite/sobjects" + (f"/{obj}/{field}" if how == "upsert" else "")
            answers = client.json("POST" if how == "create" else "PATCH", path, write=True,
                                  json={"allOrNone": False, "records": records})
            answers = answers if isinstance(answers, list) and len(answers) == len(batch) else [{}] * len(batch)
            out.update({w.ref: _result(w, a) for w, a in zip(batch, answers, strict=True)})
        return [out[w.ref] for w in writes]
    return deliver


def _reader(obj: str, how: str) -> spec.ReadCurrent:
    """Current values of the written fields by a SOQL ``IN`` over the writes' keys (None: no such record)."""
    def read(client: ApiClient, writes: list[Write]) -> list[dict[str, Any] | None]:
        found: dict[str, dict[str, Any]] = {}
        by = _key(how, writes[0])[0] if writes else "Id"
        keys = [k for w in writes if (k := _key(how, w)[1]) and (by != "Id" or RECORD_ID.fullmatch(str(k)))]
        names = ", ".join(sorted({by, "Id", *(_name(k) for w in writes for k in w.properties)}))
        for start in range(0, len(keys), BATCH_MAX):
            values = ", ".join(_quote(k) for k in keys[start:start + BATCH_MAX])
            rows = _query(client, f"SELECT {names} FROM {obj} WHERE {by} IN ({values})")
            found.update({_fold(r.get(by)): r for r in rows})
        return [{k: found[f].get(k) for k in w.properties} if (f := _fold(_key(how, w)[1])) in found else None
                for w in writes]
    return read


_SET = "sets the mapped fields to their desired values; repeating it changes nothing"
_WAYS = (("upsert", "Create or update {} by External ID", "按外部 ID 创建或更新{}", spec.WriteSemantics.KEYED,
          f"sObject Collections upsert by an External ID field {_SET}"),
         ("update", "Update {} by ID", "按 ID 更新{}", spec.WriteSemantics.SET,
          f"sObject Collections update {_SET}; a missing record is rejected"),
         ("create", "Create {}", "新建{}", spec.WriteSemantics.APPEND, "creates one record per change, stamped with "
          "its delivery reference in the marker field: after a lost answer it is looked up before any re-send"))
_EXTRA: dict[str, dict[str, Any]] = {
    "upsert": {"match": Param("match", "External ID value", required=True, label_zh="外部 ID 值"),
               "params": (Param("external_id_field", "External ID field", default=MARKER, label_zh="外部 ID 字段",
                                description="a field marked External ID and Unique, e.g. Shopify_Order_Id__c"),)},
    "update": {"match": Param("match", "Salesforce record ID", required=True, label_zh="Salesforce 记录 ID")},
    "create": {"params": (Param("marker_field", "External ID field that marks OrderSync's records", default=MARKER,
                                label_zh="标记 OrderSync 记录的外部 ID 字段"),), "marker": MARKER,
               "marker_param": "marker_field"}}  # the engine stamps each create's ledger reference there
ACTIONS = tuple(spec.Action(
    f"{how}_{obj.lower()}", en.format(LABELS[obj][0]), zh.format(LABELS[obj][1]),
    tuple(f for f in OBJECTS[obj] if not f.read_only), _deliver(obj, how), _reader(obj, how), batch_max=BATCH_MAX,
    idempotency=why, semantics=semantics, object=obj, open_fields=True, **_EXTRA[how])
    for obj in LABELS for how, en, zh, semantics, why in _WAYS)


def _finder(obj: str) -> spec.Find:
    """``SELECT … WHERE {field} = {value} LIMIT 1``: the first match, or None."""
    def find(client: ApiClient, params: Mapping[str, Any]) -> dict[str, Any] | None:
        field, value, names = _name(params.get("field") or "Id"), params.get("value"), _NAMES[obj]
        rows = _query(client, f"SELECT {names} FROM {obj} WHERE {field} = {_quote(value)} LIMIT 1") if value else []
        return rows[0] if rows else None
    return find


_MATCH = (Param("field", "Field to match", default="Id", label_zh="匹配字段"),
          Param("value", "Value", required=True, label_zh="值"))
LOOKUPS = tuple(spec.Lookup(f"find_{o.lower()}", f"Find {en}", f"查找{zh}", _MATCH, OBJECTS[o], _finder(o))
                for o, (en, zh) in LABELS.items())
_TYPES = dict.fromkeys(("double", "currency", "percent"), "number") | {"int": "integer"} | {t: t for t in (
    "boolean", "date", "datetime")}


def _discover(client: ApiClient, obj: str) -> tuple[Field, ...]:
    """The object's fields from ``GET /sobjects/{Object}/describe``: custom ``…__c`` ones, active picklist values."""
    found = []
    for f in client.json("GET", f"{API}/sobjects/{_name(obj, 'object')}/describe").get("fields") or []:
        picks = {str(v["value"]): str(v.get("label") or v["value"]) for v in f.get("picklistValues") or []
                 if v.get("active", True)}
        notes = [t for t, on in (("custom", f.get("custom")), ("External ID", f.get("externalId"))) if on]
        found.append(Field(str(f["name"]), str(f.get("label") or f["name"]), _TYPES.get(f.get("type"), "string"),
                           description=" · ".join(notes), choices=tuple(picks), choice_labels=picks,
                           read_only=not (f.get("createable") or f.get("updateable"))))
    return tuple(found)


# -- sign-in ---------------------------------------------------------------------------------------
def _audience(account: spec.AccountConfig) -> str:
    """The JWT ``aud``: the test login server for sandbox orgs [S], else the production one."""
    host = httpx.URL(account.settings.get("login_url") or "https://login.salesforce.com").host
    return f"https://{'test' if host.endswith(('test.salesforce.com', '.sandbox.my.salesforce.com')) else 'login'}" \
        ".salesforce.com"


def _auth(account: spec.AccountConfig) -> httpx.Auth:
    """Refresh token (browser sign-in) or JWT bearer; either answer names the instance the calls go to."""
    token_url, needs = f"{account.base_url.rstrip('/')}/services/oauth2/token", ("instance_url",)
    read, apply = auth.json_token(expires_path=None, default_lifetime=None, state=needs), auth.instance_apply()
    if account.settings.get("auth_mode") == "jwt":
        return auth.jwt_bearer(account, token_url, audience=_audience, read=read, apply=apply, needs_state=needs)
    return auth.oauth2_refresh(account, token_url, secret_required=False, read=read, apply=apply, needs_state=needs)


def _test_connection(client: ApiClient) -> str:
    """Count opportunities; show the org's API use (``Sforce-Limit-Info``, kept in the client's stats)."""
    total = client.json("GET", f"{API}/query", params={"q": "SELECT COUNT() FROM Opportunity"}).get("totalSize")
    return f"Salesforce: {total} opportunities; API requests in the last 24 h: {client.stats.usage or 'not reported'}"


_OAUTH, _JWT = {"auth_mode": ("oauth",)}, {"auth_mode": ("jwt",)}
SETTINGS = (
    Setting("auth_mode", "Sign-in method", "登录方式", required=False, default="oauth", choices=("oauth", "jwt"),
            choice_labels={"oauth": ("Sign in with Salesforce (browser)", "用 Salesforce 账号登录（浏览器）"),
                           "jwt": ("Server install: JWT bearer, certificate", "服务器安装：JWT 持有者（证书）")}),
    Setting("login_url", "Login URL (My Domain)", "登录网址（我的域）", "Setup → My Domain → Current My Domain URL, "
            "e.g. https://acme.my.salesforce.com; sandbox orgs: https://test.salesforce.com", "设置 → 我的域 → "
            "当前“我的域”网址，如 https://acme.my.salesforce.com；沙盒组织：https://test.salesforce.com",
            required=False, default="https://login.salesforce.com"),
    Setting("client_id", "Consumer key", "使用者密钥", "Setup → External Client App Manager (connected apps: App "
            "Manager) → your app → OAuth Settings → Consumer Key and Secret", "设置 → 外部客户端应用管理器（连接的"
            "应用：应用管理器）→ 你的应用 → OAuth 设置 → 使用者密钥和密码"),
    Secret("client_secret", "Consumer secret", "使用者密码", "Shown with the consumer key (Manage Consumer Details)",
           "与使用者密钥一同显示（管理使用者详细信息）", shown_when=_OAUTH),
    Setting("callback_port", "Sign-in callback port", "登录回调端口", "The app's Callback URL: http://127.0.0.1:<port>"
            "/callback", "应用的回调 URL：http://127.0.0.1:<端口>/callback", required=False, default="17171",
            shown_when=_OAUTH),
    Setting("username", "Integration user's username", "集成用户的用户名", "The user the server signs in as, "
            "pre-authorized in the app's Policies", "服务器以此用户登录，须在应用策略中预先授权", shown_when=_JWT),
    Secret("private_key", "Private key (PEM)", "私钥（PEM）", "The key of the certificate uploaded in the app's OAuth "
           "Settings → Use digital signatures", "与应用 OAuth 设置 →“使用数字签名”中上传的证书配对的私钥",
           shown_when=_JWT, multiline=True),
)

CONNECTOR = spec.Connector(
    key="salesforce", name_en="Salesforce", name_zh="Salesforce", owns=spec.Owns.CUSTOMERS, settings=SETTINGS,
    base_url="{login_url}", make_auth=_auth, triggers=TRIGGERS, actions=ACTIONS, lookups=LOOKUPS,
    discover_fields=_discover, test_connection=_test_connection,
    rate_limit=spec.RateLimit(10, 1.0, source="OrderSync's pacing [U]: Salesforce limits per day and concurrency"),
    rules=(rules.on(Verdict.RETRY, status=403, path="[0].message", contains="TotalRequests", message="[0].message",
                    wait_seconds=DAILY_WAIT),  # the daily allocation: records stay queued, one alert
           rules.on(Verdict.RETRY, status=403, path="[0].errorCode", equals="REQUEST_LIMIT_EXCEEDED")),  # concurrency
    error_message=rules.message_at("[0].message", "error_description", tags=("[0].errorCode", "error")),
    usage=lambda response: response.headers.get("Sforce-Limit-Info"),
    oauth=spec.OAuthApp("/services/oauth2/authorize", "/services/oauth2/token", "api refresh_token",
                        extra={"response_type": "code"}, authorize_setting=None, port_setting="callback_port",
                        state=("instance_url",), lifetime=None),
    hosts=("login.salesforce.com", "test.salesforce.com", "*.my.salesforce.com", "*.sandbox.my.salesforce.com"),
    sandbox=spec.Sandbox("salesforce", credentials={"refresh_token": "sandbox-salesforce-refresh-token"},
                         settings={"auth_mode": "oauth", "client_id": "sandbox-salesforce-consumer-key"}),
    docs="https://developer.salesforce.com/docs/platform/api-rest/guide/intro-rest.html",
)
