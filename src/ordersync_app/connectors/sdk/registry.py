"""The registry of connectors: found, never listed.

A connector registers itself by existing: every module of the ``ordersync_app.connectors``
package that exports ``CONNECTOR`` is one; a third-party package adds one through the Python entry
points group ``ordersync.connectors`` (``name = "package.module:CONNECTOR"``); a shop's own system
comes as a connector file (:mod:`.files`) in the user's connectors folder. Adding a connector
therefore touches no central list, and the conformance suite walks whatever is found.
"""

from __future__ import annotations

import difflib
import importlib
import logging
import pkgutil
import threading
from importlib import metadata
from pathlib import Path

from ordersync_app import paths
from ordersync_app.connectors.sdk.spec import Connector

log = logging.getLogger(__name__)
ENTRY_POINTS = "ordersync.connectors"
PACKAGE = "ordersync_app.connectors"

_lock = threading.Lock()
_found: dict[str, Connector] | None = None
_found_for: Path | None = None  # the user folder ``_found`` was read from
_problems: dict[str, str] = {}


def builtin_modules() -> list[str]:
    """Names of the vendor modules shipped in the package (``sdk`` and private modules excluded)."""
    package = importlib.import_module(PACKAGE)
    return sorted(m.name for m in pkgutil.iter_modules(package.__path__)
                  if not m.ispkg and not m.name.startswith("_"))


def reload() -> None:
    """Forget what was found (after ``ordersync connectors add``)."""
    global _found
    with _lock:
        _found = None


def problems() -> dict[str, str]:
    """Connector files or plug-ins that could not be loaded, with why (shown by ``ordersync connectors``)."""
    all_connectors()
    return dict(_problems)


def all_connectors() -> dict[str, Connector]:
    """Every connector by key: built-in modules, then plug-ins, then the user's connector files
    (``paths.connectors_dir()``, read again when the data directory changes)."""
    global _found, _found_for
    user_dir = paths.connectors_dir()
    with _lock:
        if _found is not None and _found_for == user_dir:
            return _found
        found: dict[str, Connector] = {}
        _problems.clear()
        for name in builtin_modules():
            module = importlib.import_module(f"{PACKAGE}.{name}")
            connector = getattr(module, "CONNECTOR", None)
            if isinstance(connector, Connector):
                found[connector.key] = connector
        for entry in metadata.entry_points(group=ENTRY_POINTS):
            try:
                connector = entry.load()
            except Exception as exc:  # noqa: BLE001 - a broken plug-in must not break the app
                _problems[entry.name] = f"plug-in {entry.value} could not be loaded: {type(exc).__name__}: {exc}"
                continue
            if isinstance(connector, Connector) and connector.key not in found:
                found[connector.key] = connector
        if user_dir.is_dir():
            from ordersync_app.connectors.sdk import files

            for path in sorted(user_dir.glob("*.y*ml")) + sorted(user_dir.glob("*.json")):
                try:
                    connector = files.load_connector(path)
                except files.ConnectorFileInvalid as exc:
                    _problems[path.name] = exc.render()
                    continue
                if connector.key in found:
                    _problems[path.name] = f"the key '{connector.key}' is taken by a built-in connector"
                    continue
                found[connector.key] = connector
        _found, _found_for = found, user_dir
        return found


def get(key: str) -> Connector | None:
    """The connector named ``key``, or None."""
    return all_connectors().get(key)


def suggest(name: str, choices: list[str] | tuple[str, ...]) -> str | None:
    """The closest known name to a misspelt one ("did you mean …")."""
    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return close[0] if close else None
