"""Emulated Kingdee Cloud Galaxy (金蝶云星空) WebAPI, so the connector is tested and demoed without a server.

A real K/3 Cloud usually sits on the customer's own network; this emulator reproduces what the connector relies
on, over loopback: the ``…ServicesStub.<Service>.common.kdsvc`` JSON POSTs, both session logins (``ValidateUser``,
``LoginByAppSecret``) answering ``LoginResultType`` and the ``kdservice-sessionid``/``ASP.NET_SessionId`` cookies,
sessions that expire (and "会话信息已丢失", MsgCode 1, inside HTTP 200 afterwards), the SDK-2.0 signed headers,
``ExecuteBillQuery`` rows in FieldKeys order with its ``[[{"Result": …}]]`` error wrapping, ``FilterString``,
``OrderString``, ``StartRow``/``Limit`` paging, a user without query rights getting empty lists (not errors), and
``BatchSave`` updating by ``FID`` or creating, answering ``Errors``/``SuccessEntitys`` by ``DIndex``.

Sources are those of ``connectors/kingdee.py``. Where no source shows the exact text or code, the answer is
marked [U]: the login failure messages, the rate-limit wording, the field-not-found message, the session
lifetime (20 minutes here). Bill numbers are not forced unique (that depends on the numbering rule's settings
[U]), so a connector that created a bill twice would show it here.
"""

from __future__ import annotations

import hmac
import json
import re
import secrets
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from ordersync_app.connectors.kingdee import CONNECTOR, LOGIN, QUERY, SAVE, signed_headers
from ordersync_app.sandbox import demo_data
from ordersync_app.sandbox._server import Request, Response, SandboxApp

BEIJING = timezone(timedelta(hours=8))
SESSION_SECONDS = 20 * 60  # [U] the server's own timeout; the connector renews a little earlier
MAX_LIMIT = 10_000  # Limit "不能超过10000" (per-form WebAPI pages [S])
FORMS = {  # form → (id key, number key, entry entity, entry keys)
    "SAL_SaleOrder": ("FID", "FBillNo", "FSaleOrderEntry", ("FMaterialId.FNumber", "FQty", "FTaxPrice")),
    "BD_Customer": ("FCUSTID", "FNumber", "", ()),
    "ORG_Organizations": ("FOrgID", "FNumber", "", ()),
}
_TERM = re.compile(r"^\s*([\w.]+)\s*(>=|<=|<>|=|>|<|\bIN\b)\s*(.+?)\s*$", re.IGNORECASE)
_LITERAL = re.compile(r"'((?:[^']|'')*)'")


def _stamp(moment: datetime) -> str:
    return moment.astimezone(BEIJING).strftime("%Y-%m-%dT%H:%M:%S")


