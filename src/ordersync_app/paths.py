"""Where OrderSync keeps its files: ``ORDERSYNC_HOME`` or the platform's user data directory.

The data directory holds order payloads (names, addresses, e-mails), so on POSIX it is 0700 and the
files in it (database, log, exports) are 0600, whatever the user's umask. Windows
keeps files in the user's profile, private by its default ACLs.
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import platformdirs

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600


def private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) if needed and make it readable by the user only (POSIX)."""
    path.mkdir(parents=True, exist_ok=True)
    if os.name == "posix" and stat.S_IMODE(path.stat().st_mode) != PRIVATE_DIR:
        path.chmod(PRIVATE_DIR)
    return path


def private_file(path: str | os.PathLike[str]) -> Path:
    """Make ``path`` a file readable by the user only, creating it empty when missing (POSIX).

    Call it *before* writing: a file created 0600 never had a moment of being readable by others.
    """
    file = Path(path)
    if os.name != "posix":
        file.touch(exist_ok=True)
        return file
    descriptor = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_APPEND, PRIVATE_FILE)
    os.close(descriptor)
    if stat.S_IMODE(file.stat().st_mode) != PRIVATE_FILE:
        file.chmod(PRIVATE_FILE)
    return file


def write_private(path: str | os.PathLike[str], text: str) -> Path:
    """Write ``text`` (UTF-8) to a 0600 file: exports and other files with order data."""
    file = private_file(path)
    with file.open("w", encoding="utf-8", newline="") as handle:
        handle.write(text)
    return file


def home() -> Path:
    """The data directory (created on first use, private to the user)."""
    override = os.environ.get("ORDERSYNC_HOME")
    path = Path(override).expanduser() if override else Path(platformdirs.user_data_dir("OrderSync", "OrderSync"))
    return private_dir(path)


def database_url() -> str:
    """``ORDERSYNC_DATABASE_URL`` or the SQLite file in the data directory."""
    return os.environ.get("ORDERSYNC_DATABASE_URL") or f"sqlite:///{home() / 'ordersync.db'}"


def connectors_dir() -> Path:
    """The user's connector files (in-house systems described as data); not created until one is added."""
    override = os.environ.get("ORDERSYNC_HOME")
    root = Path(override).expanduser() if override else Path(platformdirs.user_data_dir("OrderSync", "OrderSync"))
    return root / "connectors"


def sandbox_dir() -> Path:
    """State files of the sandbox apps."""
    return home() / "sandbox"


def _data_dir(name: str, installed: str) -> Path:
    """A data folder of the repository (``resources``, ``recipes``): where the packaged app or the
    installed wheel carries it (``setup.py`` copies it into the package as ``installed``), else the checkout's."""
    bundled = getattr(sys, "_MEIPASS", None)
    if bundled:
        return Path(bundled) / name
    inside = Path(__file__).resolve().parent / installed
    if inside.is_dir():
        return inside
    return Path(__file__).resolve().parents[2] / name


def resources_dir() -> Path:
    """Translations, icons and schemas (``resources/``)."""
    return _data_dir("resources", "resources")


def templates_dir() -> Path:
    """The shipped recipe templates (``recipes/`` of the checkout, of the wheel, or of the packaged app)."""
    override = os.environ.get("ORDERSYNC_TEMPLATES")
    if override:
        return Path(override)
    return _data_dir("recipes", "templates")
