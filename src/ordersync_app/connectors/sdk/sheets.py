"""Spreadsheet files for connectors without a server: text exports decoded, CSV/XLSX rows read, one rewritten safely.

Many small shops' order systems have no API but export (or import) a file: a nightly ``.csv`` or ``.xlsx``
in a shared folder. Reading such a file well is the same for every file-based connector, so it lives here:

* **Encodings** are tried strictly, in order (no guessing library): a byte-order mark, then UTF-8, then
  GB18030 (a superset of GBK/CP936, what Chinese Excel writes for "CSV (逗号分隔)"). Bytes that are valid in
  none of them are refused with the file's name. Other legacy encodings (Big5, Windows-1252) are not
  detected — Latin-1 text can decode as GB18030 nonsense — so the account names them explicitly.
* **Rows** carry the line (CSV: the physical line the record starts on; XLSX: the sheet row) so a bad row
  can be reported as "file, line N". A row whose number of values does not match the header is bad, not
  guessed at.
* **Writes** replace a file whole or not at all: a temporary file in the same folder, flushed to disk, then
  renamed over the old one (``os.replace`` is atomic on one file system), under an exclusive lock file.

XLSX files are read and written with openpyxl (see the README's dependency notes); only the first sheet
is used and cell formatting is not kept when a file is rewritten.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import os
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

SUFFIXES = (".csv", ".xlsx")
ENCODINGS = ("auto", "utf-8", "gb18030", "big5", "cp1252")
_TRY = ("utf-8", "gb18030")
_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))


class SheetError(ValueError):
    """A whole file cannot be read (encoding, format, header); the message names what is wrong."""


@dataclass(frozen=True)
class Row:
    """One data row: its values by header name, or the problem that makes it unreadable."""

    line: int
    values: dict[str, str]
    problem: str | None = None
    raw: str = ""


@dataclass(frozen=True)
class Sheet:
    """A table read from a file: its header, its rows (read lazily) and the encoding used."""

    header: list[str]
    rows: Iterator[Row]
    encoding: str


def decode(data: bytes, encoding: str = "auto") -> tuple[str, str]:
    """Text of a file and the encoding it was read with.

    Raises:
        SheetError: the bytes are not valid in the given encoding (or in any tried one, for ``auto``).
    """
    if encoding != "auto":
        try:
            return data.decode("utf-8-sig" if encoding == "utf-8" else encoding), encoding
        except (UnicodeDecodeError, LookupError) as exc:
            raise SheetError(f"not readable as {encoding}: {exc}") from None
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(name), name
            except UnicodeDecodeError as exc:
                raise SheetError(f"starts with a {name} byte-order mark but is not valid {name}: {exc}") from None
    for name in _TRY:
        try:
            return data.decode(name), name
        except UnicodeDecodeError:
            continue
    raise SheetError("the text is neither UTF-8 nor GBK/GB18030; choose the file encoding in the account")


def cell_text(value: Any) -> str:
    """A cell as the text a user sees: whole numbers without ``.0``, dates in ISO 8601, empty for nothing."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value).strip()


def _header(cells: Sequence[Any], where: str) -> list[str]:
    header = [cell_text(c) for c in cells]
    while header and not header[-1]:
        header.pop()
    if not header:
        raise SheetError(f"{where}: the first row (the header) is empty")
    blank = [i + 1 for i, h in enumerate(header) if not h]
    dupes = sorted({h for h in header if h and header.count(h) > 1})
    if blank or dupes:
        what = f"column {blank[0]} has no name" if blank else f"the column '{dupes[0]}' appears twice"
        raise SheetError(f"{where}: {what} in the header")
    return header


def _row(header: list[str], cells: Sequence[Any], line: int, raw: str) -> Row | None:
    texts = [cell_text(c) for c in cells]
    if not any(texts):
        return None  # a blank line
    extra = texts[len(header):]
    if len(texts) < len(header) or any(extra):
        return Row(line, {}, f"{len(texts)} values where the header has {len(header)} columns", raw)
    return Row(line, dict(zip(header, texts, strict=False)), None, raw)


def read_csv(data: bytes, *, encoding: str = "auto", where: str = "file") -> Sheet:
    """The rows of a CSV export (delimiter ``,`` ``;`` or tab, taken from the header line)."""
    text, used = decode(data, encoding)
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = _header(next(reader, []), where)
    except csv.Error as exc:
        raise SheetError(f"{where}: the header line is not valid CSV: {exc}") from None
    lines = text.splitlines()

    def rows() -> Iterator[Row]:
        start = reader.line_num + 1
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield Row(start, {}, f"not valid CSV: {exc}", "\n".join(lines[start - 1:reader.line_num]))
                start = reader.line_num + 1
                continue
            found = _row(header, cells, start, "\n".join(lines[start - 1:reader.line_num]))
            if found is not None:
                yield found
            start = reader.line_num + 1

    return Sheet(header, rows(), used)


