"""Kingdee Cloud Galaxy (金蝶云星空) WebAPI: sales orders and customers of an ERP that often runs on-premise.

The account holds the server, data centre and TLS trust (``tls_for``). Sign-in is a session (``LoginByAppSecret`` or
``ValidateUser`` → cookie ``kdservice-sessionid``) kept by ``TokenAuth`` across runs until it expires; "会话信息已丢失"
(HTTP 200, MsgCode 1) renews it once. Cloud tenants may sign each call instead (SDK-2.0 headers). Queries answer rows
of values in FieldKeys order. No upsert: a write finds the bill by its number (from the source record) and saves with
its ``FID`` or creates it, so a repeat after a lost answer finds the bill it created.

Sources: [V] Kingdee's SDK ``kingdee.cdp.webapi.sdk`` 8.2.0 (PyPI, MIT; read only): ``core/webapi_client.py``
(``{server}/{service}.common.kdsvc`` JSON POSTs, SDK-2.0 headers, session cookie, ``response_error:``),
``util/encode_util.py`` (signing key in the app id), ``main.py``. [S] Kingdee's form pages copied in public repos
(``chan-kinghin/Quickpulsev2`` ``docs/api/SAL_SaleOrder_销售订单.md``: query parameters, Limit ≤ 10,000, ``[[…]]``
rows; the MsgCode table; Save's ``Errors[].DIndex``/``SuccessEntitys``), login and session-lost bodies (several
clients), API-FACTS-DETAIL.md §6. Still [S]/[U]: session lifetime (one client re-logs every 1,200 s [S]); rate limit
(server-side since V9.1, unpublished [U]; MsgCode 14 [S]); ``FModifyDate`` in Beijing time [U]; one row per bill for
header-only queries [S]; keys FCustId, FBillAllAmount, FSettleCurrId, FSaleOrderEntry [S], FCUSTID, FTEL [U]; that
a partial Model with ``FID`` keeps the fields it does not name [U].
"""

from __future__ import annotations

import base64
import codecs
import hashlib
import hmac
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import httpx

from ordersync_app.connectors.sdk import auth, rules, spec
from ordersync_app.connectors.sdk.http import ApiClient, tls_from_files
from ordersync_app.connectors.sdk.keyed import FindThenSave
from ordersync_app.connectors.sdk.paginate import Offset
from ordersync_app.connectors.sdk.paths import rows_by_position
from ordersync_app.connectors.sdk.spec import Field, Verdict, Write, WriteResult
from ordersync_app.domain.errors import AuthError, SetupError
from ordersync_app.domain.redact import clip, register_secret

SERVICE = "/Kingdee.BOS.WebApi.ServicesStub.{}.common.kdsvc"
QUERY, SAVE = SERVICE.format("DynamicFormService.ExecuteBillQuery"), SERVICE.format("DynamicFormService.BatchSave")
LOGIN = {"app_secret": SERVICE.format("AuthService.LoginByAppSecret"),
         "password": SERVICE.format("AuthService.ValidateUser")}
SESSION_COOKIES, SESSION_SECONDS = ("kdservice-sessionid", "ASP.NET_SessionId"), 1200
MAX_ROWS = 2000  # Limit: ≤ 2,000 before patch 23.11, 10,000 after (WebAPIMaxQueryLimit) [S]
# encode_util.py [V]: the app id's second half XOR this (the SDK's default key, rot13-encoded there) is the HMAC key.
XOR_KEY = codecs.encode("0054s397p6234378o09pn7q3r5qropr7", "rot13").encode()
STATUS, LISTED = "Result.ResponseStatus", "[0][0].Result.ResponseStatus"  # queries wrap errors in [[…]] [S]


def _code(verdict: Verdict, codes: tuple[int, ...], en: str, zh: str) -> tuple[rules.Rule, ...]:
    return tuple(rules.on(verdict, status=200, path=f"{at}.MsgCode", equals=codes, message=f"{at}.Errors[0].Message",
                          explain=(en, zh)) for at in (STATUS, LISTED))


