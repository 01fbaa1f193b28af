"""A tiny threaded HTTP server and router for the sandbox apps (stdlib only).

Each sandbox app is a :class:`SandboxApp` mounted under a path prefix (``/hubspot``,
``/shopify``…) of one loopback server, so one port serves them all and an account's base URL is
``http://127.0.0.1:<port>/<app>``. Sandbox-only endpoints live under ``/_sandbox/<app>/`` and are
documented in ``docs/sandbox.md``: ``GET counters`` (writes per object and per call) and
``POST reset-counters``, ``GET webhooks`` (subscriptions and signed deliveries sent, for apps that send
them), ``POST seed/<n>`` (demo orders 1..n exist) and ``POST ship/<n>`` (the app's
warehouse ships n open orders, where the app has one), plus an app's own (:meth:`SandboxApp.control`:
a daily allocation, a fake clock…); ``POST /_sandbox/faults``
sets a fault plan (``GET`` reports what was injected) (:mod:`ordersync_app.sandbox.faults`);
``POST /_sandbox/faults/hold`` (body: an app) holds that app's next write before it is applied until
``POST /_sandbox/faults/release`` — the write then lands with nobody listening, as a request in flight
when its sender was killed; ``POST /_sandbox/faults/throttle`` (body: an app) answers every write of that
app with the vendor's "slow down" (applied: never) until the release, so a sender waits to try again.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

if TYPE_CHECKING:
    from ordersync_app.sandbox.outbox import Outbox


@dataclass
class Request:
    """An incoming request, already split into parts."""

    method: str
    path: str  # below the app's prefix, e.g. "/crm/v3/objects/deals"
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-cased names
    body: bytes
    params: dict[str, str] = field(default_factory=dict)  # from the route pattern

    def arg(self, name: str, default: str | None = None) -> str | None:
        """First value of a query parameter."""
        values = self.query.get(name)
        return values[0] if values else default

    def json(self) -> Any:
        """The body parsed as JSON (raises ``ValueError`` on bad JSON)."""
        return json.loads(self.body.decode("utf-8")) if self.body else None

    def form(self) -> dict[str, str]:
        """The body parsed as ``application/x-www-form-urlencoded``."""
        return {k: v[0] for k, v in parse_qs(self.body.decode("utf-8"), keep_blank_values=True).items()}


@dataclass
class Response:
    """What a handler returns."""

    status: int = 200
    body: Any = None  # JSON-serialisable, or bytes/str sent as-is
    headers: dict[str, str] = field(default_factory=dict)

    def encode(self) -> tuple[bytes, str]:
        """Body bytes and content type."""
        if isinstance(self.body, bytes):
            return self.body, self.headers.get("Content-Type", "application/octet-stream")
        if isinstance(self.body, str):
            return self.body.encode("utf-8"), self.headers.get("Content-Type", "text/plain; charset=utf-8")
        if self.body is None:
            return b"", "application/json"
        return json.dumps(self.body, ensure_ascii=False).encode("utf-8"), "application/json; charset=utf-8"


Handler = Callable[[Request], Response]


class SandboxApp:
    """Base of an emulated vendor app: routes, a SQLite state file and write counters."""

    name = "app"
    outbox: Outbox | None = None  # apps that send webhooks set one up in ``setup``

    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path
        self.lock = threading.RLock()
        self.db = sqlite3.connect(str(db_path), check_same_thread=False, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA busy_timeout=10000")
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS sandbox_counters (app TEXT, kind TEXT, name TEXT, n INTEGER,"
            " PRIMARY KEY (app, kind, name))"
        )
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = []
        self.setup()

    # -- for subclasses -------------------------------------------------------------------
    def setup(self) -> None:
        """Create tables, seed demo data and register routes (``self.route``)."""

    def route(self, method: str, pattern: str, handler: Handler) -> None:
        """Register ``handler`` for ``method`` and a path pattern with ``{name}`` placeholders."""
        regex = re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", pattern) + "$")
        self._routes.append((method, regex, handler))

    def before(self, request: Request) -> Response | None:
        """Hook run before routing (auth, rate limits); return a response to short-circuit."""
        del request
        return None

    def seed(self, orders: int) -> None:
        """Make sure demo orders ``1..orders`` exist (``POST /_sandbox/<app>/seed``)."""
        del orders

    @classmethod
    def create(cls, db_path: Path, **options: Any) -> SandboxApp:
        """Build the app for :func:`~ordersync_app.sandbox.apps.build_apps`; ``options`` holds every
        app's settings (``hubspot_limit``, ``shopify_plan``…) and each app takes what it knows."""
        del options
        return cls(db_path)

    def touch(self, key: str) -> bool:
        """Change the object a trigger reads as ``key`` now (its modified time moves to now), as a
        user editing it would; the conformance suite does this while a read is between pages.
        Returns False when the app has no such object."""
        raise NotImplementedError(f"the {self.name} sandbox cannot change an object on request")

    def control(self, method: str, path: str, body: bytes) -> Response | None:
        """The app's own sandbox endpoint ``/_sandbox/<app><path>`` (run in a transaction, app lock
        held), e.g. setting a vendor's daily allocation or moving its clock; None: no such endpoint."""
        del method, path, body
        return None

    def ship(self, count: int) -> list[str]:
        """The app's warehouse ships its ``count`` oldest open orders now (``POST /_sandbox/<app>/ship/<n>``),
        as staff using the vendor's own screens would; returns their keys. For order systems whose
        shipping happens inside the vendor's software, with no public API to call."""
        raise NotImplementedError(f"the {self.name} sandbox has no warehouse that ships orders")

    def earliest(self) -> str | None:
        """When the app's demo data begins (ISO UTC), for reads "from the beginning" of vendors that have no
        such query; None means the shared demo data's start (``demo_data.BASE_TIME``)."""
        return None

    def is_write(self, request: Request) -> bool:
        """Whether a request changes the app's data (reads sent as POST — searches, queries — are not)."""
        if request.method in ("PUT", "PATCH", "DELETE"):
            return True
        tail = request.path.rstrip("/").rsplit("/", 1)[-1].lower()
        return request.method == "POST" and not any(word in tail for word in ("search", "read", "query", "list"))

    def throttled(self, retry_after: float | None) -> Response:
        """The vendor's own "slow down" answer (HTTP 429 unless the vendor answers otherwise)."""
        headers = {"Retry-After": f"{retry_after:g}"} if retry_after is not None else {}
        return Response(429, {"status": "error", "message": "Too many requests"}, headers)

    def count(self, kind: str, name: str, n: int = 1) -> None:
        """Add to a write counter, e.g. ``count("call", "POST /batch/update")``, ``count("deal", id)``."""
        self.db.execute(
            "INSERT INTO sandbox_counters VALUES (?, ?, ?, ?) ON CONFLICT(app, kind, name) DO UPDATE SET n = n + ?",
            (self.name, kind, name, n, n),
        )

    def counters(self) -> dict[str, dict[str, int]]:
        """All counters of this app by kind."""
        out: dict[str, dict[str, int]] = {}
        for kind, name, n in self.db.execute(
            "SELECT kind, name, n FROM sandbox_counters WHERE app = ? ORDER BY kind, name", (self.name,)
        ):
            out.setdefault(kind, {})[name] = n
        return out

    def reset_counters(self) -> None:
        """Zero this app's counters (state stays)."""
        self.db.execute("DELETE FROM sandbox_counters WHERE app = ?", (self.name,))

    # -- dispatch -------------------------------------------------------------------------
    def handle(self, request: Request) -> Response:
        """Route one request (called with the app lock held: the emulators are serialised)."""
        with self.lock:
            early = self.before(request)
            if early is not None:
                return early
            allowed = []
            for method, regex, handler in self._routes:
                match = regex.match(request.path)
                if match:
                    if method != request.method:
                        allowed.append(method)
                        continue
                    request.params = match.groupdict()
                    self.db.execute("BEGIN IMMEDIATE")
                    try:
                        response = handler(request)
                    except BaseException:
                        self.db.execute("ROLLBACK")
                        raise
                    self.db.execute("COMMIT")
                    return response
            if allowed:
                return Response(405, {"message": f"method {request.method} not allowed"})
            return Response(404, {"message": f"no route {request.method} {request.path}"})


