"""Keyed writes for vendors that have no upsert: find the target by its key, then save with its id or create it.

Why: an ERP such as Kingdee saves a bill with its internal id (an update) or without (a create), and finds
bills by their number. When the number comes from the source record, "find, then save" is as safe to
repeat as an upsert: after a lost answer the engine reads the target by that number (``read_current``) and
a re-send finds the bill the first attempt created. What stays vendor-specific is how to find and how to
save; this module does the rest once: writes without a key are refused, two writes to one key in the
same batch are split (the second waits for the next batch, so the first cannot be created twice), and the
save's answer is mapped back per write.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ordersync_app.connectors.sdk.paths import dig
from ordersync_app.connectors.sdk.spec import Write, WriteResult, WriteStatus

if TYPE_CHECKING:
    from ordersync_app.connectors.sdk.http import ApiClient

# Current objects by key (only those that exist).
Find = Callable[["ApiClient", list[str]], Mapping[str, Mapping[str, Any]]]
# Saves writes, each with the existing object or None (create); answers one WriteResult per write, in order.
Save = Callable[["ApiClient", list[tuple[Write, Mapping[str, Any] | None]]], list[WriteResult]]


@dataclass(frozen=True)
class FindThenSave:
    """An action's ``deliver`` and ``read_current`` built from a vendor's find and save."""

    find: Find
    save: Save
    what: str = "record"

    def deliver(self, client: ApiClient, writes: list[Write]) -> list[WriteResult]:
        """Find every write's target by its key (``Write.match``), then save them in one go."""
        out: dict[str, WriteResult] = {}
        todo: list[Write] = []
        keys: set[str] = set()
        for write in writes:
            key = str(write.match) if write.match not in (None, "") else None
            if key is None:
                out[write.ref] = WriteResult(write.ref, WriteStatus.REJECTED,
                                             message=f"no {self.what} key to save under")
            elif key in keys:
                out[write.ref] = WriteResult(write.ref, WriteStatus.TRANSIENT,
                                             message=f"another write to {self.what} {key} was in the same batch")
            else:
                keys.add(key)
                todo.append(write)
        if todo:
            found = self.find(client, [str(w.match) for w in todo])
            results = self.save(client, [(w, found.get(str(w.match))) for w in todo])
            out.update({r.ref: r for r in results})
        return [out.get(w.ref) or WriteResult(w.ref, WriteStatus.UNKNOWN, message="no answer for this write")
                for w in writes]

    def read_current(self, client: ApiClient, writes: list[Write]) -> list[dict[str, Any] | None]:
        """The target's current values of the written fields (paths), or None when nothing has the key."""
        found = self.find(client, [str(w.match) for w in writes if w.match not in (None, "")])
        return [{k: dig(found[key], k) for k in w.properties} if (key := str(w.match)) in found else None
                for w in writes]