def read_xlsx(path: Path, *, where: str = "file") -> Sheet:
    """The rows of the first sheet of an Excel workbook (row numbers as Excel shows them)."""
    import zipfile

    import openpyxl  # a few hundred ms to import: only when an .xlsx file is met
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise SheetError(f"{where}: not a readable Excel (.xlsx) workbook ({type(exc).__name__})") from None
    sheet = book.worksheets[0]
    cells = sheet.iter_rows(values_only=True)
    try:
        header = _header(next(cells, ()), where)
    except SheetError:
        book.close()
        raise

    def rows() -> Iterator[Row]:
        try:
            for number, values in enumerate(cells, start=2):
                found = _row(header, values, number, json.dumps([cell_text(v) for v in values], ensure_ascii=False))
                if found is not None:
                    yield found
        finally:
            book.close()

    return Sheet(header, rows(), "xlsx")


def read_table(path: Path, *, encoding: str = "auto") -> Sheet:
    """A ``.csv`` or ``.xlsx`` file's table.

    Raises:
        SheetError: the file cannot be read at all (the message starts with its name).
    """
    if path.suffix.lower() == ".xlsx":
        return read_xlsx(path, where=path.name)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SheetError(f"{path.name}: cannot be read ({exc.strerror or exc})") from None
    try:
        return read_csv(data, encoding=encoding, where=path.name)
    except SheetError as exc:
        message = str(exc)
        raise SheetError(message if message.startswith(path.name) else f"{path.name}: {message}") from None


def row_hash(values: Mapping[str, str]) -> str:
    """A short, stable digest of a row's values (the same row in a later export has the same digest)."""
    blob = json.dumps(sorted(values.items()), ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:20]


# -- writing --------------------------------------------------------------------------------------
@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """An exclusive lock on ``<path>.lock`` for one read-modify-write (released when the process dies)."""
    lock = path.with_name(path.name + ".lock")
    with lock.open("a+b") as handle:
        if os.name == "nt":  # pragma: no cover - Windows
            import msvcrt

            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_LOCK, 1)  # type: ignore[attr-defined,unused-ignore]
        else:
            import fcntl

            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        yield


def write_table(path: Path, header: list[str], rows: list[dict[str, Any]], *, encoding: str = "utf-8-sig") -> None:
    """Replace ``path`` with this table, whole or not at all (temporary file, fsync, rename).

    Raises:
        OSError: the folder is not writable, or (Windows) another program holds the file open.
    """
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    tmp = Path(temporary)
    try:
        with os.fdopen(handle, "wb") as out:
            if path.suffix.lower() == ".xlsx":
                import openpyxl

                book = openpyxl.Workbook()
                sheet = book.active
                assert sheet is not None
                sheet.append(header)
                for row in rows:
                    sheet.append([row.get(h) for h in header])
                book.save(out)
            else:
                text = io.StringIO(newline="")
                writer = csv.writer(text, lineterminator="\r\n")
                writer.writerow(header)
                writer.writerows([["" if row.get(h) is None else row.get(h) for h in header] for row in rows])
                out.write(text.getvalue().encode(encoding))
            out.flush()
            os.fsync(out.fileno())
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def load_rows(path: Path) -> tuple[list[str], list[dict[str, str]], str]:
    """A whole table to be rewritten: header, rows and the encoding to write it back in (empty when missing).

    Raises:
        SheetError: the file cannot be read, or has a malformed row (rewriting it would drop that row).
    """
    if not path.exists():
        return [], [], "utf-8-sig"
    sheet = read_table(path)
    rows = list(sheet.rows)
    bad = next((r for r in rows if r.problem), None)
    if bad is not None:
        raise SheetError(f"{path.name}, line {bad.line}: {bad.problem}; correct the file first")
    return sheet.header, [r.values for r in rows], "utf-8-sig" if sheet.encoding in ("xlsx", "utf-8-sig") \
        else sheet.encoding


def upsert_rows(path: Path, key: str, changes: list[tuple[str, Mapping[str, Any]]]) -> None:
    """Set columns of the rows with these keys (appending rows and columns as needed), rewriting the file
    atomically under its lock; the same changes again leave the same file.

    Raises:
        SheetError: the file is unreadable, malformed, or has no ``key`` column (nothing is written).
        OSError: the file could not be replaced (nothing is written).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with locked(path):
        header, rows, encoding = load_rows(path)
        header = header or [key]
        if key not in header:
            raise SheetError(f"{path.name} has no column '{key}'")
        index = {row.get(key): row for row in rows}
        for value, columns in changes:
            row = index.get(value)
            if row is None:
                row = index[value] = {key: value}
                rows.append(row)
            for column, cell in columns.items():
                header += [] if column in header else [column]
                row[column] = cell_text(cell) if not isinstance(cell, dict | list) else \
                    json.dumps(cell, ensure_ascii=False)
        write_table(path, header, list(rows), encoding=encoding)
