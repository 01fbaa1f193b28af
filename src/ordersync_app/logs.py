"""Logging to a rotating file in the data directory, with every line masked for secrets.

The file is private to the user (0600 on POSIX): it quotes vendor answers about orders and customers.
"""

from __future__ import annotations

import logging
import logging.handlers

from ordersync_app import paths
from ordersync_app.domain.redact import mask

_FORMAT = logging.Formatter()


class MaskingFilter(logging.Filter):
    """Masks secrets in the final message text of every record, and in its traceback and stack.

    A traceback quotes exception messages (``LocalProtocolError: Illegal header value b'…'``), so
    it is formatted here, masked, and stored as ``exc_text``, which formatters use as is.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = mask(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = _FORMAT.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask(record.exc_text)
        if record.stack_info:
            record.stack_info = mask(record.stack_info)
        return True


def setup(level: int = logging.INFO) -> None:
    """Send OrderSync's log to ``<home>/logs/ordersync.log`` (idempotent)."""
    root = logging.getLogger("ordersync_app")
    if any(getattr(h, "_ordersync", False) for h in root.handlers):
        return
    folder = paths.private_dir(paths.home() / "logs")
    log_file = folder / "ordersync.log"
    paths.private_file(log_file)
    handler = _PrivateRotatingHandler(log_file, maxBytes=2_000_000, backupCount=3, encoding="utf-8",
                                      errors="backslashreplace")
    handler._ordersync = True  # type: ignore[attr-defined]
    handler.addFilter(MaskingFilter())
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(level)


class _PrivateRotatingHandler(logging.handlers.RotatingFileHandler):
    """A rotating log whose new files are created 0600 like the first one."""

    def _open(self):  # type: ignore[no-untyped-def]
        paths.private_file(self.baseFilename)
        return super()._open()
