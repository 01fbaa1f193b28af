"""A local Salesforce org twin: SOQL, sObject Collections, describe, sign-in, sessions and the daily allocation.

Why it exists: every test and demo needs a Salesforce that answers like a real org (SOQL with
``nextRecordsUrl`` batches, per-record collection results, External ID upserts, ``INVALID_SESSION_ID``
when a session ends, ``REQUEST_LIMIT_EXCEEDED`` when the rolling 24-hour allocation is spent, and
``Sforce-Limit-Info`` on every answer) without anyone's org. State lives in SQLite; every write call
is counted (``call`` per route, ``<object>_writes`` per record written, changed or not).

Facts it follows are those of ``connectors/salesforce.py`` (its docstring names the pages); besides:
a duplicate External ID *within one call* fails every row that shares it with ``DUPLICATE_VALUE``
"Duplicate external id specified" [S: Castled's Salesforce error parser, salesforce.stackexchange
296121], and an External ID that matches several existing records fails with ``DUPLICATE_EXTERNAL_ID``
[S: same parser; the single-record upsert answers HTTP 300, errorcodes page [V]]; a new session lasts
two hours by default (the org's timeout, SOAP API "Error Handling for Session Expiration" [V]).

Simplifications: one org; SOQL is the subset OrderSync sends (``SELECT`` fields or ``COUNT()``, ``WHERE``
comparisons and ``IN`` joined by ``AND``, ``ORDER BY``, ``LIMIT``); ``batchSize`` is honoured below
Salesforce's minimum of 200 so small pages can be tested; query locators live in memory.

Sandbox endpoints (``/_sandbox/salesforce/…``, :meth:`SalesforceSandbox.control`): ``POST limits``
``{"daily": N}`` sets the allocation (``GET usage`` reports it), ``POST clock`` ``{"advance": s}`` moves
the org's clock (the rolling window and session expiry follow it), ``POST sessions`` ``{"seconds": s}``
or ``{"expire": true}``, ``POST certificate`` (a PEM: the JWT certificate of the app), ``POST instance``
``{"url": …}`` (the ``instance_url`` token answers name).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import re
import secrets
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from ordersync_app.connectors.salesforce import CONNECTOR, OBJECTS
from ordersync_app.connectors.sdk.jwt import verify_rs256
from ordersync_app.sandbox import demo_data
from ordersync_app.sandbox._server import Request, Response, SandboxApp

# Public demo values (the connector's ``Sandbox`` declaration holds the same): they open only this emulator.
assert CONNECTOR.sandbox is not None
SANDBOX_CLIENT_ID = CONNECTOR.sandbox.settings["client_id"]
SANDBOX_CLIENT_SECRET = "sandbox-salesforce-consumer-secret"  # noqa: S105 - public demo value
SANDBOX_REFRESH_TOKEN = CONNECTOR.sandbox.credentials["refresh_token"]
SANDBOX_USERNAME = "integration@ordersync-demo.example"
DEFAULT_DAILY = 15_000  # a Developer Edition org's allocation [S: API request limits and allocations]
SESSION_SECONDS = 7200.0
WINDOW = 86_400.0  # the allocation is a rolling 24 hours (API-FACTS-DETAIL §2)
BATCH_MAX, QUERY_BATCH = 200, 2000
CODE_SECONDS = 600
PREFIXES = {"Account": "001", "Contact": "003", "Opportunity": "006", "Order": "801"}
SYSTEM = ("Id", "CreatedDate", "LastModifiedDate", "SystemModstamp")
# Custom fields of the sandbox org: (API name, label, External ID, Unique).
_MARKER = ("OrderSync_Id__c", "OrderSync ID", True, True)
_SHOPIFY = ("Shopify_Order_Id__c", "Shopify order ID", True, True)
CUSTOM: dict[str, tuple[tuple[str, str, bool, bool], ...]] = {
    "Opportunity": (_MARKER, _SHOPIFY, ("Tracking_Number__c", "Tracking number", False, False)),
    "Order": (_MARKER, _SHOPIFY),
    "Account": (_MARKER, ("Legacy_Id__c", "Legacy ID", True, False)),  # an External ID that is not Unique
    "Contact": (_MARKER, ("Legacy_Id__c", "Legacy ID", True, False)),
}
REQUIRED = {"Opportunity": ("Name", "StageName", "CloseDate"), "Account": ("Name",), "Contact": ("LastName",),
            "Order": ("AccountId", "EffectiveDate", "Status")}
READ_ONLY = {"OrderNumber", "TotalAmount"}
_TYPES = {"number": "currency", "integer": "int", "boolean": "boolean", "date": "date", "datetime": "datetime"}


def errors(status: int, code: str, message: str, fields: list[str] | None = None) -> Response:
    """Salesforce's error body: a list of ``{message, errorCode, fields}``."""
    return Response(status, [{"message": message, "errorCode": code, "fields": fields or []}])


