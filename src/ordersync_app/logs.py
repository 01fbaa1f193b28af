"""Logging to a rotating file in the data directory, with every line masked for secrets.

The file is private to the user (0600 on POSIX): it quotes vendor answers about orders and customers.

``ORDERSYNC_LOG_FORMAT=json`` (or ``ordersync worker --log-format json``) writes one JSON object per line
instead — ``time``, ``level``, ``logger``, ``message``, and ``recipe``/``run_id`` when known — to the file
and to standard error, where journald or a container runtime collects it. Masking is the same in both
formats: it happens before formatting.
"""

from __future__ import annotations

import json
import logging
import logging.handlers
import os
import sys
from datetime import UTC, datetime

from ordersync_app import paths
from ordersync_app.domain import logcontext
from ordersync_app.domain.errors import SetupError
from ordersync_app.domain.redact import mask

FORMATS = ("text", "json")
LIBRARY_LOGGERS = ("waitress", "apscheduler")

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


class ContextFilter(logging.Filter):
    """Adds the recipe and run the thread works on (:mod:`ordersync_app.domain.logcontext`) to each record."""

    def filter(self, record: logging.LogRecord) -> bool:
        for key, value in logcontext.current().items():
            if getattr(record, key, None) is None:
                setattr(record, key, value)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, recipe/run_id when known, and
    the traceback as ``exc`` (already masked by :class:`MaskingFilter`)."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname, "logger": record.name, "message": record.getMessage()}
        for key in ("recipe", "run_id"):
            value = getattr(record, key, None)
            if value is not None:
                out[key] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = mask(self.formatException(record.exc_info))
        if record.exc_text:
            out["exc"] = record.exc_text
        if record.stack_info:
            out["stack"] = record.stack_info
        return json.dumps(out, ensure_ascii=False, default=str)


def log_format(chosen: str | None = None) -> str:
    """``chosen`` (a command-line option), else ``ORDERSYNC_LOG_FORMAT``, else ``text``.

    Raises:
        SetupError: not one of :data:`FORMATS`.
    """
    value = (chosen or os.environ.get("ORDERSYNC_LOG_FORMAT") or "text").strip().lower()
    if value not in FORMATS:
        raise SetupError(f"unknown log format '{value}'", hint="use text or json (ORDERSYNC_LOG_FORMAT / --log-format)")
    return value


def setup(level: int = logging.INFO, fmt: str | None = None) -> None:
    """Send OrderSync's log to ``<home>/logs/ordersync.log`` (idempotent), in ``fmt`` (:func:`log_format`);
    JSON lines also go to standard error.

    Raises:
        SetupError: an unknown format.
    """
    chosen = log_format(fmt)
    root = logging.getLogger("ordersync_app")
    if any(getattr(h, "_ordersync", False) for h in root.handlers):
        if chosen == "json" and not any(getattr(h, "_ordersync_json", False) for h in root.handlers):
            _add_json_stream(root)  # a worker asked for JSON after the CLI set the default up
            for handler in root.handlers:
                if getattr(handler, "_ordersync", False):
                    handler.setFormatter(JsonFormatter())
        return
    folder = paths.private_dir(paths.home() / "logs")
    log_file = folder / "ordersync.log"
    paths.private_file(log_file)
    handler = _PrivateRotatingHandler(log_file, maxBytes=2_000_000, backupCount=3, encoding="utf-8",
                                      errors="backslashreplace")
    handler._ordersync = True  # type: ignore[attr-defined]
    handler.addFilter(MaskingFilter())
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonFormatter() if chosen == "json" else
                         logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(level)
    if chosen == "json":
        _add_json_stream(root)


def _add_json_stream(root: logging.Logger) -> None:
    stream = logging.StreamHandler(sys.stderr)
    stream._ordersync_json = True  # type: ignore[attr-defined]
    stream.addFilter(MaskingFilter())
    stream.addFilter(ContextFilter())
    stream.setFormatter(JsonFormatter())
    root.addHandler(stream)
    for library in LIBRARY_LOGGERS:  # their warnings and tracebacks as JSON lines too, not plain text
        logging.getLogger(library).addHandler(stream)


class _PrivateRotatingHandler(logging.handlers.RotatingFileHandler):
    """A rotating log whose new files are created 0600 like the first one."""

    def _open(self):  # type: ignore[no-untyped-def]
        paths.private_file(self.baseFilename)
        return super()._open()
