"""Connector files: a shop's in-house system described as data, turned into the same declarations.

A connector file (YAML or JSON, ``format: ordersync-connector``) states what a connector module
states — base URL, auth kind, the list endpoint with its paginator and cursor, the record key, the
fields, the error table and simple REST writes (update or upsert by key) — using a closed catalogue
of kinds. Nothing in it is evaluated: every key maps to an SDK class (like recipe files), and the
JSON Schema in ``resources/connector.schema.json`` is generated from these models. ``ordersync
connectors add FILE`` validates it, tests it against the live system, and copies it into the user's
connectors folder, where the registry finds it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

import httpx
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ordersync_app.connectors.sdk import auth as auth_kinds
from ordersync_app.connectors.sdk import paginate, rules, spec
from ordersync_app.connectors.sdk.paths import dig, parse
from ordersync_app.domain.errors import RecipeError

FORMAT: Literal["ordersync-connector"] = "ordersync-connector"
VERSION: Literal[1] = 1
MAX_BYTES = 200_000
_KEY = r"^[a-z][a-z0-9_]{0,40}$"


class ConnectorFileInvalid(RecipeError):
    """A connector file has problems; ``problems`` lists all of them (location: message)."""

    def __init__(self, problems: list[str], *, source: str) -> None:
        self.problems = problems
        super().__init__(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} in the connector file",
                         where=source)

    def render(self) -> str:
        """A header line, then one line per problem."""
        return "\n".join([f"{self.where}: {self.what}", *(f"  - {p}" for p in self.problems)])


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(_Model):
    """A label in both languages."""

    en: str = Field(min_length=1, max_length=200)
    zh_CN: str = Field(default="", max_length=200)


def _path(value: str | None) -> str | None:
    if value:
        parse(value)  # raises ValueError with a message naming the path
    return value


JsonPath = Annotated[str, Field(max_length=200, description="A path into the answer: data.orders, items[0].sku")]


class SettingFile(_Model):
    """A value the user gives when adding an account (``secret: true`` goes to the keychain)."""

    key: str = Field(pattern=_KEY)
    label: Text
    help: Text | None = None
    secret: bool = False
    required: bool = True


class AuthFile(_Model):
    """How calls sign in: none, an API key (header or query), Basic, a bearer token, or OAuth 2.0
    client credentials; names refer to settings."""

    kind: Literal["none", "api_key", "basic", "bearer", "client_credentials"] = "none"
    location: Literal["header", "query"] = Field(default="header", alias="in")
    name: str | None = Field(default=None, description="Header or query parameter name (api_key).")
    secret: str | None = Field(default=None, description="The setting holding the key or token.")
    user: str | None = None
    password: str | None = None
    token_url: str | None = Field(default=None, description="Token endpoint (client_credentials), https only.")

    @model_validator(mode="after")
    def _complete(self) -> AuthFile:
        needs = {"api_key": ("name", "secret"), "basic": ("user", "password"), "bearer": ("secret",),
                 "client_credentials": ("token_url",)}.get(self.kind, ())
        missing = [k for k in needs if not getattr(self, k)]
        if missing:
            raise ValueError(f"auth kind {self.kind} needs {', '.join(missing)}")
        return self


class PaginatorFile(_Model):
    """How the list answer says "there is more" (see :mod:`.paginate`)."""

    kind: Literal["none", "page", "offset", "token", "link", "next_url"]
    param: str | None = None
    start: int = Field(default=1, ge=0, le=1)
    size_param: str | None = None
    limit_param: str | None = None
    max_size: int = Field(default=100, ge=1, le=10_000)
    total_pages_header: str | None = None
    total_pages_path: str | None = None
    has_next_path: str | None = None
    total_path: str | None = None
    token_path: str | None = None
    has_more_path: str | None = None
    url_path: str | None = None
    done_path: str | None = None

    _paths = field_validator("total_pages_path", "has_next_path", "total_path", "token_path", "has_more_path",
                             "url_path", "done_path")(_path)

    def build(self) -> paginate.Paginator | None:
        """The SDK paginator."""
        if self.kind == "page":
            return paginate.PageNumber(self.param or "page", self.start, self.size_param, self.max_size,
                                       self.total_pages_header, self.total_pages_path, self.has_next_path)
        if self.kind == "offset":
            return paginate.Offset(self.param or "offset", self.limit_param or "limit", self.max_size, self.total_path)
        if self.kind == "token":
            if not (self.token_path and self.param):
                raise ValueError("paginator token needs token_path and param")
            return paginate.NextToken(self.token_path, self.param, self.size_param, self.max_size, self.has_more_path)
        if self.kind == "link":
            return paginate.LinkHeader(self.size_param, self.max_size)
        if self.kind == "next_url":
            if not self.url_path:
                raise ValueError("paginator next_url needs url_path")
            return paginate.NextUrl(self.url_path, self.done_path, self.max_size)
        return paginate.SinglePage()


class CursorFile(_Model):
    """The field the list is read incrementally by (see :class:`~.spec.Cursor`)."""

    field: str
    param: str | None = None
    until_param: str | None = None
    kind: Literal["datetime", "integer", "opaque"] = "datetime"
    inclusive: bool = True
    granularity: float = Field(default=0, ge=0, le=86400)
    format: str = Field(default="iso", max_length=40)
    zone: str = "UTC"
    sorted: bool = True
    lag_seconds: int = Field(default=0, ge=0, le=86400)
    max_window_seconds: int = Field(default=0, ge=0)

    _field = field_validator("field")(_path)

    @field_validator("format")
    @classmethod
    def _format(cls, value: str) -> str:
        if value not in ("iso", "iso_naive", "epoch_s", "epoch_ms") and not re.fullmatch(r"[%a-zA-Z0-9 :./TZ+-]+",
                                                                                        value):
            raise ValueError("format is iso, iso_naive, epoch_s, epoch_ms or a strftime pattern")
        return value

    @field_validator("zone")
    @classmethod
    def _zone(cls, value: str) -> str:
        from ordersync_app.connectors.sdk.cursor import zone

        try:
            zone(value)
        except Exception:  # noqa: BLE001 - zoneinfo raises several kinds; all mean "unknown zone"
            raise ValueError(f"unknown time zone '{value}' (use an IANA name such as Asia/Shanghai)") from None
        return value

    def build(self) -> spec.Cursor:
        """The SDK cursor."""
        return spec.Cursor(**self.model_dump())


class RequestFile(_Model):
    """One HTTP call: method, path below the base URL, static parameters, where parameters go."""

    method: Literal["GET", "POST", "PUT", "PATCH"] = "GET"
    path: str = Field(pattern=r"^/[^\s]*$", max_length=300)
    params: dict[str, str | int | float | bool] = Field(default_factory=dict)
    body: Literal["query", "json", "form"] = "query"


class FieldFile(_Model):
    """A field of a record or a target object."""

    key: str = Field(max_length=200)
    label: Text | None = None
    type: Literal["string", "number", "integer", "boolean", "datetime", "date", "object", "array"] = "string"
    required: bool = False

    _key = field_validator("key")(_path)

    def build(self) -> spec.Field:
        """The SDK field."""
        label = self.label or Text(en=self.key)
        return spec.Field(self.key, label.en, self.type, self.required, label_zh=label.zh_CN)


class TriggerFile(_Model):
    """A list endpoint read incrementally."""

    key: str = Field(pattern=_KEY)
    label: Text
    request: RequestFile
    records: JsonPath = ""
    paginator: PaginatorFile = PaginatorFile(kind="none")
    cursor: CursorFile
    record_key: str = Field(default="id", alias="key_field")
    page_size: int = Field(default=100, ge=1, le=10_000)
    fields: list[FieldFile] = Field(default_factory=list, max_length=500)

    _paths = field_validator("records", "record_key")(_path)


class ActionFile(_Model):
    """A simple REST write of one object by its key: ``update`` (PATCH/PUT to the object's address,
    sets values) or ``upsert`` (PUT by a unique key, creates or updates). ``{match}`` in the path is
    the key; ``read`` (GET of the same address) lets OrderSync check a write whose answer was lost."""

    key: str = Field(pattern=_KEY)
    label: Text
    kind: Literal["update", "upsert"]
    request: RequestFile
    match: Text
    fields: list[FieldFile] = Field(min_length=1, max_length=500)
    wrap: str | None = Field(default=None, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$",
                             description="Put the values under this key of the body.")
    result_id: JsonPath | None = None
    read_path: str | None = Field(default=None, pattern=r"^/[^\s]*$", description="GET path reading the object.")
    read_record: JsonPath = ""

    @field_validator("request")
    @classmethod
    def _has_match(cls, value: RequestFile) -> RequestFile:
        if "{match}" not in value.path or value.method == "GET":
            raise ValueError("an action's path names the object with {match}, and its method is PUT, PATCH or POST")
        return value


class ErrorFile(_Model):
    """One row of the error table (see :class:`~.rules.Rule`)."""

    status: int | list[int] | None = None
    path: str | None = None
    equals: list[Any] | None = None
    not_in: list[Any] | None = None
    contains: str | None = None
    verdict: Literal["retry", "reauth", "reject", "setup", "ok"]
    message: str | None = None
    wait_seconds: float | None = Field(default=None, ge=0, le=7 * 86400)

    _paths = field_validator("path", "message")(_path)

    def build(self) -> rules.Rule:
        """The SDK rule."""
        status = tuple(self.status) if isinstance(self.status, list) else self.status
        return rules.Rule(spec.Verdict(self.verdict), status, self.path, tuple(self.equals or ()),
                          tuple(self.not_in) if self.not_in is not None else None, self.contains, self.message,
                          self.wait_seconds)


class SandboxFile(_Model):
    """The built-in emulator to try the file against, and the public demo values it accepts."""

    app: str = Field(pattern=_KEY)
    credentials: dict[str, str] = Field(default_factory=dict)
    settings: dict[str, str] = Field(default_factory=dict)


class ConnectorFile(_Model):
    """A whole connector file."""

    model_config = ConfigDict(extra="forbid", frozen=True, title="OrderSync connector", populate_by_name=True)

    format: Literal["ordersync-connector"] = FORMAT
    version: Literal[1] = VERSION
    key: str = Field(pattern=_KEY)
    name: Text
    owns: Literal["orders", "customers"] = "orders"
    base_url: str = Field(default="", max_length=300, description="Default address; each account can set its own.")
    settings: list[SettingFile] = Field(default_factory=list, max_length=30)
    auth: AuthFile = AuthFile()
    rate_limit: dict[str, float] = Field(default_factory=lambda: {"requests": 10.0, "per_seconds": 1.0})
    triggers: list[TriggerFile] = Field(default_factory=list, max_length=20)
    actions: list[ActionFile] = Field(default_factory=list, max_length=20)
    errors: list[ErrorFile] = Field(default_factory=list, max_length=50)
    sandbox: SandboxFile | None = Field(default=None, description="Built-in emulator to test against.")

    @model_validator(mode="after")
    def _consistent(self) -> ConnectorFile:
        names = {s.key for s in self.settings}
        for ref in (self.auth.secret, self.auth.user, self.auth.password):
            if ref and ref not in names:
                raise ValueError(f"auth refers to the setting '{ref}', which is not under settings")
        if not (self.triggers or self.actions):
            raise ValueError("a connector needs at least one trigger or action")
        if not {"requests", "per_seconds"} <= set(self.rate_limit) or min(self.rate_limit.values()) <= 0:
            raise ValueError("rate_limit needs positive requests and per_seconds")
        if self.auth.token_url and not self.auth.token_url.startswith("https://"):
            raise ValueError("auth.token_url must be an https:// address")
        return self


# -- turning a file into declarations -------------------------------------------------------------
def _make_auth(doc: AuthFile) -> spec.MakeAuth:
    def make(account: spec.AccountConfig) -> httpx.Auth | None:
        if doc.kind == "api_key":
            assert doc.secret
            assert doc.name
            return auth_kinds.api_key(account, doc.secret, header=doc.name if doc.location == "header" else None,
                                      query=doc.name if doc.location == "query" else None)
        if doc.kind == "basic":
            assert doc.user
            assert doc.password
            return auth_kinds.basic(account, doc.user, doc.password)
        if doc.kind == "bearer":
            assert doc.secret
            (token,) = auth_kinds._needs(account, doc.secret)
            return auth_kinds.bearer(token)
        if doc.kind == "client_credentials":
            assert doc.token_url
            return auth_kinds.client_credentials(account, doc.token_url)
        return None
    return make


def _trigger(doc: TriggerFile) -> spec.Trigger:
    request = spec.Request(doc.request.method, doc.request.path, dict(doc.request.params), body=doc.request.body)
    return spec.Trigger(doc.key, doc.label.en, doc.label.zh_CN or doc.label.en, doc.cursor.build(),
                        tuple(f.build() for f in doc.fields), page_size=doc.page_size, request=request,
                        records=doc.records, paginator=doc.paginator.build(), record_key=doc.record_key)


def _action(doc: ActionFile) -> spec.Action:
    def path(write: spec.Write) -> str:
        return doc.request.path.replace("{match}", _quote(str(write.match)))

    def deliver(client: Any, writes: list[spec.Write]) -> list[spec.WriteResult]:
        out = []
        for write in writes:
            if not write.match:
                out.append(spec.WriteResult(write.ref, spec.WriteStatus.REJECTED, message="no key to write to"))
                continue
            values = {**dict(doc.request.params), **write.properties}
            body = {doc.wrap: values} if doc.wrap else values
            kwargs = {"json": body} if doc.request.body == "json" else {"data": body}
            answer = client.json(doc.request.method, path(write), write=True, **kwargs)
            target = dig(answer, doc.result_id) if doc.result_id else write.match
            out.append(spec.WriteResult(write.ref, spec.WriteStatus.OK,
                                        target_id=None if target is None else str(target)))
        return out

    def read_current(client: Any, writes: list[spec.Write]) -> list[dict[str, Any] | None]:
        from ordersync_app.domain.errors import RecordRejected

        found: list[dict[str, Any] | None] = []
        for write in writes:
            if not (write.match and doc.read_path):
                found.append(None)
                continue
            try:
                record = dig(client.json("GET", doc.read_path.replace("{match}", _quote(str(write.match)))),
                             doc.read_record)
            except RecordRejected:  # 404: the object does not exist
                record = None
            found.append({k: dig(record, k) for k in write.properties} if isinstance(record, dict) else None)
        return found

    semantics = spec.WriteSemantics.KEYED if doc.kind == "upsert" else spec.WriteSemantics.SET
    return spec.Action(doc.key, doc.label.en, doc.label.zh_CN or doc.label.en, tuple(f.build() for f in doc.fields),
                       deliver, read_current, match=spec.Param("match", doc.match.en, required=True,
                                                               label_zh=doc.match.zh_CN),
                       idempotency=f"{doc.kind} of one object by its key", semantics=semantics)


def _quote(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="")


def _test_connection(name: str, trigger: spec.Trigger | None) -> spec.TestConnection:
    def test(client: Any) -> str:
        if trigger is None:
            return f"{name}: the connection is set up (no list to read)"
        first = next(iter(trigger.read(client, spec.TriggerContext(params={}, since=None, page_size=5))), [])
        return f"{name}: {trigger.label_en} readable ({len(first)} record(s) on the first page)"
    return test


def build(doc: ConnectorFile) -> spec.Connector:
    """The :class:`~.spec.Connector` a validated file describes."""
    triggers = tuple(_trigger(t) for t in doc.triggers)
    settings = tuple(spec.Setting(s.key, s.label.en, s.label.zh_CN or s.label.en,
                                  s.help.en if s.help else "", s.help.zh_CN if s.help else "",
                                  required=s.required, secret=s.secret) for s in doc.settings)
    return spec.Connector(
        key=doc.key, name_en=doc.name.en, name_zh=doc.name.zh_CN or doc.name.en,
        owns=spec.Owns.ORDERS if doc.owns == "orders" else spec.Owns.CUSTOMERS, settings=settings,
        base_url=doc.base_url, make_auth=_make_auth(doc.auth),
        rate_limit=spec.RateLimit(int(doc.rate_limit["requests"]), float(doc.rate_limit["per_seconds"]),
                                  source="connector file"),
        error_message=rules.message_at("message", "error", "msg", "detail"),
        test_connection=_test_connection(doc.name.en, triggers[0] if triggers else None),
        triggers=triggers, actions=tuple(_action(a) for a in doc.actions),
        rules=tuple(e.build() for e in doc.errors),
        sandbox=spec.Sandbox(doc.sandbox.app, doc.sandbox.credentials, doc.sandbox.settings) if doc.sandbox else None,
    )


class _NoAliases(yaml.SafeLoader):
    """SafeLoader without aliases: a connector file never needs them, and they can blow up memory."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.constructor.ConstructorError(None, None, "aliases (*name) are not allowed here",
                                                    event.start_mark)
        return super().compose_node(parent, index)


