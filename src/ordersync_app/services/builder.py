"""What the recipe builder needs beyond saving: sample records, source fields, step tests and previews.

The builder lets a shop owner map from *real* values, so it reads a trigger's first page through
the account (or, when the account cannot be reached yet, a sample made from the trigger's declared
fields). "Test this step" never writes: a lookup is a read, and an action test evaluates the
mappings for one sample record and reads the target's current values, exactly like a dry run.
No Qt here; the GUI calls these functions on a worker thread.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from ordersync_app.connectors.sdk import registry
from ordersync_app.connectors.sdk.spec import Field, TriggerContext, Write
from ordersync_app.domain.errors import OrderSyncError, RecordRejected, SetupError
from ordersync_app.domain.redact import mask
from ordersync_app.engine.diff import changes
from ordersync_app.recipes import catalog
from ordersync_app.recipes.model import Mapping as MappingModel
from ordersync_app.services import accounts
from ordersync_app.services.explain import Text, explain

MAX_SAMPLE = 20
_EXAMPLES: dict[str, Any] = {"string": "text", "number": 12.5, "integer": 3, "boolean": True,
                             "datetime": "2026-09-01T08:00:00Z", "date": "2026-09-01", "array": ["a", "b"]}


@dataclass
class SampleResult:
    """Sample records of a trigger, and where they came from.

    Attributes:
        records: payloads (dicts), newest last, as recipes map from them.
        live: True when read from the account; False for the offline sample.
        note: why the offline sample was used (already masked), or "".
    """

    records: list[dict[str, Any]]
    live: bool
    note: str = ""
    fields: list[tuple[str, str]] = field(default_factory=list)  # declared (path, label) pairs


def _set_path(target: dict[str, Any], path: str, value: Any) -> None:
    """Write ``value`` at a dotted path with ``[n]`` items (``lineItems[0].sku``) into nested dicts."""
    parts = path.replace("]", "").split(".")
    node: Any = target
    for i, part in enumerate(parts):
        name, _, index = part.partition("[")
        last = i == len(parts) - 1
        if index:
            items = node.setdefault(name, [])
            while len(items) <= int(index):
                items.append({})
            if last:
                items[int(index)] = value
            else:
                node = items[int(index)]
        elif last:
            node[name] = value
        else:
            node = node.setdefault(name, {})


def example_value(spec: Field) -> Any:
    """A plausible value for a declared field (its first choice, else one by type)."""
    if spec.choices:
        return spec.choices[0]
    return _EXAMPLES.get(spec.type, "text")


def offline_sample(connector_key: str, event: str) -> dict[str, Any]:
    """One record built from a trigger's declared fields (used when the account cannot be reached).

    Raises:
        SetupError: unknown connector or event.
    """
    trigger = accounts.connector(connector_key).trigger(event)
    if trigger is None:
        raise SetupError(f"{connector_key} has no trigger '{event}'")
    record: dict[str, Any] = {}
    for spec in trigger.fields:
        _set_path(record, spec.key, example_value(spec))
    return record


def sample_records(account: str, event: str, params: Mapping[str, Any] | None = None, *,
                   limit: int = 5) -> SampleResult:
    """Read up to ``limit`` records from the first page of a trigger through ``account``.

    Falls back to :func:`offline_sample` when the account is unreachable, refuses the call, or
    has no such records yet; ``note`` then says why.

    Raises:
        SetupError: the account or the event does not exist.
    """
    info = accounts.get_account(account)
    conn = accounts.connector(info.connector)
    trigger = conn.trigger(event)
    if trigger is None:
        raise SetupError(f"{conn.key} has no trigger '{event}'")
    declared = [(f.key, f.label) for f in trigger.fields]
    limit = max(1, min(limit, MAX_SAMPLE))
    note = ""
    try:
        with accounts.client(account) as api:
            context = TriggerContext(params=dict(params or {}), since=None, page_size=max(limit, 10))
            pages = trigger.read(api, context)
            first = next(iter(pages), [])
            records = [r.payload for r in first[-limit:]]
            if hasattr(pages, "close"):
                pages.close()
        if records:
            return SampleResult(records, live=True, fields=declared)
        note = "the account has no such records yet"
    except OrderSyncError as exc:
        note = mask(exc.render())
    except OSError as exc:  # network errors that escaped the client's mapping
        note = mask(str(exc))
    return SampleResult([offline_sample(conn.key, event)], live=False, note=note, fields=declared)


def _short(value: Any, limit: int = 80) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def source_fields(record: Mapping[str, Any], *, prefix: str = "", max_items: int = 3) -> list[tuple[str, str]]:
    """Every leaf path of a sample record with its value as short text: ``[("customer.email", "a@b")]``.

    Lists show their first ``max_items`` items as ``name[0]``…; a list of plain values is also offered
    whole (``tags``), since transforms such as ``join`` read lists.
    """
    out: list[tuple[str, str]] = []

    def walk(value: Any, path: str) -> None:
        if isinstance(value, Mapping):
            for key, inner in value.items():
                walk(inner, f"{path}.{key}" if path else str(key))
        elif isinstance(value, list):
            if path and all(not isinstance(v, Mapping | list) for v in value):
                out.append((path, _short(value)))
            for i, inner in enumerate(value[:max_items]):
                walk(inner, f"{path}[{i}]")
        elif path:
            out.append((path, "" if value is None else _short(value)))

    walk(record, prefix)
    return out


@dataclass
class Preview:
    """The result of a mapping for one sample record: a value, or the error a run would report.

    ``error`` is the engine's own message (for logs and tests); ``problem`` says it in plain words in both
    languages, for the builder.
    """

    value: Any = None
    error: str | None = None
    steps: list[tuple[str, Any]] = field(default_factory=list)  # (transform, value after it)
    problem: Text | None = None


_UNFINISHED = Text("Fill in this transform's settings.", "请填写这个转换的设置。")


def preview_mapping(mapping: Mapping[str, Any] | MappingModel, record: Mapping[str, Any],
                    lookups: Mapping[str, Any] | None = None, *, target: str | None = None) -> Preview:
    """Evaluate a mapping (file form, e.g. ``{"source": "name", "transforms": ["trim"]}``) on a record.

    Each prefix of the transform chain is evaluated too, so the builder can show the value after
    every transform. Never raises for bad mappings: the problem is returned as ``error``/``problem``.
    """
    lookups = lookups or {}
    try:
        model = mapping if isinstance(mapping, MappingModel) else MappingModel.model_validate(dict(mapping))
    except ValueError as exc:
        return Preview(error=str(exc).splitlines()[-1] if str(exc) else "invalid mapping", problem=_UNFINISHED)
    steps: list[tuple[str, Any]] = []
    try:
        for n, call in enumerate(model.transforms):
            partial = model.model_copy(update={"transforms": model.transforms[:n + 1]})
            steps.append((call.transform_name, catalog.evaluate(partial, record, lookups, field=target)))
        value = catalog.evaluate(model, record, lookups, field=target)
    except RecordRejected as exc:
        return Preview(error=mask(exc.what), steps=steps, problem=explain(exc).what)
    return Preview(value=value, steps=steps)


def preview_filter(step: Mapping[str, Any], record: Mapping[str, Any],
                   lookups: Mapping[str, Any] | None = None) -> bool | Text:
    """Whether the sample record passes a filter step (file form), or why it cannot be checked yet."""
    from ordersync_app.recipes.model import FilterStep

    try:
        model = FilterStep.model_validate(dict(step))
    except ValueError:
        return Text("Finish the conditions to check the sample.", "请先填完条件，再用样例检查。")
    try:
        return catalog.matches(model, record, lookups or {})
    except RecordRejected as exc:
        return explain(exc).what


def run_lookup(account: str, lookup: str, params: Mapping[str, Any]) -> dict[str, Any] | None:
    """Run a lookup once through ``account`` (a read): the found object, or None.

    Raises:
        SetupError: unknown account or lookup; DeliveryError: the vendor call failed.
    """
    info = accounts.get_account(account)
    spec = accounts.connector(info.connector).lookup(lookup)
    if spec is None:
        raise SetupError(f"{info.connector} has no lookup '{lookup}'")
    with accounts.client(account) as api:
        return spec.find(api, params)


@dataclass
class ActionTest:
    """What an action would do for one record (nothing is written)."""

    match: str | None
    exists: bool
    properties: dict[str, Any]
    changes: list[dict[str, Any]]
    errors: dict[str, str]  # target field → mapping error


def preview_action(account: str, action: str, *, match: Mapping[str, Any] | None,
                fields: Mapping[str, Mapping[str, Any]], params: Mapping[str, Any] | None,
                record: Mapping[str, Any], lookups: Mapping[str, Any] | None = None) -> ActionTest:
    """Dry-run one action for one sample record: evaluate its mappings and read the target's values.

    Raises:
        SetupError: unknown account or action; DeliveryError: reading the target failed.
    """
    info = accounts.get_account(account)
    spec = accounts.connector(info.connector).action(action)
    if spec is None:
        raise SetupError(f"{info.connector} has no action '{action}'")
    errors: dict[str, str] = {}
    props: dict[str, Any] = {}
    for name, mapping in fields.items():
        result = preview_mapping(mapping, record, lookups, target=name)
        if result.error:
            errors[name] = result.error
        else:
            props[name] = result.value
    match_value: str | None = None
    if match is not None:
        result = preview_mapping(match, record, lookups, target="match")
        if result.error:
            errors["match"] = result.error
        elif result.value is not None:
            match_value = str(result.value)
    for name, value in props.items():  # a value the account does not accept is caught before any run
        options = field_options(account, action, name)
        if options is not None and value not in (None, "") and str(value) not in {v for v, _label in options}:
            labels = ", ".join(f"{label} ({v})" if label != v else v for v, label in options[:12])
            errors[name] = f"'{value}' is not one of the values {info.connector} accepts here: {labels}"
    write = Write(ref="builder-test", match=match_value, properties=props, params=dict(params or {}))
    current: dict[str, Any] | None = None
    if match_value is not None or spec.match is None:
        with accounts.client(account) as api:
            current = spec.read_current(api, [write])[0]
    return ActionTest(match_value, current is not None, props, changes(current, props), errors)


# -- the field picker ----------------------------------------------------------------------------

_STOP_WORDS = frozenset({"the", "of", "a", "an", "e", "g", "eg", "to", "by", "on", "in", "for", "value", "unique"})


@dataclass(frozen=True)
class FieldChoice:
    """One source field offered by the builder's field picker.

    Attributes:
        path: what the recipe file stores (``legacyResourceId``, ``steps.found.id``).
        label_en: the connector's label ("Order ID"), or the path when it declares none.
        label_zh: the Chinese label, or ``label_en``.
        sample: the sample record's value as short text ("" when the sample has none).
        declared: the connector declares this field (sample-only paths are not).
    """

    path: str
    label_en: str
    label_zh: str
    sample: str
    declared: bool

    def label(self, lang: str) -> str:
        """The label in ``lang``."""
        return self.label_zh if lang.startswith("zh") else self.label_en


def _words(text: str) -> set[str]:
    return {w for w in "".join(c.lower() if c.isalnum() else " " for c in text).split() if w not in _STOP_WORDS}


def field_choices(record: Mapping[str, Any], declared: list[Field], *, target: str = "",
                  lookups: Mapping[str, Mapping[str, Any]] | None = None) -> list[FieldChoice]:
    """Source fields for a mapping, the likely match first: declared fields (with their labels), then
    other paths of the sample, then the results of earlier lookups.

    Args:
        record: the sample record.
        declared: the trigger's declared fields, in the connector's order.
        target: the label (and key) of what is being mapped, e.g. "Value of the unique deal property (e.g.
            the order id)": fields whose label shares words with it come first ("Order ID" before "Order GID").
        lookups: name → found object of the lookups that run before this step.
    """
    samples = dict(source_fields(record))
    wanted = _words(target)
    out: list[tuple[int, int, FieldChoice]] = []
    for order, spec in enumerate(declared):
        label_zh = spec.label_zh or spec.label
        score = len(wanted & _words(spec.label)) if wanted else 0
        out.append((-score, order, FieldChoice(spec.key, spec.label, label_zh, samples.pop(spec.key, ""), True)))
    base = len(out)
    for order, (path, sample) in enumerate(samples.items(), start=base):
        out.append((0, order, FieldChoice(path, path, path, sample, False)))
    for name, found in (lookups or {}).items():
        items = list(found.items()) or [("id", "")]
        for order, (key, value) in enumerate(items, start=len(out)):
            path = f"steps.{name}.{key}"
            out.append((0, order, FieldChoice(path, path, path, _short(value) if value != "" else "", False)))
    out.sort(key=lambda item: (item[0], item[1]))
    return [choice for _score, _order, choice in out]


def field_options(account: str | None, action: str, field_key: str, *,
                  connector_key: str | None = None) -> list[tuple[str, str]] | None:
    """The values a target field accepts, as (value, label) pairs, or None when any value goes.

    With an account whose connector can list the object's fields (HubSpot's properties API), the options
    come from the account — its deal stages by name, any enumeration property — so an invalid value
    cannot be picked; otherwise from the connector's static ``Field.choices``.

    Raises:
        SetupError: unknown account, connector or action.
    """
    key = connector_key or (accounts.get_account(account).connector if account else None)
    if key is None:
        raise SetupError("field_options needs an account or a connector")
    spec = accounts.connector(key).action(action)
    if spec is None:
        raise SetupError(f"{key} has no action '{action}'")
    target = next((f for f in (account_fields(account, action) if account else spec.fields) if f.key == field_key),
                  None)
    if target is None or not target.choices:
        return None
    return [(value, target.choice_labels.get(value, value)) for value in target.choices]


_DISCOVERED: dict[tuple[str, str], tuple[float, tuple[Field, ...]]] = {}
DISCOVERY_SECONDS = 600.0  # an account's fields are read again after this long (a new custom property appears)


def account_fields(account: str, action: str) -> tuple[Field, ...]:
    """An action's fields for one account: the declared ones completed with what the account has (custom
    properties, each enumeration's options), when the connector can list them; the declared ones otherwise
    (also when the account cannot be reached now).

    Raises:
        SetupError: unknown account or action.
    """
    info = accounts.get_account(account)
    conn = accounts.connector(info.connector)
    spec = conn.action(action)
    if spec is None:
        raise SetupError(f"{info.connector} has no action '{action}'")
    if conn.discover_fields is None or spec.object is None:
        return spec.fields
    cached = _DISCOVERED.get((account, spec.object))
    if cached is None or time.monotonic() - cached[0] > DISCOVERY_SECONDS:
        try:
            with accounts.client(account) as api:
                cached = _DISCOVERED[(account, spec.object)] = (time.monotonic(), conn.discover_fields(api,
                                                                                                      spec.object))
        except OrderSyncError:
            return spec.fields
    found = {f.key: f for f in cached[1] if not f.read_only}
    declared = [replace(f, choices=found[f.key].choices or f.choices,
                        choice_labels=found[f.key].choice_labels or f.choice_labels) if f.key in found else f
                for f in spec.fields]
    extra = [f for key, f in sorted(found.items()) if key not in {d.key for d in declared}] if spec.open_fields else []
    return (*declared, *extra)


def order_problems(document: Mapping[str, Any]) -> list[tuple[int, Text]]:
    """Steps in an order that silently does nothing: a filter or lookup after the last action.

    The engine runs steps top to bottom, so a filter placed after the action it should guard never stops
    anything, and a lookup placed there feeds nothing. Returns (step index, the problem in plain words).
    """
    steps = [s for s in document.get("steps") or [] if isinstance(s, Mapping)]
    kinds = [next((k for k in ("filter", "lookup", "action") if k in s), "") for s in steps]
    last_action = max((i for i, k in enumerate(kinds) if k == "action"), default=-1)
    found: list[tuple[int, Text]] = []
    for i, kind in enumerate(kinds):
        if i > last_action >= 0 and kind == "filter":
            found.append((i, Text("This filter comes after the action, so it cannot stop anything. "
                                  "Move it above the action.",
                                  "这个过滤步骤排在动作之后，拦不住任何记录。请把它移到动作之前。")))
        elif i > last_action >= 0 and kind == "lookup":
            found.append((i, Text("This lookup comes after the action, so nothing uses its result. "
                                  "Move it above the action.",
                                  "这个查找步骤排在动作之后，结果不会被使用。请把它移到动作之前。")))
    return found


def target_labels(document: Mapping[str, Any]) -> dict[str, Text]:
    """Labels of the fields a recipe's actions write (``dealstage`` → "Deal stage"/"交易阶段"), for previews."""
    roles = document.get("accounts") or {}
    out: dict[str, Text] = {}
    for step in document.get("steps") or []:
        body = step.get("action") if isinstance(step, Mapping) else None
        if not isinstance(body, Mapping):
            continue
        conn = registry.get(str(roles.get(body.get("account"), "")))
        spec = conn.action(str(body.get("action"))) if conn else None
        for target in spec.fields if spec else ():
            out.setdefault(target.key, Text(target.label, target.label_zh or target.label))
    return out