RULES = (  # MsgCode table [S]: 1 上下文丢失, 2 没有权限, 7 许可错误, 13 网控冲突, 14 调用限制, 15 禁止管理员登录
    *_code(Verdict.REAUTH, (1,), "The Kingdee session ended; signing in again", "金蝶会话已失效，正在重新登录"),
    *_code(Verdict.RETRY, (14,), "Kingdee limits how often its WebAPI may be called; trying again shortly",
           "金蝶限制了 WebAPI 调用频率，稍后重试"),
    *_code(Verdict.RETRY, (13,), "Someone is editing this bill in Kingdee (network control); trying again shortly",
           "该单据正被他人编辑（网控冲突），稍后重试"),
    *_code(Verdict.SETUP, (2, 7, 15), "The Kingdee user lacks the permission or licence for this",
           "该金蝶用户缺少此操作的权限或许可"),
    rules.on(Verdict.REJECT, status=200, path=f"{LISTED}.IsSuccess", equals=(False,),
             message=f"{LISTED}.Errors[0].Message", explain=("Kingdee refused the query", "金蝶拒绝了此查询")),
    rules.on(Verdict.RETRY, status=200, contains="response_error:",
             explain=("Kingdee failed inside", "金蝶服务内部出错")),
)


# -- sign-in --------------------------------------------------------------------------------------
def _need(account: spec.AccountConfig, *keys: str) -> list[str]:
    values = [account.settings.get(k) or account.secret(k) or "" for k in keys]
    if missing := [k for k, v in zip(keys, values, strict=True) if not v]:
        raise SetupError(f"Kingdee account '{account.name}' has no {', '.join(missing)}",
                         hint="fill it in under Accounts (系统管理 → 第三方系统登录授权 shows the app ID and secret)")
    return values


def _login(account: spec.AccountConfig) -> httpx.Request:
    """ValidateUser [acct, user, password, lcid] or LoginByAppSecret [acct, user, app id, secret, lcid] [S]."""
    mode = account.settings.get("sign_in") or "app_secret"
    keys = ("password",) if mode == "password" else ("app_id", "app_secret")
    parameters: list[Any] = [*_need(account, "acct_id", "username", *keys), int(account.settings.get("lcid") or 2052)]
    return httpx.Request("POST", account.base_url.rstrip("/") + LOGIN[mode], json={"parameters": parameters})


def _session(response: httpx.Response, account: spec.AccountConfig) -> auth.Token:
    """``LoginResultType`` 1 and the session cookies (or ``KDSVCSessionId`` in the body, on some servers [S])."""
    body = rules.body_of(response)
    body = body if isinstance(body, dict) else {}
    jar = auth.cookies_of(response, SESSION_COOKIES) or \
        (f"kdservice-sessionid={body['KDSVCSessionId']}" if body.get("KDSVCSessionId") else "")
    if response.status_code != 200 or body.get("LoginResultType") != 1 or not jar:
        raise AuthError(f"Kingdee refused the sign-in of account '{account.name}'", account=account.name,
                        vendor_message=clip(str(body.get("Message") or response.text), 300),
                        hint="check the data centre ID, the user, and the app ID/secret or password")
    return auth.Token(jar, SESSION_SECONDS)


def _b64_hmac(key: str, text: str) -> str:  # Base64 of the *hex* HMAC-SHA256 (hmac_util.HmacSHA256 [V])
    return base64.b64encode(hmac.new(key.encode(), text.encode(), hashlib.sha256).hexdigest().encode()).decode()


