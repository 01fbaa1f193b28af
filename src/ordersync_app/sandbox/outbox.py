"""Signed webhook deliveries sent by a sandbox app, as the vendor's webhook system does.

A sandbox app that has subscriptions queues a delivery in the same transaction as the change that causes
it (so a change is never announced twice or lost), and a sender thread posts it to the subscriber's
callback URL, signed with the app's secret the way the vendor signs (:func:`~ordersync_app.connectors.sdk.
webhooks.sign`). Like the vendors it retries a delivery that was not answered 2xx, with a growing delay,
a bounded number of times (Shopify: 8 tries over 4 hours [V: shopify.dev "Troubleshooting webhooks"];
the sandbox compresses the delays to seconds). Each delivery keeps when its change happened and when it
was answered, so a test or benchmark can measure the webhook → CRM latency.

Callbacks must be loopback addresses: the sandbox never posts anywhere else.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import httpx

from ordersync_app.connectors.sdk.webhooks import sign

log = logging.getLogger(__name__)
RETRY_DELAYS = (0.5, 1.0, 2.0, 4.0, 8.0, 15.0, 30.0)  # then given up (the vendor's 8 tries, in seconds)
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def is_loopback(url: str) -> bool:
    """Whether ``url`` is an http(s) address on this machine (the only place the sandbox posts to)."""
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and (parts.hostname or "") in LOOPBACK


class Outbox:
    """Subscriptions and queued deliveries of one sandbox app, and the thread that sends them.

    Args:
        db: the app's SQLite connection (shared with its request handlers, guarded by ``lock``).
        lock: the app's lock; held only while reading or updating rows, never while posting.
        app: the app's name (rows of several apps may share a file).
        scheme: the signature scheme (``shopify``, ``woocommerce``, ``hubspot_v3``).
        secret: the app secret that signs deliveries.
        headers: extra headers of a delivery for its topic and id (the vendor's ``X-…-Topic`` and friends).
    """

    def __init__(self, db: sqlite3.Connection, lock: threading.RLock, *, app: str, scheme: str, secret: str,
                 headers: Callable[[str, str], dict[str, str]]) -> None:
        self.db, self.lock, self.app, self.scheme, self.secret = db, lock, app, scheme, secret
        self._headers = headers
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.db.executescript("""
            CREATE TABLE IF NOT EXISTS sandbox_subscriptions (id INTEGER PRIMARY KEY AUTOINCREMENT,
                app TEXT NOT NULL, topic TEXT NOT NULL, callback TEXT NOT NULL, created_at TEXT NOT NULL,
                UNIQUE (app, topic, callback));
            CREATE TABLE IF NOT EXISTS sandbox_deliveries (id INTEGER PRIMARY KEY AUTOINCREMENT,
                app TEXT NOT NULL, subscription INTEGER NOT NULL, topic TEXT NOT NULL, callback TEXT NOT NULL,
                delivery_id TEXT NOT NULL, body TEXT NOT NULL, changed_at REAL NOT NULL, attempts INTEGER NOT NULL,
                next_at REAL NOT NULL, answered_at REAL, status INTEGER);
            CREATE INDEX IF NOT EXISTS ix_sandbox_deliveries_due ON sandbox_deliveries (app, answered_at, next_at);
        """)

    # -- subscriptions -------------------------------------------------------------------------
    def subscribe(self, topic: str, callback: str) -> tuple[int, bool]:
        """Add a subscription (once per topic and callback); returns its id and whether it is new.

        Raises:
            ValueError: the callback is not a loopback http(s) address.
        """
        if not is_loopback(callback):
            raise ValueError(f"the sandbox delivers only to loopback addresses, not {callback!r}")
        found = self.db.execute("SELECT id FROM sandbox_subscriptions WHERE app = ? AND topic = ? AND callback = ?",
                                (self.app, topic, callback)).fetchone()
        if found:
            return int(found[0]), False
        cursor = self.db.execute("INSERT INTO sandbox_subscriptions (app, topic, callback, created_at) "
                                 "VALUES (?, ?, ?, ?)", (self.app, topic, callback, datetime.now(UTC).isoformat()))
        self.start()
        return int(cursor.lastrowid or 0), True

    def subscriptions(self, topics: list[str] | None = None) -> list[dict[str, Any]]:
        """Subscriptions of this app (of ``topics`` only, when given), oldest first."""
        rows = self.db.execute("SELECT id, topic, callback, created_at FROM sandbox_subscriptions WHERE app = ? "
                               "ORDER BY id", (self.app,)).fetchall()
        return [{"id": i, "topic": t, "callback": c, "created_at": at} for i, t, c, at in rows
                if topics is None or t in topics]

    # -- deliveries ----------------------------------------------------------------------------
    def announce(self, topic: str, body: dict[str, Any]) -> int:
        """Queue ``body`` for every subscriber of ``topic`` (call inside the change's transaction)."""
        subscribers = self.db.execute("SELECT id, callback FROM sandbox_subscriptions WHERE app = ? AND topic = ?",
                                      (self.app, topic)).fetchall()
        now = time.time()
        for sub_id, callback in subscribers:
            self.db.execute("INSERT INTO sandbox_deliveries (app, subscription, topic, callback, delivery_id, body, "
                            "changed_at, attempts, next_at) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?)",
                            (self.app, sub_id, topic, callback, str(uuid.uuid4()),
                             json.dumps(body, ensure_ascii=False), now, now))
        if subscribers:
            self._wake.set()
        return len(subscribers)

    def deliveries(self) -> list[dict[str, Any]]:
        """Every queued delivery with its outcome (``GET /_sandbox/<app>/webhooks``)."""
        rows = self.db.execute("SELECT id, topic, callback, delivery_id, body, changed_at, attempts, answered_at, "
                               "status FROM sandbox_deliveries WHERE app = ? ORDER BY id", (self.app,)).fetchall()
        return [{"id": i, "topic": t, "callback": c, "delivery_id": d, "body": json.loads(b), "changed_at": ch,
                 "attempts": a, "answered_at": an, "status": st} for i, t, c, d, b, ch, a, an, st in rows]

    # -- the sender ----------------------------------------------------------------------------
    def start(self) -> None:
        """Start the sender thread (once)."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name=f"sandbox-{self.app}-webhooks", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stop the sender thread."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        with httpx.Client(timeout=10.0, trust_env=False) as http:
            while not self._stop.is_set():
                due = self._due()
                for row in due:
                    if self._stop.is_set():
                        return
                    self._send(http, *row)
                if not due:
                    self._wake.wait(self._next_wait())
                    self._wake.clear()

    def _due(self) -> list[tuple[int, str, str, str, str, int]]:
        with self.lock:
            rows = self.db.execute("SELECT id, topic, callback, delivery_id, body, attempts FROM sandbox_deliveries "
                                   "WHERE app = ? AND answered_at IS NULL AND next_at <= ? ORDER BY id LIMIT 50",
                                   (self.app, time.time())).fetchall()
        return [(int(i), t, c, d, b, int(a)) for i, t, c, d, b, a in rows]

    def _next_wait(self) -> float:
        with self.lock:
            soonest = self.db.execute("SELECT MIN(next_at) FROM sandbox_deliveries WHERE app = ? AND "
                                      "answered_at IS NULL", (self.app,)).fetchone()[0]
        return 1.0 if soonest is None else min(1.0, max(0.01, soonest - time.time()))

    def _send(self, http: httpx.Client, row_id: int, topic: str, callback: str, delivery_id: str, body: str,
              attempts: int) -> None:
        raw = body.encode("utf-8")
        timestamp = str(int(time.time() * 1000))
        signature = sign(self.scheme, self.secret, raw, method="POST", uri=callback, timestamp=timestamp)
        headers = {"Content-Type": "application/json", **self._headers(topic, delivery_id),
                   **_signature_headers(self.scheme, signature, timestamp)}
        status: int | None
        try:
            status = http.post(callback, content=raw, headers=headers).status_code
        except httpx.HTTPError as exc:
            log.info("sandbox %s: delivery %s to %s failed: %s", self.app, delivery_id, callback, exc)
            status = None
        with self.lock:
            if status is not None and 200 <= status < 300:
                self.db.execute("UPDATE sandbox_deliveries SET attempts = ?, answered_at = ?, status = ? WHERE id = ?",
                                (attempts + 1, time.time(), status, row_id))
            elif attempts + 1 > len(RETRY_DELAYS):  # given up, as the vendor does after its last try
                self.db.execute("UPDATE sandbox_deliveries SET attempts = ?, answered_at = ?, status = ? WHERE id = ?",
                                (attempts + 1, time.time(), status or 0, row_id))
            else:
                self.db.execute("UPDATE sandbox_deliveries SET attempts = ?, next_at = ?, status = ? WHERE id = ?",
                                (attempts + 1, time.time() + RETRY_DELAYS[attempts], status, row_id))


def _signature_headers(scheme: str, signature: str, timestamp: str) -> dict[str, str]:
    if scheme == "shopify":
        return {"X-Shopify-Hmac-Sha256": signature}
    if scheme == "woocommerce":
        return {"X-WC-Webhook-Signature": signature}
    return {"X-HubSpot-Signature-v3": signature, "X-HubSpot-Request-Timestamp": timestamp}
