"""The worker's web listener: webhook deliveries (``POST /hooks/<account>/<topic>``) and ``GET /healthz``.

Served by waitress, a pure-Python production WSGI server (no compiler, runs the same on Windows, macOS and
Linux, maintained by the Pylons project) — our engine is synchronous, so a WSGI server is the simple fit.
A verified delivery is committed to the inbox before the 200 goes out (:mod:`ordersync_app.services.webhooks`);
then the recipes it concerns are asked to run now.
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
from collections.abc import Callable, Iterable
from typing import Any

from waitress.server import create_server

from ordersync_app.services import health, webhooks

log = logging.getLogger(__name__)
StartResponse = Callable[[str, list[tuple[str, str]]], Any]
REASONS = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found", 405: "Method Not Allowed",
           409: "Conflict", 413: "Payload Too Large", 503: "Service Unavailable"}


WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def make_app(on_stored: Callable[[tuple[str, ...]], None], public_url: str | None = None) -> WsgiApp:
    """The WSGI application; ``on_stored`` gets the recipes a stored delivery concerns.

    ``public_url`` is the address the vendor posts to (``https://hooks.example.com``) when a proxy sits in
    between: HubSpot signs the URI it called, which the listener cannot see behind a TLS proxy.
    """

    def answer(start: StartResponse, status: int, body: dict[str, Any]) -> list[bytes]:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        start(f"{status} {REASONS.get(status, 'Error')}", [("Content-Type", "application/json; charset=utf-8"),
                                                            ("Content-Length", str(len(data)))])
        return [data]

    def app(environ: dict[str, Any], start: StartResponse) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "")
        if path == "/healthz" and method == "GET":
            ok, details = health.health()
            return answer(start, 200 if ok else 503, details)
        if not path.startswith("/hooks/"):
            return answer(start, 404, {"error": "not found"})
        if method != "POST":
            return answer(start, 405, {"error": "POST only"})
        account, _, topic = path[len("/hooks/"):].partition("/")
        length_text = environ.get("CONTENT_LENGTH") or "0"
        if not length_text.isdigit():
            return answer(start, 400, {"error": "bad Content-Length"})
        length = int(length_text)
        if length > webhooks.MAX_BODY:
            return answer(start, 413, {"error": "the delivery is too large"})
        body = environ["wsgi.input"].read(length) if length else b""
        headers = {k[5:].replace("_", "-").lower(): v for k, v in environ.items() if k.startswith("HTTP_")}
        query = environ.get("QUERY_STRING", "")
        root = public_url.rstrip("/") if public_url else \
            f"{environ.get('wsgi.url_scheme', 'http')}://{environ.get('HTTP_HOST', '')}"
        uri = f"{root}{path}" + (f"?{query}" if query else "")
        outcome = webhooks.receive(account, topic, headers, body, method=method, uri=uri)
        if outcome.status == 200 and outcome.recipes:
            on_stored(outcome.recipes)
        return answer(start, outcome.status, {"result": outcome.reason})

    return app


class Listener:
    """Serves :func:`make_app` on ``host:port`` in a background thread."""

    def __init__(self, host: str, port: int, on_stored: Callable[[tuple[str, ...]], None], *,
                 public_url: str | None = None) -> None:
        self._server = create_server(make_app(on_stored, public_url), host=host, port=port, threads=8,
                                     ident="OrderSync")
        self._thread = threading.Thread(target=self._server.run, name="webhooks", daemon=True)

    @property
    def address(self) -> str:
        """``http://host:port`` actually bound (port 0 picks a free one)."""
        host, port = self._server.effective_host, self._server.effective_port
        return f"http://{host}:{port}"

    def start(self) -> Listener:
        """Serve in the background; returns self."""
        self._thread.start()
        log.info("listening for webhooks on %s", self.address)
        return self

    def stop(self) -> None:
        """Stop serving: requests in progress finish first, then the serving loop is emptied from inside (a
        trigger thunk clears its socket map, so the loop ends by itself) and the sockets are closed only once it
        has: closed under a running ``select()``, waitress's thread dies with a "Bad file descriptor" traceback
        on stderr (which broke the JSON log)."""
        self._server.task_dispatcher.shutdown(timeout=5)
        sockets = dict(self._server._map)  # waitress keeps no public handle on its loop's map
        self._server.trigger.pull_trigger(self._server._map.clear)
        self._thread.join(timeout=5)
        for dispatcher in sockets.values():  # the listening socket, the trigger, any idle connection
            with contextlib.suppress(OSError):
                dispatcher.close()
