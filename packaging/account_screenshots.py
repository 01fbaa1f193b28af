"""Render the Accounts "Add an account" dialog of some connectors to PNG, in one language, offscreen.

Why: the account form is generated from a connector's declared settings and their help texts; a picture of it
in Chinese is how a reviewer checks that every value says where in the vendor's console it is found.

    QT_QPA_PLATFORM=offscreen .venv/bin/python packaging/account_screenshots.py fxiaoke yonyou --lang zh_CN

writes ``docs/screenshots/accounts-<connector>-<lang>.png`` (a CJK font is needed for Chinese:
``apt-get install fonts-noto-cjk``). The data directory is a throwaway one: nothing is saved.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["ORDERSYNC_HOME"] = tempfile.mkdtemp(prefix="ordersync-shots-")

from ordersync_app.gui import i18n  # noqa: E402 - after the environment above
from ordersync_app.gui.app import application, use_cjk_font  # noqa: E402
from ordersync_app.gui.context import AppContext  # noqa: E402
from ordersync_app.gui.pages.accounts import AccountDialog  # noqa: E402

OUT = Path(__file__).resolve().parents[1] / "docs" / "screenshots"


def render(keys: list[str], lang: str, out: Path = OUT) -> list[Path]:
    """Render the dialog for each connector key; returns the files written."""
    app = application()
    use_cjk_font(app)
    i18n.install(lang)
    ctx = AppContext()
    written = []
    for key in keys:
        dialog = AccountDialog(ctx)
        index = dialog.app.findData(key)
        if index < 0:
            raise SystemExit(f"unknown connector '{key}'")
        dialog.app.setCurrentIndex(index)
        dialog.name.setText(key)
        dialog.resize(640, dialog.sizeHint().height())
        dialog.show()
        app.processEvents()
        path = out / f"accounts-{key}-{lang}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        if not dialog.grab().save(str(path)):
            raise OSError(f"could not write {path}")
        written.append(path)
        dialog.close()
    ctx.tasks.wait_idle()
    ctx.close()
    return written


def main(argv: list[str]) -> int:
    """Command line: connector keys, then ``--lang``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("connectors", nargs="+")
    parser.add_argument("--lang", default="zh_CN", choices=sorted(i18n.LANGUAGES))
    args = parser.parse_args(argv)
    for path in render(args.connectors, args.lang):
        sys.stdout.write(f"{path}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
