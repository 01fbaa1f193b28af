"""Fault injection for the sandbox apps: the weather the engine must survive.

A :class:`FaultPlan` makes a share of requests misbehave the way real vendors and networks do:

==========  ==========================================================================
``429``     answered 429 with ``Retry-After`` (the request is not applied)
``503``     answered 503 (not applied)
``lost``    applied by the app, but the connection is cut before the answer: a lost response
``timeout`` held past the client's timeout, then applied: the client gave up, the write landed
``reset``   the connection is cut before the app sees the request (not applied)
==========  ==========================================================================

``ordersync sandbox serve --faults 429=0.3,503=0.05,lost=0.05,timeout=0.02`` turns it on.
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, field

from ordersync_app.domain.errors import SetupError
from ordersync_app.sandbox._server import Request, Response

KINDS = ("429", "503", "lost", "timeout", "reset")


@dataclass
class FaultPlan:
    """Probabilities per fault kind, applied to the listed apps' API calls (never to /_sandbox)."""

    rates: dict[str, float]
    apps: tuple[str, ...] = ()  # the apps it applies to; empty = every app
    retry_after: float = 1.0
    hold_seconds: float = 3.0
    seed: int = 7
    injected: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)
        self._lock = threading.Lock()

    @classmethod
    def parse(cls, text: str, **kwargs: object) -> FaultPlan:
        """Parse ``"429=0.3,503=0.05"``; raises SetupError naming a bad part."""
        rates: dict[str, float] = {}
        for part in filter(None, (p.strip() for p in text.split(","))):
            kind, _, value = part.partition("=")
            if kind not in KINDS:
                raise SetupError(f"unknown fault '{kind}'", hint=f"use {', '.join(KINDS)}")
            try:
                rate = float(value)
            except ValueError as exc:
                raise SetupError(f"fault '{kind}' needs a rate between 0 and 1, not '{value}'") from exc
            if not 0 <= rate <= 1:
                raise SetupError(f"fault '{kind}' needs a rate between 0 and 1, not {rate}")
            rates[kind] = rate
        if sum(rates.values()) > 1:
            raise SetupError("fault rates add up to more than 1")
        return cls(rates=rates, **kwargs)  # type: ignore[arg-type]

    def __call__(self, request: Request, app: str) -> Response | str | None:
        """The hook :class:`~ordersync_app.sandbox._server.Faults` calls per request."""
        if (self.apps and app not in self.apps) or request.path.startswith("/oauth"):
            return None
        with self._lock:
            roll = self._rng.random()
            chosen = None
            for kind, rate in self.rates.items():
                if roll < rate:
                    chosen = kind
                    break
                roll -= rate
            if chosen is None:
                return None
            self.injected[chosen] = self.injected.get(chosen, 0) + 1
        if chosen == "429":
            return Response(429, {"status": "error", "message": "You have reached your ten-secondly limit.",
                                  "category": "RATE_LIMITS", "policyName": "TEN_SECONDLY_ROLLING",
                                  "errors": "Throttled"},
                            {"Retry-After": f"{self.retry_after:g}"})
        if chosen == "503":
            return Response(503, {"status": "error", "message": "Service Unavailable (injected)"})
        if chosen == "reset":
            return "drop"
        if chosen == "timeout":
            time.sleep(self.hold_seconds)
        return "drop-after"
