"""Reading a value out of a vendor's JSON answer by a short path (``data.orders``, ``items[0].sku``).

Declarations name where things live in an answer with these paths; ``""`` is the answer itself.
A missing step gives ``None`` rather than an error: vendors leave keys out when they are empty.
"""

from __future__ import annotations

import re
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