def beyond_builder(document: dict[str, Any]) -> list[Text]:
    """Recipe format 2 features the visual builder does not edit yet, in plain words (the builder then
    shows the recipe but does not save over it: saving would drop them)."""
    found: list[Text] = []
    steps = [s for s in document.get("steps") or [] if isinstance(s, dict)]
    actions = [s["action"] for s in steps if isinstance(s.get("action"), dict)]
    checks = [
        (any("aggregate" in s for s in steps), Text("totals (aggregate steps)", "汇总（聚合步骤）")),
        (any(a.get("for_each") for a in actions), Text("loops over items (for_each)", "按明细循环（for_each）")),
        (any(isinstance(m, dict) and "mode" in m for a in actions for m in (a.get("fields") or {}).values()),
         Text("field write modes", "字段写入方式")),
        (any("id" in s and "action" in s for s in steps),
         Text("results of actions read by later steps", "后续步骤读取的动作结果")),
        (bool((document.get("trigger") or {}).get("when_changed")), Text("a changed-to trigger", "“变为某值”触发")),
        (bool(document.get("owns")), Text("data ownership (owns)", "数据归属（owns）")),
        (any(isinstance(c, dict) and isinstance(c.get("value"), dict)
             for s in steps for c in (s.get("filter") or {}).get("conditions") or []),
         Text("computed comparisons", "计算比较")),
    ]
    found = [text for present, text in checks if present]
    return found
