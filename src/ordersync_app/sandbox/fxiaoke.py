"""Emulated 纷享销客 Fxiaoke open API (legacy corpAccessToken scheme), so the connector is tested without a tenant.

It answers the way the connector's sources say the vendor does (see ``connectors/fxiaoke.py``): every error inside
HTTP 200 as ``{errorCode, errorMessage, traceId}``; tokens that live 7,200 s, the same one returned until 6,600 s
[V old.html]; the token endpoint refusing an 11th call within a minute [S, code 14001 U]; 100 calls per 20 s per
interface (30004 [U which code]) and an optional daily quota (30002) [S]; ``search_query_info`` with filters,
orders, ``limit`` ≤ 100 and ``offset`` ≤ 10,000 (10013) [S]; create/update with the workflow switches; object
describe with custom ``…__c`` fields [S]. Demo data matches the other emulators: demo order ``i`` (Jushuitan
``so_id`` ``1000+i``) has an opportunity carrying that number in the custom field ``order_no__c``.

Sandbox-only switches for tests: :meth:`expire_tokens` (every token expires now) and the ``fxiaoke_daily_quota``
option. Write counters: ``<object>_writes`` per record for every create/update call, ``flows`` for writes that
asked for workflows or approvals.
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections import defaultdict, deque
from pathlib import Path
from typing import Any

from ordersync_app.connectors.fxiaoke import CONNECTOR
from ordersync_app.sandbox import demo_data
from ordersync_app.sandbox._server import Request, Response, SandboxApp

TOKEN_LIFETIME, TOKEN_REISSUE = 7200, 6600  # old.html [V]
CORP_ID, ADMIN_ID = "FSCID_0D1E2A3F4B5C6D7E", "FSUID_5A1B2C3D4E5F60718293A4B5C6D7E8F9"
OBJECT_KEYS = {"AccountObj": "customer", "ContactObj": "contact", "NewOpportunityObj": "opportunity",
               "SalesOrderObj": "sales_order"}
# Stage options of the sandbox tenant's opportunities (tenants define their own) [U].
STAGES = (("1", "需求确认"), ("2", "方案报价"), ("3", "谈判审核"), ("shipped", "已发货"), ("won", "赢单"))
CUSTOM = {"AccountObj": {"customer_code__c": ("客户编码", "text")},
          "NewOpportunityObj": {"order_no__c": ("网店订单号", "text"), "tracking_no__c": ("快递单号", "text")}}
FIELD_TYPES = {"name": "text", "tel": "text", "address": "text", "industry": "text", "mobile": "text", "email": "text",
               "sales_stage": "select_one", "amount": "currency", "close_date": "date", "order_amount": "currency",
               "last_modified_time": "date_time", "create_time": "date_time"}
E_PARAM = (32000, "参数错误")  # [U] code for bad arguments


def _ok(**data: Any) -> Response:
    return Response(200, {"errorCode": 0, "errorMessage": "OK", "errorDescription": "success",
                          "traceId": f"E-O.sandbox.{uuid.uuid4().hex[:12]}", **data})


def _err(code: int, message: str) -> Response:
    trace = f"E-O.sandbox.{uuid.uuid4().hex[:12]}"
    return Response(200, {"errorCode": code, "errorMessage": message, "traceId": trace})


def _id(api: str, i: int) -> str:
    """A 24-hex record id, as Fxiaoke's look (``5a9ce894f125ae9bef…``) [S]."""
    return hashlib.md5(f"{api}:{i}".encode(), usedforsecurity=False).hexdigest()[:24]


def _ms(moment: Any) -> int:
    return int(moment.timestamp() * 1000)


