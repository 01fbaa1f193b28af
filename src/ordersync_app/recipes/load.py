"""Read a recipe file and report *every* problem in it at once, each with a location and a fix.

Users edit recipes by hand or in the builder; one round trip per mistake is painful, so this
module collects YAML, shape (pydantic) and meaning (connector registry) problems together and
raises one :class:`RecipeInvalid` (qutebrowser's ``ConfigFileErrors``; STYLE 4.4 and habit 8).
Any input at all — binary, empty, huge, deeply nested, hostile YAML — ends in a Recipe or in
RecipeInvalid, never in a traceback.

Parsing uses a restricted ``yaml.SafeLoader``: only plain JSON-like types (no dates, binary,
sets or custom tags), YAML 1.2-style booleans (``NO`` and ``on`` stay text — the "Norway
problem"), no sexagesimal or leading-zero numbers, duplicate keys are errors, and aliases,
nesting and expansion are capped so a "billion laughs" file cannot exhaust memory.
"""

from __future__ import annotations

import json
import os
import re
import types
import typing
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Union

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ordersync_app.connectors.sdk import registry
from ordersync_app.connectors.sdk.spec import Connector, Param, Trigger, WriteSemantics
from ordersync_app.domain.errors import BugError, RecipeError
from ordersync_app.recipes import model, ownership
from ordersync_app.recipes.budget import over_budget
from ordersync_app.recipes.catalog import key_text
from ordersync_app.recipes.migrations import CURRENT_VERSION, MigrationError, keeps_layout, upgrade
from ordersync_app.recipes.model import FORMAT, TRANSFORM_MODELS, Recipe
from ordersync_app.recipes.paths import lookup_ref, template_paths

__all__ = ["MAX_BYTES", "Problem", "RecipeInvalid", "load_document", "load_file", "load_text", "warnings_for"]

MAX_BYTES: Final = 1_000_000
# Names an action with open fields may take beyond its declared ones: HubSpot property names, Salesforce
# ``…__c``, WooCommerce ``meta.<key>``, a spreadsheet's column headers (any language): a letter first.
_CUSTOM_FIELD = re.compile(r"^[^\W\d][\w .\-]{0,99}$")
MAX_DEPTH: Final = 64
MAX_ALIASES: Final = 50
MAX_NODES: Final = 100_000

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a recipe file.

    Attributes:
        location: where, as a path into the file (``steps[2].action.fields.dealstage``), or
            ``line L:C`` for YAML syntax errors, or empty for the file as a whole.
        message: what is wrong.
        hint: how to fix it ("did you mean …"), when we know.
        line: the 1-based line in the file, when known.
    """

    location: str
    message: str
    hint: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        text = f"{self.location}: {self.message}" if self.location else self.message
        return f"{text} — {self.hint}" if self.hint else text


class RecipeInvalid(RecipeError):
    """The recipe has problems; ``problems`` lists all of them."""

    def __init__(self, problems: list[Problem], *, source: str = "<recipe>") -> None:
        self.problems = problems
        self.source = source
        count = len(problems)
        super().__init__(f"{count} problem{'s' if count != 1 else ''} in the recipe", where=source)

    def render(self) -> str:
        """A header line, then one line per problem (with its line number when known)."""
        lines = [f"{self.where}: {self.what}"]
        for problem in self.problems:
            at = f" (line {problem.line})" if problem.line and not problem.location.startswith("line ") else ""
            lines.append(f"  - {problem}{at}")
        return "\n".join(lines)


class _Invalid(Exception):
    def __init__(self, *problems: Problem) -> None:
        super().__init__(problems)
        self.problems = list(problems)


# ------------------------------------------------------------------------------------- YAML


class _LimitError(yaml.YAMLError):
    """A safety cap was hit (nesting, aliases, expansion)."""

    def __init__(self, message: str, mark: yaml.Mark | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.mark = mark


class _RecipeLoader(yaml.SafeLoader):
    """SafeLoader restricted to JSON-like data with YAML 1.2 scalars and safety caps."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._aliases = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise _LimitError(f"more than {MAX_ALIASES} aliases (*name); write the values out",
                                  self.peek_event().start_mark)
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _LimitError(f"nested more than {MAX_DEPTH} levels deep", self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        """Build a mapping with text keys (``1:`` and ``true:`` become "1" and "true"); duplicates are errors.

        Recipes only ever have text keys, and Python would merge ``1`` and ``true`` into one key.
        """
        if not isinstance(node, MappingNode):
            raise yaml.constructor.ConstructorError(None, None, "expected a mapping", node.start_mark)
        mapping: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, list | dict):
                raise yaml.constructor.ConstructorError(
                    "while reading a mapping", node.start_mark, "found a key that is a list or mapping",
                    key_node.start_mark)
            text = key_text(key)
            if text in mapping:
                raise yaml.constructor.ConstructorError(
                    "while reading a mapping", node.start_mark, f"found duplicate key '{text}'",
                    key_node.start_mark)
            mapping[text] = self.construct_object(value_node, deep=deep)
        return mapping


