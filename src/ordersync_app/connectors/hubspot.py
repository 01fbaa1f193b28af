"""HubSpot CRM v3: keep deals and contacts in step with orders, and poll the deals that changed.

HubSpot owns the CUSTOMERS side of the one-direction rule: OrderSync writes deals and contacts here and
never writes orders back. Sources, read and never copied (proprietary): ``HubSpot/HubSpot-public-api-spec-
collection`` ``PublicApiSpecs/CRM/Deals/Rollouts/424/v3/deals.json`` @ fea35957 (paths under ``0-3``, batch
and search bodies: all five search fields required, sorts as strings ``"prop"``/``"-prop"``, 207 errors),
``…/Contacts/Rollouts/424/v3/contacts.json`` @ ab9ffa9c, ``…/Pipelines/Rollouts/145896/v3/pipelines.json``
@ 5a1ba952, ``PublicApiSpecs/Auth/Oauth/Rollouts/155908/v1/oauth.json``; shared/API-FACTS-DETAIL.md §1.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from importlib import resources
from typing import Any
from urllib.parse import quote

import httpx

from ordersync_app.connectors.sdk import spec
from ordersync_app.connectors.sdk.auth import OAuth2Refresh, bearer
from ordersync_app.connectors.sdk.http import ApiClient
from ordersync_app.connectors.sdk.spec import Action, Field, Param, Secret, Setting, Write, WriteResult
from ordersync_app.domain.errors import SetupError, TransientError
from ordersync_app.domain.records import Record

DEALS, CONTACTS = "/crm/v3/objects/0-3", "/crm/v3/objects/contacts"
BATCH_MAX, SEARCH_MAX = 100, 200
SEARCH_RESULT_CAP = 10_000  # HubSpot pages through at most 10,000 results of one search query
ORDER_ID, MODIFIED = "shopify_order_id", "hs_lastmodifieddate"
USAGE = "https://developers.hubspot.com/docs/developer-tooling/platform/usage-guidelines"
AUTHORIZE_URL = "https://app.hubspot.com/oauth/authorize"  # OAuth sign-in page; the authorize_url setting overrides
PLAN_LIMITS = {"starter": 100, "professional": 190, "enterprise": 190, "api_increase": 250}  # per 10 s, USAGE
_EPOCH, _MS = datetime(1970, 1, 1, tzinfo=UTC), timedelta(milliseconds=1)
_CATALOGUE = json.loads(resources.files("ordersync_app.connectors").joinpath("hubspot_fields.json").read_text("utf-8"))


def _fields(kind: str, required: tuple[str, ...] = ()) -> tuple[Field, ...]:
    return tuple(Field(f["key"], f["label"], f.get("type", "string"), f["key"] in required, f.get("description", ""),
                       tuple(f.get("choices", ())), label_zh=f.get("label_zh", "")) for f in _CATALOGUE[kind])


DEAL_PROPS = [f["key"] for f in _CATALOGUE["deal"]] + ["createdate", MODIFIED]
CONTACT_PROPS = [f["key"] for f in _CATALOGUE["contact"]] + ["createdate", "lastmodifieddate"]
SETTINGS = (
    Setting("auth_mode", "Sign-in method", "认证方式", "private_app: app token; oauth: Sign in with HubSpot",
            "private_app：应用令牌；oauth：用 HubSpot 登录", False, "private_app", choices=("private_app", "oauth")),
    Setting("client_id", "OAuth client ID", "OAuth 客户端 ID", "only for oauth", "仅 oauth 需要", required=False),
    Setting("authorize_url", "OAuth sign-in page (advanced)", "OAuth 登录页（高级）", required=False),
    Setting("plan", "HubSpot plan", "HubSpot 套餐", "sets the request budget per 10 s", "决定每 10 秒的请求额度",
            required=False, default="starter", choices=tuple(PLAN_LIMITS)),
    Secret("access_token", "Private app access token", "私有应用访问令牌", required=False),
    Secret("client_secret", "OAuth client secret", "OAuth 客户端密钥", required=False),
    Secret("refresh_token", "OAuth refresh token", "OAuth 刷新令牌", required=False),
)


def rate_limit_for(settings: Mapping[str, str]) -> spec.RateLimit:
    """The budget of the account's plan (``USAGE``; ``CONNECTOR.rate_limit`` is Starter's), for the engine's
    ``ApiClient(CONNECTOR, account, limiter=limiter_for(account.name, rate_limit_for(account.settings)))``."""
    return spec.RateLimit(PLAN_LIMITS.get(settings.get("plan") or "starter", 100), 10.0, source=USAGE)


def _auth(account: spec.AccountConfig) -> httpx.Auth:
    if account.settings.get("auth_mode") == "oauth":  # token URL from the spec's securitySchemes
        return OAuth2Refresh(account, f"{account.base_url.rstrip('/')}/oauth/v1/token")
    if not (token := account.secret("access_token")):
        raise SetupError(f"HubSpot account '{account.name}' has no access token",
                         hint="paste your private app's token, or choose oauth and reconnect")
    return bearer(token)


def _error_message(response: httpx.Response) -> str:
    """HubSpot's ``message`` and ``category`` (or ``policyName``); ApiClient falls back to the raw text."""
    body = response.json()
    body = body if isinstance(body, dict) else {"message": response.text}  # ApiClient masks, then cuts
    tag = body.get("category") or body.get("policyName")
    message = str(body.get("message") or body.get("status") or f"HTTP {response.status_code}")
    return f"{message} [{tag}]" if tag else message


