""""Add a custom app": the form's answers turned into a connector file and an account, without Qt.

The GUI page collects plain answers (:class:`CustomApp`); this module turns them into the connector-file
document (:mod:`ordersync_app.connectors.sdk.files`) and the account's settings and secrets, then hands both to
:mod:`.connectors` and :mod:`.accounts`. Secrets never enter the document — except the public demo key of a
``sandbox://`` address, which the file names as its sandbox (as ``resources/examples`` does), so a sandbox
account needs nothing from the keychain.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ordersync_app.connectors.sdk.spec import SANDBOX_SCHEME
from ordersync_app.domain.errors import SetupError
from ordersync_app.services import accounts, connectors

AUTH_KINDS = ("none", "api_key", "basic", "bearer", "client_credentials")
PAGING = ("none", "page", "offset", "token", "link", "next_url")
WRITES = ("none", "update", "upsert")


@dataclass
class CustomApp:
    """What the form asks, in its own words (empty strings for unanswered optional questions)."""

    name_en: str
    key: str = "inhouse_oms"
    name_zh: str = ""
    owns: str = "orders"
    base_url: str = ""
    auth: str = "none"
    key_in: str = "header"  # api_key: header or query
    key_name: str = ""  # api_key: the header or parameter name
    user: str = ""  # basic: the user name; client_credentials: the client id
    secret: str = ""  # the key, token, password or client secret
    token_url: str = ""
    path: str = ""
    records: str = ""
    paging: str = "none"
    page_param: str = ""  # page / offset / cursor parameter
    size_param: str = ""
    more_path: str = ""  # total pages / total / next cursor / next URL, by paging style
    cursor_field: str = ""
    cursor_param: str = ""
    cursor_inclusive: bool = True
    cursor_sorted: bool = True
    cursor_is_number: bool = False
    key_field: str = ""
    fields: list[str] = field(default_factory=list)
    write: str = "none"
    write_method: str = "PATCH"
    write_path: str = ""
    write_fields: list[str] = field(default_factory=list)
    read_path: str = ""
    read_record: str = ""
    account: str = "oms"

    @property
    def sandboxed(self) -> bool:
        """The address is a built-in sandbox app (``sandbox://rest``)."""
        return self.base_url.startswith(SANDBOX_SCHEME)


def _auth(app: CustomApp) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The file's ``auth`` and the settings it refers to."""
    def setting(key: str, en: str, zh: str, *, secret: bool) -> dict[str, Any]:
        return {"key": key, "label": {"en": en, "zh_CN": zh}, "secret": secret}

    if app.auth == "api_key":
        return ({"kind": "api_key", "in": app.key_in, "name": app.key_name or "X-Api-Key", "secret": "api_key"},
                [setting("api_key", "API key", "API 密钥", secret=True)])
    if app.auth == "bearer":
        return {"kind": "bearer", "secret": "token"}, [setting("token", "Access token", "访问令牌", secret=True)]
    if app.auth == "basic":
        return ({"kind": "basic", "user": "username", "password": "password"},
                [setting("username", "User name", "用户名", secret=False),
                 setting("password", "Password", "密码", secret=True)])
    if app.auth == "client_credentials":
        return ({"kind": "client_credentials", "token_url": app.token_url},
                [setting("client_id", "Client ID", "客户端 ID", secret=False),
                 setting("client_secret", "Client secret", "客户端密钥", secret=True)])
    return {"kind": "none"}, []


def account_values(app: CustomApp) -> tuple[dict[str, str], dict[str, str]]:
    """The account's (settings, secrets) from the form."""
    secret_key = {"api_key": "api_key", "bearer": "token", "basic": "password",
                  "client_credentials": "client_secret"}.get(app.auth)
    user_key = {"basic": "username", "client_credentials": "client_id"}.get(app.auth)
    settings = {user_key: app.user} if user_key and app.user else {}
    return settings, ({secret_key: app.secret} if secret_key and app.secret else {})


def _paginator(app: CustomApp) -> dict[str, Any]:
    more = app.more_path or None
    if app.paging == "page":
        return {"kind": "page", "param": app.page_param or "page", "size_param": app.size_param or None,
                "total_pages_path": more}
    if app.paging == "offset":
        return {"kind": "offset", "param": app.page_param or "offset", "limit_param": app.size_param or "limit",
                "total_path": more}
    if app.paging == "token":
        return {"kind": "token", "param": app.page_param, "size_param": app.size_param or None, "token_path": more}
    if app.paging == "link":
        return {"kind": "link", "size_param": app.size_param or None}
    if app.paging == "next_url":
        return {"kind": "next_url", "url_path": more}
    return {"kind": "none"}


def _clean(value: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in value.items() if v not in (None, "")}


def _labels(app: CustomApp) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    if app.owns == "orders":
        return ({"en": "Order created or changed", "zh_CN": "订单新建或变更"},
                {"en": "Update an order", "zh_CN": "更新订单"}, {"en": "Order", "zh_CN": "订单"})
    return ({"en": "Record created or changed", "zh_CN": "记录新建或变更"},
            {"en": "Update a record", "zh_CN": "更新记录"}, {"en": "Record", "zh_CN": "记录"})


def document(app: CustomApp) -> dict[str, Any]:
    """The connector-file document the form describes (validated when saved)."""
    auth, settings = _auth(app)
    trigger_label, action_label, thing = _labels(app)
    cursor = _clean({"field": app.cursor_field, "param": app.cursor_param or None,
                     "kind": "integer" if app.cursor_is_number else "datetime",
                     "inclusive": app.cursor_inclusive, "sorted": app.cursor_sorted})
    trigger = {"key": "order_updated" if app.owns == "orders" else "record_updated", "label": trigger_label,
               "request": {"method": "GET", "path": app.path}, "records": app.records,
               "paginator": _clean(_paginator(app)), "cursor": cursor, "key_field": app.key_field,
               "fields": [{"key": f} for f in dict.fromkeys(app.fields)]}
    doc: dict[str, Any] = {
        "format": "ordersync-connector", "version": 1, "key": app.key,
        "name": _clean({"en": app.name_en, "zh_CN": app.name_zh}), "owns": app.owns,
        "base_url": "" if app.sandboxed else app.base_url, "settings": settings, "auth": auth,
        "triggers": [trigger]}
    if app.write != "none":
        match = {"en": f"{thing['en']}: {app.key_field}", "zh_CN": f"{thing['zh_CN']}：{app.key_field}"}
        doc["actions"] = [_clean({
            "key": "update_order" if app.owns == "orders" else "update_record", "label": action_label,
            "kind": app.write, "request": {"method": app.write_method, "path": app.write_path, "body": "json"},
            "match": match, "fields": [{"key": f} for f in dict.fromkeys(app.write_fields)],
            "read_path": app.read_path or None, "read_record": app.read_record})]
    if app.sandboxed:  # the built-in sandbox app and its public demo key (not a secret: it opens only the emulator)
        doc["sandbox"] = {"app": app.base_url[len(SANDBOX_SCHEME):].strip("/"), "credentials": account_values(app)[1]}
    return doc


def draft(app: CustomApp) -> dict[str, Any]:
    """The parts "Fetch a sample" needs, before the cursor and the key are chosen."""
    doc = document(app)
    trigger = {k: v for k, v in doc["triggers"][0].items() if k in ("request", "records", "paginator")}
    return {"settings": doc["settings"], "auth": doc["auth"], "triggers": [trigger]}


def sample(app: CustomApp) -> connectors.Sample:
    """Call the list endpoint once through the SDK and list the fields of its items (see
    :func:`.connectors.sample_fields`)."""
    settings, secrets = account_values(app)
    return connectors.sample_fields(draft(app), base_url=app.base_url, settings=settings, secrets=secrets)


def save(app: CustomApp, *, replace: bool = False) -> connectors.AddedConnector:
    """Add the connector file (validated and tested against the system) and an account that uses it.

    Raises:
        ConnectorFileInvalid: the form's answers make an invalid file (every problem listed).
        SetupError: the key or account name is taken, or the test call failed.
    """
    settings, secrets = account_values(app)
    doc = document(app)
    if not replace and app.account in {a.name for a in accounts.list_accounts()}:  # before anything is written
        raise SetupError(f"an account named '{app.account}' already exists", hint="choose another account name")
    if app.sandboxed:
        added = connectors.save_document(doc, base_url=None, replace=replace)
        accounts.add_account(app.account, added.key, base_url=app.base_url, replace=replace)
    else:
        added = connectors.save_document(doc, base_url=app.base_url, settings=settings, secrets=secrets,
                                         replace=replace)
        accounts.add_account(app.account, added.key, base_url=app.base_url, settings=settings,
                             secret_values=secrets, replace=replace)
    return added