# Start from nothing, then allow only the JSON-like tags below. PyYAML implements YAML 1.1, where
# yes/no/on/off are booleans, 01234 is octal and 22:30 is a base-60 number (the "Norway problem",
# https://yamlvalidator.dev/yaml-gotchas; the 1.1 vs 1.2 schemas:
# https://blogs.perl.org/users/tinita/2018/01/introduction-to-yaml-schemas-and-tags.html). StrictYAML
# (https://hitchdev.com/strictyaml/features-removed/) refuses the same features for the same reasons.
_RecipeLoader.yaml_implicit_resolvers = {}
_RecipeLoader.yaml_constructors = {}
_RecipeLoader.add_implicit_resolver(
    "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""])
_RecipeLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
_RecipeLoader.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"), list("-+0123456789"))
# A dot is required, as in YAML 1.1, so every float we read is one PyYAML's dumper writes unquoted.
_RecipeLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float", re.compile(r"^[-+]?(?:0|[1-9][0-9]*)\.[0-9]+(?:[eE][-+][0-9]+)?$"),
    list("-+0123456789"))
for _tag in ("null", "bool", "str", "seq", "map"):
    _RecipeLoader.add_constructor(f"tag:yaml.org,2002:{_tag}", yaml.SafeLoader.yaml_constructors[
        f"tag:yaml.org,2002:{_tag}"])

MAX_NUMBER_DIGITS: Final = 100  # longer numbers are refused, never rounded or turned into null


def _int_value(text: str) -> int:
    """An integer literal, or ValueError for one longer than MAX_NUMBER_DIGITS digits."""
    digits = text.lstrip("+-").replace("_", "")
    if len(digits) > MAX_NUMBER_DIGITS:
        raise ValueError(f"the number {text[:12]}… has {len(digits):,} digits; at most {MAX_NUMBER_DIGITS} are allowed")
    return int(text)


def _float_value(text: str) -> float:
    """A decimal literal, or ValueError when it is too long or outside what a float holds
    (``1.0e+999`` would become infinity, and infinity is written as null: a cleared field)."""
    if len(text) > MAX_NUMBER_DIGITS + 10:
        raise ValueError(f"the number {text[:12]}… is too long")
    value = float(text)
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"the number {text} is out of range")
    return value


def _construct_number(loader: yaml.SafeLoader, node: Node) -> int | float:
    text = str(loader.construct_scalar(node))  # type: ignore[arg-type]
    try:
        return _float_value(text) if node.tag.endswith(":float") else _int_value(text)
    except ValueError as exc:
        raise yaml.constructor.ConstructorError(None, None, str(exc), node.start_mark) from None


_RecipeLoader.add_constructor("tag:yaml.org,2002:int", _construct_number)
_RecipeLoader.add_constructor("tag:yaml.org,2002:float", _construct_number)
_RecipeLoader.add_constructor(None, yaml.SafeLoader.yaml_constructors[None])


def _count_nodes(root: Node) -> None:
    """Refuse documents whose aliases expand to more than MAX_NODES nodes or MAX_BYTES of text: a
    small file must not become a recipe too large to export and import again."""
    stack = [root]
    count = size = 0
    while stack:
        node = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise _LimitError(f"the document expands to more than {MAX_NODES} values (too many aliases?)",
                              root.start_mark)
        if isinstance(node, ScalarNode):
            size += len(node.value) + 4
            if size > MAX_BYTES:
                raise _LimitError(f"the document expands to more than {MAX_BYTES:,} bytes (too many aliases?)",
                                  root.start_mark)
        if isinstance(node, SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, MappingNode):
            for key, value in node.value:
                stack.extend((key, value))


def _yaml_problem(exc: yaml.YAMLError, text: str) -> Problem:
    hint: str | None = None
    if isinstance(exc, _LimitError):
        mark = exc.mark
        message = exc.message
    elif isinstance(exc, yaml.constructor.ConstructorError) and exc.problem:
        mark = exc.problem_mark or exc.context_mark
        message = exc.problem
        unknown_tag = re.search(r"constructor for the tag '([^']*)'", message)
        if unknown_tag:
            message = (f"the tag {unknown_tag.group(1).replace('tag:yaml.org,2002:', '!!')} is not allowed; "
                       "a recipe holds only text, numbers, true/false, lists and mappings")
    elif isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        message = "; ".join(p for p in (exc.context, exc.problem) if p) or "YAML syntax error"
        message = f"YAML syntax error: {message}"
        if "flow" in message:
            hint = "inside { } and [ ], put text containing , : [ ] { } in quotes, e.g. \"lineItems[0].sku\""
    elif isinstance(exc, yaml.reader.ReaderError):
        before = text[: exc.position]
        line, column = before.count("\n") + 1, exc.position - (before.rfind("\n") + 1) + 1
        return Problem(f"line {line}:{column}",
                       f"the file contains a character YAML does not allow (#x{exc.character:04x})"
                       if isinstance(exc.character, int) else "the file contains a character YAML does not allow",
                       line=line)
    else:
        mark, message = None, f"YAML error: {exc}"
    if mark is None:
        return Problem("", message, hint)
    return Problem(f"line {mark.line + 1}:{mark.column + 1}", message, hint, mark.line + 1)