class FxiaokeSandbox(SandboxApp):
    """Fxiaoke's token, user look-up, object query/create/update/describe, with its limits."""

    name = "fxiaoke"

    def __init__(self, db_path: Path, *, daily_quota: int | None = None) -> None:
        assert CONNECTOR.sandbox is not None
        box = CONNECTOR.sandbox
        self.app_id, self.mobile = box.settings["app_id"], box.settings["admin_mobile"]
        self.secret, self.code = box.credentials["app_secret"], box.credentials["permanent_code"]
        self.daily_quota = daily_quota
        self._calls: dict[str, deque[float]] = defaultdict(deque)
        self._today = 0
        super().__init__(db_path)

    @classmethod
    def create(cls, db_path: Path, **options: Any) -> FxiaokeSandbox:
        """Options: ``fxiaoke_daily_quota`` (calls a day before 30002; None = unlimited)."""
        return cls(db_path, daily_quota=options.get("fxiaoke_daily_quota"))

    def setup(self) -> None:
        """Tables and routes."""
        self.db.execute("CREATE TABLE IF NOT EXISTS fx_tokens (token TEXT PRIMARY KEY, issued REAL)")
        self.db.execute("CREATE TABLE IF NOT EXISTS fx_records (api TEXT, id TEXT, modified INTEGER, body TEXT,"
                        " PRIMARY KEY (api, id))")
        self.db.execute("CREATE INDEX IF NOT EXISTS fx_records_modified ON fx_records (api, modified, id)")
        self.route("POST", "/cgi/corpAccessToken/get/V2", self._token)
        self.route("POST", "/cgi/user/getByMobile", self._user)
        self.route("POST", "/cgi/crm/v2/data/query", self._query)
        self.route("POST", "/cgi/crm/v2/data/create", self._create)
        self.route("POST", "/cgi/crm/v2/data/update", self._update)
        self.route("POST", "/cgi/crm/v2/object/describe", self._describe)

    # -- demo data --------------------------------------------------------------------------
    def seed(self, orders: int) -> None:
        """For demo order ``i``: its customer, contact, opportunity (``order_no__c`` = ``1000+i``) and sales order."""
        for i in range(1, orders + 1):
            order = demo_data.demo_order(i)
            who = order["customer"]
            chinese = order["shippingAddress"]["countryCode"] == "CN"
            name = who["lastName"] + who["firstName"] if chinese else f"{who['firstName']} {who['lastName']}"
            changed, created = _ms(order["updatedAt"]), _ms(order["createdAt"])
            common = {"owner": [ADMIN_ID], "create_time": created, "last_modified_time": changed}
            account = _id("AccountObj", i)
            self._save("AccountObj", {"_id": account, "name": name, "tel": f"1380000{i:04d}",
                                      "address": order["shippingAddress"]["address1"], "industry": "零售",
                                      "customer_code__c": f"C{7000 + i}", **common}, replace=False)
            self._save("ContactObj", {"_id": _id("ContactObj", i), "name": name, "mobile": f"1380000{i:04d}",
                                      "email": order["email"], "account_id": account, **common}, replace=False)
            self._save("NewOpportunityObj", {
                "_id": _id("NewOpportunityObj", i), "name": f"Order {order['name']} – {name}", "account_id": account,
                "amount": order["total"],
                "sales_stage": "shipped" if order["fulfillmentStatus"] == "FULFILLED" else "3",
                "sales_status": "1", "order_no__c": str(1000 + i), **common}, replace=False)
            self._save("SalesOrderObj", {"_id": _id("SalesOrderObj", i), "name": f"SO{1000 + i}", "account_id": account,
                                         "order_amount": order["total"], "order_status": "7", **common}, replace=False)

    def _save(self, api: str, record: dict[str, Any], *, replace: bool = True) -> None:
        self.db.execute(f"INSERT OR {'REPLACE' if replace else 'IGNORE'} INTO fx_records VALUES (?, ?, ?, ?)",
                        (api, record["_id"], int(record["last_modified_time"]), json.dumps(record, ensure_ascii=False)))

    def _get(self, api: str, record_id: str) -> dict[str, Any] | None:
        row = self.db.execute("SELECT body FROM fx_records WHERE api = ? AND id = ?", (api, record_id)).fetchone()
        return json.loads(row[0]) if row else None

    def _changed(self, api: str, record: dict[str, Any]) -> None:
        """The record changed now: ``last_modified_time`` moves forward (never back)."""
        record["last_modified_time"] = max(int(time.time() * 1000), int(record["last_modified_time"]) + 1)
        self._save(api, record)

    def touch(self, key: str) -> bool:
        """The record ``_id = key`` (of any object) changes now."""
        for api in OBJECT_KEYS:
            record = self._get(api, key)
            if record is not None:
                self._changed(api, record)
                return True
        return False

    def expire_tokens(self) -> None:
        """Every token issued so far expires now (tests: a token running out mid-run)."""
        self.db.execute("UPDATE fx_tokens SET issued = issued - ?", (TOKEN_LIFETIME + 1,))

    def throttled(self, retry_after: float | None) -> Response:
        """Fxiaoke's "slow down" is inside HTTP 200 (30004 秒频次超限 [S], which code [U])."""
        del retry_after
        return _err(30004, "秒频次超限")

    # -- gateway checks ---------------------------------------------------------------------
    def _over(self, key: str, limit: int, seconds: float) -> bool:
        calls, now = self._calls[key], time.monotonic()
        while calls and calls[0] <= now - seconds:
            calls.popleft()
        if len(calls) >= limit:
            return True
        calls.append(now)
        return False

    def before(self, request: Request) -> Response | None:
        """Every business call carries a live corpAccessToken, the corp id and a known employee."""
        if request.path == "/cgi/corpAccessToken/get/V2":
            return _err(14001, "接口调用超过限制") if self._over("token", 10, 60.0) else None
        body = request.json() or {}
        if not body.get("corpAccessToken"):
            return _err(20017, "corpAccessToken为必填项，不能为空")  # probe [S]
        row = self.db.execute("SELECT issued FROM fx_tokens WHERE token = ?", (body["corpAccessToken"],)).fetchone()
        if row is None or time.time() - row[0] >= TOKEN_LIFETIME or body.get("corpId") != CORP_ID:
            return _err(20016, "the cropId,cropAccessToken or authorization is error")  # probe [S]
        if request.path.startswith("/cgi/crm/") and body.get("currentOpenUserId") != ADMIN_ID:
            return _err(20012, "openUserId 未找到")
        if self.daily_quota is not None:
            self._today += 1
            if self._today > self.daily_quota:
                return _err(30002, "当天访问频次超限")
        return _err(30004, "秒频次超限") if self._over(request.path, 100, 20.0) else None

    # -- routes -----------------------------------------------------------------------------
    def _token(self, request: Request) -> Response:
        body = request.json() or {}
        self.count("call", "POST /cgi/corpAccessToken/get/V2")
        if body.get("appId") != self.app_id or body.get("appSecret") != self.secret:
            return _err(10006, "the parameter appSecret is missing or illegal")  # probe [S]
        if body.get("permanentCode") != self.code:
            return _err(20015, "永久授权码错误")
        now = time.time()
        row = self.db.execute("SELECT token, issued FROM fx_tokens ORDER BY issued DESC LIMIT 1").fetchone()
        if row is None or now - row[1] >= TOKEN_REISSUE:
            row = (uuid.uuid4().hex.upper(), now)
            self.db.execute("INSERT INTO fx_tokens VALUES (?, ?)", row)
        return _ok(corpAccessToken=row[0], corpId=CORP_ID, expiresIn=int(TOKEN_LIFETIME - (now - row[1])))

    def _user(self, request: Request) -> Response:
        mobile = (request.json() or {}).get("mobile")
        users = [{"openUserId": ADMIN_ID, "name": "系统管理员", "mobile": self.mobile}] if mobile == self.mobile else []
        return _ok(empList=users)

    @staticmethod
    def _matches(record: dict[str, Any], condition: dict[str, Any]) -> bool:
        value, wanted = record.get(str(condition.get("field_name"))), list(condition.get("field_values") or [])
        op = condition.get("operator")
        if op in ("EQ", "IN"):
            return str(value) in {str(w) for w in wanted}
        if value is None or not wanted:
            return False
        compare = {"GT": int.__gt__, "GTE": int.__ge__, "LT": int.__lt__, "LTE": int.__le__}.get(str(op))
        if compare is None:
            raise ValueError(f"operator {op} is not emulated")
        return bool(compare(int(value), int(wanted[0])))

    def _query(self, request: Request) -> Response:
        data = (request.json() or {}).get("data") or {}
        api, info = data.get("dataObjectApiName"), data.get("search_query_info") or {}
        if api not in OBJECT_KEYS:
            return _err(*E_PARAM)
        limit, offset = int(info.get("limit") or 20), int(info.get("offset") or 0)
        if offset > 10_000:
            return _err(10013, "offset 不能超过10000")  # 深翻页 [S]
        if not 1 <= limit <= 100 or offset % limit:
            return _err(32000, "limit 最大 100，offset 必须为 limit 的整数倍")  # [S] rule, [U] code
        rows = [json.loads(r[0]) for r in self.db.execute(
            "SELECT body FROM fx_records WHERE api = ? ORDER BY modified, id", (api,))]
        rows = [r for r in rows if all(self._matches(r, c) for c in info.get("filters") or [])]
        for order in reversed(info.get("orders") or []):
            rows.sort(key=lambda r: (r.get(order["fieldName"]) is None, r.get(order["fieldName"]), r["_id"]),
                      reverse=not order.get("isAsc", True))
        page = {"dataList": rows[offset:offset + limit]}
        return _ok(data={**page, "total": len(rows)} if data.get("find_explicit_total_num") else page)

    def _write_flags(self, body: dict[str, Any]) -> None:
        if body.get("triggerWorkFlow", True) or body.get("triggerApprovalFlow", True):  # both default to true [V]
            self.count("flows", "triggered")

    def _create(self, request: Request) -> Response:
        body = request.json() or {}
        record = dict(((body.get("data") or {}).get("object_data")) or {})
        api = record.pop("dataObjectApiName", None)
        if api not in OBJECT_KEYS or (not record.get("name") and api != "NewOpportunityObj"):
            return _err(32000, "参数错误: 缺少必填字段 name")  # [U]
        record.update(_id=uuid.uuid4().hex[:24], owner=[ADMIN_ID], create_time=int(time.time() * 1000),
                      last_modified_time=0)
        self._changed(api, record)
        self._write_flags(body)
        self.count(f"{OBJECT_KEYS[api]}_writes", record["_id"])
        return _ok(dataId=record["_id"])

    def _update(self, request: Request) -> Response:
        body = request.json() or {}
        change = dict(((body.get("data") or {}).get("object_data")) or {})
        api = change.pop("dataObjectApiName", None)
        record = self._get(str(api), str(change.get("_id"))) if api in OBJECT_KEYS else None
        if record is None:
            return _err(320001, "数据不存在或已作废")  # [U] code and wording
        record.update({k: v for k, v in change.items() if k not in ("owner", "create_time")})
        self._changed(str(api), record)
        self._write_flags(body)
        self.count(f"{OBJECT_KEYS[str(api)]}_writes", record["_id"])
        return _ok()

    def _describe(self, request: Request) -> Response:
        api = str((request.json() or {}).get("apiName"))
        if api not in OBJECT_KEYS:
            return _err(*E_PARAM)
        sample = json.loads((self.db.execute("SELECT body FROM fx_records WHERE api = ? LIMIT 1", (api,))
                             .fetchone() or ("{}",))[0])
        fields = {key: {"api_name": key, "label": key, "type": FIELD_TYPES.get(key, "text")}
                  for key in sample if not key.endswith("__c")}
        if "sales_stage" in fields:
            fields["sales_stage"].update(label="销售阶段", options=[{"value": v, "label": t} for v, t in STAGES])
        fields.update({key: {"api_name": key, "label": label, "type": kind, "define_type": "custom"}
                       for key, (label, kind) in CUSTOM.get(api, {}).items()})
        return _ok(data={"describe": {"api_name": api, "fields": fields}})


App = FxiaokeSandbox