class Faults:
    """Switches the tests (and the fault suite) flip to make the server misbehave on purpose.

    ``hook`` is a standing plan (:class:`~ordersync_app.sandbox.faults.FaultPlan`); ``script`` holds
    one-shot answers per app for the next calls (a 429, a replay of the previous answer), used by
    the conformance suite.
    """

    def __init__(self) -> None:
        self.hook: Callable[[Request, str], Response | str | None] | None = None
        self.script: dict[str, list[Response | str]] = {}
        self.last: dict[str, Response] = {}
        self.sent: dict[str, int] = {}
        self.hold_armed: set[str] = set()  # apps whose next write is held before it is applied
        self.holding: dict[str, threading.Event] = {}  # app → released when the test says so
        self.throttling: set[str] = set()  # apps whose writes are all refused as "too many" until the release
        self.throttled: Counter[str] = Counter()  # writes refused so, per app

    def once(self, app: str, *answers: Response | str) -> None:
        """Answer the next calls to ``app`` with these (``"replay"``: the previous answer again)."""
        self.script.setdefault(app, []).extend(answers)

    def check(self, request: Request, app: str) -> Response | str | None:
        """A response to send instead, ``"drop"``/``"drop-after"`` to cut the connection, or None."""
        queued = self.script.get(app)
        if queued:
            answer = queued.pop(0)
            self.sent[app] = self.sent.get(app, 0) + 1
            if answer == "replay":
                return self.last.get(app)
            return answer
        return self.hook(request, app) if self.hook else None


