"""The recipe file format (version 2) as pydantic models, so a recipe is data with one exact shape.

Every model forbids unknown keys, every name a recipe may use comes from the closed catalogue in
:mod:`.catalog`, and field paths/templates are checked for syntax here. Checks that need the
connector registry (does this event exist?) live in :mod:`.load`, which reports all problems at
once. ``Recipe.to_document()`` gives the canonical file content; it loads back to an equal model.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Final, Literal, Union

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    SerializerFunctionWrapHandler,
    StringConstraints,
    Tag,
    WithJsonSchema,
    create_model,
    field_validator,
    model_serializer,
    model_validator,
)
from pydantic.json_schema import GetJsonSchemaHandler, JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError

from ordersync_app.domain.text import invisible_characters
from ordersync_app.recipes import catalog
from ordersync_app.recipes.migrations import CURRENT_VERSION
from ordersync_app.recipes.paths import PathError, parse_path, parse_template
from ordersync_app.recipes.schedule import CronProblem, CronSchedule, check_timezone, parse_cron

__all__ = [
    "FORMAT",
    "ActionStep",
    "AggregateStep",
    "AnyTransform",
    "Computed",
    "Condition",
    "FilterStep",
    "LookupStep",
    "Mapping",
    "Options",
    "Recipe",
    "Schedule",
    "Sla",
    "Step",
    "TransformCall",
    "Trigger",
    "WhenChanged",
]

FORMAT: Final[Literal["ordersync-recipe"]] = "ordersync-recipe"
NAME_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]*$"
_NAME = re.compile(NAME_PATTERN)
_EVERY = re.compile(r"(\d{1,6})\s*(s|m|h)")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600}
# The floor is 10 s; whether an account's rate budget allows polling that often is checked in load.py
# against the connector's declared limits (recipes.budget).
MIN_EVERY_SECONDS = 10
MAX_EVERY_SECONDS = 24 * 3600


# Caps that keep one run's work per record bounded: a recipe is a few steps of a few dozen fields.
MAX_STEPS: Final = 200
MAX_TRANSFORMS: Final = 50  # per mapping
MAX_CONDITIONS: Final = 100  # per filter step
MAX_FIELDS: Final = 500  # fields or parameters per step


def _readable(value: str) -> str:
    """Refuse names with invisible or direction-changing characters: ``Safe sync \u202eelif.exe``
    shows as "Safe sync exe.file"."""
    found = invisible_characters(value)
    if found:
        raise _error("name", f"the name contains invisible or direction-changing characters ({', '.join(found)})",
                     "type the name again without them")
    return value


def _error(kind: str, message: str, hint: str | None = None) -> PydanticCustomError:
    """A validation error with our own wording; ``hint`` is shown after the message."""
    return PydanticCustomError(kind, message, {"hint": hint} if hint else None)


# ------------------------------------------------------------------------------ simple types


def _check_name(value: str) -> str:
    if not _NAME.match(value):
        raise _error("name", f"'{value}' is not a valid name",
                     "use letters, digits and _ only, starting with a letter (e.g. crm, shop, deal)")
    return value


def _check_path(value: str) -> str:
    try:
        parse_path(value)
    except PathError as exc:
        raise _error("path", str(exc)) from None
    return value


def _check_template(value: str) -> str:
    try:
        parse_template(value)
    except PathError as exc:
        raise _error("template", str(exc)) from None
    return value


Name = Annotated[str, AfterValidator(_check_name),
                 WithJsonSchema({"type": "string", "pattern": NAME_PATTERN})]
Path = Annotated[str, AfterValidator(_check_path), WithJsonSchema(
    {"type": "string", "description": "Dotted path into the record, with [n] for list items "
     "(customer.email, lineItems[0].sku); steps.<id>.<path> reads an earlier step's result; inside "
     "for_each, item.<path> reads the item."})]
Template = Annotated[str, AfterValidator(_check_template), WithJsonSchema(
    {"type": "string", "description": "Text with {path} placeholders (substitution only); {{ and }} "
     "are literal braces."})]


class _Model(BaseModel):
    """Base of the recipe models: unknown keys are errors; the dump leaves out noise.

    ``omit_empty`` fields are left out of the document when empty/None, ``only_if_set`` fields
    when the file did not contain them (so ``value: null`` survives a round trip).
    """

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    omit_empty: ClassVar[frozenset[str]] = frozenset()
    only_if_set: ClassVar[frozenset[str]] = frozenset()

    @model_serializer(mode="wrap")
    def _serialize(self, handler: SerializerFunctionWrapHandler) -> Any:
        data = handler(self)
        if not isinstance(data, dict):
            return data
        for name, info in type(self).model_fields.items():
            key = info.alias if info.alias and info.alias in data else name
            if key not in data:
                continue
            value = getattr(self, name)
            if (name in self.omit_empty and (value is None or value == {} or value == [])) or (
                    name in self.only_if_set and name not in self.model_fields_set) or self._omit(name):
                del data[key]
        return data

    def _omit(self, name: str) -> bool:
        """Whether this instance leaves the field ``name`` out of its document (another field replaces it)."""
        return False


# ------------------------------------------------------------------------------- transforms


class TransformCall(BaseModel):
    """One transform in a mapping: ``trim`` or ``{lookup_table: {table: …}}`` in the file.

    One subclass per catalogue entry is generated below, with a single field named after the
    transform whose type is that transform's argument model.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)
    transform_name: ClassVar[str] = ""

    @model_validator(mode="before")
    @classmethod
    def _bare_name(cls, data: Any) -> Any:
        if isinstance(data, str):
            return {data: None}
        return data

    @property
    def args(self) -> catalog.Args:
        """The validated arguments."""
        value: catalog.Args = getattr(self, self.transform_name)
        return value

    @model_serializer(mode="plain")
    def _serialize(self) -> Any:
        args = self.args.model_dump(mode="json", exclude_unset=True)
        spec = catalog.TRANSFORMS[self.transform_name]
        if not args and not spec.needs_args:
            return self.transform_name
        return {self.transform_name: args}