def _parse_yaml(text: str) -> tuple[Any, Node | None]:
    try:
        loader = _RecipeLoader(text)  # the reader already refuses control characters here
    except yaml.YAMLError as exc:
        raise _Invalid(_yaml_problem(exc, text)) from None
    try:
        node = loader.get_single_node()
        if node is None:
            return None, None
        _count_nodes(node)
        return loader.construct_document(node), node
    except yaml.YAMLError as exc:
        raise _Invalid(_yaml_problem(exc, text)) from None
    finally:
        loader.dispose()


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r}")
        result[key] = value
    return result


class _JsonNumber(ValueError):
    """A JSON document with a number we refuse (NaN, Infinity, out of range): reported, not re-read as YAML."""


def _json_number(parse: Any) -> Any:
    def checked(text: str) -> Any:
        try:
            return parse(text)
        except ValueError as exc:
            raise _JsonNumber(str(exc)) from None
    return checked


def _refuse_json_constant(name: str) -> Any:
    raise _JsonNumber(f"{name} is not a number a recipe may hold")


def _parse_json(text: str) -> Any:
    """JSON (also valid YAML) read strictly.

    Raises:
        ValueError: not JSON (the caller reads it as YAML).
        _JsonNumber: JSON with a number that is refused.
    """
    return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_refuse_json_constant,
                      parse_int=_json_number(_int_value), parse_float=_json_number(_float_value))


def _decode(data: str | bytes) -> str:
    if isinstance(data, str):
        text = data
    else:
        if len(data) > MAX_BYTES:
            raise _Invalid(_too_large(len(data)))
        try:
            utf16 = data.startswith((b"\xff\xfe", b"\xfe\xff"))
            text = data.decode("utf-16" if utf16 else "utf-8-sig")
        except UnicodeDecodeError:
            raise _Invalid(Problem("", "the file is not UTF-8 text (is it a binary file?)",
                                   "save the recipe as UTF-8 text")) from None
    size = len(text.encode("utf-8", "surrogatepass")) if len(text) <= MAX_BYTES else len(text) * 4
    if size > MAX_BYTES:
        raise _Invalid(_too_large(len(text.encode("utf-8", "surrogatepass"))))
    if "\x00" in text:
        raise _Invalid(Problem("", "the file contains NUL bytes; it is a binary file, not a recipe"))
    return text.removeprefix("\ufeff")


def _too_large(size: int) -> Problem:
    return Problem("", f"the file is too large ({size:,} bytes; a recipe is at most {MAX_BYTES:,})",
                   "is this really a recipe file?")


def _bad_numbers(value: Any) -> Iterator[tuple[Loc, Problem]]:
    """Numbers a document built in code may hold but a recipe may not: NaN, infinities (written as
    null, they would clear a field) and integers longer than MAX_NUMBER_DIGITS digits."""
    stack: list[tuple[Any, Loc]] = [(value, ())]
    while stack:
        item, loc = stack.pop()
        if isinstance(item, dict):
            stack.extend((v, (*loc, str(k))) for k, v in item.items())
        elif isinstance(item, list):
            stack.extend((v, (*loc, i)) for i, v in enumerate(item))
        elif isinstance(item, float) and (item != item or item in (float("inf"), float("-inf"))):
            yield loc, Problem(location(loc), f"{item} is not a number a recipe may hold")
        elif isinstance(item, int) and not isinstance(item, bool) and item.bit_length() > 333:
            yield loc, Problem(location(loc), f"the number has more than {MAX_NUMBER_DIGITS} digits")


def _depth_ok(value: Any) -> bool:
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            return False
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return True


# ------------------------------------------------------------------------- locations & lines

_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _collapse(loc: tuple[Any, ...]) -> Loc:
    """Normalise a pydantic location: drop ``[key]`` markers and transform union tags."""
    items = [el if isinstance(el, str | int) else str(el) for el in loc]
    out: list[str | int] = []
    i = 0
    while i < len(items):
        el = items[i]
        if el != "[key]":
            out.append(el)
        # ('transforms', 0, 'replace', 'replace', 'old'): the first 'replace' is the union tag.
        if (el == "transforms" and i + 3 < len(items) and isinstance(items[i + 1], int)
                and items[i + 2] == items[i + 3] and items[i + 2] in TRANSFORM_MODELS):
            out.append(items[i + 1])
            i += 3
            continue
        i += 1
    return tuple(out)


def location(loc: Loc) -> str:
    """``('steps', 2, 'action', 'fields', 'deal stage')`` → ``steps[2].action.fields["deal stage"]``."""
    text = ""
    for el in loc:
        if isinstance(el, int):
            text += f"[{el}]"
        elif _PLAIN_KEY.fullmatch(el):
            text += f".{el}" if text else el
        else:
            text += f"[{json.dumps(el, ensure_ascii=False)}]"
    return text


def _line_of(root: Node | None, loc: Loc) -> int | None:
    """The line of the deepest node of ``loc`` that exists in the file."""
    if root is None:
        return None
    node: Node = root
    line = node.start_mark.line + 1
    for el in loc:
        if isinstance(node, MappingNode):
            found = next((pair for pair in node.value
                          if isinstance(pair[0], ScalarNode) and pair[0].value == str(el)), None)
            if found is None:
                break
            line = found[0].start_mark.line + 1
            node = found[1]
        elif isinstance(node, SequenceNode) and isinstance(el, int) and 0 <= el < len(node.value):
            node = node.value[el]
            line = node.start_mark.line + 1
        else:
            break
    return line


