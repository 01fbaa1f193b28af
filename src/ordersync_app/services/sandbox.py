"""Running the built-in sandbox apps and resolving ``sandbox://<app>`` account URLs.

A ``ordersync sandbox serve`` process announces itself in ``<home>/sandbox/serve.json``; any other
command that needs the sandbox uses it when it is alive, and otherwise starts the sandbox apps
in-process on a free loopback port (state lives in the same SQLite files either way).
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import threading
from typing import Any
from urllib.parse import urlsplit

from ordersync_app import paths
from ordersync_app.processes import pid_alive
from ordersync_app.sandbox._server import SandboxServer
from ordersync_app.sandbox.apps import SANDBOX_SCHEME, app_classes, build_server
from ordersync_app.sandbox.faults import FaultPlan

log = logging.getLogger(__name__)
_server: SandboxServer | None = None
_lock = threading.Lock()


def _announced() -> str | None:
    """URL of a live ``sandbox serve`` process, if any."""
    marker = paths.sandbox_dir() / "serve.json"
    try:
        info = json.loads(marker.read_text("utf-8"))
        alive = pid_alive(int(info["pid"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not alive:
        return None
    url = str(info["url"])
    if not _loopback_http(url):  # the marker is a file anyone with access to the data directory can edit
        log.warning("ignoring %s: its sandbox address is not on this computer", marker)
        return None
    return url


def _loopback_http(url: str) -> bool:
    """Whether ``url`` is plain HTTP to this computer (the only place sandbox apps ever run)."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return False
    return parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost", "::1") and \
        not (parts.username or parts.password)


def root_url() -> str:
    """The sandbox root URL, starting the apps in-process when no server is announced."""
    global _server
    announced = _announced()
    if announced:
        return announced
    with _lock:
        if _server is None:
            _server = build_server(paths.sandbox_dir()).start()
            atexit.register(stop_in_process)
        return _server.root


def stop_in_process() -> None:
    """Stop the in-process sandbox (at exit, or between tests)."""
    global _server
    with _lock:
        if _server is not None:
            _server.stop()
            _server = None


def resolve(base_url: str) -> str:
    """Turn ``sandbox://hubspot`` into the live URL; other URLs are returned unchanged."""
    if base_url.startswith(SANDBOX_SCHEME):
        return f"{root_url()}/{base_url[len(SANDBOX_SCHEME):].strip('/')}"
    return base_url


def serve(port: int, *, faults: str | None = None, hubspot_limit: int | None = 100,
          shopify_plan: str = "plus", hubspot_search_limit: int | None = None) -> SandboxServer:
    """Build the sandbox server for ``ordersync sandbox serve`` and announce it.

    Args:
        port: loopback port (0 = any free port).
        faults: a fault plan such as ``"429=0.3,lost=0.05"`` (see :mod:`ordersync_app.sandbox.faults`).
        hubspot_limit: requests per 10-second window the HubSpot emulator allows (None = unlimited).
        hubspot_search_limit: CRM searches per second (None: 5 when the window is on, else unlimited; 0: off).
    """
    plan = FaultPlan.parse(faults) if faults else None
    extra: dict[str, Any] = {}
    if hubspot_search_limit is not None:
        extra["hubspot_search_limit"] = hubspot_search_limit or None
    server = build_server(paths.sandbox_dir(), port=port, hubspot_limit=hubspot_limit, shopify_plan=shopify_plan,
                          **extra)
    if plan is not None:
        server.faults.hook = plan
    marker = paths.sandbox_dir() / "serve.json"
    marker.write_text(json.dumps({"pid": os.getpid(), "url": server.root}), "utf-8")
    return server


def unannounce() -> None:
    """Remove the marker written by :func:`serve`."""
    (paths.sandbox_dir() / "serve.json").unlink(missing_ok=True)


def fulfil(count: int) -> list[str]:
    """Fulfil ``count`` open sandbox orders through Shopify's own API, as a warehouse would."""
    from ordersync_app.sandbox.warehouse import fulfil_orders

    return fulfil_orders(resolve(SANDBOX_SCHEME + "shopify"), count)


def seed(orders: int) -> None:
    """Make sure demo orders (and their deals) ``1..orders`` exist in every sandbox app."""
    import httpx

    root = root_url()
    with httpx.Client(timeout=60) as client:
        for app in app_classes():
            client.post(f"{root}/_sandbox/{app}/seed/{orders}").raise_for_status()