def _call_model(spec: catalog.TransformSpec) -> type[TransformCall]:
    camel = "".join(part.title() for part in spec.name.split("_"))
    fields: dict[str, Any] = {
        spec.name: (spec.args, Field(default_factory=spec.args) if not spec.needs_args else ...)}
    model = create_model(f"{camel}Transform", __base__=TransformCall, __doc__=spec.description_en, **fields)
    model.transform_name = spec.name
    return model


TRANSFORM_MODELS: dict[str, type[TransformCall]] = {name: _call_model(spec)
                                                   for name, spec in catalog.TRANSFORMS.items()}


def _transform_tag(data: Any) -> str | None:
    if isinstance(data, TransformCall):
        return data.transform_name
    if isinstance(data, str):
        return data
    if isinstance(data, dict) and len(data) == 1:
        key = next(iter(data))
        return key if isinstance(key, str) else None
    return None


class _TransformJsonSchema:
    """The JSON Schema of one transform as written in files: a bare name or a one-key mapping."""

    @classmethod
    def __get_pydantic_json_schema__(cls, _core: CoreSchema, _handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        bare = [name for name, spec in catalog.TRANSFORMS.items() if not spec.needs_args]
        properties: dict[str, Any] = {}
        for name, spec in catalog.TRANSFORMS.items():
            args_schema = spec.args.model_json_schema()
            args_schema.pop("title", None)
            forms: list[dict[str, Any]] = [args_schema]
            if spec.args.shorthand:
                forms.append(args_schema["properties"][spec.args.shorthand])
            if not spec.needs_args:
                forms.append({"type": "null"})
            properties[name] = {"description": spec.description_en,
                                **({"anyOf": forms} if len(forms) > 1 else args_schema)}
        return {
            "anyOf": [
                {"type": "string", "enum": bare, "description": "A transform without arguments."},
                {"type": "object", "properties": properties, "additionalProperties": False,
                 "minProperties": 1, "maxProperties": 1, "description": "{transform: arguments}"},
            ],
        }


# A callable Discriminator picks the one member to validate, so errors point into the transform the
# user wrote instead of listing all 23 (https://docs.pydantic.dev/2.5/concepts/unions, "discriminated
# unions"; callable form added in https://github.com/pydantic/pydantic/pull/6915). An unknown name
# raises `custom_error_type`, which load.py turns into "unknown transform … did you mean …".
if TYPE_CHECKING:
    AnyTransform = TransformCall
else:  # a tagged union of the generated models: errors point into the one transform written
    AnyTransform = Annotated[
        Union[tuple(Annotated[model, Tag(name)] for name, model in TRANSFORM_MODELS.items())],  # noqa: UP007
        Discriminator(_transform_tag, custom_error_type="transform",
                      custom_error_message="not a transform of the catalogue"),
        _TransformJsonSchema,
    ]


# --------------------------------------------------------------------------------- mappings

_KINDS = ("source", "value", "template", "list", "object")
WriteMode = Literal["always", "only_if_empty", "create_only", "never"]
WRITE_MODES: Final = ("always", "only_if_empty", "create_only", "never")


class Mapping(_Model):
    """Where a value comes from: exactly one of ``source``, ``value`` or ``template`` — or a ``list`` or an
    ``object`` built from mappings (an order's line items from a deal's fields) — then transforms."""

    model_config = ConfigDict(json_schema_extra={"oneOf": [{"required": [k]} for k in _KINDS]})
    only_if_set: ClassVar[frozenset[str]] = frozenset(("source", "value", "template", "list_", "object_", "mode"))
    omit_empty: ClassVar[frozenset[str]] = frozenset({"transforms"})

    source: Path | None = Field(default=None, description="Path of the record field to copy.")
    value: Any = Field(default=None, description="A constant.")
    template: Template | None = Field(default=None, description="Text with {path} placeholders.")
    list_: list[Mapping] | None = Field(default=None, alias="list", description="A list, one mapping per item.")
    object_: dict[str, Mapping] | None = Field(default=None, alias="object",
                                               description="An object, one mapping per key.")
    transforms: list[AnyTransform] = Field(default_factory=list, max_length=MAX_TRANSFORMS,
                                           description="Applied in order to the value.")
    mode: WriteMode = Field(default="always", description=(
        "For an action's field, when OrderSync may write it: always; only_if_empty (the target's value is "
        "empty); create_only (only when the action creates the object); never (the other system owns it)."))

    @model_validator(mode="before")
    @classmethod
    def _needs_mapping(cls, data: Any) -> Any:
        if isinstance(data, dict | Mapping):
            return data
        shown = repr(data) if isinstance(data, str) else str(data)
        hint = (f"write {{source: {data}}} to copy that field, or {{value: {shown}}} for a constant"
                if isinstance(data, str | int | float) and not isinstance(data, bool)
                else "write {source: path}, {value: constant} or {template: text}")
        raise _error("mapping", "a mapping is written as {source: …}, {value: …} or {template: …}", hint)

    @model_validator(mode="after")
    def _exactly_one(self) -> Mapping:
        given = [k for k in _KINDS if k in self.model_fields_set or f"{k}_" in self.model_fields_set]
        if len(given) != 1:
            found = f" (found {' and '.join(given)})" if given else ""
            raise _error("mapping", f"a mapping needs exactly one of source, value or template (or list or "
                                    f"object){found}")
        if given[0] in ("source", "template", "list", "object") and \
                getattr(self, given[0] + ("_" if given[0] in ("list", "object") else "")) is None:
            raise _error("mapping", f"`{given[0]}` must not be empty")
        return self

    @property
    def kind(self) -> Literal["source", "value", "template", "list", "object"]:
        """Which of source/value/template/list/object this mapping uses."""
        if "source" in self.model_fields_set:
            return "source"
        if "template" in self.model_fields_set:
            return "template"
        if "list_" in self.model_fields_set:
            return "list"
        return "object" if "object_" in self.model_fields_set else "value"

    def parts(self) -> list[Mapping]:
        """The mappings a list or object is built from (none for the other kinds)."""
        return list(self.list_ or []) + list((self.object_ or {}).values())

    def paths(self) -> list[str]:
        """The record paths this mapping reads (its source or its template's placeholders)."""
        if self.kind == "source" and self.source:
            return [self.source]
        if self.kind == "template" and self.template:
            return [p for _, p in parse_template(self.template) if p is not None]
        return [p for part in self.parts() for p in part.paths()]


# ------------------------------------------------------------------------------------ steps


class Computed(_Model):
    """A value computed from the record for a comparison: ``{of: steps.avg.avg, times: 3}`` is three times
    the customer's average. A closed form (a path, a factor, an addend): nothing is evaluated."""

    only_if_set: ClassVar[frozenset[str]] = frozenset({"times", "plus"})

    of: Path = Field(description="Path of the number (a record field or steps.<id>.<field>).")
    times: float = Field(default=1.0, description="Multiply by this.")
    plus: float = Field(default=0.0, description="Then add this.")


class Condition(_Model):
    """One filter condition: ``{field: path, op: equals, value: FULFILLED}``; ``value`` may be computed
    (``{of: steps.avg.avg, times: 3}``) for the ordered operators."""

    only_if_set: ClassVar[frozenset[str]] = frozenset({"value"})

    field: Path = Field(description="Path of the record field to test.")
    op: str = Field(description="Filter operator.", json_schema_extra={"enum": list(catalog.FILTER_OPS)})
    value: Any = Field(default=None, description="What to compare with (not used by exists/is_empty…).")

    @field_validator("op")
    @classmethod
    def _known_op(cls, value: str) -> str:
        if value not in catalog.FILTER_OPS:
            from ordersync_app.connectors.sdk.registry import suggest

            close = suggest(value, list(catalog.FILTER_OPS))
            raise _error("op", f"unknown operator '{value}'",
                         f"did you mean '{close}'?" if close else "known: " + ", ".join(catalog.FILTER_OPS))
        return value

    @field_validator("value", mode="before")
    @classmethod
    def _computed(cls, value: Any) -> Any:
        if isinstance(value, dict) and "of" in value:
            return Computed.model_validate(value)
        return value

    @model_validator(mode="after")
    def _value_fits(self) -> Condition:
        if isinstance(self.value, Computed):
            if catalog.FILTER_OPS[self.op].value != "ordered":
                raise _error("op_value", f"'{self.op}' cannot compare with a computed value",
                             "computed values suit gt, gte, lt and lte")
            return self
        problem = catalog.check_op_value(self.op, self.value, has_value="value" in self.model_fields_set)
        if problem:
            raise _error("op_value", problem)
        return self


class FilterStep(_Model):
    """Keep only records that satisfy ``all`` (or ``any``) of the conditions."""

    match: Literal["all", "any"] = "all"
    conditions: list[Condition] = Field(min_length=1, max_length=MAX_CONDITIONS)


class LookupStep(_Model):
    """Find an object in another app; later steps read it as ``steps.<id>.<field>`` (the step's ``id``)."""

    account: Name = Field(description="Role (a key of `accounts`).")
    lookup: str = Field(description="Lookup key of that connector.")
    params: dict[str, Mapping] = Field(default_factory=dict)
    if_missing: Literal["fail", "skip", "continue"] = Field(
        default="fail", description="Nothing found: fail the record (failed queue), skip it, or continue with "
                                    "an empty result (a later action creates the object).")


class ActionStep(_Model):
    """Write to an app: ``fields`` maps target fields to mappings; ``match`` identifies the target."""

    omit_empty: ClassVar[frozenset[str]] = frozenset({"match", "params"})

    account: Name = Field(description="Role (a key of `accounts`).")
    action: str = Field(description="Action key of that connector.")
    for_each: Path | None = Field(default=None, description=(
        "Write once per item of this list (lineItems); mappings read the item as item.<field>."))
    item_key: Path | None = Field(default=None, description=(
        "What identifies an item within the record (a path in the item, e.g. sku); default its position. "
        "Each (record, item) is written once."))
    match: Mapping | None = Field(default=None, description="Identifies the target object.")
    params: dict[str, Any] = Field(default_factory=dict)
    fields: dict[str, Mapping] = Field(default_factory=dict, max_length=MAX_FIELDS)

    @model_validator(mode="after")
    def _item_key_needs_loop(self) -> ActionStep:
        if self.item_key is not None and self.for_each is None:
            raise _error("item_key", "`item_key` names an item of `for_each`, which is missing",
                         "add `for_each: <list field>` or remove item_key")
        return self


AggregateFn = Literal["sum", "count", "avg", "min", "max"]
Window = Literal["all", "day", "month", "year"]


class AggregateStep(_Model):
    """Totals per group over the records this recipe has seen (sum/count/avg/min/max of a field), kept in
    the database as each record arrives, so a new order updates its customer's figures without re-reading
    history. Later steps read ``steps.<id>.sum``, ``.count``, ``.avg``, ``.min``, ``.max``."""

    omit_empty: ClassVar[frozenset[str]] = frozenset({"of", "currency", "time"})

    group_by: Path = Field(description="Records with the same value here are totalled together (customer.email).")
    of: Path | None = Field(default=None, description="The number to total (totalPrice); none: count records.")
    currency: Path | None = Field(default=None, description=(
        "Keep a separate total per currency (currencyCode): amounts in different currencies never mix."))
    window: Window = Field(default="all", description="all, or per calendar day/month/year of `time`.")
    time: Path | None = Field(default=None, description="The record's date/time that places it in a window.")
    timezone: str = Field(default="UTC", description="Where the calendar windows begin (Asia/Shanghai).")
    include_current: bool = Field(default=True, description=(
        "Whether the figures include this record (false: compare a record with the others, e.g. 3× the "
        "customer's average of their other orders)."))

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise _error("timezone", f"unknown time zone '{value}'", "use an IANA name such as Asia/Shanghai "
                                                                       "or UTC") from None
        return value

    @model_validator(mode="after")
    def _window_needs_time(self) -> AggregateStep:
        if self.window != "all" and self.time is None:
            raise _error("time", f"a {self.window} window needs `time` (the record's date, e.g. createdAt)")
        return self


_STEP_KINDS = ("filter", "lookup", "action", "aggregate")


class Step(_Model):
    """One item of ``steps``: an optional ``id`` and exactly one of ``filter``, ``lookup``, ``action`` or
    ``aggregate``. Later steps read a step's result as ``steps.<id>.<field>``."""

    model_config = ConfigDict(json_schema_extra={"oneOf": [{"required": [k]} for k in _STEP_KINDS]})
    omit_empty: ClassVar[frozenset[str]] = frozenset((*_STEP_KINDS, "id"))

    id: Name | None = Field(default=None, description="Name of this step's result for steps.<id>.<field>.")
    filter: FilterStep | None = None
    lookup: LookupStep | None = None
    action: ActionStep | None = None
    aggregate: AggregateStep | None = None

    @model_validator(mode="before")
    @classmethod
    def _needs_mapping(cls, data: Any) -> Any:
        if isinstance(data, str) and data in _STEP_KINDS:
            raise _error("step", f"`{data}` needs its settings", f"write `{data}:` followed by its keys")
        return data

    @model_validator(mode="after")
    def _exactly_one(self) -> Step:
        given = [k for k in _STEP_KINDS if getattr(self, k) is not None]
        if len(given) != 1:
            found = f" (found {' and '.join(given)})" if given else ""
            raise _error("step", f"a step needs exactly one of filter, lookup, action or aggregate{found}")
        if self.id is None and self.kind in ("lookup", "aggregate"):
            raise _error("step", f"a {self.kind} step needs an `id`: later steps read its result as "
                                 "steps.<id>.<field>", f"add e.g. `id: {'deal' if self.lookup else 'totals'}`")
        return self

    @property
    def kind(self) -> Literal["filter", "lookup", "action", "aggregate"]:
        """Which kind of step this is."""
        if self.filter is not None:
            return "filter"
        if self.lookup is not None:
            return "lookup"
        return "aggregate" if self.aggregate is not None else "action"

    @property
    def body(self) -> FilterStep | LookupStep | ActionStep | AggregateStep:
        """The step's settings (whichever of filter/lookup/action/aggregate is set)."""
        body = self.filter or self.lookup or self.action or self.aggregate
        assert body is not None  # guaranteed by _exactly_one
        return body


# ---------------------------------------------------------------------------------- trigger


def parse_every(text: str) -> int:
    """Seconds of a poll interval written ``45s``, ``5m`` or ``1h``.

    Raises:
        ValueError: not of that form or outside 10s..24h.
    """
    match = _EVERY.fullmatch(text.strip())
    if not match:
        raise ValueError(f"'{text}' is not an interval; write it like 45s, 5m or 1h")
    seconds = int(match.group(1)) * _UNIT_SECONDS[match.group(2)]
    if not MIN_EVERY_SECONDS <= seconds <= MAX_EVERY_SECONDS:
        raise ValueError(f"'{text}' is out of range; the interval must be between {MIN_EVERY_SECONDS}s and 24h")
    return seconds


def parse_start(text: str) -> datetime | None:
    """The instant a ``start`` value names (None for ``now``/``everything``); dates are midnight UTC.

    Raises:
        ValueError: not ``now``, ``everything``, a date, or a date-time with a zone.
    """
    if text in ("now", "everything"):
        return None
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            day = date.fromisoformat(text)
            return datetime(day.year, day.month, day.day, tzinfo=UTC)
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"'{text}' is not now, everything, or an ISO 8601 date/time") from None
    if moment.tzinfo is None:
        raise ValueError(f"'{text}' has no time zone; add one, e.g. {text}Z or {text}+08:00")
    try:
        moment.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00:00+14:00 is in year 0 in UTC
        raise ValueError(f"'{text}' is out of range (years 1–9999 in UTC)") from None
    return moment


