"""Reading a value out of a vendor's JSON answer by a short path (``data.orders``, ``items[0].sku``).

Declarations name where things live in an answer with these paths; ``""`` is the answer itself.
A missing step gives ``None`` rather than an error: vendors leave keys out when they are empty.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from typing import Any

_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


@cache
def parse(path: str) -> tuple[str | int, ...]:
    """The steps of a path: keys as text, list indexes as ints (``a.b[0]`` → ``("a", "b", 0)``).

    Raises:
        ValueError: the path has characters outside keys, dots and ``[n]``.
    """
    steps: list[str | int] = []
    pos = 0
    for match in _PART.finditer(path):
        gap = path[pos:match.start()]
        if gap not in ("", "."):
            raise ValueError(f"'{path}' is not a path such as data.orders or items[0].sku")
        steps.append(match.group(1) if match.group(1) is not None else int(match.group(2)))
        pos = match.end()
    if path[pos:] not in ("",):
        raise ValueError(f"'{path}' is not a path such as data.orders or items[0].sku")
    return tuple(steps)


def dig(value: Any, path: str | None) -> Any:
    """The value at ``path`` inside ``value`` (None when any step is missing)."""
    if not path:
        return value
    for step in parse(path):
        if isinstance(step, int):
            value = value[step] if isinstance(value, list) and -len(value) <= step < len(value) else None
        else:
            value = value.get(step) if isinstance(value, dict) else None
        if value is None:
            return None
    return value


def rows_by_position(keys: tuple[str, ...]) -> Callable[[Any], list[dict[str, Any]]]:
    """A trigger's ``records`` hook for answers that are rows of values in the order of the keys asked
    (Kingdee's ExecuteBillQuery ``[[v1, v2…], …]``, CSV-like APIs): each row becomes a dict, a dotted key
    nested (``FCustId.FNumber`` → ``{"FCustId": {"FNumber": …}}``) so paths read it as usual.
    Anything but a list of lists gives no rows."""
    def named(body: Any) -> list[dict[str, Any]]:
        out = []
        for row in body if isinstance(body, list) else []:
            item: dict[str, Any] = {}
            for key, value in zip(keys, row if isinstance(row, list) else [], strict=False):
                head, _, tail = key.partition(".")
                if tail:
                    item.setdefault(head, {})[tail] = value
                else:
                    item[key] = value
            out.append(item)
        return out
    return named
