"""Logging to a rotating file in the data directory, with every line masked for secrets."""

from __future__ import annotations

import logging
import logging.handlers

from ordersync_app import paths
from ordersync_app.domain.redact import mask


class MaskingFilter(logging.Filter):
    """Masks secrets in the final message text of every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = mask(record.getMessage())
        record.args = None
        return True


def setup(level: int = logging.INFO) -> None:
    """Send OrderSync's log to ``<home>/logs/ordersync.log`` (idempotent)."""
    root = logging.getLogger("ordersync_app")
    if any(getattr(h, "_ordersync", False) for h in root.handlers):
        return
    folder = paths.home() / "logs"
    folder.mkdir(exist_ok=True)
    handler = logging.handlers.RotatingFileHandler(folder / "ordersync.log", maxBytes=2_000_000, backupCount=3,
                                                   encoding="utf-8")
    handler._ordersync = True  # type: ignore[attr-defined]
    handler.addFilter(MaskingFilter())
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(level)