def parse_text(text: str | bytes, *, source: str = "<connector file>") -> ConnectorFile:
    """Parse and validate a connector file's text (YAML or JSON).

    Raises:
        ConnectorFileInvalid: with every problem found (never any other error for bad input).
    """
    if len(text) > MAX_BYTES:
        raise ConnectorFileInvalid([f"the file is larger than {MAX_BYTES // 1000} kB"], source=source)
    try:
        raw = text.decode("utf-8-sig") if isinstance(text, bytes) else text
        loader = _NoAliases(raw)
        try:
            data = loader.get_single_data()
        finally:
            loader.dispose()
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ConnectorFileInvalid([f"not readable YAML/JSON: {exc}"], source=source) from None
    if not isinstance(data, Mapping):
        raise ConnectorFileInvalid(["the file must be a mapping with format: ordersync-connector"], source=source)
    try:
        doc = ConnectorFile.model_validate(data)
        for trigger in doc.triggers:
            trigger.paginator.build()
    except ValidationError as exc:
        problems = [f"{'.'.join(map(str, e['loc'])) or '(file)'}: {e['msg'].removeprefix('Value error, ')}"
                    for e in exc.errors()]
        raise ConnectorFileInvalid(problems, source=source) from None
    except ValueError as exc:
        raise ConnectorFileInvalid([str(exc)], source=source) from None
    return doc


def load_connector(path: Path) -> spec.Connector:
    """Read, validate and build a connector file (ConnectorFileInvalid when it has problems)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConnectorFileInvalid([f"cannot read the file: {exc.strerror or exc}"], source=str(path)) from None
    return build(parse_text(data, source=path.name))


def json_schema() -> dict[str, Any]:
    """The JSON Schema of connector files (``resources/connector.schema.json``)."""
    schema = ConnectorFile.model_json_schema(by_alias=True, mode="validation")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": f"urn:ordersync:schema:connector:v{VERSION}", **schema}


def render_schema() -> str:
    """The schema as the committed file's text."""
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":  # pragma: no cover - ``python -m ordersync_app.connectors.sdk.files``
    import sys

    sys.stdout.write(render_schema())
