"""Format 1 → 2: every step may carry an ``id``, and a lookup's result name moves there.

Version 2 lets any step's result be read by later steps (``steps.<id>.<field>``: the created contact's
id, an aggregate's total), so the name a lookup wrote under ``as`` becomes its step's ``id``. Nothing
else in a version 1 file changes meaning; the new keys of version 2 (``for_each``, field ``mode``,
``aggregate`` steps, ``owns``, ``when_changed``…) are simply absent from an old file.
"""

from __future__ import annotations

from typing import Any

FROM = 1
# The layout of the file stays as it was apart from one key per lookup, so line numbers still point at
# the right places when a migrated file has problems.
KEEPS_LAYOUT = True


def migrate(doc: dict[str, Any]) -> dict[str, Any]:
    """Move each lookup's ``as`` to its step's ``id`` (first in the step, as version 2 writes it)."""
    steps = doc.get("steps")
    if not isinstance(steps, list):
        return doc
    for index, step in enumerate(steps):
        if not isinstance(step, dict) or "id" in step:
            continue
        lookup = step.get("lookup")
        if isinstance(lookup, dict) and "as" in lookup:
            steps[index] = {"id": lookup.pop("as"), **step}
    return doc
