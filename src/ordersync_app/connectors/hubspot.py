"""HubSpot CRM v3: keep deals, contacts and line items in step with orders; poll the deals and contacts that changed.

HubSpot owns the CUSTOMERS side of the one-direction rule: OrderSync writes deals, contacts, line items and
associations here and never writes orders back. Every write answers the object's id, whether it was created
and its ``updatedAt`` (the loop guard's stamp). Sources, read and never copied (proprietary): ``HubSpot/
HubSpot-public-api-spec-collection`` ``PublicApiSpecs/CRM/Deals/Rollouts/424/v3/deals.json`` @ fea35957 (paths
under ``0-3``, batch and search bodies: all five search fields required, sorts as strings ``"prop"``/``"-prop"``,
207 errors), ``…/Contacts/Rollouts/424/v3/contacts.json`` @ ab9ffa9c, ``…/Line Items/Rollouts/424/v3/
lineItems.json`` @ 78a8b80f, ``…/Associations/Rollouts/130902/v4/associations.json`` @ 89a281c1,
``…/Pipelines/Rollouts/145896/v3/pipelines.json`` @ 5a1ba952, ``…/Properties/Rollouts/145899/v3/properties.json``,
``PublicApiSpecs/Auth/Oauth/Rollouts/155908/v1/oauth.json``; limits from the usage guidelines page (``USAGE``)
[V]; shared/API-FACTS-DETAIL.md §1.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from importlib import resources
from typing import Any
from urllib.parse import quote

import httpx

from ordersync_app.connectors.sdk import auth, rules, spec
from ordersync_app.connectors.sdk.associations import associated, association_reader, associator
from ordersync_app.connectors.sdk.crm_batch import BATCH_MAX, batch_reader, batch_writer, stamp, strings
from ordersync_app.connectors.sdk.http import ApiClient
from ordersync_app.connectors.sdk.paginate import NextToken
from ordersync_app.connectors.sdk.spec import Action, Field, Param, Secret, Setting, Write, WriteResult
from ordersync_app.domain.errors import SetupError

DEALS, CONTACTS, LINE_ITEMS = "/crm/v3/objects/0-3", "/crm/v3/objects/contacts", "/crm/v3/objects/line_items"
V4 = "/crm/v4/associations"  # associations v4: …/Associations/Rollouts/130902/v4/associations.json @ 89a281c1 [V]
SEARCH_MAX = 200
ORDER_ID, MODIFIED, CONTACT_MODIFIED = "shopify_order_id", "hs_lastmodifieddate", "lastmodifieddate"
# HUBSPOT_DEFINED type 20 = line item → deal (19 the reverse) [S]: HubSpot's associations guide lists the default
# types (https://developers.hubspot.com/docs/api/crm/associations) but its table is not in our corpora; the same
# ids in SevenShores/hubspot-php src/Endpoints/CrmAssociations.php (LINE_ITEM_TO_DEAL = 20) and linuxbeast.com's
# v4 associations guide. Creates take them inline (line items guide, batch/create body [V]).
LINE_ITEM_TO_DEAL = 20
MARKER = "ordersync_ref"  # a unique deal property the portal owner creates for creates (Settings → Properties)
USAGE = "https://developers.hubspot.com/docs/developer-tooling/platform/usage-guidelines"
# Browser sign-in: OAuth quickstart guide (the authorize_url setting overrides its page); oauth.json (PKCE) [V].
# Line items need crm.objects.line_items.read/.write (line items guide, "Scope requirements" [V]).
OAUTH = spec.OAuthApp("https://app.hubspot.com/oauth/authorize", "/oauth/v1/token", "oauth crm.objects.deals.read "
                      "crm.objects.deals.write crm.objects.contacts.read crm.objects.contacts.write "
                      "crm.objects.line_items.read crm.objects.line_items.write")
PLAN_LIMITS = {"starter": 100, "professional": 190, "enterprise": 190, "api_increase": 250}  # per 10 s, USAGE [V]
# CRM search: about 4–5 requests/s per token (API-FACTS corrections [V]); 4 keeps OrderSync's own pacing under it.
SEARCH_LIMIT = spec.RateLimit(4, 1.0, source="API-FACTS.md corrections: CRM search ≈ 4–5/s per token", family="search")
_CATALOGUE = json.loads(resources.files("ordersync_app.connectors").joinpath("hubspot_fields.json").read_text("utf-8"))


def _fields(kind: str, required: tuple[str, ...] = ()) -> tuple[Field, ...]:
    return tuple(Field(f["key"], f["label"], f.get("type", "string"), f["key"] in required, f.get("description", ""),
                       tuple(f.get("choices", ())), label_zh=f.get("label_zh", "")) for f in _CATALOGUE[kind])


DEAL_PROPS = [f.key for f in _fields("deal")] + ["createdate", MODIFIED]
CONTACT_PROPS = [f.key for f in _fields("contact")] + ["createdate", CONTACT_MODIFIED]
_OAUTH = {"auth_mode": ("oauth",)}
SETTINGS = (
    Setting("auth_mode", "Sign-in method", "认证方式", "How OrderSync signs in to your HubSpot account.",
            "OrderSync 登录 HubSpot 账户的方式。", False, "private_app", choices=("private_app", "oauth"),
            choice_labels={"private_app": ("Private app / service key token", "私有应用（服务密钥）令牌"),
                           "oauth": ("Sign in with HubSpot (OAuth)", "用 HubSpot 账号登录（OAuth）")}),
    Secret("access_token", "Private app access token", "私有应用访问令牌",
           "HubSpot → Settings → Integrations → Private apps (or Development → Service keys) → your app → "
           "Access token → Show token.",
           "HubSpot → 设置 → 集成 → 私有应用（或 开发 → 服务密钥）→ 你的应用 → 访问令牌 → 显示令牌。",
           required=False, shown_when={"auth_mode": ("private_app",)}),
    Setting("client_id", "OAuth client ID", "OAuth 客户端 ID", "Your public app → Auth → Client ID.",
            "你的公共应用 → 认证 → 客户端 ID。", required=False, shown_when=_OAUTH),
    Secret("client_secret", "OAuth client secret", "OAuth 客户端密钥", "Your public app → Auth → Client secret.",
           "你的公共应用 → 认证 → 客户端密钥。", required=False, shown_when=_OAUTH),
    Secret("refresh_token", "OAuth refresh token", "OAuth 刷新令牌", "Filled in by “Sign in with HubSpot”.",
           "点击“用 HubSpot 登录”后自动填写。", required=False, shown_when=_OAUTH),
    Setting("authorize_url", "OAuth sign-in page (advanced)", "OAuth 登录页（高级）", required=False,
            shown_when=_OAUTH),
    Setting("plan", "HubSpot plan", "HubSpot 套餐", "Sets how many requests OrderSync sends per 10 seconds.",
            "决定 OrderSync 每 10 秒发送的请求数。", required=False, default="starter", choices=tuple(PLAN_LIMITS),
            choice_labels={"starter": ("Free / Starter", "免费版 / 入门版"), "professional": ("Professional", "专业版"),
                           "enterprise": ("Enterprise", "企业版"), "api_increase": ("With API limit increase",
                                                                                  "含 API 额度提升包")}),
)


def rate_limit_for(settings: Mapping[str, str]) -> spec.RateLimit:
    """The ten-second budget of the account's plan (``USAGE``; ``CONNECTOR.rate_limit`` is Starter's)."""
    return spec.RateLimit(PLAN_LIMITS.get(settings.get("plan") or "starter", 100), 10.0, source=USAGE)


def _auth(account: spec.AccountConfig) -> httpx.Auth:
    if account.settings.get("auth_mode") == "oauth":  # token URL from the spec's securitySchemes
        return auth.oauth2_refresh(account, f"{account.base_url.rstrip('/')}/oauth/v1/token")
    if not (token := account.secret("access_token")):
        raise SetupError(f"HubSpot account '{account.name}' has no access token",
                         hint="paste your private app's token, or choose oauth and reconnect")
    return auth.bearer(token)


_SET = "sets the mapped properties to their desired values; repeating it changes nothing"
_ID_PROPERTY = Param("id_property", "Unique deal property to match on", default=ORDER_ID, label_zh="匹配用唯一属性",
                     description="a property whose values are unique (hasUniqueValue), e.g. shopify_order_id")
_BY_PROPERTY = Param("match", "Order ID held by the deal", required=True, label_zh="交易上记录的订单 ID")
_DEAL_REQUIRED = ("dealname", "pipeline", "dealstage")


def _patch_deal(client: ApiClient, writes: list[Write]) -> list[WriteResult]:
    """``PATCH /crm/v3/objects/0-3/{dealId}``: one deal by its HubSpot id, to the desired values."""
    def one(w: Write) -> WriteResult:
        body = client.json("PATCH", f"{DEALS}/{quote(str(w.match), safe='')}", write=True,
                           json={"properties": strings(w.properties)})
        return WriteResult(w.ref, "ok", target_id=str(body.get("id") or w.match), stamp=stamp(body))
    return [one(w) if w.match else WriteResult(w.ref, "rejected", message="no deal id") for w in writes]


def _to_deal(w: Write) -> dict[str, Any]:
    """The inline association of a new line item with its deal (the v3 create input's ``associations``)."""
    deal = str(w.properties.get("deal_id") or "").strip()
    if not deal.isdigit():
        raise ValueError(f"a line item needs the HubSpot id of its deal in deal_id (got {deal or 'nothing'!r})")
    return {"associations": [{"to": {"id": deal}, "types": [{"associationCategory": "HUBSPOT_DEFINED",
                                                            "associationTypeId": LINE_ITEM_TO_DEAL}]}]}


def _deal_ids(client: ApiClient, items: list[dict[str, Any]]) -> None:
    """The deal each line item is attached to, as ``deal_id`` (line items have one parent)."""
    deals = associated(client, f"{V4}/line_items/deals", [str(i["id"]) for i in items])
    for item in items:
        item["deal_id"] = next(iter(deals.get(str(item["id"]), [])), None)


_CREATE = "after a lost answer it is looked up by that reference before anything is sent again"
ACTIONS = (
    Action("update_deal", "Update deal", "更新交易", _fields("deal"), batch_writer(DEALS, "update", ORDER_ID),
           batch_reader(DEALS, ORDER_ID), match=_BY_PROPERTY, params=(_ID_PROPERTY,), batch_max=BATCH_MAX,
           idempotency=f"batch/update by a unique property {_SET}; a missing deal is rejected",
           object="deals", open_fields=True),
    Action("upsert_deal", "Create or update deal", "创建或更新交易", _fields("deal", required=_DEAL_REQUIRED),
           batch_writer(DEALS, "upsert", ORDER_ID), batch_reader(DEALS, ORDER_ID), match=_BY_PROPERTY,
           params=(_ID_PROPERTY,), batch_max=BATCH_MAX, idempotency=f"batch/upsert by a unique property {_SET}",
           semantics=spec.WriteSemantics.KEYED, object="deals", open_fields=True),
    Action("upsert_contact", "Create or update contact", "创建或更新联系人", _fields("contact"),
           deliver=batch_writer(CONTACTS, "upsert", "email"), read_current=batch_reader(CONTACTS, "email"),
           match=Param("match", "Contact email", required=True, label_zh="联系人邮箱"), batch_max=BATCH_MAX,
           idempotency=f"batch/upsert by email {_SET}; the result names the contact and whether it was created",
           semantics=spec.WriteSemantics.KEYED, object="contacts", open_fields=True),
    Action("create_deal", "Create deal", "创建交易", _fields("deal", required=_DEAL_REQUIRED),
           batch_writer(DEALS, "create", MARKER), batch_reader(DEALS, MARKER), batch_max=BATCH_MAX, object="deals",
           semantics=spec.WriteSemantics.APPEND, marker=MARKER, open_fields=True,
           idempotency=f"creates a deal carrying its OrderSync reference in the unique property {MARKER}; {_CREATE}"),
    Action("update_deal_by_id", "Update deal by HubSpot ID", "按 HubSpot ID 更新交易", _fields("deal"),
           deliver=_patch_deal, read_current=batch_reader(DEALS, None), object="deals", open_fields=True,
           match=Param("match", "HubSpot deal ID", required=True, label_zh="HubSpot 交易 ID"),
           idempotency=f"PATCH {_SET}"),
    Action("create_line_items", "Create line items on a deal", "在交易上创建明细",
           (*_fields("line_item", required=("name", "quantity", "price")),
            Field("deal_id", "Deal (HubSpot id)", required=True, label_zh="所属交易（HubSpot ID）")),
           batch_writer(LINE_ITEMS, "create", MARKER, extras=_to_deal, skip=("deal_id",)),
           batch_reader(LINE_ITEMS, MARKER, more=_deal_ids, skip=("deal_id",)), batch_max=BATCH_MAX,
           semantics=spec.WriteSemantics.APPEND, marker=MARKER, object="line_items", open_fields=True,
           idempotency=f"batch/create with the deal association inline; each line item carries its OrderSync "
                       f"reference in the unique property {MARKER}; {_CREATE}"),
    Action("associate", "Associate two records", "关联两条记录",
           (Field("to_id", "Record to link to (HubSpot id)", required=True, label_zh="要关联到的记录（HubSpot ID）"),),
           associator(V4, "deals", "contacts"), association_reader(V4, "deals", "contacts"), batch_max=BATCH_MAX,
           match=Param("match", "Record to link (HubSpot id)", required=True, label_zh="要关联的记录（HubSpot ID）"),
           params=(Param("from_object", "Its object type", default="deals", label_zh="其对象类型"),
                   Param("to_object", "Object type to link to", default="contacts", label_zh="关联到的对象类型")),
           semantics=spec.WriteSemantics.KEYED,
           idempotency="associations v4 default (unlabelled) association: a pair is associated once; repeating it "
                       "changes nothing"),)


def _search(filters: list[dict[str, Any]], properties: list[str], *, sorts: tuple[str, ...] = (),
            limit: int = 1, after: str = "0") -> dict[str, Any]:
    """A search body; the file at fea35957 marks all five fields required (00d0a5b5 none): every body has them."""
    return {"json": {"filterGroups": [{"filters": filters}] if filters else [], "sorts": list(sorts),
                     "properties": properties, "limit": limit, "after": after}}


def _finder(path: str, properties: list[str], default_property: str) -> spec.Find:
    """An EQ search on one property; the first hit, flat (id + properties), or None."""
    def find(client: ApiClient, params: Mapping[str, Any]) -> dict[str, Any] | None:
        prop, value = params.get("property") or default_property, params.get("value", params.get("email"))
        if value in (None, ""):
            return None
        body = _search([{"propertyName": prop, "operator": "EQ", "value": str(value)}], properties)
        results = client.json("POST", f"{path}/search", family="search", **body).get("results") or []
        return {"id": str(results[0]["id"]), **results[0]["properties"]} if results else None
    return find


LOOKUPS = (
    spec.Lookup("find_deal", "Find deal", "查找交易",
                (Param("property", "Deal property", default=ORDER_ID, label_zh="交易属性"),
                 Param("value", "Value", required=True, label_zh="值")),
                _fields("deal"), _finder(DEALS, DEAL_PROPS, ORDER_ID)),
    spec.Lookup("find_contact", "Find contact", "查找联系人",
                (Param("email", "Email", required=True, label_zh="邮箱"),),
                _fields("contact"), _finder(CONTACTS, CONTACT_PROPS, "email")),
)


def _modified_since(modified: str, properties: list[str]) -> spec.Encode:
    """The trigger's page as a search: ``modified`` ≥ since (< until), oldest first (deals may name a pipeline)."""
    def encode(p: dict[str, Any]) -> dict[str, Any]:
        filters = [{"propertyName": modified, "operator": op, "value": str(p[k])}
                   for k, op in (("since", "GTE"), ("until", "LT")) if p.get(k) is not None]
        if p.get("pipeline"):
            filters.append({"propertyName": "pipeline", "operator": "EQ", "value": str(p["pipeline"])})
        return _search(filters, properties, sorts=(modified,), limit=int(p["limit"]), after=str(p.get("after", "0")))
    return encode


def _flat(obj: Mapping[str, Any]) -> dict[str, Any]:
    return {"id": str(obj["id"]), **(obj.get("properties") or {}), "createdAt": obj.get("createdAt"),
            "updatedAt": obj.get("updatedAt")}


def _modified_trigger(key: str, en: str, zh: str, path: str, modified: str, fields: tuple[Field, ...],
                      properties: list[str], **more: Any) -> spec.Trigger:
    """A search sorted by the object's last-modified property, closed start (≥ the cursor), keyset paging."""
    return spec.Trigger(
        key, en, zh, spec.Cursor(f"properties.{modified}", param="since", until_param="until", format="epoch_ms"),
        (*fields, Field("createdate", "Create date", "datetime", label_zh="创建时间"),
         Field(modified, "Last modified", "datetime", label_zh="最后修改时间")), page_size=100,
        description=f"Search sorted by {modified}, closed start (≥ the cursor).",
        request=spec.Post(f"{path}/search", encode=_modified_since(modified, properties), family="search"),
        records="results", shape=_flat,
        paginator=NextToken("paging.next.after", "after", size_param="limit", max_size=SEARCH_MAX), **more)


TRIGGERS = (
    _modified_trigger("deal_updated", "Deal created or updated", "交易创建或更新", DEALS, MODIFIED,
                      (Field("id", "Deal ID", label_zh="交易 ID"), *_fields("deal")), DEAL_PROPS,
                      params=(Param("pipeline", "Only this pipeline (id)", label_zh="仅此管道（ID）",
                                    send_as="pipeline"),)),
    # Contacts keep their modified date in lastmodifieddate (API-FACTS-DETAIL §1 [S]; contacts.json @ ab9ffa9c).
    _modified_trigger("contact_updated", "Contact created or updated", "联系人创建或更新", CONTACTS, CONTACT_MODIFIED,
                      (Field("id", "Contact ID", label_zh="联系人 ID"), *_fields("contact")), CONTACT_PROPS),
)
_TYPES = {"number": "number", "datetime": "datetime", "date": "date", "bool": "boolean", "enumeration": "string"}


def _discover(client: ApiClient, obj: str) -> tuple[Field, ...]:
    """The object's properties from ``GET /crm/v3/properties/{objectType}``: custom ones and enumeration options."""
    found = []
    for p in client.json("GET", f"/crm/v3/properties/{quote(obj, safe='')}").get("results") or []:
        options = [o for o in p.get("options") or [] if not o.get("hidden")]
        found.append(Field(str(p["name"]), str(p.get("label") or p["name"]), _TYPES.get(p.get("type"), "string"),
                           description=str(p.get("description") or ""), choices=tuple(str(o["value"]) for o in options),
                           choice_labels={str(o["value"]): str(o.get("label") or o["value"]) for o in options},
                           read_only=bool((p.get("modificationMetadata") or {}).get("readOnlyValue"))))
    return tuple(found)


def _test_connection(client: ApiClient) -> str:
    pipelines = client.json("GET", "/crm/v3/pipelines/0-3").get("results") or []  # the spec's {objectType}
    return f"HubSpot: {len(pipelines)} deal pipeline(s), {sum(len(p.get('stages') or []) for p in pipelines)} stages"


CONNECTOR = spec.Connector(
    key="hubspot", name_en="HubSpot", name_zh="HubSpot", owns=spec.Owns.CUSTOMERS, settings=SETTINGS,
    base_url="https://api.hubapi.com", make_auth=_auth, rate_limit=spec.RateLimit(100, 10.0, source=USAGE),
    rate_limit_for=rate_limit_for, more_limits=(SEARCH_LIMIT,), discover_fields=_discover,
    error_message=rules.message_at("message", "status", tags=("category", "policyName")),
    test_connection=_test_connection,
    triggers=TRIGGERS, actions=ACTIONS, lookups=LOOKUPS, hosts=("api.hubapi.com",), oauth=OAUTH,
    sandbox=spec.Sandbox("hubspot", credentials={"access_token": "sandbox-hubspot-token"}),
    docs="https://developers.hubspot.com/docs/guides/api/crm/objects/deals",
)
