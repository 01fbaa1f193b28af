"""Where OrderSync keeps its files: ``ORDERSYNC_HOME`` or the platform's user data directory."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs


def home() -> Path:
    """The data directory (created on first use)."""
    override = os.environ.get("ORDERSYNC_HOME")
    path = Path(override).expanduser() if override else Path(platformdirs.user_data_dir("OrderSync", "OrderSync"))
    path.mkdir(parents=True, exist_ok=True)
    return path


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
