"""Upgrades of older recipe files, one small module per format version step.

Users keep recipe files for years, so a file written for format version N must still load after
the format changes: :func:`upgrade` applies ``v1_to_v2``, ``v2_to_v3``… in turn on the raw
document before validation (Airbyte's ``manifest_migrations``, qutebrowser's ``YamlMigrations``;
STYLE 4.4 and habit 10). A step module declares::

    FROM = 1                                   # upgrades version 1 to version 2
    RENAMED = {"steps[*].action.old": "new"}   # optional: keys renamed in place, applied first
    def migrate(doc: dict) -> dict: ...        # the rest of the change (may return doc as is)

and is listed in :data:`STEP_MODULES`. The framework sets ``version`` after each step, so steps
never forget to. Each step gets before/after fixture files in ``tests/recipes/migrations/``.
"""

from __future__ import annotations

import copy
import importlib
import re
from collections.abc import Mapping
from functools import cache
from typing import Any, Protocol

__all__ = [
    "CURRENT_VERSION",
    "STEP_MODULES",
    "MigrationError",
    "MigrationStep",
    "registered_steps",
    "rename_keys",
    "upgrade",
]

CURRENT_VERSION = 2
# Module names in this package, oldest first (e.g. "v1_to_v2"); each exports FROM and migrate().
STEP_MODULES: tuple[str, ...] = ("v1_to_v2",)

_RENAME_PART = re.compile(r"([^.\[\]]+)(\[\*\])?")


class MigrationStep(Protocol):
    """What a step module provides (a module satisfies this protocol)."""

    FROM: int

    def migrate(self, doc: dict[str, Any]) -> dict[str, Any]:
        """Upgrade a document of version ``FROM`` to ``FROM + 1`` (``version`` is set by the caller)."""
        ...


class MigrationError(ValueError):
    """A document cannot be upgraded (newer than this app, no step, or a step failed)."""


@cache
def keeps_layout(from_version: int) -> bool:
    """Whether every registered step from ``from_version`` on leaves the file's layout alone (line
    numbers of the old file still point at the right keys)."""
    steps = registered_steps()
    return all(getattr(steps.get(v), "KEEPS_LAYOUT", False) for v in range(from_version, CURRENT_VERSION))


def registered_steps() -> dict[int, MigrationStep]:
    """The steps of :data:`STEP_MODULES` by the version they upgrade from."""
    steps: dict[int, MigrationStep] = {}
    for name in STEP_MODULES:
        module: MigrationStep = importlib.import_module(f"{__name__}.{name}")
        if module.FROM in steps:
            raise MigrationError(f"two migration steps upgrade from version {module.FROM}")
        steps[module.FROM] = module
    return steps


def rename_keys(doc: dict[str, Any], renamed: Mapping[str, str]) -> None:
    """Rename keys in place: ``{"steps[*].action.on_fail": "on_error"}`` renames that key everywhere.

    ``[*]`` walks every item of a list; paths that lead nowhere are ignored. An existing key of
    the new name is not overwritten.
    """
    for old_path, new_key in renamed.items():
        parts = [_RENAME_PART.fullmatch(p) for p in old_path.split(".")]
        if not all(parts):
            raise MigrationError(f"bad rename path {old_path!r}")
        parents: list[Any] = [doc]
        for match in parts[:-1]:
            assert match is not None
            key, every = match.groups()
            parents = [p[key] for p in parents if isinstance(p, dict) and key in p]
            if every:
                parents = [item for p in parents if isinstance(p, list) for item in p]
        last = parts[-1]
        assert last is not None
        old_key, _ = last.groups()
        for parent in parents:
            if isinstance(parent, dict) and old_key in parent and new_key not in parent:
                parent[new_key] = parent.pop(old_key)


def upgrade(doc: dict[str, Any], *, steps: Mapping[int, MigrationStep] | None = None,
            target: int = CURRENT_VERSION) -> dict[str, Any]:
    """Upgrade a raw recipe document to format version ``target``, one step at a time.

    Args:
        doc: the document as read from the file; it is not modified (a copy is upgraded).
        steps: the steps to use, by ``FROM``; the registered ones by default (tests pass their own).
        target: the version to reach.

    Returns:
        The upgraded document (``doc`` itself when it is already at ``target``).

    Raises:
        MigrationError: ``version`` is not a whole number ≥ 1, is newer than ``target``, a step is
            missing, or a step failed on this document.
    """
    version = doc.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise MigrationError(f"`version` must be a whole number (the current format version is {target})")
    if version > target:
        raise MigrationError(f"this recipe was made by a newer OrderSync (format version {version}; "
                             f"this app reads up to {target})")
    if version == target:
        return doc
    available = registered_steps() if steps is None else steps
    current = copy.deepcopy(doc)
    while version < target:
        step = available.get(version)
        if step is None:
            raise MigrationError(f"no upgrade from format version {version} is known")
        try:
            rename_keys(current, getattr(step, "RENAMED", {}))
            current = step.migrate(current)
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
            raise MigrationError(f"upgrading from format version {version} failed: {exc}") from exc
        if not isinstance(current, dict):
            raise MigrationError(f"upgrading from format version {version} did not give a document")
        version += 1
        current["version"] = version
    return current