class Schedule(_Model):
    """A cron schedule in a time zone: ``{cron: "0 2 1 * *", timezone: Asia/Shanghai}``."""

    cron: str = Field(description="Five crontab fields: minute hour day-of-month month day-of-week (0 and 7 are "
                      "Sunday), or @daily, @weekly, @monthly, @yearly, @hourly. E.g. 0 2 1 * * = 02:00 on the 1st.")
    timezone: str = Field(description="IANA time zone the times are in, e.g. Asia/Shanghai, Europe/Berlin, UTC.")

    @field_validator("cron")
    @classmethod
    def _cron(cls, value: str) -> str:
        try:
            parse_cron(value)
        except CronProblem as exc:
            raise _error("cron", exc.message, exc.hint) from None
        return value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            check_timezone(value)
        except CronProblem as exc:
            raise _error("timezone", exc.message, exc.hint) from None
        return value

    @model_validator(mode="after")
    def _fires(self) -> Schedule:
        try:
            CronSchedule.of(self.cron, self.timezone)
        except CronProblem as exc:
            raise _error("cron", exc.message, exc.hint) from None
        return self

    @property
    def cron_schedule(self) -> CronSchedule:
        """The checked schedule (fire times, the APScheduler trigger)."""
        return CronSchedule(self.cron, self.timezone)