def _strings(write: Write) -> dict[str, str]:
    """HubSpot takes every property value as a string; None clears the property ("")."""
    def one(value: Any) -> str:
        if value is None or isinstance(value, bool):
            return "" if value is None else str(value).lower()
        return json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else str(value)
    return {key: one(value) for key, value in write.properties.items()}


def _ms(value: str) -> str:
    """Epoch milliseconds (how HubSpot filters datetime properties) of an ISO instant; naive means UTC."""
    when = datetime.fromisoformat(value)
    return str(((when if when.tzinfo else when.replace(tzinfo=UTC)) - _EPOCH) // _MS)


def _search(client: ApiClient, path: str, filters: list[dict[str, Any]], properties: list[str], *,
            sorts: tuple[str, ...] = (), limit: int = 1, after: str = "0") -> dict[str, Any]:
    # The file at fea35957 marks all five fields required (00d0a5b5 none): every body carries them.
    body = {"filterGroups": [{"filters": filters}] if filters else [], "sorts": list(sorts),
            "properties": properties, "limit": limit, "after": after}
    return dict(client.json("POST", f"{path}/search", json=body))


def _same(a: Any, b: Any) -> bool:
    return a is not None and b is not None and str(a).casefold() == str(b).casefold()


def _batch_writer(path: str, op: str, default_property: str | None) -> spec.Deliver:
    """Deliver through ``batch/update`` or ``batch/upsert``; map a 200/207 answer back to each write."""
    def deliver(client: ApiClient, writes: list[Write]) -> list[WriteResult]:
        out = {w.ref: WriteResult(w.ref, "rejected", message="no value to match on") for w in writes if not w.match}
        todo = [w for w in writes if w.ref not in out]
        inputs = [{"id": str(w.match), "properties": _strings(w), "objectWriteTraceId": w.ref,
                   **({"idProperty": p} if (p := w.params.get("id_property") or default_property) else {})}
                  for w in todo]
        body = client.json("POST", f"{path}/batch/{op}", json={"inputs": inputs}) if inputs else {}
        results, failed, loose = body.get("results") or [], {}, []
        for err in body.get("errors") or []:  # 207: an error names its inputs in its context (ids)
            named = {str(v) for vs in (err.get("context") or {}).values() if isinstance(vs, list) for v in vs}
            hits = [w.ref for w in todo if any(_same(w.match, n) or w.ref == n for n in named)]
            message = f"{err.get('message') or 'HubSpot refused this record'} [{err.get('category')}]"
            failed.update(dict.fromkeys(hits, message))
            loose += [] if hits else [message]
        for w, item in zip(todo, inputs, strict=True):
            found = next((r for r in results if r.get("objectWriteTraceId") == w.ref or _same(
                (r.get("properties") or {}).get(item.get("idProperty", "hs_object_id")), w.match)), None)
            if w.ref in failed or (found is None and loose):  # never claim success for an unattributed error
                out[w.ref] = WriteResult(w.ref, "rejected", message=failed.get(w.ref) or loose[0])
            else:
                out[w.ref] = WriteResult(w.ref, "ok", target_id=str(found["id"]) if found else None,
                                         message="created" if found and found.get("new") else None)
        return [out[w.ref] for w in writes]
    return deliver


def _reader(path: str, default_property: str | None) -> spec.ReadCurrent:
    """Current values of the written properties through ``batch/read`` (by the unique property if any)."""
    def read(client: ApiClient, writes: list[Write]) -> list[dict[str, Any] | None]:
        found: dict[str, dict[str, Any]] = {}
        prop = (writes[0].params.get("id_property") if writes else None) or default_property
        for start in range(0, len(writes), BATCH_MAX):
            chunk = [w for w in writes[start:start + BATCH_MAX] if w.match]
            names = sorted({k for w in chunk for k in w.properties} | ({prop} if prop else set()))
            body = {"inputs": [{"id": str(w.match)} for w in chunk], "properties": names,
                    "propertiesWithHistory": [], **({"idProperty": prop} if prop else {})}
            for r in (client.json("POST", f"{path}/batch/read", json=body) if chunk else {}).get("results") or []:
                found[str((r.get("properties") or {}).get(prop) if prop else r.get("id")).casefold()] = r["properties"]
        return [{k: found[m].get(k) for k in w.properties} if (m := str(w.match).casefold()) in found else None
                for w in writes]
    return read


def _patch_deal(client: ApiClient, writes: list[Write]) -> list[WriteResult]:
    """``PATCH /crm/v3/objects/0-3/{dealId}``: one deal by its HubSpot id, to the desired values."""
    def one(w: Write) -> WriteResult:
        body = client.json("PATCH", f"{DEALS}/{quote(str(w.match), safe='')}", json={"properties": _strings(w)})
        return WriteResult(w.ref, "ok", target_id=str(body.get("id") or w.match))
    return [one(w) if w.match else WriteResult(w.ref, "rejected", message="no deal id") for w in writes]


_ID_PROPERTY = Param("id_property", "Unique deal property to match on", default=ORDER_ID, label_zh="匹配用唯一属性",
                     description="a property whose values are unique (hasUniqueValue), e.g. shopify_order_id")
_BY_PROPERTY = Param("match", "Value of the unique deal property (e.g. the order id)", required=True, label_zh="匹配值")
_IDEMPOTENT = "sets the mapped properties to their desired values; repeating it changes nothing"
ACTIONS = (
    Action("update_deal", "Update deal", "更新交易", _fields("deal"), _batch_writer(DEALS, "update", ORDER_ID),
           _reader(DEALS, ORDER_ID), match=_BY_PROPERTY, params=(_ID_PROPERTY,), batch_max=BATCH_MAX,
           idempotency=f"batch/update by a unique property {_IDEMPOTENT}; a missing deal is rejected"),
    Action("upsert_deal", "Create or update deal", "创建或更新交易",
           _fields("deal", required=("dealname", "pipeline", "dealstage")), _batch_writer(DEALS, "upsert", ORDER_ID),
           _reader(DEALS, ORDER_ID), match=_BY_PROPERTY, params=(_ID_PROPERTY,), batch_max=BATCH_MAX,
           idempotency=f"batch/upsert by a unique property {_IDEMPOTENT}"),
    Action("upsert_contact", "Create or update contact", "创建或更新联系人", _fields("contact"),
           deliver=_batch_writer(CONTACTS, "upsert", "email"), read_current=_reader(CONTACTS, "email"),
           match=Param("match", "Contact email", required=True, label_zh="联系人邮箱"), batch_max=BATCH_MAX,
           idempotency=f"batch/upsert by email {_IDEMPOTENT}"),
    Action("update_deal_by_id", "Update deal by HubSpot ID", "按 HubSpot ID 更新交易", _fields("deal"),
           deliver=_patch_deal, read_current=_reader(DEALS, None),
           match=Param("match", "HubSpot deal ID", required=True), idempotency=f"PATCH {_IDEMPOTENT}"),
)


def _finder(path: str, properties: list[str], default_property: str) -> spec.Find:
    """An EQ search on one property; the first hit, flat (id + properties), or None."""
    def find(client: ApiClient, params: Mapping[str, Any]) -> dict[str, Any] | None:
        prop, value = params.get("property") or default_property, params.get("value", params.get("email"))
        if value in (None, ""):
            return None
        filters = [{"propertyName": prop, "operator": "EQ", "value": str(value)}]
        results = _search(client, path, filters, properties).get("results") or []
        return {"id": str(results[0]["id"]), **results[0]["properties"]} if results else None
    return find


LOOKUPS = (
    spec.Lookup("find_deal", "Find deal", "查找交易", (Param("property", "Deal property", default=ORDER_ID),
                Param("value", "Value", required=True)), _fields("deal"), _finder(DEALS, DEAL_PROPS, ORDER_ID)),
    spec.Lookup("find_contact", "Find contact", "查找联系人", (Param("email", "Email", required=True),),
                _fields("contact"), _finder(CONTACTS, CONTACT_PROPS, "email")),
)


def _deal_record(obj: Mapping[str, Any]) -> Record:
    props = obj.get("properties") or {}
    changed = datetime.fromisoformat(str(props.get(MODIFIED) or obj["updatedAt"])).astimezone(UTC)
    stamp = changed.strftime("%Y-%m-%dT%H:%M:%S.%fZ")  # always microseconds: string order = time order
    payload = {"id": str(obj["id"]), **props, "createdAt": obj.get("createdAt"), "updatedAt": obj.get("updatedAt")}
    return Record(str(obj["id"]), stamp, stamp, payload, changed)


def _fetch_deals(client: ApiClient, ctx: spec.TriggerContext) -> Iterator[list[Record]]:
    """Deals with ``hs_lastmodifieddate >= since`` (and ``< until``), oldest first, page by page.

    HubSpot pages through at most 10,000 results of one query, so when the next page would cross that cap
    the search restarts from the last timestamp seen (the engine drops records seen twice)."""
    since, after, size = ctx.since, "0", max(1, min(ctx.page_size, SEARCH_MAX))
    while True:
        filters = [{"propertyName": MODIFIED, "operator": "GTE", "value": _ms(since)}] if since else []
        if ctx.until:
            filters.append({"propertyName": MODIFIED, "operator": "LT", "value": _ms(ctx.until)})
        if ctx.params.get("pipeline"):
            filters.append({"propertyName": "pipeline", "operator": "EQ", "value": str(ctx.params["pipeline"])})
        page = _search(client, DEALS, filters, DEAL_PROPS, sorts=(MODIFIED,), limit=size, after=after)
        records = [_deal_record(obj) for obj in page.get("results") or []]
        if records:
            yield records
        sent, after = after, ((page.get("paging") or {}).get("next") or {}).get("after") or ""
        if not after or not records:
            return
        if after == sent:  # the same page again: stop rather than loop forever
            raise TransientError(f"HubSpot repeated the paging cursor {after!r} of a deal search")
        if after.isdigit() and int(after) + size > SEARCH_RESULT_CAP:
            if since and _ms(records[-1].cursor_value) == _ms(since):
                raise TransientError(f"more than {SEARCH_RESULT_CAP} HubSpot deals changed at {since}")
            since, after = records[-1].cursor_value, "0"


DEAL_UPDATED = spec.Trigger(
    "deal_updated", "Deal created or updated", "交易创建或更新", _fetch_deals, spec.Cursor(MODIFIED),
    (Field("id", "Deal ID"), *_fields("deal"), Field("createdate", "Create date", "datetime"),
     Field(MODIFIED, "Last modified", "datetime")), params=(Param("pipeline", "Only this pipeline (id)"),),
    page_size=100, description="Deal search sorted by hs_lastmodifieddate, closed start (≥ the cursor).",
)


def _test_connection(client: ApiClient) -> str:
    pipelines = client.json("GET", "/crm/v3/pipelines/0-3").get("results") or []  # the spec's {objectType}
    return f"HubSpot: {len(pipelines)} deal pipeline(s), {sum(len(p.get('stages') or []) for p in pipelines)} stages"


CONNECTOR = spec.Connector(
    key="hubspot", name_en="HubSpot", name_zh="HubSpot", owns=spec.Owns.CUSTOMERS, settings=SETTINGS,
    base_url="https://api.hubapi.com", make_auth=_auth, rate_limit=spec.RateLimit(100, 10.0, source=USAGE),
    rate_limit_for=rate_limit_for,
    error_message=_error_message, test_connection=_test_connection, triggers=(DEAL_UPDATED,), actions=ACTIONS,
    lookups=LOOKUPS, sandbox="hubspot", docs="https://developers.hubspot.com/docs/guides/api/crm/objects/deals",
    hosts=("api.hubapi.com",))  # one SaaS host, no on-premise edition (API-FACTS-DETAIL §1, spec `servers` [V])