def signed_headers(app_id: str, app_secret: str, acct: str, user: str, lcid: int | str, org: int | str,
                   path: str, timestamp: int) -> dict[str, str]:
    """The SDK-2.0 headers of one call to ``path`` (webapi_client.BuildHeader [V]; the nonce is the timestamp)."""
    client_id, hidden = app_id.split("_") if app_id.count("_") == 1 else ("", "")
    key = base64.b64encode(bytes(b ^ k for b, k in zip(base64.b64decode(hidden), XOR_KEY, strict=False))).decode() \
        if len(hidden) == 32 else ""
    stamp, app_data = str(timestamp), f"{acct},{user},{lcid},{org}"
    text = f"POST\n{quote(path, safe='')}\n\nx-api-nonce:{stamp}\nx-api-timestamp:{stamp}\n"
    return {"X-Api-ClientID": client_id, "X-Api-Auth-Version": "2.0", "x-api-timestamp": stamp, "x-api-nonce": stamp,
            "x-api-signheaders": "x-api-timestamp,x-api-nonce", "X-Api-Signature": _b64_hmac(key, text),
            "X-Kd-Appkey": app_id, "X-Kd-Appdata": base64.b64encode(app_data.encode()).decode(),
            "X-Kd-Signature": _b64_hmac(app_secret, app_id + app_data)}


def _sign(request: httpx.Request, account: spec.AccountConfig) -> httpx.Request:
    acct, user, app_id, secret = _need(account, "acct_id", "username", "app_id", "app_secret")
    request.headers.update(signed_headers(app_id, secret, acct, user, account.settings.get("lcid") or 2052,
                                          account.settings.get("org_number") or 0, request.url.path, int(time.time())))
    return request


def _auth(account: spec.AccountConfig) -> httpx.Auth:
    for key in ("app_secret", "password"):
        register_secret(account.secret(key))
    if account.settings.get("sign_in") == "signed":
        return auth.SignedAuth(account, _sign)
    return auth.TokenAuth(account, request=_login, read=_session, apply=auth.cookie_apply, store_as="kingdee_session",
                          skew=60)


# -- forms ----------------------------------------------------------------------------------------
def _quote(value: Any) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def query_data(form: str, keys: tuple[str, ...], filters: list[str], *, order: str, start: int = 0,
               limit: int = MAX_ROWS) -> dict[str, Any]:
    """The JSON body of an ExecuteBillQuery call."""
    return {"data": {"FormId": form, "FieldKeys": ",".join(keys), "FilterString": " AND ".join(filters),
                     "OrderString": order, "TopRowCount": 0, "StartRow": start, "Limit": limit}}


