"""A watched folder as a sorted source: which files are ready, in which order, and where a row sits.

A file-based trigger has no server to ask "what changed since X"; the folder itself is the list. Its
cursor is a *position*: ``<file stamp>/<file name>/<line>`` as text, where the stamp is the later of
the file's modification and change time (ISO 8601, UTC, microseconds). Positions compare as text in
exactly the order files are read, because files are sorted by their ``<stamp>/<name>/`` prefix and a
file name cannot contain ``/``. So the source is honestly ``sorted``: every record of a file lies after
every record of the files before it, and ``<prefix>end`` — the checkpoint after a file — lies after all of
its lines and before the next file.

* **Ready.** A file is read once its modification time is ``settle`` seconds old (it was not written
  to in that window; one look, no state, no sleeping). Lock and partial files are never read:
  names starting ``~$`` (Excel's owner file), ``.~lock.`` (LibreOffice) or ``.``, and anything not
  ``.csv``/``.xlsx`` (``.partial``, ``.tmp``, ``.crdownload``). A workbook whose Excel owner file exists is
  open for editing and not ready. Reading stops at the first file that is not ready, so the cursor
  never passes a file still being written.
* **Arrival order.** The change time moves when a file is copied or moved into the folder, so a
  copy that keeps an old modification time still sorts after the files read before it. (Some network
  drives keep the original change time too: copy exports there with a current time.)
* **Processed files** may be moved to ``processed/`` once the stored cursor is past their end — that is,
  after every row's outcome was committed — never earlier.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ordersync_app.connectors.sdk.sheets import SUFFIXES
from ordersync_app.domain.errors import SetupError

END = "end"  # sorts after every 8-digit line number
PROCESSED = "processed"


@dataclass(frozen=True)
class WatchedFile:
    """A file in the folder with its position prefix."""

    path: Path
    prefix: str  # "<stamp>/<name>/"
    modified_at: datetime

    def position(self, line: int) -> str:
        """The cursor value of a line of this file."""
        return f"{self.prefix}{line:08d}"

    @property
    def end(self) -> str:
        """The checkpoint after the file's last line."""
        return self.prefix + END


def folder_of(value: str | None, *, where: str) -> Path:
    """The watched folder named by an account setting.

    Raises:
        SetupError: the setting is empty or names no folder.
    """
    if not value:
        raise SetupError(f"{where}: no folder is set", hint="set the folder in the account")
    path = Path(value).expanduser()
    if not path.is_dir():
        raise SetupError(f"{where}: the folder {path} does not exist or is not a folder",
                         hint="create it, or correct the folder in the account")
    return path


def _candidate(path: Path) -> bool:
    name = path.name
    return path.suffix.lower() in SUFFIXES and not name.startswith(("~$", ".~lock.", ".")) and path.is_file()


def _open_in_excel(path: Path) -> bool:
    return any((path.parent / f"~${name}").exists() for name in (path.name, path.name[2:]))


def _stamp(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def ready_files(folder: Path, *, settle: float, now: float | None = None) -> tuple[list[WatchedFile], Path | None]:
    """The files to read, in position order, and the first file that is not ready yet (reading stops there)."""
    now = time.time() if now is None else now
    found: list[tuple[WatchedFile, bool]] = []
    for path in folder.iterdir():
        if not _candidate(path):
            continue
        try:
            info = path.stat()
        except FileNotFoundError:  # moved away while listing
            continue
        watched = WatchedFile(path, f"{_stamp(max(info.st_mtime, info.st_ctime))}/{path.name}/",
                              datetime.fromtimestamp(info.st_mtime, UTC))
        still_written = now - info.st_mtime < settle or _open_in_excel(path)
        found.append((watched, not still_written))
    found.sort(key=lambda pair: pair[0].prefix)
    ready: list[WatchedFile] = []
    for watched, is_ready in found:
        if not is_ready:
            return ready, watched.path
        ready.append(watched)
    return ready, None


def archive_read(folder: Path, since: str | None) -> list[Path]:
    """Move the files whose every line lies before the stored cursor ``since`` into ``processed/``."""
    if since is None:
        return []
    moved = []
    files, _waiting = ready_files(folder, settle=0)
    for watched in files:
        if watched.end > since:
            break
        target_dir = folder / PROCESSED
        target_dir.mkdir(exist_ok=True)
        target = target_dir / watched.path.name
        if target.exists():  # an earlier export of the same name: keep both
            target = target_dir / f"{watched.path.stem}.{watched.prefix[:19].replace(':', '')}{watched.path.suffix}"
        watched.path.replace(target)
        moved.append(target)
    return moved