# ------------------------------------------------------------------------------ shape errors


def _kind(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:39] + "…"
        return f"the text '{shown}'"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _hint_for(name: str, choices: list[str], noun: str) -> str | None:
    close = registry.suggest(name, choices) if choices else None
    if close:
        return f"did you mean '{close}'?"
    if choices:
        shown = ", ".join(choices[:12]) + (", …" if len(choices) > 12 else "")
        return f"known {noun}: {shown}"
    return None


def _unwrap(annotation: Any) -> Any:
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    return annotation


def _keys_at(loc: Loc) -> list[str]:
    """The keys allowed in the model found by walking ``loc`` from :class:`Recipe`."""
    current: Any = Recipe
    for el in loc:
        current = _unwrap(current)
        origin = typing.get_origin(current)
        if origin in (Union, types.UnionType):
            options = [_unwrap(a) for a in typing.get_args(current) if a is not type(None)]
            if isinstance(el, str) and el in TRANSFORM_MODELS and any(
                    o is TRANSFORM_MODELS[el] for o in options):
                current = TRANSFORM_MODELS[el].model_fields[el].annotation
                continue
            current = options[0] if len(options) == 1 else None
            current = _unwrap(current)
            origin = typing.get_origin(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = next((f for n, f in current.model_fields.items() if (f.alias or n) == el), None)
            if field is None:
                return []
            current = field.annotation
        elif origin is list and isinstance(el, int):
            current = typing.get_args(current)[0]
        elif origin is dict:
            current = typing.get_args(current)[1]
        else:
            return []
    current = _unwrap(current)
    if typing.get_origin(current) in (Union, types.UnionType):
        options = [a for a in typing.get_args(current) if a is not type(None)]
        current = _unwrap(options[0]) if len(options) == 1 else None
    if isinstance(current, type) and issubclass(current, BaseModel):
        return [f.alias or n for n, f in current.model_fields.items()]
    return []


_MESSAGES: Final[dict[str, str]] = {
    "string_type": "expected text, got {got}",
    "int_type": "expected a whole number, got {got}",
    "int_parsing": "expected a whole number, got {got}",
    "int_from_float": "expected a whole number, got {got}",
    "float_type": "expected a number, got {got}",
    "float_parsing": "expected a number, got {got}",
    "bool_type": "expected true or false, got {got}",
    "bool_parsing": "expected true or false, got {got}",
    "dict_type": "expected a mapping (key: value lines), got {got}",
    "model_type": "expected a mapping (key: value lines), got {got}",
    "model_attributes_type": "expected a mapping (key: value lines), got {got}",
    "list_type": "expected a list (lines starting with -), got {got}",
    "missing": "required, but missing",
}


def _from_pydantic(error: ErrorDetails) -> tuple[Loc, Problem]:
    loc = _collapse(error["loc"])
    kind = error["type"]
    ctx: dict[str, Any] = dict(error.get("ctx") or {})
    value = error.get("input")
    hint: str | None = ctx.get("hint")
    if kind in _MESSAGES:
        message = _MESSAGES[kind].format(got=_kind(value))
    elif kind == "extra_forbidden":
        name = str(loc[-1]) if loc else "?"
        message = f"unknown key '{name}'"
        hint = _hint_for(name, _keys_at(loc[:-1]), "keys")
    elif kind == "transform":
        tag = model._transform_tag(value)
        if tag is not None:
            message = f"unknown transform '{tag}'"
            hint = _hint_for(tag, list(TRANSFORM_MODELS), "transforms")
        else:
            message = "a transform is a name (trim) or a one-key mapping ({prefix: 'ORD-'})"
            hint = f"got {_kind(value)}"
    elif kind == "literal_error":
        expected = str(ctx.get("expected", "")).replace("'", "")
        message = f"{_kind(value)} is not allowed here; use {expected}"
        close = registry.suggest(value, [e.strip() for e in re.split(r",| or ", expected) if e.strip()]
                                 ) if isinstance(value, str) else None
        hint = hint or (f"did you mean '{close}'?" if close else None)
    elif (kind == "too_short" and isinstance(value, list | dict)) or kind == "string_too_short":
        message = "must not be empty"
    else:
        message = error["msg"]
        message = re.sub(r"^(Value error, |Assertion failed, )", "", message)
        message = re.sub(r"^Input should be", "should be", message)
        message = re.sub(r"^String should", "text should", message)
    return loc, Problem(location(loc), message, hint)


# --------------------------------------------------------------------------- meaning checks


class _Checker:
    """Checks against the connector registry, on the raw document (so they run even when the shape
    has errors elsewhere)."""

    def __init__(self, doc: dict[str, Any], connectors: Mapping[str, Connector]) -> None:
        self.doc = doc
        self.connectors = connectors
        self.found: list[tuple[Loc, Problem]] = []
        self.warnings: list[tuple[Loc, Problem]] = []  # allowed, but worth a second look (shown, not refused)
        self.roles: dict[str, Connector | None] | None = None
        self.defined: dict[str, int] = {}  # step ids defined so far → step index
        self.all_ids: dict[str, int] = {}

    def add(self, loc: Loc, message: str, hint: str | None = None) -> None:
        self.found.append((loc, Problem(location(loc), message, hint)))

    def warn(self, loc: Loc, message: str, hint: str | None = None) -> None:
        self.warnings.append((loc, Problem(location(loc), message, hint)))

    def run(self) -> list[tuple[Loc, Problem]]:
        self._accounts()
        owns = self.doc.get("owns")
        for role in owns if isinstance(owns, dict) else ():
            self._role(("owns", role), role)
        trigger_role = self._trigger()
        self._steps(trigger_role)
        return self.found

    def _accounts(self) -> None:
        accounts = self.doc.get("accounts")
        if not isinstance(accounts, dict):
            return
        self.roles = {}
        for role, key in accounts.items():
            if not isinstance(role, str):
                continue
            connector = self.connectors.get(key) if isinstance(key, str) else None
            if isinstance(key, str) and connector is None:
                hint = _hint_for(key, list(self.connectors), "connectors") or ""
                if not hint.startswith("did you mean"):  # perhaps the shop's own system, not added yet
                    hint = (f"if '{key}' is your own system, add it first (Accounts → Add a custom app, or "
                            f"ordersync connectors add FILE) with the key '{key}'; " + hint).rstrip("; ")
                self.add(("accounts", role), f"unknown connector '{key}'", hint)
            self.roles[role] = connector

    def _role(self, loc: Loc, role: Any) -> Connector | None:
        if not isinstance(role, str) or self.roles is None:
            return None
        if role not in self.roles:
            hint = _hint_for(role, list(self.roles), "roles")
            if not hint or not hint.startswith("did"):
                hint = f"add `{role}: <connector>` under accounts"
            self.add(loc, f"role '{role}' is not declared in accounts", hint)
            return None
        return self.roles[role]

    def _params(self, loc: Loc, given: Any, declared: tuple[Param, ...], what: str) -> None:
        if given is None:
            given = {}
        if not isinstance(given, dict):
            return
        keys = [p.key for p in declared]
        for key in given:
            if isinstance(key, str) and key not in keys:
                hint = _hint_for(key, keys, "parameters") if keys else f"{what} takes no parameters"
                self.add((*loc, key), f"unknown parameter '{key}' for {what}", hint)
        for param in declared:
            if param.required and param.default is None and param.key not in given:
                self.add(loc, f"{what} needs the parameter '{param.key}' ({param.label})")

    def _trigger(self) -> str | None:
        trigger = self.doc.get("trigger")
        if not isinstance(trigger, dict):
            return None
        role = trigger.get("account")
        connector = self._role(("trigger", "account"), role)
        event = trigger.get("event")
        if connector is not None and isinstance(event, str):
            spec = connector.trigger(event)
            if spec is None:
                self.add(("trigger", "event"), f"{connector.name_en} has no trigger '{event}'",
                         _hint_for(event, [t.key for t in connector.triggers], "triggers"))
            else:
                self._params(("trigger", "params"), trigger.get("params"), spec.params, f"trigger '{event}'")
                self._poll_budget(connector, spec, trigger)
                self._latency_target(spec, trigger)
        also = trigger.get("also_from")
        for n, other in enumerate(also if isinstance(also, list) else []):
            other_connector = self._role(("trigger", "also_from", n), other)
            if other == role or (isinstance(also, list) and also.index(other) != n):
                self.add(("trigger", "also_from", n), f"the role '{other}' is read twice", "list each role once")
            elif other_connector is not None and connector is not None and other_connector.key != connector.key:
                self.add(("trigger", "also_from", n), f"'{other}' is a {other_connector.name_en} account, but the "
                         f"trigger reads {connector.name_en}", "read the same app from every role (several shops "
                                                               "of one kind); use a recipe per app otherwise")
        return role if isinstance(role, str) else None

    def _latency_target(self, spec: Trigger, trigger: dict[str, Any]) -> None:
        """A p95 target the trigger cannot meet: a scheduled run's records changed any time before it, and a
        change a polled trigger (without webhooks) reads can already be ``every`` old."""
        options = self.doc.get("options")
        sla = options.get("sla") if isinstance(options, dict) else None
        target = sla.get("p95_seconds") if isinstance(sla, dict) else None
        if not isinstance(target, int | float) or isinstance(target, bool) or target <= 0:
            return  # not a usable target: the model says so
        loc: Loc = ("options", "sla", "p95_seconds")
        if trigger.get("schedule") is not None:
            self.add(loc, "a scheduled trigger reads records that changed any time before its run, so a p95 from "
                          "change to write means nothing for it", "keep only the `success` target")
            return
        every = trigger.get("every", "5m")
        try:
            seconds = model.parse_every(every) if isinstance(every, str) else None
        except ValueError:
            seconds = None
        if seconds is not None and spec.webhook is None and target < seconds:
            self.add(loc, f"a p95 of {target:g} s cannot be met when the trigger is polled every {every}: a change "
                          f"can wait up to {seconds} s before it is even read",
                     f"poll more often (every: {max(model.MIN_EVERY_SECONDS, int(target) // 2)}s) or raise the target"
                     if target >= model.MIN_EVERY_SECONDS else
                     f"raise the target: a trigger is polled at most every {model.MIN_EVERY_SECONDS} s")

    def _poll_budget(self, connector: Connector, spec: Trigger, trigger: dict[str, Any]) -> None:
        """Polling as often as ``every`` says must leave most of the connector's rate budget to the rest."""
        every = trigger.get("every", "5m")
        if trigger.get("schedule") is not None or not isinstance(every, str):
            return
        try:
            seconds = model.parse_every(every)
        except ValueError:
            return  # told by the model
        use = over_budget(connector, spec, seconds)
        if use is not None:
            self.add(("trigger", "every"), use.message()[0], use.advice()[0])

    def _ref(self, loc: Loc, path: Any, index: int, *, in_loop: bool = False) -> None:
        if not isinstance(path, str):
            return
        if path == "item" or path.startswith(("item.", "item[")):
            if not in_loop:
                self.add(loc, f"'{path}' reads the item of a `for_each` loop, but this is not inside one",
                         "add `for_each: <list field>` to the action, or read the record's own field")
            return
        name = lookup_ref(path)
        if name is None or name in self.defined:
            return
        if name in self.all_ids:
            self.add(loc, f"'{path}' reads the step '{name}', which comes after this one "
                          f"(it is steps[{self.all_ids[name]}])", "move that step before this one")
        else:
            self.add(loc, f"'{path}' reads a step named '{name}', but no step has `id: {name}`",
                     _hint_for(name, list(self.defined), "steps") or "give the step you mean that `id`")

    def _mapping_refs(self, loc: Loc, mapping: Any, index: int, *, in_loop: bool = False,
                      field: bool = False) -> None:
        if not isinstance(mapping, dict):
            return
        self._ref((*loc, "source"), mapping.get("source"), index, in_loop=in_loop)
        template = mapping.get("template")
        if isinstance(template, str):
            for path in template_paths(template):
                self._ref((*loc, "template"), path, index, in_loop=in_loop)
        if "mode" in mapping and not field:
            self.add((*loc, "mode"), "`mode` applies to an action's fields only", "remove it here")
        parts = mapping.get("list")
        for n, part in enumerate(parts if isinstance(parts, list) else []):
            self._mapping_refs((*loc, "list", n), part, index, in_loop=in_loop)
        parts = mapping.get("object")
        for key, part in (parts if isinstance(parts, dict) else {}).items():
            self._mapping_refs((*loc, "object", str(key)), part, index, in_loop=in_loop)

    def _steps(self, trigger_role: str | None) -> None:
        steps = self.doc.get("steps")
        if not isinstance(steps, list):
            return
        kinds_all = ("filter", "lookup", "action", "aggregate")
        bodies: list[tuple[int, str, dict[str, Any]]] = []
        for i, step in enumerate(steps):
            if isinstance(step, dict):
                kinds = [k for k in kinds_all if step.get(k) is not None]
                if len(kinds) > 1:  # same words as model.Step, so the two reports merge into one
                    self.add(("steps", i), "a step needs exactly one of filter, lookup, action or aggregate "
                                           f"(found {' and '.join(kinds)})")
                if len(kinds) == 1 and isinstance(step[kinds[0]], dict):
                    bodies.append((i, kinds[0], step[kinds[0]]))
                if isinstance(step.get("id"), str):
                    self.all_ids.setdefault(step["id"], i)
        action_roles: list[tuple[int, str]] = []
        for i, kind, body in bodies:
            base: Loc = ("steps", i, kind)
            if kind == "filter":
                conditions = body.get("conditions")
                for j, condition in enumerate(conditions if isinstance(conditions, list) else []):
                    if isinstance(condition, dict):
                        self._ref((*base, "conditions", j, "field"), condition.get("field"), i)
                        value = condition.get("value")
                        if isinstance(value, dict):
                            self._ref((*base, "conditions", j, "value", "of"), value.get("of"), i)
            elif kind == "lookup":
                self._lookup(base, i, body)
            elif kind == "aggregate":
                for key in ("group_by", "of", "currency", "time"):
                    self._ref((*base, key), body.get(key), i)
            else:
                role = self._action(base, i, body, trigger_role)
                if role is not None:
                    action_roles.append((i, role))
            step_id = steps[i].get("id") if isinstance(steps[i], dict) else None
            if isinstance(step_id, str):
                if step_id in self.defined:
                    self.add(("steps", i, "id"), f"the id '{step_id}' is already used by "
                                                 f"steps[{self.defined[step_id]}]", "give each step its own id")
                elif step_id in ("item",):
                    self.add(("steps", i, "id"), f"'{step_id}' is reserved for the items of for_each")
                else:
                    self.defined[step_id] = i
        if steps and not any(kind == "action" for _, kind, _ in bodies) and len(bodies) == len(steps):
            self.add(("steps",), "a recipe needs at least one action step", "add an `action:` step")
        if action_roles:
            first_index, first_role = action_roles[0]
            for i, role in action_roles:
                loc: Loc = ("steps", i, "action", "account")
                if role != first_role:
                    self.add(loc, f"all actions of a recipe must write to one account: steps[{first_index}] "
                                  f"writes to '{first_role}', this one to '{role}'",
                             "split this into two recipes")
                elif trigger_role is not None and (role == trigger_role or role in self._also_from()):
                    self.add(loc, f"an action may not write to '{role}', an account the trigger reads from",
                             "data flows one way; write to another app (this prevents sync loops)")

    def _also_from(self) -> list[str]:
        trigger = self.doc.get("trigger")
        also = trigger.get("also_from") if isinstance(trigger, dict) else None
        return [r for r in also if isinstance(r, str)] if isinstance(also, list) else []

    def _lookup(self, base: Loc, index: int, body: dict[str, Any]) -> None:
        connector = self._role((*base, "account"), body.get("account"))
        name = body.get("lookup")
        spec = None
        if connector is not None and isinstance(name, str):
            spec = connector.lookup(name)
            if spec is None:
                self.add((*base, "lookup"), f"{connector.name_en} has no lookup '{name}'",
                         _hint_for(name, [lk.key for lk in connector.lookups], "lookups"))
        params = body.get("params")
        if isinstance(params, dict):
            for key, mapping in params.items():
                self._mapping_refs((*base, "params", str(key)), mapping, index)
        if spec is not None:
            self._params((*base, "params"), params, spec.params, f"lookup '{name}'")

    def _action(self, base: Loc, index: int, body: dict[str, Any], trigger_role: str | None) -> str | None:
        role = body.get("account")
        connector = self._role((*base, "account"), role)
        name = body.get("action")
        spec = None
        if connector is not None and isinstance(name, str):
            spec = connector.action(name)
            if spec is None:
                self.add((*base, "action"), f"{connector.name_en} has no action '{name}'",
                         _hint_for(name, [a.key for a in connector.actions], "actions"))
        in_loop = body.get("for_each") is not None
        self._ref((*base, "for_each"), body.get("for_each"), index)
        match = body.get("match")
        if match is not None:
            self._mapping_refs((*base, "match"), match, index, in_loop=in_loop)
        fields = body.get("fields")
        if isinstance(fields, dict):
            for key, mapping in fields.items():
                self._mapping_refs((*base, "fields", str(key)), mapping, index, in_loop=in_loop, field=True)
        if spec is not None:
            if spec.semantics == WriteSemantics.APPEND and not spec.marker:
                self.add((*base, "action"), f"action '{name}' creates records but gives OrderSync no way to check "
                         "whether a create whose answer was lost already landed, so it could create duplicates",
                         "choose an update or create-or-update action instead")
            if spec.match is not None and match is None:
                self.add(base, f"action '{name}' needs `match` to find its target ({spec.match.label})",
                         "add e.g. `match: {source: <field>}`")
            elif spec.match is None and match is not None:
                self.add((*base, "match"), f"action '{name}' takes no `match`", "remove it")
            self._params((*base, "params"), body.get("params"), spec.params, f"action '{name}'")
            if fields is None:
                fields = {}
            if spec.fields and isinstance(fields, dict):
                known = [f.key for f in spec.fields]
                for key in fields:
                    if not isinstance(key, str) or key in known:
                        continue
                    if spec.open_fields and _CUSTOM_FIELD.match(key):
                        continue  # a custom property: checked against the account when the recipe is imported
                    self.add((*base, "fields", key), f"action '{name}' has no field '{key}'",
                             _hint_for(key, known, "fields"))
                missing = [f.key for f in spec.fields if f.required and f.key not in fields]
                if missing:
                    self.add((*base, "fields"), f"action '{name}' needs the field"
                             f"{'s' if len(missing) > 1 else ''} " + ", ".join(f"'{m}'" for m in missing),
                             "map it under `fields:`")
            if isinstance(role, str) and isinstance(fields, dict):
                self._ownership(base, name, spec.object, role, trigger_role, fields)
        roles = self.roles or {}
        return role if isinstance(role, str) and role in roles else None

    def _ownership(self, base: Loc, name: Any, obj: str | None, role: str, trigger_role: str | None,
                   fields: dict[str, Any]) -> None:
        """A write into data its target owns, from a trigger that does not own it, needs field modes."""
        roles = self.roles or {}
        raw = self.doc.get("owns")
        declared = {k: v for k, v in raw.items() if isinstance(k, str) and isinstance(v, list)} \
            if isinstance(raw, dict) else {}
        target, source = roles.get(role), roles.get(trigger_role or "")
        if target is None or source is None or ownership.kind_of(obj) is None:
            return
        if not ownership.owns(role, obj, target.owns.value, declared) or \
                ownership.owns(trigger_role or "", obj, source.owns.value, declared):
            return
        bare = [k for k, m in fields.items() if isinstance(m, dict) and "mode" not in m]
        if bare:
            self.warn((*base, "fields"), f"action '{name}' writes {obj}, which {target.name_en} owns, from "
                     f"{source.name_en}, which does not: give each field a `mode` so the owner's values are "
                     f"kept where they should be (fields without one: {', '.join(map(str, bare))})",
                     "e.g. `mode: only_if_empty` or `create_only` for names and addresses, `never` for what "
                     "the owner alone edits, `always` on purpose; or declare `owns:` for the roles")


# --------------------------------------------------------------------------------- entry points


def _registry() -> Mapping[str, Connector]:
    try:
        return registry.all_connectors()
    except ImportError as exc:
        raise BugError(f"the connector registry could not be loaded ({exc})",
                       hint="reinstall OrderSync") from exc


def _validate(doc: Any, root: Node | None, connectors: Mapping[str, Connector] | None) -> Recipe:
    if doc is None:
        raise _Invalid(Problem("", "the recipe is empty", "start from a template in the recipes folder"))
    if not isinstance(doc, dict):
        raise _Invalid(Problem("", f"a recipe is a mapping of keys (format, version, name…), got {_kind(doc)}"))
    if not _depth_ok(doc):
        raise _Invalid(Problem("", f"the recipe is nested more than {MAX_DEPTH} levels deep"))
    if doc.get("format") == FORMAT and "version" not in doc:
        raise _Invalid(Problem("version", "required, but missing",
                               f"add `version: {CURRENT_VERSION}` after the format line", _line_of(root, ("format",))))
    if doc.get("format") != FORMAT:
        message = ("this is not an OrderSync recipe: `format: ordersync-recipe` is missing"
                   if "format" not in doc else f"expected `format: {FORMAT}`, got {_kind(doc.get('format'))}")
        raise _Invalid(Problem("format", message, "a recipe starts with `format: ordersync-recipe` "
                               f"and `version: {CURRENT_VERSION}`", _line_of(root, ("format",))))
    try:
        upgraded = upgrade(doc)
    except MigrationError as exc:
        hint = "update the app" if "newer" in str(exc) else None
        raise _Invalid(Problem("version", str(exc), hint, _line_of(root, ("version",)))) from None
    if upgraded is not doc and not keeps_layout(doc["version"]):
        root = None  # line numbers of the old file no longer match the upgraded document
    found: list[tuple[Loc, Problem]] = list(_bad_numbers(upgraded))
    if found:
        raise _Invalid(*(Problem(p.location, p.message, p.hint, _line_of(root, loc)) for loc, p in found))
    recipe: Recipe | None = None
    try:
        recipe = Recipe.model_validate(upgraded)
    except ValidationError as exc:
        found.extend(_from_pydantic(e) for e in exc.errors(include_url=False))
    checker = _Checker(upgraded, connectors if connectors is not None else _registry())
    found.extend(checker.run())
    problems = list(_unique(
        Problem(p.location, p.message, p.hint, _line_of(root, loc)) for loc, p in found))
    if problems:
        problems.sort(key=lambda p: p.line if p.line is not None else 1 << 30)
        raise _Invalid(*problems)
    assert recipe is not None
    return recipe


def warnings_for(recipe: Recipe, connectors: Mapping[str, Connector] | None = None) -> list[Problem]:
    """What a valid recipe does that is allowed but worth a second look — a write over data its target
    owns without field modes — for ``recipe validate``, import and the builder to show."""
    checker = _Checker(recipe.to_document(), connectors if connectors is not None else _registry())
    checker.run()
    return [p for _loc, p in checker.warnings]


def _unique(problems: Iterator[Problem] | list[Problem]) -> Iterator[Problem]:
    seen: set[tuple[str, str]] = set()
    for problem in problems:
        if (problem.location, problem.message) not in seen:
            seen.add((problem.location, problem.message))
            yield problem


def load_document(doc: Any, *, source: str = "<recipe>",
                  connectors: Mapping[str, Connector] | None = None) -> Recipe:
    """Validate an already-parsed document (e.g. built by the recipe editor).

    Raises:
        RecipeInvalid: with every problem found.
    """
    try:
        return _validate(doc, None, connectors)
    except _Invalid as exc:
        raise RecipeInvalid(exc.problems, source=source) from None
    except RecursionError:
        raise RecipeInvalid([Problem("", "the recipe is nested too deeply")], source=source) from None


def load_text(text: str | bytes, *, source: str = "<recipe>",
              connectors: Mapping[str, Connector] | None = None) -> Recipe:
    """Parse and validate a recipe from YAML (or JSON) text.

    Args:
        text: the file content; bytes are decoded as UTF-8 (or UTF-16 with a BOM).
        source: the file name shown in messages.
        connectors: the connectors to check names against; the registry's when None.

    Returns:
        The validated recipe, upgraded to the current format version.

    Raises:
        RecipeInvalid: with every problem found (never any other error for bad input).
    """
    try:
        decoded = _decode(text)
        root: Node | None = None
        doc: Any = None
        parsed_json = False
        if decoded.lstrip().startswith("{"):
            try:
                doc, parsed_json = _parse_json(decoded), True
            except _JsonNumber as exc:
                raise _Invalid(Problem("", str(exc), "write numbers as plain decimals within range")) from None
            except ValueError:
                parsed_json = False
        if not parsed_json:
            doc, root = _parse_yaml(decoded)
        return _validate(doc, root, connectors)
    except _Invalid as exc:
        raise RecipeInvalid(exc.problems, source=source) from None
    except RecursionError:
        raise RecipeInvalid([Problem("", "the recipe is nested too deeply")], source=source) from None


def load_file(path: str | os.PathLike[str], *, connectors: Mapping[str, Connector] | None = None) -> Recipe:
    """Read and validate a recipe file (see :func:`load_text`).

    Raises:
        RecipeInvalid: the file cannot be read, is too large, or has problems.
    """
    file = Path(path)
    try:
        if file.stat().st_size > MAX_BYTES:
            raise RecipeInvalid([_too_large(file.stat().st_size)], source=str(file))
        data = file.read_bytes()
    except OSError as exc:
        raise RecipeInvalid([Problem("", f"cannot read the file: {exc.strerror or exc}")],
                            source=str(file)) from None
    return load_text(data, source=str(file), connectors=connectors)