class Form:
    """One Kingdee form (bill type): how it is queried, found by number and saved."""

    def __init__(self, form_id: str, id_key: str, number_key: str, keys: tuple[str, ...],
                 create: Callable[[str], dict[str, Any]], entry: tuple[str, tuple[str, ...]] = ("", ())) -> None:
        self.form_id, self.id_key, self.number_key, self.create, self.entry = form_id, id_key, number_key, create, entry
        self.keys = (id_key, number_key, *keys)
        self.named = rows_by_position(self.keys)
        self.writes = FindThenSave(self.find, self.save, what=form_id)

    def encode(self, p: spec.Params) -> dict[str, Any]:
        """One page of a trigger: the cursor window, an optional status, StartRow/Limit (oldest first)."""
        filters = [f"FModifyDate {op} {_quote(p[k])}" for k, op in (("since", ">="), ("until", "<")) if p.get(k)]
        filters += [f"FDocumentStatus = {_quote(p['FDocumentStatus'])}"] if p.get("FDocumentStatus") else []
        return {"json": query_data(self.form_id, self.keys, filters, order=f"FModifyDate ASC,{self.id_key} ASC",
                                   start=int(p.get("StartRow", 0)), limit=int(p.get("Limit", MAX_ROWS)))}

    def find(self, client: ApiClient, numbers: list[str]) -> dict[str, dict[str, Any]]:
        """Bills by number (the first row of each: entry fields come one row per entry)."""
        found: dict[str, dict[str, Any]] = {}
        for start in range(0, len(numbers), 200):
            where = f"{self.number_key} IN ({','.join(_quote(n) for n in numbers[start:start + 200])})"
            body = client.json("POST", QUERY, json=query_data(self.form_id, self.keys, [where], order=self.id_key))
            for row in self.named(body):
                found.setdefault(str(row[self.number_key]), row)
        return found

    def save(self, client: ApiClient, pairs: list[tuple[Write, Any]]) -> list[WriteResult]:
        """One BatchSave: with FID an update, without a create; each answer by ``DIndex`` (none: unknown)."""
        org = client.account.settings.get("org_number") or "100"
        models = [self.model(w, (now or {}).get(self.id_key), org) for w, now in pairs]
        body = client.json("POST", SAVE, write=True, json={"formid": self.form_id, "data": {
            "Model": models, "IsDeleteEntry": "true", "ValidateFlag": "true", "NumberSearch": "true"}})
        status = ((body.get("Result") if isinstance(body, dict) else None) or {}).get("ResponseStatus") or {}
        saved = {int(e.get("DIndex", i)): e for i, e in enumerate(status.get("SuccessEntitys") or [])}
        failed = {int(e.get("DIndex") or 0): str(e.get("Message") or "Kingdee refused this bill")
                  for e in reversed(status.get("Errors") or [])}  # the first error of each bill wins
        return [WriteResult(w.ref, "ok", target_id=str(saved[i].get("Id")), message=None if now else "created")
                if i in saved else WriteResult(w.ref, "rejected" if i in failed else "unknown", message=failed.get(i))
                for i, (w, now) in enumerate(pairs)]

    def model(self, write: Write, fid: Any, org: str) -> dict[str, Any]:
        """The Save ``Model``: dotted keys nested (``FCustId.FNumber``), entry keys in one entry row (IsDeleteEntry
        true, the default: the bill's entries become exactly these [S])."""
        model: dict[str, Any] = {self.id_key: fid or 0, self.number_key: write.match}
        model.update({} if fid else self.create(org))
        entry: dict[str, Any] = {}
        for key, value in write.properties.items():
            head, _, tail = key.partition(".")
            (entry if key in self.entry[1] else model)[head] = {tail: value} if tail else value
        return model | ({self.entry[0]: [entry]} if entry else {})


SALES_ORDERS = Form("SAL_SaleOrder", "FID", "FBillNo", (  # standard bill type XSDD01_SYS, org by number [S]
    "FDate", "FDocumentStatus", "FCustId.FNumber", "FCustId.FName", "FSalerId.FName", "FSettleCurrId.FNumber",
    "FBillAllAmount", "FNote", "FModifyDate", "FMaterialId.FNumber", "FQty", "FTaxPrice"),
    lambda org: {"FBillTypeID": {"FNUMBER": "XSDD01_SYS"}, "FSaleOrgId": {"FNumber": org}},
    entry=("FSaleOrderEntry", ("FMaterialId.FNumber", "FQty", "FTaxPrice")))
CUSTOMERS = Form("BD_Customer", "FCUSTID", "FNumber", ("FName", "FShortName", "FTEL", "FDocumentStatus", "FModifyDate"),
                 lambda org: {"FCreateOrgId": {"FNumber": org}, "FUseOrgId": {"FNumber": org}})
SO_HEADER = Form("SAL_SaleOrder", "FID", "FBillNo", SALES_ORDERS.keys[2:-3], dict)  # header only: a row per bill [S]
CURSOR = spec.Cursor("FModifyDate", param="since", until_param="until", format="%Y-%m-%d %H:%M:%S",
                     zone="Asia/Shanghai", granularity=1, sorted=True)
STATUS_PARAM = spec.Param("document_status", "Only bills in this status", label_zh="仅此状态的单据",
                          send_as="FDocumentStatus", description="Z 暂存, A 创建, B 审核中, C 已审核, D 重新审核")
FIELDS = spec.fields_from("ordersync_app.connectors", "kingdee_fields.json")  # labels in both languages


