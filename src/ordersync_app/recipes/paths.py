"""Field paths (``customer.email``, ``lineItems[0].sku``) and ``{path}`` templates in recipes.

Recipes point into records with these paths instead of expressions, so reading a value is a plain
walk through dicts and lists: nothing in a recipe is ever evaluated. A path that starts with
``steps.<name>`` reads the result of the lookup step named ``<name>`` instead of the record.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any, Final

__all__ = [
    "LOOKUP_PREFIX",
    "MISSING",
    "PathError",
    "Token",
    "format_path",
    "get_path",
    "lookup_ref",
    "parse_path",
    "parse_template",
    "resolve",
    "template_paths",
]

MAX_PATH_LENGTH: Final = 500
LOOKUP_PREFIX: Final = "steps"
_PART = re.compile(r"([^.\[\]{}]+)((?:\[[0-9]{1,6}\])*)")
_INDEX = re.compile(r"\[([0-9]+)\]")

Token = str | int


class _Missing:
    """The type of :data:`MISSING`: a value that is absent (not even ``null``)."""

    _instance: _Missing | None = None

    def __new__(cls) -> _Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING: Final = _Missing()
"""Returned by :func:`get_path` when a path leads nowhere (distinct from a present ``None``)."""


class PathError(ValueError):
    """A path or template is not written correctly."""


@lru_cache(maxsize=2048)
def parse_path(path: str) -> tuple[Token, ...]:
    """Split a dotted path into keys (str) and list indexes (int).

    Raises:
        PathError: the path is empty, too long, or not of the form ``a.b[0].c``.
    """
    if not isinstance(path, str) or not path:
        raise PathError("a path must be non-empty text such as customer.email")
    if len(path) > MAX_PATH_LENGTH:
        raise PathError(f"a path may be at most {MAX_PATH_LENGTH} characters long")
    tokens: list[Token] = []
    for part in path.split("."):
        match = _PART.fullmatch(part)
        if match is None:
            raise PathError(f"'{path}' is not a valid path; write keys separated by dots, "
                            "with [n] for list items, e.g. lineItems[0].sku")
        name, indexes = match.groups()
        if name != name.strip():
            raise PathError(f"'{path}' has spaces around a key; remove them")
        tokens.append(name)
        tokens.extend(int(i) for i in _INDEX.findall(indexes))
    return tuple(tokens)


def format_path(tokens: tuple[Token, ...] | list[Token]) -> str:
    """The text form of parsed tokens (the inverse of :func:`parse_path`)."""
    text = ""
    for token in tokens:
        if isinstance(token, int):
            text += f"[{token}]"
        else:
            text += f".{token}" if text else token
    return text


def get_path(data: Any, path: str | tuple[Token, ...]) -> Any:
    """The value at ``path`` inside ``data``, or :data:`MISSING` when any step is absent.

    Keys only walk into mappings and indexes only into lists, so ``items.0`` never reads a list.
    """
    tokens = parse_path(path) if isinstance(path, str) else path
    current = data
    for token in tokens:
        if isinstance(token, int):
            if not isinstance(current, list | tuple) or token >= len(current):
                return MISSING
            current = current[token]
        else:
            if not isinstance(current, Mapping) or token not in current:
                return MISSING
            current = current[token]
    return current


def lookup_ref(path: str) -> str | None:
    """The lookup name a path reads from (``steps.deal.id`` → ``deal``), or None."""
    try:
        tokens = parse_path(path)
    except PathError:
        return None
    if len(tokens) >= 2 and tokens[0] == LOOKUP_PREFIX and isinstance(tokens[1], str):
        return tokens[1]
    return None


def resolve(path: str, record: Mapping[str, Any], lookups: Mapping[str, Any]) -> Any:
    """Read ``path`` from the record, or from a lookup result when it starts with ``steps.<name>``."""
    tokens = parse_path(path)
    if len(tokens) >= 2 and tokens[0] == LOOKUP_PREFIX and isinstance(tokens[1], str):
        found = lookups.get(tokens[1], MISSING)
        if found is MISSING or found is None:
            return MISSING
        return get_path(found, tokens[2:])
    return get_path(record, tokens)


@lru_cache(maxsize=1024)
def parse_template(text: str) -> tuple[tuple[str, str | None], ...]:
    """Split a template into ``(literal, path)`` pairs; ``{{`` and ``}}`` stand for braces.

    ``"Shipped {name} to {shippingAddress.city}"`` gives
    ``(("Shipped ", "name"), (" to ", "shippingAddress.city"))``. A trailing literal has path None.

    Raises:
        PathError: an unmatched brace, an empty ``{}`` or a placeholder that is not a valid path.
    """
    parts: list[tuple[str, str | None]] = []
    literal: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char in "{}" and text[i + 1 : i + 2] == char:
            literal.append(char)
            i += 2
            continue
        if char == "}":
            raise PathError(f"unmatched '}}' at character {i + 1}; write '}}}}' for a literal brace")
        if char == "{":
            end = text.find("}", i + 1)
            if end == -1 or "{" in text[i + 1 : end]:
                raise PathError(f"unclosed '{{' at character {i + 1}; write '{{{{' for a literal brace")
            inner = text[i + 1 : end].strip()
            if not inner:
                raise PathError(f"empty placeholder '{{}}' at character {i + 1}")
            parse_path(inner)
            parts.append(("".join(literal), inner))
            literal = []
            i = end + 1
            continue
        literal.append(char)
        i += 1
    if literal or not parts:
        parts.append(("".join(literal), None))
    return tuple(parts)


def template_paths(text: str) -> list[str]:
    """The paths a template reads, in order (empty when the template is invalid)."""
    try:
        return [path for _, path in parse_template(text) if path is not None]
    except PathError:
        return []