class WhenChanged(_Model):
    """Fire only when a field's value changed (``to`` a value, when given) since OrderSync last saw the
    record: "deal entered stage closedwon". The previous value is remembered per record, so an edit that
    only bumps a record's modified time does not fire again. A record seen for the first time counts as
    changed to its current value."""

    only_if_set: ClassVar[frozenset[str]] = frozenset({"to"})

    field: Path = Field(description="Path of the field to watch (properties.dealstage).")
    to: Any = Field(default=None, description="Fire only when it changed to this value.")

    @field_validator("to")
    @classmethod
    def _scalar(cls, value: Any) -> Any:
        if value is not None and not isinstance(value, str | int | float | bool):
            raise _error("to", "`to` must be text, a number or true/false")
        return value


class Trigger(_Model):
    """When the recipe runs: an event of the ``account`` role's connector, polled ``every`` — or, with
    ``schedule``, read in full from ``start`` at each time of a cron schedule ("every month, for each …")."""

    model_config = ConfigDict(json_schema_extra={"not": {"required": ["every", "schedule"]}})
    omit_empty: ClassVar[frozenset[str]] = frozenset({"params", "when_changed", "schedule", "also_from"})

    account: Name = Field(description="Role (a key of `accounts`).")
    event: str = Field(description="Trigger key of that connector.")
    params: dict[str, Any] = Field(default_factory=dict)
    every: str = Field(default="5m", description="Poll interval, 10s..24h, e.g. 10s, 5m, 1h (the connector's rate "
                       "budget may ask for a longer one).", json_schema_extra={"pattern": _EVERY.pattern})
    schedule: Schedule | None = Field(default=None, description="Run at the times of a cron schedule instead of "
                                      "polling; each run reads the event in full from `start`.")
    start: str = Field(default="now", description="now | everything | an ISO 8601 date or date-time with zone "
                       "(a scheduled trigger reads from here at every run: everything, or a date).")
    also_from: list[Name] = Field(default_factory=list, description=(
        "More roles of the same app to read the same event from (several shops into one recipe): each record "
        "gets `channel` (the role it came from) and its key is prefixed with that role."))
    when_changed: WhenChanged | None = Field(default=None, description=(
        "Fire only when this field changed (to this value) since the record was last seen."))

    @field_validator("every")
    @classmethod
    def _every(cls, value: str) -> str:
        try:
            parse_every(value)
        except ValueError as exc:
            raise _error("every", str(exc)) from None
        return value

    @field_validator("start")
    @classmethod
    def _start(cls, value: str) -> str:
        try:
            parse_start(value)
        except ValueError as exc:
            raise _error("start", str(exc)) from None
        return value

    @model_validator(mode="after")
    def _schedule_or_every(self) -> Trigger:
        if self.schedule is None:
            return self
        if "every" in self.model_fields_set:
            raise _error("schedule", "a trigger has either `every` (polling) or `schedule` (cron times), not both",
                         "remove `every`, or remove `schedule` to poll")
        if "start" not in self.model_fields_set:
            self.start = "everything"  # a scheduled run reads its event in full
        elif self.start == "now":
            raise _error("schedule", "a scheduled trigger reads its event in full at every run, so `start: now` "
                         "would read nothing", "use `start: everything` or a date to read from")
        return self

    def _omit(self, name: str) -> bool:
        return name == "every" and self.schedule is not None

    @property
    def every_seconds(self) -> int:
        """The poll interval in seconds (for a scheduled trigger: the default, unused by the scheduler)."""
        return parse_every(self.every)

    @property
    def start_at(self) -> datetime | None:
        """The instant to start from, or None for ``now``/``everything``."""
        return parse_start(self.start)


