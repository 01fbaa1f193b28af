"""A folder of CSV/Excel exports as an order system (or CRM) with no server at all.

Trigger ``row_changed``: every row of every ``.csv``/``.xlsx`` file dropped into the folder, keyed by the
column the user names; its version is a digest of the row, so a row changed in a later export is a new
version and an unchanged one is dropped by the engine's ``(key, version)`` de-duplication. Cursor: the
row's position ``<file stamp>/<file name>/<line>`` (:mod:`.sdk.folder`), a sorted source with a checkpoint
after each file. A malformed row becomes a record carrying its problem (``domain.records.PROBLEM``): it
goes to the failed queue as "file, line N: …" and the rest of the file is read. Caveat of digest
versions: a row edited and later edited back to exactly its old values is not sent again.

Action ``upsert_row``: add or update the row with a key in a CSV/XLSX file that an in-house system
imports — the whole file rewritten atomically under a lock, so repeating a write changes nothing.
No HTTP is involved: the trigger is a hand-written ``fetch`` (the SDK's escape hatch) over local files.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ordersync_app.connectors.sdk import folder, sheets, spec
from ordersync_app.connectors.sdk.spec import Field, Page, Param, Setting, Write, WriteResult, WriteStatus
from ordersync_app.domain.errors import SetupError, Stopped
from ordersync_app.domain.records import PROBLEM, Record

NAME = "CSV/Excel folder"


def _settings(account: spec.AccountConfig) -> tuple[Path, str, str, float]:
    where = f"{NAME} account '{account.name}'"
    path = folder.folder_of(account.settings.get("folder"), where=where)
    key = (account.settings.get("key_column") or "").strip()
    if not key:
        raise SetupError(f"{where}: no key column is set", hint="name the column that identifies a row")
    try:
        settle = float(account.settings.get("settle_seconds") or 10)
    except ValueError:
        raise SetupError(f"{where}: settle_seconds must be a number of seconds") from None
    return path, key, account.settings.get("encoding") or "auto", settle


def _bad(name: str, line: int, position: str, problem: str, raw: str) -> Record:
    payload = {"_file": name, "_line": line, "_raw": raw[:500], PROBLEM: f"{name}, line {line}: {problem}"}
    return Record(f"{name}#{line}", sheets.row_hash({"raw": raw, "problem": problem}), position, payload)


def _rows(watched: folder.WatchedFile, key: str, encoding: str, since: str | None) -> Iterator[Record]:
    name = watched.path.name
    try:
        sheet = sheets.read_table(watched.path, encoding=encoding)
    except sheets.SheetError as exc:
        yield _bad(name, 1, watched.position(1), str(exc).removeprefix(f"{name}: "), "")
        return
    if key not in sheet.header:
        yield _bad(name, 1, watched.position(1), f"the header has no key column '{key}' (it has: "
                   f"{', '.join(sheet.header[:12])})", ",".join(sheet.header))
        return
    for row in sheet.rows:
        position = watched.position(row.line)
        if since is not None and position < since:
            continue
        if row.problem or not row.values[key]:
            yield _bad(name, row.line, position, row.problem or f"no value in the key column '{key}'", row.raw)
            continue
        payload = {**row.values, "_file": name, "_line": row.line}
        yield Record(row.values[key], sheets.row_hash(row.values), position, payload, watched.modified_at)


def _fetch(client: Any, context: spec.TriggerContext) -> Iterator[list[Record]]:
    path, key, encoding, settle = _settings(client.account)
    if client.account.settings.get("move_processed") == "yes":
        folder.archive_read(path, context.since)
    files, _waiting = folder.ready_files(path, settle=settle)
    seen: set[tuple[str, str]] = set()  # a row repeated in a later export is passed on once per read
    for watched in files:
        if context.since is not None and watched.end <= context.since:
            continue
        page = Page()
        for record in _rows(watched, key, encoding, context.since):
            if (record.key, record.version) not in seen:
                seen.add((record.key, record.version))
                page.append(record)
            if len(page) >= context.page_size:
                yield page
                page = Page()
                if context.stop is not None and context.stop.is_set():
                    raise Stopped(f"{NAME}: stopped")
        yield page
        yield Page(checkpoint=watched.end)


def _target(client: Any, write: Write) -> tuple[Path, str]:
    base, key, _encoding, _settle = _settings(client.account)
    name = str(write.params.get("file") or "import/orders.csv")
    target = (base / name).resolve()
    if not target.is_relative_to(base.resolve()) or target.suffix.lower() not in sheets.SUFFIXES:
        raise SetupError(f"{NAME}: the file '{name}' must be a .csv or .xlsx file inside the folder")
    return target, str(write.params.get("key_column") or key)


def _deliver(client: Any, writes: list[Write]) -> list[WriteResult]:
    out: dict[str, WriteResult] = {}
    groups: dict[tuple[Path, str], list[Write]] = {}
    for write in writes:
        if not write.match:
            out[write.ref] = WriteResult(write.ref, WriteStatus.REJECTED, message="no key value to write the row under")
        else:
            groups.setdefault(_target(client, write), []).append(write)
    for (path, key), group in groups.items():
        try:
            sheets.upsert_rows(path, key, [(str(w.match), w.properties) for w in group])
        except sheets.SheetError as exc:
            out.update({w.ref: WriteResult(w.ref, WriteStatus.REJECTED, message=str(exc)) for w in group})
        except OSError as exc:  # not written (the rename is the last step): try again later
            out.update({w.ref: WriteResult(w.ref, WriteStatus.TRANSIENT, message=f"cannot write {path.name}: "
                        f"{exc.strerror or exc} (is it open in another program?)") for w in group})
        else:
            out.update({w.ref: WriteResult(w.ref, WriteStatus.OK, target_id=f"{path.name}:{w.match}") for w in group})
    return [out[w.ref] for w in writes]


def _read_current(client: Any, writes: list[Write]) -> list[dict[str, Any] | None]:
    found: list[dict[str, Any] | None] = []
    indexes: dict[tuple[Any, str], dict[str, dict[str, Any]]] = {}  # each file read and indexed once per call
    for write in writes:
        path, key = _target(client, write)
        if (path, key) not in indexes:
            index: dict[str, dict[str, Any]] = {}
            for r in sheets.load_rows(path)[1]:
                if isinstance(value := r.get(key), str):
                    index.setdefault(value, r)  # the first row with the key, as before
            indexes[(path, key)] = index
        row = indexes[(path, key)].get(str(write.match)) if write.match else None
        found.append({k: row.get(k) for k in write.properties} if row is not None else None)
    return found


def _test_connection(client: Any) -> str:
    path, key, _encoding, settle = _settings(client.account)
    files, waiting = folder.ready_files(path, settle=settle)
    later = f"; {waiting.name} is still being written" if waiting else ""
    return f"{NAME}: {len(files)} file(s) ready in {path}{later}; rows are keyed by the column '{key}'"


ROW_CHANGED = spec.Trigger(
    "row_changed", "Row added or changed in an export file", "导出文件中新增或变更的行",
    spec.Cursor("_position", kind=spec.CursorKind.OPAQUE, sorted=True),
    (Field("_file", "File name", label_zh="文件名"), Field("_line", "Line", "integer", label_zh="行号")),
    fetch=_fetch, page_size=500,
    description="Rows of .csv/.xlsx files in the folder, in arrival order; columns are named by the header row.")

UPSERT_ROW = spec.Action(
    "upsert_row", "Add or update a row in a file", "在文件中添加或更新一行",
    (Field("column", "Any column, by its header name", label_zh="任一列（按表头名称）"),),
    _deliver, _read_current, match=Param("match", "Key value of the row", required=True, label_zh="该行的主键值"),
    params=(Param("file", "File in the folder (.csv or .xlsx)", default="import/orders.csv", label_zh="文件夹中的文件"),
            Param("key_column", "Key column (default: the account's)", label_zh="主键列（默认用账户设置）")),
    batch_max=500, semantics=spec.WriteSemantics.KEYED, open_fields=True,
    idempotency="the row with the key is rewritten in a new copy of the file that replaces the old one at once")

CONNECTOR = spec.Connector(
    key="csv_folder", name_en=NAME, name_zh="CSV/Excel 文件夹", owns=spec.Owns.ORDERS,
    settings=(Setting("folder", "Folder", "文件夹", "Where the exports are saved (a local or shared folder)",
                      "导出文件保存的位置（本地或共享文件夹）"),
              Setting("key_column", "Key column", "主键列", "The column that identifies a row, e.g. order_no or email",
                      "用来识别一行的列，例如 订单号 或 email"),
              Setting("encoding", "Text encoding of CSV files", "CSV 文件编码", required=False, default="auto",
                      choices=sheets.ENCODINGS, choice_labels={
                          "auto": ("Recognise UTF-8 and GBK", "自动识别 UTF-8 和 GBK"), "utf-8": ("UTF-8", "UTF-8"),
                          "gb18030": ("GBK / GB18030", "GBK / GB18030"), "big5": ("Big5 (繁體)", "Big5（繁体）"),
                          "cp1252": ("Windows-1252 (Western Europe)", "Windows-1252（西欧）")}),
              Setting("settle_seconds", "Read a file after it is unchanged for (seconds)", "文件静止多少秒后读取",
                      required=False, default="10"),
              Setting("move_processed", "Move read files to processed/", "读完的文件移到 processed/", required=False,
                      default="no", choices=("no", "yes"),
                      choice_labels={"no": ("Leave them", "保留原处"), "yes": ("Move them", "移走")})),
    base_url="", make_auth=lambda _account: None,
    rate_limit=spec.RateLimit(10_000, 1.0, source="local files: no vendor limit"),
    error_message=lambda response: response.text[:200], test_connection=_test_connection,
    triggers=(ROW_CHANGED,), actions=(UPSERT_ROW,), uses_http=False,
    sandbox=spec.Sandbox("csv_folder", settings={"folder": "{sandbox_dir}/csv_folder", "key_column": "email",
                                                 "settle_seconds": "0"}),
)
