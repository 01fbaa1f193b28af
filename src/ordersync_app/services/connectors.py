"""Connector files: add a shop's in-house system (validated, tested against it, then registered).

``ordersync connectors add FILE`` and the GUI's "Add a custom app" both land here. A file is
registered by copying it into the user's connectors folder, where the registry finds it; it is copied
only after it validated and, when an address is given (or the file names a sandbox app), after a
real call read records through it.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from ordersync_app import paths
from ordersync_app.connectors.sdk import files, registry
from ordersync_app.connectors.sdk.http import ApiClient
from ordersync_app.connectors.sdk.spec import SANDBOX_SCHEME, AccountConfig
from ordersync_app.domain.errors import SetupError
from ordersync_app.services import sandbox


@dataclass(frozen=True)
class AddedConnector:
    """A connector file that was registered."""

    key: str
    name: str
    path: Path
    tested: str | None  # what the connection test said, when one ran


def test_file(doc: files.ConnectorFile, *, base_url: str, settings: dict[str, str],
              secrets: dict[str, str]) -> str:
    """Call the system through the file's declarations (reads the first page of its first trigger).

    Raises:
        SetupError: the system refused or could not be reached; AuthError for refused credentials.
        TransientError: the system was unreachable.
    """
    connector = files.build(doc)
    url = sandbox.resolve(base_url) if base_url.startswith(SANDBOX_SCHEME) else base_url
    if not url.startswith(("https://", "http://127.0.0.1", "http://localhost")):
        raise SetupError(f"'{base_url}' is not an https:// address", hint="OrderSync sends keys only over HTTPS")
    account = AccountConfig(name=f"test-{doc.key}", connector=doc.key, base_url=url, settings=settings,
                            secret=secrets.get)
    with ApiClient(connector, account) as client:
        return connector.test_connection(client)


def add_file(source: Path, *, base_url: str | None = None, settings: dict[str, str] | None = None,
             secrets: dict[str, str] | None = None, replace: bool = False) -> AddedConnector:
    """Validate, test and register a connector file.

    Raises:
        ConnectorFileInvalid: the file has problems (all listed).
        SetupError: the key is taken, or the test call failed.
    """
    try:
        data = source.read_bytes()
    except OSError as exc:
        raise SetupError(f"cannot read {source}: {exc.strerror or exc}") from None
    doc = files.parse_text(data, source=source.name)
    builtin = registry.get(doc.key)
    target = paths.connectors_dir() / f"{doc.key}.yaml"
    if builtin is not None and not target.exists():
        raise SetupError(f"the key '{doc.key}' is taken by the built-in connector {builtin.name_en}",
                         hint="give the file another key")
    if target.exists() and not replace:
        raise SetupError(f"a connector file with the key '{doc.key}' is already added",
                         hint="pass --replace to update it")
    if base_url is None and doc.sandbox is not None:  # try it against the built-in emulator it names
        base_url = f"{SANDBOX_SCHEME}{doc.sandbox.app}"
        settings = {**doc.sandbox.settings, **(settings or {})}
        secrets = {**doc.sandbox.credentials, **(secrets or {})}
    tested = test_file(doc, base_url=base_url, settings=dict(settings or {}), secrets=dict(secrets or {})) \
        if base_url else None
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    shutil.copyfile(source, partial)
    partial.replace(target)  # whole or not at all
    registry.reload()
    return AddedConnector(doc.key, doc.name.en, target, tested)


def remove_file(key: str) -> None:
    """Unregister a connector file (accounts using it stop working until it is added again)."""
    target = paths.connectors_dir() / f"{key}.yaml"
    if not target.exists():
        raise SetupError(f"no connector file with the key '{key}'", hint="see: ordersync connectors")
    target.unlink()
    registry.reload()
