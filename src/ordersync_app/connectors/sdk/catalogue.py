"""A connector's field catalogue as a data file beside its module, not as code.

Why: the fields a trigger offers and an action takes are facts copied from the vendor's reference
(names, types, choices) plus labels in two languages; as JSON they are written once, reviewed like
data and keep the connector module to its declarations. The file is a JSON object of lists, one per
object kind: ``{"deal": [{"key", "label", "label_zh", "type", "description", "choices"}, …]}``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from importlib import resources

from ordersync_app.connectors.sdk.spec import Field

Fields = Callable[..., tuple[Field, ...]]


def catalogue(package: str, filename: str) -> Fields:
    """The catalogue in ``package/filename``, as ``fields(kind, required=(), only=None)``.

    ``required`` names the keys the action needs; ``only`` keeps those keys (in the file's order).

    Raises:
        KeyError: (when called) the file has no such kind.
    """
    data = json.loads(resources.files(package).joinpath(filename).read_text("utf-8"))

    def fields(kind: str, required: tuple[str, ...] = (), only: tuple[str, ...] | None = None) -> tuple[Field, ...]:
        return tuple(Field(f["key"], f["label"], f.get("type", "string"), f["key"] in required,
                           f.get("description", ""), tuple(f.get("choices", ())), label_zh=f.get("label_zh", ""))
                     for f in data[kind] if only is None or f["key"] in only)
    return fields