def _percent(value: Any) -> Any:
    """``99.5``, ``"99.5"`` or ``"99.5 %"`` → 99.5 (other values go on to pydantic's own checks)."""
    if isinstance(value, str) and value.strip().endswith("%"):
        return value.strip()[:-1].strip()
    return value


class Sla(_Model):
    """Service-level targets of a recipe, measured from its stored outcomes over ``window_days``."""

    omit_empty: ClassVar[frozenset[str]] = frozenset({"success", "p95_seconds"})

    success: float | None = Field(default=None, description="Records that reach the target, in percent (e.g. "
                                  "99.5); records waiting for a retry count against it, filtered ones do not.")
    p95_seconds: float | None = Field(default=None, description="95 % of records are written within this many "
                                      "seconds of their change in the source.")
    window_days: int = Field(default=7, ge=1, le=90, description="The days the figures are measured over.")

    @field_validator("success", mode="before")
    @classmethod
    def _strip_percent(cls, value: Any) -> Any:
        return _percent(value)

    @field_validator("success")
    @classmethod
    def _success(cls, value: float | None) -> float | None:
        if value is None:
            return value
        if not 0 < value <= 100:
            raise _error("sla", f"a success target is a percentage above 0 and at most 100, got {value:g}",
                         "e.g. success: 99.5")
        if value <= 1:
            raise _error("sla", f"a success target of {value:g} % is almost no target at all",
                         f"targets are in percent: did you mean {value * 100:g}?")
        return value

    @field_validator("p95_seconds")
    @classmethod
    def _p95(cls, value: float | None) -> float | None:
        if value is not None and not 0 < value <= 7 * 86400:
            raise _error("sla", f"a p95 target is a number of seconds above 0 and at most a week, got {value:g}",
                         "e.g. p95_seconds: 30")
        return value

    @model_validator(mode="after")
    def _some_target(self) -> Sla:
        if self.success is None and self.p95_seconds is None:
            raise _error("sla", "an SLA needs a target: `success` (percent), `p95_seconds`, or both",
                         "e.g. sla: {success: 99.5, p95_seconds: 30}")
        return self


