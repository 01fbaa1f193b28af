"""Connector files: add a shop's in-house system (validated, tested against it, then registered).

``ordersync connectors add FILE`` and the GUI's "Add a custom app" both land here. A file is
registered by copying it into the user's connectors folder, where the registry finds it; it is copied
only after it validated and, when an address is given (or the file names a sandbox app), after a
real call read records through it. The GUI builds the file from a form: :func:`sample_fields` calls the
list endpoint through the SDK so the form can offer the answer's fields, and :func:`save_document`
writes and adds the file. A file holds no secrets (they go to the account), so it can be exported and
shared like a recipe (:func:`export_file`).
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ordersync_app import paths
from ordersync_app.connectors.sdk import files, registry
from ordersync_app.connectors.sdk.http import ApiClient
from ordersync_app.connectors.sdk.paths import dig
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
    account = _test_account(doc.key, base_url, settings, secrets)
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


# -- building a file from a form ("Add a custom app") ------------------------------------------------------------
@dataclass(frozen=True)
class SampleField:
    """A field found in a real answer: its path (as recipes and connector files write it), a sample value, a type."""

    path: str
    sample: str
    type: str


@dataclass(frozen=True)
class Sample:
    """What one call of a list endpoint answered: its fields, and how many items it held."""

    fields: list[SampleField]
    items: int
    said: str


_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def _leaves(value: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(value, Mapping):
        for key, inner in value.items():
            name = str(key)
            if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
                yield from _leaves(inner, f"{prefix}.{name}" if prefix else name)
    elif isinstance(value, list):
        if value:
            yield from _leaves(value[0], f"{prefix}[0]")
    elif prefix:
        yield prefix, value


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    return "datetime" if isinstance(value, str) and _ISO.match(value) else "string"


def sample_fields(draft: Mapping[str, Any], *, base_url: str, settings: Mapping[str, str] | None = None,
                  secrets: Mapping[str, str] | None = None, limit: int = 5) -> Sample:
    """Call the first list endpoint of a draft connector file once and list the fields of its items.

    The draft needs ``auth`` (with its ``settings``) and one trigger's ``request`` and ``records``; the cursor and
    the key may still be missing (they are usually picked from this sample).

    Raises:
        ConnectorFileInvalid: the draft's parts are malformed.
        SetupError: the endpoint refused or answered no list at ``records``; AuthError for refused keys.
        TransientError: the system was unreachable.
    """
    trigger = dict((draft.get("triggers") or [{}])[0])
    trigger.setdefault("key", "sample")
    trigger.setdefault("label", {"en": "sample"})
    trigger.setdefault("cursor", {"field": "id"})  # not used by this call
    doc = files.parse_text(yaml.safe_dump({**dict(draft), "key": draft.get("key") or "sample",
                                          "name": draft.get("name") or {"en": "sample"}, "triggers": [trigger],
                                          "actions": []}, allow_unicode=True), source="the form")
    connector = files.build(doc)
    request, records = doc.triggers[0].request, doc.triggers[0].records
    account = _test_account(doc.key, base_url, dict(settings or {}), dict(secrets or {}))
    params: dict[str, Any] = dict(request.params)
    size = doc.triggers[0].paginator.size_param or doc.triggers[0].paginator.limit_param
    if size:
        params[size] = limit
    where = {"query": "params", "json": "json", "form": "data"}[request.body]
    with ApiClient(connector, account) as client:
        body = client.json(request.method, request.path, **{where: params})
    items = dig(body, records) if records else body
    if not isinstance(items, list):
        raise SetupError(f"the answer has no list at '{records or '(the whole answer)'}'",
                         hint="set the items path to where the list is, e.g. data or orders")
    found: dict[str, Any] = {}
    for item in items[:limit]:
        for path, value in _leaves(item):
            if found.get(path) in (None, ""):  # the first non-empty value is the sample
                found[path] = value
    fields = [SampleField(path, "" if value is None else str(value)[:80], _kind(value))
              for path, value in found.items()]
    return Sample(fields, len(items), f"{request.method} {request.path}: {len(items)} item(s)")


def _test_account(key: str, base_url: str, settings: dict[str, str], secrets: dict[str, str]) -> AccountConfig:
    url = sandbox.resolve(base_url) if base_url.startswith(SANDBOX_SCHEME) else base_url
    if not url.startswith(("https://", "http://127.0.0.1", "http://localhost")):
        raise SetupError(f"'{base_url}' is not an https:// address", hint="OrderSync sends keys only over HTTPS")
    return AccountConfig(name=f"test-{key}", connector=key, base_url=url, settings=settings, secret=secrets.get)


def document_text(document: Mapping[str, Any]) -> str:
    """A connector file's YAML text, validated (ConnectorFileInvalid with every problem otherwise)."""
    text = "# An OrderSync connector file (no secrets: keys are kept with each account).\n" + \
        yaml.safe_dump(dict(document), allow_unicode=True, sort_keys=False)
    files.parse_text(text, source="the form")
    return text


def save_document(document: Mapping[str, Any], *, base_url: str | None, settings: dict[str, str] | None = None,
                  secrets: dict[str, str] | None = None, replace: bool = False) -> AddedConnector:
    """Write a connector file built by the GUI and add it (validated, tested, registered) like any file.

    Raises:
        ConnectorFileInvalid: the document has problems (all listed).
        SetupError: the key is taken, or the test call failed.
    """
    text = document_text(document)
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / f"{document.get('key')}.yaml"
        source.write_text(text, "utf-8")
        return add_file(source, base_url=base_url, settings=settings, secrets=secrets, replace=replace)


def export_file(key: str, target: Path) -> Path:
    """Copy an added connector file for sharing (it holds no secrets).

    Raises:
        SetupError: no connector file has this key.
    """
    source = paths.connectors_dir() / f"{key}.yaml"
    if not source.exists():
        raise SetupError(f"no connector file with the key '{key}'", hint="see: ordersync connectors")
    shutil.copyfile(source, target)
    return target