def stamp(epoch: float) -> str:
    """Salesforce's date-time form: ``2026-09-01T08:05:00.000+0000``."""
    return datetime.fromtimestamp(int(epoch), UTC).strftime("%Y-%m-%dT%H:%M:%S.000+0000")


def _instant(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


class SoqlError(Exception):
    """A query Salesforce would refuse (``errorCode`` and message)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


_TOKEN = re.compile(r"\s*(?:(?P<str>'(?:[^'\\]|\\.)*')|(?P<dt>\d{4}-\d\d-\d\dT[\d:.]+(?:Z|[+-]\d\d:?\d\d))"
                    r"|(?P<num>-?\d+(?:\.\d+)?)|(?P<op><=|>=|!=|<>|=|<|>|\(|\)|,)|(?P<word>[A-Za-z_][\w.]*))")
_UNESCAPE = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f"}


def _tokens(soql: str) -> list[tuple[str, Any]]:
    out, pos = [], 0
    while pos < len(soql.rstrip()):
        found = _TOKEN.match(soql, pos)
        if not found:
            raise SoqlError("MALFORMED_QUERY", f"unexpected token at position {pos}: {soql[pos:pos + 20]!r}")
        kind = found.lastgroup or ""
        text = found.group(kind)
        if kind == "str":
            value: Any = re.sub(r"\\(.)", lambda m: _UNESCAPE.get(m.group(1), m.group(1)), text[1:-1])
        else:
            value = float(text) if kind == "num" else text
        out.append((kind, value))
        pos = found.end()
    return out


class Query:
    """A parsed SOQL query of the supported subset."""

    def __init__(self, soql: str, schema: Callable[[str], tuple[str, dict[str, dict[str, Any]]] | None]) -> None:
        tokens, self.count = _tokens(soql), False
        self._tokens, self._at = tokens, 0
        self._expect("SELECT")
        names = []
        while True:
            word = self._word()
            if word.upper() == "COUNT" and self._peek() == ("op", "("):
                self._next()
                self._expect(")")
                self.count = True
            else:
                names.append(word)
            if self._peek() != ("op", ","):
                break
            self._next()
        self._expect("FROM")
        named = self._word()
        found = schema(named)
        if found is None:
            raise SoqlError("INVALID_TYPE", f"sObject type '{named}' is not supported.")
        self.object, self.fields = found
        self.names = [self._field(n) for n in names]
        self.where: list[tuple[str, str, Any]] = []
        self.order: list[tuple[str, bool]] = []
        self.limit: int | None = None
        while self._peek() is not None:
            keyword = self._word().upper()
            if keyword in ("WHERE", "AND"):
                self.where.append(self._condition())
            elif keyword == "ORDER":
                self._expect("BY")
                while True:
                    name, descending = self._field(self._word()), False
                    if (self._peek() or ("", ""))[1] in ("ASC", "DESC", "asc", "desc"):
                        descending = self._word().upper() == "DESC"
                    self.order.append((name, descending))
                    if self._peek() != ("op", ","):
                        break
                    self._next()
            elif keyword == "LIMIT":
                kind, value = self._next()
                if kind != "num":
                    raise SoqlError("MALFORMED_QUERY", "LIMIT takes a number")
                self.limit = int(value)
            else:
                raise SoqlError("MALFORMED_QUERY", f"unexpected token: {keyword}")

    def _peek(self) -> tuple[str, Any] | None:
        return self._tokens[self._at] if self._at < len(self._tokens) else None

    def _next(self) -> tuple[str, Any]:
        token = self._peek()
        if token is None:
            raise SoqlError("MALFORMED_QUERY", "unexpected end of query")
        self._at += 1
        return token

    def _word(self) -> str:
        kind, value = self._next()
        if kind != "word":
            raise SoqlError("MALFORMED_QUERY", f"unexpected token: {value}")
        return str(value)

    def _expect(self, word: str) -> None:
        value = self._next()[1]
        if str(value).upper() != word:
            raise SoqlError("MALFORMED_QUERY", f"expecting '{word}', found '{value}'")

    def _field(self, name: str) -> str:
        found = next((f for f in self.fields if f.lower() == name.lower()), None)
        if found is None:
            raise SoqlError("INVALID_FIELD", f"No such column '{name}' on entity '{self.object}'. If you are "
                            "attempting to use a custom field, be sure to append the '__c' after the custom field "
                            "name.")
        return found

    def _literal(self) -> Any:
        kind, value = self._next()
        if kind == "word" and str(value).lower() in ("true", "false", "null"):
            return {"true": True, "false": False, "null": None}[str(value).lower()]
        if kind not in ("str", "dt", "num"):
            raise SoqlError("MALFORMED_QUERY", f"unexpected token: {value}")
        return value

    def _condition(self) -> tuple[str, str, Any]:
        name = self._field(self._word())
        kind, op = self._next()
        if kind == "word" and str(op).upper() == "IN":
            self._expect("(")
            values = [self._literal()]
            while self._next() == ("op", ","):
                values.append(self._literal())
            return name, "IN", values
        if kind != "op" or op in ("(", ")", ","):
            raise SoqlError("MALFORMED_QUERY", f"unexpected token: {op}")
        return name, "!=" if op == "<>" else str(op), self._literal()

    def matches(self, row: dict[str, Any]) -> bool:
        """Whether a record passes every condition."""
        return all(self._test(row.get(name), op, value, self.fields[name]["type"]) for name, op, value in self.where)

    @staticmethod
    def _key(value: Any, kind: str) -> Any:
        if value is None:
            return None
        if kind == "datetime":
            return _instant(str(value).replace("+0000", "+00:00"))
        if kind in ("currency", "double", "int", "percent"):
            return float(value)
        return str(value).casefold() if isinstance(value, str) else value

    def _test(self, have: Any, op: str, want: Any, kind: str) -> bool:
        mine = self._key(have, kind)
        if op == "IN":
            return mine in {self._key(w, kind) for w in want}
        theirs = self._key(want, kind)
        if op in ("=", "!="):
            return (mine == theirs) == (op == "=")
        if mine is None or theirs is None:
            return False
        return {"<": mine < theirs, "<=": mine <= theirs, ">": mine > theirs, ">=": mine >= theirs}[op]

    def run(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The matching records, ordered and limited."""
        found = [r for r in rows if self.matches(r)]
        for name, descending in reversed(self.order):
            kind = self.fields[name]["type"]

            def by(row: dict[str, Any], n: str = name, k: str = kind) -> tuple[bool, Any]:
                return row.get(n) is None, "" if row.get(n) is None else self._key(row[n], k)
            found.sort(key=by, reverse=descending)
        return found[:self.limit] if self.limit is not None else found


class SalesforceSandbox(SandboxApp):
    """The emulated org, mounted at ``/salesforce``."""

    name = "salesforce"

    def __init__(self, db_path: Path) -> None:
        self._locators: dict[str, tuple[str, list[dict[str, Any]], int]] = {}
        self._serial = itertools.count(1)
        super().__init__(db_path)

    # -- setup ----------------------------------------------------------------------------
    def setup(self) -> None:
        self.db.executescript("""
            CREATE TABLE IF NOT EXISTS sf_records (id TEXT PRIMARY KEY, object TEXT NOT NULL, fields TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS sf_sequences (object TEXT PRIMARY KEY, n INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS sf_sessions (token TEXT PRIMARY KEY, expires_at REAL NOT NULL);
            CREATE TABLE IF NOT EXISTS sf_codes (code TEXT PRIMARY KEY, redirect_uri TEXT, challenge TEXT,
                expires_at REAL);
            CREATE TABLE IF NOT EXISTS sf_calls (at REAL NOT NULL);
            CREATE TABLE IF NOT EXISTS sf_settings (key TEXT PRIMARY KEY, value TEXT);
            CREATE INDEX IF NOT EXISTS sf_records_object ON sf_records (object);
        """)
        api = r"/services/data/v{version}"
        self.route("GET", "/services/oauth2/authorize", self._authorize)
        self.route("POST", "/services/oauth2/token", self._token)
        self.route("GET", f"{api}/query", self._query)
        self.route("GET", f"{api}/query/{{locator}}", self._more)
        self.route("GET", f"{api}/sobjects/{{object}}/describe", self._describe)
        self.route("POST", f"{api}/composite/sobjects", self._create)
        self.route("PATCH", f"{api}/composite/sobjects", self._update)
        self.route("PATCH", f"{api}/composite/sobjects/{{object}}/{{field}}", self._upsert)

    def setting(self, key: str, default: str | None = None) -> str | None:
        """A sandbox setting (allocation, clock offset, session length, certificate)."""
        row = self.db.execute("SELECT value FROM sf_settings WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def _set(self, key: str, value: str) -> None:
        self.db.execute("INSERT INTO sf_settings VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                        (key, value))

    def now(self) -> float:
        """The org's clock: the real time plus the offset set through ``POST clock``."""
        return time.time() + float(self.setting("clock_offset", "0") or 0)

    def seed(self, orders: int) -> None:
        """Accounts, contacts, opportunities and orders for demo orders ``1..orders`` that do not exist yet."""
        have = {r[0] for r in self.db.execute(
            "SELECT json_extract(fields, '$.Shopify_Order_Id__c') FROM sf_records WHERE object = 'Opportunity'")}
        for i in range(1, orders + 1):
            order = demo_data.demo_order(i)
            if str(order["id"]) in have:
                continue
            customer, ship, won = order["customer"], order["shippingAddress"], order["fulfillmentStatus"] == "FULFILLED"
            when, day = order["updatedAt"].timestamp(), order["createdAt"].date().isoformat()
            name = f"{customer['firstName']} {customer['lastName']}"
            account = self._insert("Account", {"Name": name, "AccountNumber": f"C{customer['id']}", "Type": "Customer",
                                               "BillingCity": ship["city"], "BillingCountry": ship["countryCode"],
                                               "OrderSync_Id__c": f"customer-{customer['id']}"}, when)
            self._insert("Contact", {"FirstName": customer["firstName"], "LastName": customer["lastName"],
                                     "Email": customer["email"], "AccountId": account, "MailingCity": ship["city"],
                                     "MailingCountry": ship["countryCode"]}, when)
            self._insert("Opportunity", {"Name": f"Order {order['name']} – {name}", "AccountId": account,
                                         "StageName": "Closed Won" if won else "Negotiation/Review",
                                         "Amount": float(order["total"]), "CloseDate": day, "LeadSource": "Web",
                                         "Shopify_Order_Id__c": str(order["id"])}, when)
            self._insert("Order", {"AccountId": account, "EffectiveDate": day, "TotalAmount": float(order["total"]),
                                   "Status": "Activated" if won else "Draft", "Shopify_Order_Id__c": str(order["id"])},
                         when)

    def touch(self, key: str) -> bool:
        """The record with Id ``key`` changes now (as a user editing it would)."""
        found = self._load(key)
        if found is None:
            return False
        self._save(found, self.now())
        return True

    def throttled(self, retry_after: float | None) -> Response:
        """Salesforce's "slow down": the concurrent long-running request limit (no Retry-After)."""
        del retry_after
        return errors(403, "REQUEST_LIMIT_EXCEEDED", "ConcurrentRequests (Concurrent API Requests) Limit exceeded.")

    # -- records --------------------------------------------------------------------------
    @staticmethod
    def schema(named: str) -> tuple[str, dict[str, dict[str, Any]]] | None:
        """An object's API name (names are case-insensitive) and its describe entries by field (None: none such)."""
        obj = next((o for o in OBJECTS if o.lower() == named.lower()), "")
        if not obj:
            return None
        out: dict[str, dict[str, Any]] = {}
        for f in OBJECTS[obj]:
            kind = "id" if f.key == "Id" else "picklist" if f.choices else _TYPES.get(f.type, "string")
            out[f.key] = {"name": f.key, "label": f.label, "type": kind, "custom": False, "externalId": False,
                          "unique": False, "createable": not f.read_only and f.key not in READ_ONLY,
                          "updateable": not f.read_only and f.key not in READ_ONLY,
                          "picklistValues": [{"value": c, "label": c, "active": True} for c in f.choices]}
        for name in ("CreatedDate", "LastModifiedDate"):
            out[name] = {**out["SystemModstamp"], "name": name, "label": name}
        for name, label, external, unique in CUSTOM[obj]:
            out[name] = {"name": name, "label": label, "type": "string", "custom": True, "externalId": external,
                         "unique": unique, "createable": True, "updateable": True, "picklistValues": []}
        return obj, out

    def _next_id(self, obj: str) -> str:
        self.db.execute("INSERT INTO sf_sequences VALUES (?, 1) ON CONFLICT(object) DO UPDATE SET n = n + 1", (obj,))
        n = self.db.execute("SELECT n FROM sf_sequences WHERE object = ?", (obj,)).fetchone()[0]
        return f"{PREFIXES[obj]}{n:012d}AAA"

    def _insert(self, obj: str, values: dict[str, Any], when: float) -> str:
        record = {"Id": self._next_id(obj), **values, "attributes": {"type": obj}}
        record["CreatedDate"] = stamp(when)
        if obj == "Order":
            record["OrderNumber"] = record["Id"][-11:-3]
        self._save(record, when, new=True)
        return str(record["Id"])

    def _save(self, record: dict[str, Any], when: float, *, new: bool = False) -> None:
        record["LastModifiedDate"] = record["SystemModstamp"] = stamp(when)  # whole seconds, as Salesforce sends
        obj = record["attributes"]["type"]
        text = json.dumps(record, ensure_ascii=False)
        if new:
            self.db.execute("INSERT INTO sf_records VALUES (?, ?, ?)", (record["Id"], obj, text))
        else:
            self.db.execute("UPDATE sf_records SET fields = ? WHERE id = ?", (text, record["Id"]))

    def _load(self, record_id: str) -> dict[str, Any] | None:
        row = self.db.execute("SELECT fields FROM sf_records WHERE id = ?", (record_id,)).fetchone()
        return json.loads(row[0]) if row else None

    def _all(self, obj: str) -> list[dict[str, Any]]:
        return [json.loads(r[0]) for r in self.db.execute("SELECT fields FROM sf_records WHERE object = ?", (obj,))]

    # -- sign-in, sessions and the allocation ---------------------------------------------
    def handle(self, request: Request) -> Response:
        with self.lock:
            response = super().handle(request)
            if request.path.startswith("/services/data/"):
                used = self.db.execute("SELECT count(*) FROM sf_calls WHERE at > ?", (self.now() - WINDOW,)).fetchone()
                response.headers["Sforce-Limit-Info"] = f"api-usage={used[0]}/{self.daily()}"
            return response

    def daily(self) -> int:
        """The org's rolling 24-hour allocation of API requests."""
        return int(self.setting("daily", str(DEFAULT_DAILY)) or DEFAULT_DAILY)

    def before(self, request: Request) -> Response | None:
        if not request.path.startswith("/services/data/"):
            return None
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        row = self.db.execute("SELECT expires_at FROM sf_sessions WHERE token = ?", (token,)).fetchone()
        if scheme.lower() != "bearer" or row is None or row[0] <= self.now():
            return errors(401, "INVALID_SESSION_ID", "Session expired or invalid")
        now = self.now()
        used = self.db.execute("SELECT count(*) FROM sf_calls WHERE at > ?", (now - WINDOW,)).fetchone()[0]
        if used >= self.daily():
            return errors(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")
        self.db.execute("INSERT INTO sf_calls VALUES (?)", (now,))
        return None

    def _session(self, request: Request, **extra: Any) -> Response:
        token = f"00DSANDBOX!{secrets.token_urlsafe(24)}"
        seconds = float(self.setting("session_seconds", str(SESSION_SECONDS)) or SESSION_SECONDS)
        self.db.execute("INSERT INTO sf_sessions VALUES (?, ?)", (token, self.now() + seconds))
        instance = self.setting("instance_url") or f"http://{request.headers.get('host', '127.0.0.1')}/{self.name}"
        issued = str(int(self.now() * 1000))
        signature = base64.b64encode(hmac.new(SANDBOX_CLIENT_SECRET.encode(), f"{instance}{issued}".encode(),
                                              hashlib.sha256).digest()).decode()
        return Response(200, {"access_token": token, "instance_url": instance, "token_type": "Bearer",
                              "id": f"{instance}/id/00DSANDBOX/005SANDBOX", "issued_at": issued,
                              "signature": signature, **extra})

    @staticmethod
    def _refused(description: str, error: str = "invalid_grant") -> Response:
        return Response(400, {"error": error, "error_description": description})

    def _authorize(self, request: Request) -> Response:
        """The consent page of a signed-in user who allows access: back to ``redirect_uri`` with a code."""
        redirect = request.arg("redirect_uri") or ""
        if request.arg("client_id") != SANDBOX_CLIENT_ID or not redirect:
            return Response(400, "error=invalid_client_id: client identifier invalid")
        if request.arg("response_type") != "code":
            answer = {"error": "unsupported_response_type", "error_description": "response type not supported"}
        else:
            code = secrets.token_urlsafe(24)
            self.db.execute("INSERT INTO sf_codes VALUES (?, ?, ?, ?)", (code, redirect, request.arg("code_challenge"),
                                                                        self.now() + CODE_SECONDS))
            answer = {"code": code}
        state = request.arg("state")
        query = urlencode({**answer, **({"state": state} if state is not None else {})})
        return Response(302, b"", {"Location": f"{redirect}{'&' if '?' in redirect else '?'}{query}"})

    def _token(self, request: Request) -> Response:
        form = request.form()
        grant = form.get("grant_type")
        if grant == "urn:ietf:params:oauth:grant-type:jwt-bearer":
            return self._jwt(request, form.get("assertion", ""))
        if form.get("client_id") != SANDBOX_CLIENT_ID:
            return self._refused("client identifier invalid", "invalid_client_id")
        if form.get("client_secret") not in (None, "", SANDBOX_CLIENT_SECRET):
            return self._refused("invalid client credentials", "invalid_client")
        if grant == "refresh_token":
            if form.get("refresh_token") != SANDBOX_REFRESH_TOKEN:
                return self._refused("expired access/refresh token")
            return self._session(request, scope="api refresh_token")
        if grant != "authorization_code":
            return self._refused("grant type not supported", "unsupported_grant_type")
        row = self.db.execute("SELECT redirect_uri, challenge, expires_at FROM sf_codes WHERE code = ?",
                              (form.get("code", ""),)).fetchone()
        self.db.execute("DELETE FROM sf_codes WHERE code = ?", (form.get("code", ""),))  # a code is used once
        if row is None or row[2] < self.now():
            return self._refused("expired authorization code")
        if row[0] != form.get("redirect_uri"):
            return self._refused("redirect_uri must match configuration", "redirect_uri_mismatch")
        verifier = form.get("code_verifier", "")
        digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if row[1] and not hmac.compare_digest(digest, row[1]):
            return self._refused("invalid code verifier", "invalid_request")
        return self._session(request, refresh_token=SANDBOX_REFRESH_TOKEN, scope="api refresh_token")

    def _jwt(self, request: Request, assertion: str) -> Response:
        certificate = self.setting("certificate")
        try:
            claims = verify_rs256(assertion, certificate or "")
        except ValueError:
            return self._refused("invalid assertion")
        exp = claims.get("exp")
        if claims.get("iss") != SANDBOX_CLIENT_ID:
            return self._refused("invalid client identifier", "invalid_client_id")
        if claims.get("aud") not in ("https://login.salesforce.com", "https://test.salesforce.com"):
            return self._refused("audience is invalid")
        if not isinstance(exp, int) or not self.now() < exp <= self.now() + 300:
            return self._refused("expired authorization code")
        if claims.get("sub") != SANDBOX_USERNAME:
            return self._refused("user hasn't approved this consumer")
        return self._session(request, scope="api")

    # -- data: query and describe ---------------------------------------------------------
    def _query(self, request: Request) -> Response:
        try:
            query = Query(request.arg("q") or "", self.schema)
        except SoqlError as exc:
            return errors(400, exc.code, exc.message)
        rows = query.run(self._all(query.object))
        if query.count:
            return Response(200, {"totalSize": len(rows), "done": True, "records": []})
        options = request.headers.get("sforce-query-options", "")
        size = int(m.group(1)) if (m := re.search(r"batchSize=(\d+)", options)) else QUERY_BATCH
        version = request.params["version"]
        rendered = [{"attributes": {"type": r["attributes"]["type"], "url": f"/services/data/v{version}/sobjects/"
                                    f"{r['attributes']['type']}/{r['Id']}"}, **{n: r.get(n) for n in query.names}}
                    for r in rows]
        return self._batch(version, f"01gSANDBOX{next(self._serial):08d}", rendered, 0, max(1, min(size, QUERY_BATCH)))

    def _batch(self, version: str, locator: str, rows: list[dict[str, Any]], start: int, size: int) -> Response:
        body: dict[str, Any] = {"totalSize": len(rows), "done": start + size >= len(rows),
                                "records": rows[start:start + size]}
        if not body["done"]:
            self._locators[locator] = (version, rows, size)
            body["nextRecordsUrl"] = f"/{self.name}/services/data/v{version}/query/{locator}-{start + size}"
        return Response(200, body)

    def _more(self, request: Request) -> Response:
        locator, _, start = request.params["locator"].rpartition("-")
        found = self._locators.get(locator)
        if found is None or not start.isdigit():
            return errors(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
        version, rows, size = found
        return self._batch(version, locator, rows, int(start), size)

    def _describe(self, request: Request) -> Response:
        found = self.schema(request.params["object"])
        if found is None:
            return errors(404, "NOT_FOUND", f"The requested resource does not exist: {request.params['object']}")
        return Response(200, {"name": found[0], "custom": False, "createable": True, "fields": list(found[1].values())})

    # -- data: sObject Collections --------------------------------------------------------
    def _records(self, request: Request) -> tuple[list[dict[str, Any]], Response | None]:
        body = request.json()
        records = body.get("records") if isinstance(body, dict) else None
        if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
            return [], errors(400, "JSON_PARSER_ERROR", "Expected a 'records' list of objects")
        if len(records) > BATCH_MAX:
            return [], errors(400, "EXCEEDED_ID_LIMIT", f"record limit reached. cannot submit more than {BATCH_MAX} "
                                                         "records into this call")
        if any(not isinstance(r.get("attributes"), dict) or "type" not in r["attributes"] for r in records):
            return [], errors(400, "INVALID_TYPE", "When the type is not specified, it must be in the attributes")
        if body.get("allOrNone"):
            return [], errors(400, "INVALID_FIELD", "allOrNone is not supported by the sandbox")
        return records, None

    def _problems(self, obj: str, values: dict[str, Any], *, new: bool) -> list[dict[str, Any]]:
        """Per-record errors Salesforce reports for these values (empty: they can be written)."""
        fields = (self.schema(obj) or ("", {}))[1]
        for name, value in values.items():
            spec = fields.get(name)
            if spec is None:
                return [_err("INVALID_FIELD", f"No such column '{name}' on sobject of type {obj}", [name])]
            if not spec["createable"] or name in SYSTEM:
                return [_err("INVALID_FIELD_FOR_INSERT_UPDATE", f"Unable to create/update fields: {name}. Please check "
                             "the security settings of this field and verify that it is read/write for your profile "
                             "or permission set.", [name])]
            if spec["type"] in ("currency", "double", "int") and value is not None and not _numeric(value):
                return [_err("INVALID_TYPE_ON_FIELD_IN_RECORD", f"{spec['label']}: value not of required type: "
                             f"{value}", [name])]
            if spec["type"] == "date" and value is not None and not _is_date(value):
                return [_err("INVALID_TYPE_ON_FIELD_IN_RECORD", f"{spec['label']}: value not of required type: "
                             f"{value}", [name])]
            if spec["picklistValues"] and value not in (None, *(p["value"] for p in spec["picklistValues"])):
                return [_err("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", f"{spec['label']}: bad value for restricted "
                             f"picklist field: {value}", [name])]
        missing = [n for n in REQUIRED[obj] if values.get(n) in (None, "")] if new else \
            [n for n in REQUIRED[obj] if n in values and values[n] in (None, "")]
        if missing:
            return [_err("REQUIRED_FIELD_MISSING", f"Required fields are missing: [{', '.join(missing)}]", missing)]
        return []

    def _write(self, obj: str, record: dict[str, Any] | None, values: dict[str, Any]) -> dict[str, Any]:
        """Create (``record`` None) or update one record; count it; its SaveResult."""
        problems = self._problems(obj, values, new=record is None)
        if problems:
            return {"id": None, "success": False, "errors": problems}
        if record is None:
            record_id = self._insert(obj, values, self.now())
        else:
            record.update(values)
            self._save(record, self.now())
            record_id = record["Id"]
        self.count(f"{obj.lower()}_writes", record_id)
        return {"id": record_id, "success": True, "errors": []}

    def _create(self, request: Request) -> Response:
        records, refused = self._records(request)
        if refused:
            return refused
        self.count("call", "POST /composite/sobjects")
        results = []
        for item in records:
            obj = str(item["attributes"]["type"])
            values = {k: v for k, v in item.items() if k != "attributes"}
            if obj not in OBJECTS:
                results.append({"id": None, "success": False, "errors": [_err("INVALID_TYPE", f"sObject type '{obj}'"
                                                                              " is not supported.")]})
            elif "Id" in values or "id" in values:
                results.append({"id": None, "success": False, "errors": [_err(
                    "INVALID_FIELD", "cannot specify Id in an insert call", ["Id"])]})
            else:
                results.append(self._write(obj, None, values))
        return Response(200, results)

    def _update(self, request: Request) -> Response:
        records, refused = self._records(request)
        if refused:
            return refused
        self.count("call", "PATCH /composite/sobjects")
        results, seen = [], [str(r.get("id") or r.get("Id") or "") for r in records]
        for item, record_id in zip(records, seen, strict=True):
            values = {k: v for k, v in item.items() if k not in ("attributes", "id", "Id")}
            current = self._load(record_id) if record_id else None
            if seen.count(record_id) > 1:
                result = {"id": record_id, "success": False, "errors": [_err(
                    "DUPLICATE_VALUE", f"Maximum number of duplicate updates in one batch (1 allowed). Attempt to "
                    f"update Id more than once in this API call: {record_id}", ["Id"])]}
            elif current is None or current["attributes"]["type"] != item["attributes"]["type"]:
                result = {"id": None, "success": False, "errors": [_err(
                    "MALFORMED_ID" if not record_id or len(record_id) not in (15, 18) else "ENTITY_IS_DELETED",
                    f"invalid cross reference id {record_id}" if record_id else "Id not specified in an update call",
                    ["Id"])]}
            else:
                result = self._write(current["attributes"]["type"], current, values)
            results.append(result)
        return Response(200, results)

    def _upsert(self, request: Request) -> Response:
        found = self.schema(request.params["object"])
        if found is None:
            return errors(404, "NOT_FOUND", f"The requested resource does not exist: {request.params['object']}")
        (obj, fields), field = found, request.params["field"]
        spec = fields.get(field)
        if spec is None or not spec["externalId"]:
            return errors(404, "NOT_FOUND", f"Provided external ID field does not exist or is not accessible: {field}")
        records, refused = self._records(request)
        if refused:
            return refused
        self.count("call", f"PATCH /composite/sobjects/{obj}/{field}")
        keys = [str(r.get(field) or "").casefold() for r in records]
        existing: dict[str, list[dict[str, Any]]] = {}
        for record in self._all(obj):
            if record.get(field) not in (None, ""):
                existing.setdefault(str(record[field]).casefold(), []).append(record)
        results = []
        for item, key in zip(records, keys, strict=True):
            values = {k: v for k, v in item.items() if k != "attributes"}
            matches = existing.get(key, [])
            if item["attributes"]["type"] != obj:
                result = {"id": None, "success": False, "errors": [_err(
                    "INVALID_TYPE", f"Collections upsert takes one type, {obj}")]}
            elif not key or "Id" in values or "id" in values:
                result = {"id": None, "success": False, "errors": [_err(
                    "MISSING_ARGUMENT" if not key else "INVALID_FIELD",
                    f"{field} not specified" if not key else "Id cannot be set in an upsert", [field])]}
            elif keys.count(key) > 1:
                result = {"id": None, "success": False, "errors": [_err(
                    "DUPLICATE_VALUE", f"Duplicate external id specified: {item.get(field)}", [field])]}
            elif len(matches) > 1:
                result = {"id": None, "success": False, "errors": [_err(
                    "DUPLICATE_EXTERNAL_ID", f"{field}: more than one record found for external id field: "
                    f"{[m['Id'] for m in matches]}", [field])]}
            else:
                result = self._write(obj, matches[0] if matches else None, values)
                result["created"] = result["success"] and not matches
                if result["created"]:
                    existing[key] = [self._load(str(result["id"])) or {}]
            results.append(result)
        return Response(200, results)

    # -- sandbox endpoints ----------------------------------------------------------------
    def control(self, method: str, path: str, body: bytes) -> Response | None:
        data = json.loads(body.decode("utf-8")) if body and path != "/certificate" else {}
        if method == "GET" and path == "/usage":
            used = self.db.execute("SELECT count(*) FROM sf_calls WHERE at > ?", (self.now() - WINDOW,)).fetchone()[0]
            return Response(200, {"used": used, "daily": self.daily(), "now": self.now()})
        if method != "POST":
            return None
        if path == "/limits":
            self._set("daily", str(int(data["daily"])))
        elif path == "/clock":
            self._set("clock_offset", str(float(self.setting("clock_offset", "0") or 0) + float(data["advance"])))
        elif path == "/sessions":
            if data.get("seconds") is not None:
                self._set("session_seconds", str(float(data["seconds"])))
            if data.get("expire"):
                self.db.execute("UPDATE sf_sessions SET expires_at = ?", (self.now(),))
        elif path == "/certificate":  # checked when an assertion arrives, as the vendor's app would
            self._set("certificate", body.decode("utf-8"))
        elif path == "/instance":
            self._set("instance_url", str(data["url"]))
        else:
            return None
        return Response(200, {"ok": True})


def _err(code: str, message: str, fields: list[str] | None = None) -> dict[str, Any]:
    return {"statusCode": code, "message": message, "fields": fields or []}


def _numeric(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True


def _is_date(value: Any) -> bool:
    try:
        date.fromisoformat(str(value))
    except ValueError:
        return False
    return True


App = SalesforceSandbox