class Options(_Model):
    """Run options."""

    omit_empty: ClassVar[frozenset[str]] = frozenset({"sla"})

    dry_run: bool = Field(default=False, description="Preview writes without sending them.")
    on_error: Literal["continue", "stop"] = Field(
        default="continue", description="continue: a failed record goes to the failed queue, others go on.")
    sla: Sla | None = Field(default=None, description="Service-level targets: an alert when the recipe falls "
                            "short, the figures on Home and in `ordersync stats`.")


class Translation(_Model):
    """The recipe's name and description in another language (shown in that language's UI)."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=5000)
    omit_empty: ClassVar[frozenset[str]] = frozenset({"name", "description"})

    @field_validator("name")
    @classmethod
    def _readable_name(cls, value: str | None) -> str | None:
        return None if value is None else _readable(value)


LanguageCode = Annotated[str, StringConstraints(pattern=r"^[a-z]{2}(_[A-Z]{2})?$")]


class Recipe(_Model):
    """A whole recipe file."""

    model_config = ConfigDict(title="OrderSync recipe")
    omit_empty: ClassVar[frozenset[str]] = frozenset({"translations", "owns"})

    format: Literal["ordersync-recipe"] = Field(default=FORMAT, description="Always ordersync-recipe.")
    version: int = Field(default=CURRENT_VERSION, description="Format version of this file.",
                         json_schema_extra={"const": CURRENT_VERSION})
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=5000)
    accounts: dict[Name, str] = Field(min_length=1, description="Roles → connector keys (never credentials).")
    owns: dict[Name, list[str]] = Field(default_factory=dict, description=(
        "Which role's system owns which object types (crm: [contact, company]); default: a CRM owns customers, "
        "an order system orders. A recipe that writes into an object its target owns, from a source that does "
        "not, must give each field a `mode`."))
    trigger: Trigger
    steps: list[Step] = Field(min_length=1, max_length=MAX_STEPS)
    options: Options = Field(default_factory=Options)
    translations: dict[LanguageCode, Translation] = Field(
        default_factory=dict, description="Name and description in other languages, e.g. zh_CN.")

    def title(self, language: str | None = None) -> str:
        """The name in ``language`` (e.g. ``zh_CN``) when the file has it, else the name."""
        found = self.translations.get(language or "")
        return found.name if found and found.name else self.name

    def summary(self, language: str | None = None) -> str:
        """The description in ``language`` when the file has it, else the description."""
        found = self.translations.get(language or "")
        return found.description if found and found.description else self.description

    @field_validator("version")
    @classmethod
    def _current(cls, value: int) -> int:
        if value != CURRENT_VERSION:
            raise _error("version", f"expected version {CURRENT_VERSION}")
        return value

    @field_validator("name")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise _error("name", "the name must not be blank")
        return _readable(value)

    def to_document(self) -> dict[str, Any]:
        """The canonical file content (JSON-ready); it loads back to an equal recipe."""
        data: dict[str, Any] = self.model_dump(mode="json", by_alias=True)
        return data

    def to_yaml(self) -> str:
        """The canonical file content as YAML, laid out the way the templates are written."""
        text: str = yaml.dump(self.to_document(), Dumper=_Dumper, allow_unicode=True, sort_keys=False,
                              default_flow_style=False, width=100)
        return text


# ------------------------------------------------------------------------------- YAML layout


class _Dumper(yaml.SafeDumper):
    """Block style, with short leaf mappings and lists on one line and multi-line text as ``|``."""


_FLOW_WIDTH = 72


def _scalar(value: Any) -> bool:
    return value is None or (isinstance(value, str | int | float | bool) and "\n" not in str(value))


def _flat(value: Any) -> bool:
    return _scalar(value) or (isinstance(value, list) and len(value) <= 6 and all(map(_scalar, value)))


def _width(values: list[Any]) -> int:
    return sum(len(str(v)) + 3 for v in values)


def _represent_dict(dumper: yaml.SafeDumper, data: dict[str, Any]) -> yaml.Node:
    values = list(data.values())
    words = list(data) + [w for v in values for w in (v if isinstance(v, list) else [v])]
    flow = 0 < len(data) <= 4 and all(map(_flat, values)) and _width(words) <= _FLOW_WIDTH
    return dumper.represent_mapping("tag:yaml.org,2002:map", data, flow_style=flow)


def _represent_list(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
    flow = len(data) <= 6 and all(map(_scalar, data)) and _width(data) <= _FLOW_WIDTH
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style="|" if "\n" in data else None)


_Dumper.add_representer(dict, _represent_dict)
_Dumper.add_representer(list, _represent_list)
_Dumper.add_representer(str, _represent_str)