def status(ok: bool, msg_code: int = 0, errors: list[dict[str, Any]] | None = None,
           saved: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Kingdee's ``Result.ResponseStatus`` envelope."""
    return {"Result": {"ResponseStatus": {"ErrorCode": 0 if ok else 500, "IsSuccess": ok, "Errors": errors or [],
                                          "SuccessEntitys": saved or [], "SuccessMessages": [], "MsgCode": msg_code}}}


def failure(message: str, msg_code: int, *, listed: bool) -> Response:
    """An error inside HTTP 200; query answers wrap it as ``[[…]]`` [S]."""
    body = status(False, msg_code, [{"FieldName": None, "Message": message, "DIndex": 0}])
    return Response(200, [[body]] if listed else body)


def render_order(order: dict[str, Any]) -> dict[str, Any]:
    """Demo order ``i`` (see ``demo_data``) as sales order XSDD00000i of customer CUST{7000+i}."""
    i, customer = order["index"], order["customer"]
    name = f"{customer['lastName']}{customer['firstName']}" if order["currency"] == "CNY" else \
        f"{customer['firstName']} {customer['lastName']}"
    return {"FID": 100000 + i, "FBillNo": f"XSDD{i:06d}", "FDate": _stamp(order["createdAt"])[:10] + "T00:00:00",
            "FDocumentStatus": "C" if order["fulfillmentStatus"] == "FULFILLED" else "A",
            "FCustId": {"FNumber": f"CUST{customer['id']}", "FName": name}, "FSalerId": {"FName": "王销售"},
            "FSaleOrgId": {"FNumber": "100"}, "FSettleCurrId": {"FNumber": "PRE001" if order["currency"] == "CNY"
                                                                else "PRE007"},
            "FBillAllAmount": float(order["total"]), "FNote": f"Shopify {order['name']}",
            "FCreateDate": _stamp(order["createdAt"]), "FModifyDate": _stamp(order["updatedAt"]),
            "FSaleOrderEntry": [{"FMaterialId": {"FNumber": it["sku"]}, "FQty": it["quantity"],
                                 "FTaxPrice": float(it["price"])} for it in order["lineItems"]]}


def _order(value: Any) -> tuple[int, Any]:
    return (0, value) if isinstance(value, int | float) else (1, str(value))


def _value(doc: dict[str, Any], key: str) -> Any:
    head, _, tail = key.partition(".")
    value = doc.get(head)
    return value.get(tail) if tail and isinstance(value, dict) else (None if tail else value)


class KingdeeSandbox(SandboxApp):
    """One data centre of K/3 Cloud: sales orders, customers, one organisation, sessions."""

    name = "kingdee"

    def __init__(self, db_path: Path) -> None:
        assert CONNECTOR.sandbox is not None
        self.settings, self.secrets = dict(CONNECTOR.sandbox.settings), dict(CONNECTOR.sandbox.credentials)
        self.denied: set[str] = set()  # forms the user may not query (Kingdee answers them with [])
        super().__init__(db_path)

    def setup(self) -> None:
        """Tables and routes."""
        self.db.executescript("""
            CREATE TABLE IF NOT EXISTS kd_bills (form TEXT, id INTEGER, number TEXT, modified TEXT, body TEXT,
                PRIMARY KEY (form, id));
            CREATE TABLE IF NOT EXISTS kd_sessions (id TEXT PRIMARY KEY, expires REAL);
        """)
        for path in LOGIN.values():
            self.route("POST", path, self._login)
        self.route("POST", QUERY, self._query)
        self.route("POST", SAVE, self._save)

    def seed(self, orders: int) -> None:
        """Demo orders 1..n as sales orders, their buyers as customers, and organisation 100."""
        self._put("ORG_Organizations", {"FOrgID": 1, "FNumber": "100", "FName": "OrderSync 演示组织",
                                        "FModifyDate": "2026-01-05T09:00:00"}, replace=False)
        for i in range(1, orders + 1):
            bill = render_order(demo_data.demo_order(i))
            self._put("SAL_SaleOrder", bill, replace=False)
            self._put("BD_Customer", {"FCUSTID": 200000 + i, "FNumber": bill["FCustId"]["FNumber"],
                                      "FName": bill["FCustId"]["FName"], "FShortName": "", "FTEL": f"1380000{i:04d}",
                                      "FDocumentStatus": "C", "FModifyDate": bill["FModifyDate"]}, replace=False)

    def touch(self, key: str) -> bool:
        """The sales order (or customer) with internal id ``key`` is edited now."""
        for form in ("SAL_SaleOrder", "BD_Customer"):
            doc = self._get(form, int(key)) if key.isdigit() else None
            if doc is not None:
                self._modify(form, doc)
                return True
        return False

    def throttled(self, retry_after: float | None) -> Response:
        """The WebAPI call limit: MsgCode 14 "调用限制" inside HTTP 200 [S]; the wording is [U]."""
        del retry_after
        return failure("当前接口调用频率已超出限制，请稍后再试", 14, listed=True)

    def expire_sessions(self) -> None:
        """Every session ends now (the server's timeout passed, or it restarted)."""
        self.db.execute("DELETE FROM kd_sessions")

    # -- storage ----------------------------------------------------------------------------
    def _put(self, form: str, doc: dict[str, Any], *, replace: bool = True) -> None:
        id_key, number_key = FORMS[form][:2]
        self.db.execute(f"INSERT OR {'REPLACE' if replace else 'IGNORE'} INTO kd_bills VALUES (?, ?, ?, ?, ?)",
                        (form, doc[id_key], doc[number_key], doc["FModifyDate"], json.dumps(doc, ensure_ascii=False)))

    def _get(self, form: str, doc_id: int) -> dict[str, Any] | None:
        row = self.db.execute("SELECT body FROM kd_bills WHERE form = ? AND id = ?", (form, doc_id)).fetchone()
        return json.loads(row[0]) if row else None

    def _modify(self, form: str, doc: dict[str, Any]) -> None:
        newest = self.db.execute("SELECT max(modified) FROM kd_bills WHERE form = ?", (form,)).fetchone()[0]
        now = datetime.now(UTC)
        if newest and _stamp(now) <= newest:  # FModifyDate moves forward, one second at least
            now = datetime.fromisoformat(newest).replace(tzinfo=BEIJING) + timedelta(seconds=1)
        doc["FModifyDate"] = _stamp(now)
        self._put(form, doc)

    # -- sign-in ----------------------------------------------------------------------------
    def before(self, request: Request) -> Response | None:
        """Business calls need a live session cookie or valid SDK-2.0 signed headers."""
        if request.path in LOGIN.values():
            return None
        cookies = dict(p.strip().split("=", 1) for p in request.headers.get("cookie", "").split(";") if "=" in p)
        session = cookies.get("kdservice-sessionid", "")
        row = self.db.execute("SELECT expires FROM kd_sessions WHERE id = ?", (session,)).fetchone()
        if (row and row[0] > time.time()) or self._signed_ok(request):
            return None
        return failure("会话信息已丢失，请重新登录", 1, listed=request.path == QUERY)

    def _signed_ok(self, request: Request) -> bool:
        h, s = request.headers, self.settings
        stamp = h.get("x-api-timestamp", "")
        if h.get("x-kd-appkey") != s["app_id"] or not stamp.isdigit() or abs(time.time() - int(stamp)) > 300:
            return False  # [U] the freshness window
        want = signed_headers(s["app_id"], self.secrets["app_secret"], s["acct_id"], s["username"], 2052,
                              s["org_number"], f"/{self.name}{request.path}", int(stamp))
        return all(hmac.compare_digest(h.get(k.lower(), ""), want[k]) for k in ("X-Api-Signature", "X-Kd-Signature"))

    def _login(self, request: Request) -> Response:
        body = request.json() or {}
        args = body.get("parameters") or [body.get(k) for k in ("acctid", "username", "appid", "appsecret", "lcid")]
        expected = [self.settings["acct_id"], self.settings["username"]] + (
            [self.secrets["password"]] if request.path == LOGIN["password"] else
            [self.settings["app_id"], self.secrets["app_secret"]])
        if [str(a) for a in args[:len(expected)]] != expected:
            self.count("call", "POST login (refused)")
            return Response(200, {"Message": "用户名或密码错误！" if request.path == LOGIN["password"] else
                                  "应用ID或应用密钥错误", "MessageCode": "CheckPasswordPolicy", "LoginResultType": 0,
                                  "Context": None, "KDSVCSessionId": None})  # [U] wording
        session = secrets.token_hex(16)
        self.db.execute("INSERT INTO kd_sessions VALUES (?, ?)", (session, time.time() + SESSION_SECONDS))
        self.count("call", "POST login")
        cookie = f"kdservice-sessionid={session}; Path=/; HttpOnly"
        return Response(200, {"Message": None, "MessageCode": "CheckPasswordPolicy", "LoginResultType": 1,
                              "Context": {"UserName": self.settings["username"], "DBid": self.settings["acct_id"],
                                          "LogId": "", "UseLanguage": 2052}, "KDSVCSessionId": session},
                        {"Set-Cookie": cookie})

    # -- ExecuteBillQuery -------------------------------------------------------------------
    @staticmethod
    def _data(request: Request) -> dict[str, Any]:
        data = (request.json() or {}).get("data")
        data = json.loads(data) if isinstance(data, str) else data  # an object, or JSON text in a string
        if not isinstance(data, dict):
            raise ValueError("data must be a JSON object")
        return data

    def _query(self, request: Request) -> Response:
        data = self._data(request)
        form, keys = str(data.get("FormId", "")), [k.strip() for k in str(data.get("FieldKeys", "")).split(",")]
        if form not in FORMS:
            return failure(f"业务对象“{form}”不存在", 4, listed=True)  # [U] code
        start, limit = int(data.get("StartRow") or 0), int(data.get("Limit") or 0) or MAX_LIMIT
        if limit > MAX_LIMIT:
            return failure(f"Limit 不能超过{MAX_LIMIT}", 8, listed=True)  # [U] wording
        if form in self.denied:
            return Response(200, [])  # no query rights: an empty list, not an error (API-FACTS corrections [S])
        entity, entry_keys = FORMS[form][2:]
        docs = [json.loads(r[0]) for r in self.db.execute("SELECT body FROM kd_bills WHERE form = ?", (form,))]
        known = {k for d in docs[:1] for k in d} | {"FCreateDate", "FModifyDate"}
        for key in keys:
            if key.partition(".")[0] not in known and key not in entry_keys:
                return failure(f"元数据中标识为{key}的字段不存在", 9, listed=True)  # message [S], code [U]
        try:
            terms = [self._term(t) for t in re.split(r"\s+AND\s+", str(data.get("FilterString") or ""),
                                                       flags=re.IGNORECASE) if t.strip()]
        except ValueError as exc:
            return failure(f"过滤条件错误：{exc}", 8, listed=True)
        docs = [d for d in docs if all(self._holds(d, *t) for t in terms)]
        for part in reversed([p.split() for p in str(data.get("OrderString") or "").split(",") if p.strip()]):
            descending = len(part) > 1 and part[1].upper() == "DESC"
            docs.sort(key=lambda d, k=part[0]: _order(_value(d, k)), reverse=descending)
        lines = [(d, e) for d in docs for e in ((d.get(entity) or [{}]) if set(keys) & set(entry_keys) else [{}])]
        rows = [[_value(e, k) if k in entry_keys else _value(d, k) for k in keys] for d, e in lines]
        top = int(data.get("TopRowCount") or 0)
        return Response(200, (rows[:top] if top else rows)[start:start + limit])

    @staticmethod
    def _term(text: str) -> tuple[str, str, list[str]]:
        match = _TERM.match(text)
        if not match:
            raise ValueError(text)
        values = [v.replace("''", "'") for v in _LITERAL.findall(match.group(3))] or [match.group(3).strip()]
        return match.group(1), match.group(2).upper(), values

    @staticmethod
    def _holds(doc: dict[str, Any], key: str, op: str, values: list[str]) -> bool:
        have = str(_value(doc, key) if _value(doc, key) is not None else "").replace("T", " ")
        want = values[0].replace("T", " ")
        return {"=": have == want, "<>": have != want, ">=": have >= want, "<=": have <= want, ">": have > want,
                "<": have < want, "IN": have in [v.replace("T", " ") for v in values]}[op]

    # -- BatchSave --------------------------------------------------------------------------
    def _save(self, request: Request) -> Response:
        form = str((request.json() or {}).get("formid", ""))
        if form not in ("SAL_SaleOrder", "BD_Customer"):
            return Response(200, status(False, 5, [{"FieldName": "formid", "Message": "表单标识不正确", "DIndex": 0}]))
        data = self._data(request)
        models = data.get("Model")
        models = models if isinstance(models, list) else [models]
        id_key, number_key, entity, _entry = FORMS[form]
        self.count("call", f"POST BatchSave {form}")
        errors, saved = [], []
        for index, model in enumerate(models):
            doc_id = int(model.get(id_key) or 0)
            doc = self._get(form, doc_id) if doc_id else None
            if doc_id and doc is None:
                errors.append({"FieldName": id_key, "Message": f"内码为{doc_id}的数据不存在", "DIndex": index})  # [U]
                continue
            if doc is None and form == "SAL_SaleOrder" and not (model.get("FCustId") or {}).get("FNumber"):
                errors.append({"FieldName": "FCustId", "Message": "字段“客户”是必填项", "DIndex": index})  # [U]
                continue
            if doc is None:
                top = self.db.execute("SELECT max(id) FROM kd_bills WHERE form = ?", (form,)).fetchone()[0]
                doc = {id_key: (top or 0) + 1, "FDocumentStatus": "A", "FCreateDate": _stamp(datetime.now(UTC))}
            doc.update({k: v for k, v in model.items() if k != id_key})
            if entity and entity in model:
                doc[entity] = model[entity]  # IsDeleteEntry true: the entries become these
            self._modify(form, doc)
            self.count("sales_order_writes" if form == "SAL_SaleOrder" else "customer_writes", str(doc[number_key]))
            saved.append({"Id": doc[id_key], "Number": doc[number_key], "DIndex": index})
        return Response(200, status(not errors, 11 if errors else 0, errors, saved))


App = KingdeeSandbox
