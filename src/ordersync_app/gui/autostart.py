"""Start OrderSync at login: XDG autostart (Linux), a LaunchAgent (macOS), the Run key (Windows).

Each writes one small entry that starts ``ordersync gui --minimized`` style; removing the entry
turns it off. No Qt here beyond nothing: plain files and ``winreg``.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import sys
from pathlib import Path

APP_ID = "ordersync"


def command() -> list[str]:
    """The command line that starts the app (the frozen executable, or this Python with ``-m``)."""
    if getattr(sys, "frozen", False):
        return [sys.executable, "gui"]
    return [sys.executable, "-m", "ordersync_app", "gui"]


def _xdg_file() -> Path:
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "autostart" / f"{APP_ID}.desktop"


def _plist() -> Path:
    return Path.home() / "Library" / "LaunchAgents" / "com.ordersync.app.plist"


def is_enabled() -> bool:
    """Whether the login entry exists."""
    if sys.platform == "win32":  # pragma: no cover - Windows
        import winreg

        try:
            with winreg.OpenKey(winreg.HKEY_CURRENT_USER, r"Software\Microsoft\Windows\CurrentVersion\Run") as key:
                winreg.QueryValueEx(key, "OrderSync")
            return True
        except OSError:
            return False
    return (_plist() if sys.platform == "darwin" else _xdg_file()).exists()


def set_enabled(*, enabled: bool) -> Path | None:
    """Create or remove the login entry; returns the file written (None on Windows)."""
    cmd = command()
    if sys.platform == "win32":  # pragma: no cover - Windows
        import subprocess
        import winreg

        with winreg.OpenKey(winreg.HKEY_CURRENT_USER, r"Software\Microsoft\Windows\CurrentVersion\Run", 0,
                            winreg.KEY_SET_VALUE) as key:
            if enabled:
                winreg.SetValueEx(key, "OrderSync", 0, winreg.REG_SZ, subprocess.list2cmdline(cmd))
            else:
                with contextlib.suppress(OSError):
                    winreg.DeleteValue(key, "OrderSync")
        return None
    if sys.platform == "darwin":  # pragma: no cover - macOS
        path = _plist()
        args = "".join(f"<string>{a}</string>" for a in cmd)
        text = ('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" '
                '"http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n<plist version="1.0"><dict>'
                f"<key>Label</key><string>com.ordersync.app</string><key>ProgramArguments</key><array>{args}"
                "</array><key>RunAtLoad</key><true/></dict></plist>\n")
    else:
        path = _xdg_file()
        # https://specifications.freedesktop.org/autostart-spec/latest/ (a .desktop entry in autostart/)
        text = ("[Desktop Entry]\nType=Application\nName=OrderSync\n"
                f"Exec={' '.join(shlex.quote(c) for c in cmd)}\nX-GNOME-Autostart-enabled=true\n")
    if enabled:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    else:
        path.unlink(missing_ok=True)
    return path
