"""Entry point of the packaged app: the same ``ordersync`` command (no arguments opens the window)."""

from __future__ import annotations

import sys

from ordersync_app.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