def _trigger(key: str, en: str, zh: str, form: Form, fields: tuple[Field, ...]) -> spec.Trigger:
    return spec.Trigger(key, en, zh, CURSOR, fields, params=(STATUS_PARAM,), page_size=500,
                        description=f"{form.form_id} bills by FModifyDate (ExecuteBillQuery, oldest first).",
                        request=spec.Post(QUERY, encode=form.encode), records=form.named, record_key=form.id_key,
                        paginator=Offset("StartRow", "Limit", max_size=MAX_ROWS))


def _action(key: str, en: str, zh: str, form: Form, fields: tuple[Field, ...], match: str) -> spec.Action:
    return spec.Action(key, en, zh, fields, form.writes.deliver, form.writes.read_current, batch_max=50,
                       match=spec.Param("match", match, required=True, label_zh="单据编号 / 编码"), object=form.form_id,
                       idempotency=f"finds the {form.form_id} by its number, then saves with its FID (an update) or "
                                   "creates it under that number: a repeat finds the bill it made",
                       semantics=spec.WriteSemantics.KEYED)


def test_connection(client: ApiClient) -> str:
    """Sign in, then query rows every data centre has (its organisations): Kingdee answers a query the user may not
    run with an empty list, not an error (API-FACTS corrections [S]), so "none" there means "no access"."""
    def count(form: str, key: str) -> int:
        return len(client.json("POST", QUERY, json=query_data(form, (key,), [], order=key, limit=5)) or [])
    if not count("ORG_Organizations", "FNumber"):
        raise SetupError("Kingdee accepted the sign-in but showed no organisations: this user may not query data "
                         "(Kingdee answers a missing permission with an empty list) / "
                         "金蝶登录成功但查不到任何组织，该用户可能没有查询权限",
                         hint="grant the user view rights (查看) in Kingdee: 系统管理 → 用户管理 → 业务对象功能授权")
    return "Kingdee: signed in; " + "; ".join(
        f"{name}: " + ("readable" if count(form, key) else "none visible (grant 查看 on this form if you expect some)")
        for name, form, key in (("sales orders", "SAL_SaleOrder", "FBillNo"), ("customers", "BD_Customer", "FNumber")))


SETTINGS = spec.settings_from("ordersync_app.connectors", "kingdee_settings.json")  # help texts in both languages

CONNECTOR = spec.Connector(
    key="kingdee", name_en="Kingdee Cloud Galaxy", name_zh="金蝶云星空", owns=spec.Owns.ORDERS, settings=SETTINGS,
    base_url="{server_url}", make_auth=_auth, rules=RULES, test_connection=test_connection,
    error_message=rules.message_at(f"{STATUS}.Errors[0].Message", f"{LISTED}.Errors[0].Message", "Message"),
    rate_limit=spec.RateLimit(5, 1.0, source="unpublished; V9.1 limits WebAPI calls server-side [U]"),
    tls_for=lambda settings: tls_from_files(settings.get("tls_ca_file"), settings.get("tls_pinned_cert")),
    triggers=(_trigger("sales_order_updated", "Sales order created or changed", "销售订单新增或修改", SO_HEADER,
                       FIELDS["sales_order"]),
              _trigger("customer_updated", "Customer created or changed", "客户新增或修改", CUSTOMERS,
                       FIELDS["customer"])),
    actions=(_action("save_sales_order", "Create or update sales order", "新增或更新销售订单", SALES_ORDERS,
                     FIELDS["save_sales_order"], "Bill number (FBillNo)"),
             _action("save_customer", "Create or update customer", "新增或更新客户", CUSTOMERS, FIELDS["save_customer"],
                     "Customer number (FNumber)")),
    sandbox=spec.Sandbox("kingdee", credentials={"app_secret": "sandbox-kingdee-app-secret",
                                                 "password": "sandbox-kingdee-password"},
                         settings={"server_url": "https://kingdee.sandbox.invalid/k3cloud", "sign_in": "app_secret",
                                   "acct_id": "66c3712248af25", "username": "ordersync",
                                   "app_id": "224233_MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0", "org_number": "100"}),
    docs="https://openapi.open.kingdee.com/ApiSdkCenter",
)