class SandboxServer:
    """Serves several :class:`SandboxApp` on one loopback port, in a background thread."""

    def __init__(self, apps: list[SandboxApp], *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.apps = {app.name: app for app in apps}
        self.faults = Faults()
        self.request_counts: Counter[str] = Counter()
        server = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # else every small answer waits ~40 ms for a delayed ACK

            def log_message(self, format: str, *args: Any) -> None:
                del format, args

            def _serve(self) -> None:
                server.dispatch(self)

            do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve

        self._httpd = ThreadingHTTPServer((host, port), _Handler)
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """The bound port."""
        return int(self._httpd.server_address[1])

    @property
    def root(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://127.0.0.1:{self.port}"

    def url(self, app: str) -> str:
        """Base URL of one app."""
        return f"{self.root}/{app}"

    def start(self) -> SandboxServer:
        """Serve in a daemon thread; returns self."""
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="sandbox", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in the calling thread until :meth:`stop`."""
        self._httpd.serve_forever()

    def stop(self) -> None:
        """Stop serving and close the state files."""
        self._httpd.shutdown()
        self._httpd.server_close()
        for app in self.apps.values():
            if app.outbox is not None:
                app.outbox.stop()
            app.db.close()

    def dispatch(self, handler: BaseHTTPRequestHandler) -> None:
        """Parse, route and answer one HTTP request."""
        parts = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        segments = parts.path.split("/", 3)
        response: Response
        if parts.path == "/_sandbox/faults" and handler.command == "POST":
            self._send(handler, self._set_faults(body.decode("utf-8", "replace")))
            return
        if parts.path == "/_sandbox/faults/hold" and handler.command == "POST":
            self.faults.hold_armed.add(body.decode("utf-8").strip())
            self._send(handler, Response(200, {"armed": sorted(self.faults.hold_armed)}))
            return
        if parts.path == "/_sandbox/faults/throttle" and handler.command == "POST":
            self.faults.throttling.add(body.decode("utf-8").strip())
            self._send(handler, Response(200, {"throttling": sorted(self.faults.throttling)}))
            return
        if parts.path == "/_sandbox/faults/release" and handler.command == "POST":
            for event in list(self.faults.holding.values()):
                event.set()
            self.faults.hold_armed.clear()
            self.faults.throttling.clear()
            self._send(handler, Response(200, {"released": True}))
            return
        if parts.path == "/_sandbox/faults" and handler.command == "GET":
            plan = self.faults.hook
            self._send(handler, Response(200, {"rates": getattr(plan, "rates", {}),
                                               "injected": dict(getattr(plan, "injected", {})),
                                               "holding": sorted(self.faults.holding),
                                               "throttled": dict(self.faults.throttled),
                                               "requests": dict(self.request_counts)}))
            return
        if len(segments) >= 3 and segments[1] == "_sandbox" and segments[2] in self.apps:
            response = self._sandbox_endpoint(self.apps[segments[2]], handler.command,
                                              "/" + (segments[3] if len(segments) > 3 else ""), body)
            self._send(handler, response)
            return
        app = self.apps.get(segments[1]) if len(segments) > 1 else None
        if app is None:
            self._send(handler, Response(404, {"message": f"no sandbox app at {parts.path}",
                                                "apps": sorted(self.apps)}))
            return
        request = Request(
            method=handler.command,
            path="/" + parts.path.split("/", 2)[2] if parts.path.count("/") >= 2 else "/",
            query=parse_qs(parts.query, keep_blank_values=True),
            headers={k.lower(): v for k, v in handler.headers.items()},
            body=body,
        )
        self.request_counts[app.name] += 1
        if app.name in self.faults.hold_armed and app.is_write(request):
            self.faults.hold_armed.discard(app.name)
            released = self.faults.holding[app.name] = threading.Event()
            released.wait(120)  # the test kills the sender meanwhile, then releases the write
            del self.faults.holding[app.name]
            app.handle(request)  # the write lands after its sender died: nobody hears the answer
            handler.close_connection = True
            handler.connection.close()
            return
        if app.name in self.faults.throttling and app.is_write(request):
            self.faults.throttled[app.name] += 1
            self._send(handler, app.throttled(2.0))
            return
        fault = self.faults.check(request, app.name)
        if fault == "drop":  # the request never reached the app
            handler.close_connection = True
            handler.connection.close()
            return
        if isinstance(fault, Response):
            self._send(handler, fault)
            return
        try:
            response = app.handle(request)
        except ValueError as exc:
            response = Response(400, {"status": "error", "message": f"invalid request: {exc}"})
        if fault == "drop-after":  # the app applied the request, the client never hears back
            handler.close_connection = True
            handler.connection.close()
            return
        self.faults.last[app.name] = response
        self._send(handler, response)

    def _set_faults(self, text: str) -> Response:
        """``POST /_sandbox/faults`` with a plan such as ``429=0.3,lost=0.05`` (empty = off)."""
        from ordersync_app.domain.errors import SetupError
        from ordersync_app.sandbox.faults import FaultPlan

        try:
            self.faults.hook = FaultPlan.parse(text) if text.strip() else None
        except SetupError as exc:
            return Response(400, {"message": exc.render()})
        return Response(200, {"faults": text.strip() or "off"})

    @staticmethod
    def _sandbox_endpoint(app: SandboxApp, method: str, path: str, body: bytes = b"") -> Response:
        with app.lock:
            if method == "GET" and path == "/counters":
                return Response(200, app.counters())
            if method == "GET" and path == "/webhooks" and app.outbox is not None:
                return Response(200, {"subscriptions": app.outbox.subscriptions(),
                                      "deliveries": app.outbox.deliveries()})
            if method == "POST" and path == "/reset-counters":
                app.reset_counters()
                return Response(200, {"ok": True})
            if method == "POST" and path.startswith("/ship/"):
                app.db.execute("BEGIN IMMEDIATE")
                try:
                    shipped = app.ship(int(path.rsplit("/", 1)[1]))
                except NotImplementedError as exc:
                    app.db.execute("ROLLBACK")
                    return Response(404, {"message": str(exc)})
                app.db.execute("COMMIT")
                return Response(200, {"shipped": shipped})
            if method == "POST" and path.startswith("/seed/"):
                app.db.execute("BEGIN IMMEDIATE")
                app.seed(int(path.rsplit("/", 1)[1]))
                app.db.execute("COMMIT")
                return Response(200, {"ok": True})
            app.db.execute("BEGIN IMMEDIATE")
            try:
                own = app.control(method, path, body)
            except ValueError as exc:
                app.db.execute("ROLLBACK")
                return Response(400, {"message": f"invalid sandbox request: {exc}"})
            except BaseException:
                app.db.execute("ROLLBACK")
                raise
            app.db.execute("COMMIT")
            if own is not None:
                return own
        return Response(404, {"message": f"unknown sandbox endpoint {method} {path}"})

    @staticmethod
    def _send(handler: BaseHTTPRequestHandler, response: Response) -> None:
        data, content_type = response.encode()
        try:
            handler.send_response(response.status)
            handler.send_header("Content-Type", content_type)
            handler.send_header("Content-Length", str(len(data)))
            for name, value in response.headers.items():
                if name.lower() != "content-type":
                    handler.send_header(name, value)
            handler.end_headers()
            handler.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
