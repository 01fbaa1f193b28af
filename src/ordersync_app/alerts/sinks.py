"""Where alerts go: the :class:`Alert` message, the :class:`AlertSink` protocol, and sinks registered at run time.

The built-in sinks (DingTalk, WeCom, e-mail) are built from the saved configuration by
``services.alerts``. The desktop app registers its notification sink here with
:func:`register_sink` because this package may not import Qt (``alerts`` sits below ``gui``).
The webhook sinks share :func:`post_json`, which turns the robots' ``errcode`` answers into our
error tree: a refused message is a :class:`SetupError` (fix the robot's settings), a network
problem or a rate limit a :class:`TransientError`.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol, runtime_checkable
from urllib.parse import urlsplit

import httpx

from ordersync_app.connectors.sdk.http import USER_AGENT
from ordersync_app.domain.errors import SetupError, TransientError
from ordersync_app.domain.redact import clip, mask, register_secret

ALERT_KINDS = ("failing", "digest", "recovered", "limited", "sla_breach", "sla_met", "test")


@dataclass(frozen=True)
class Alert:
    """One message to people: a recipe started failing, is still failing, recovered, waits for a quota, or
    missed (or met again) its service-level targets.

    Texts are bilingual: ``title_en``/``title_zh`` and ``lines`` of (English, Chinese) pairs;
    a pair whose Chinese part is empty is a single shared line (an error text quoted as is).
    """

    kind: str
    recipe: str
    title_en: str
    title_zh: str
    lines: tuple[tuple[str, str], ...] = ()
    failed: int = 0
    runs: int = 0
    first_error: str | None = None
    at: str = ""  # ISO-8601 UTC
    facts: dict[str, Any] = field(default_factory=dict)

    @property
    def title(self) -> str:
        """Both titles on one line (e-mail subject, notification title)."""
        return f"{self.title_en} / {self.title_zh}"

    def text(self, lang: str | None = None) -> str:
        """Plain text: each English line followed by its Chinese line (or one language only)."""
        out: list[str] = []
        for en, zh in ((self.title_en, self.title_zh), *self.lines):
            if lang != "zh_CN" or not zh:
                out.append(en)
            if zh and lang != "en":
                out.append(zh)
        return "\n".join(out)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready view (for the GUI and ``--json``)."""
        data = asdict(self)
        data["lines"] = [list(pair) for pair in self.lines]
        return data


@runtime_checkable
class AlertSink(Protocol):
    """Anything that can deliver an alert; ``send`` raises an :class:`OrderSyncError` on failure."""

    def send(self, alert: Alert) -> None:
        """Deliver ``alert`` or raise SetupError (fix the settings) / TransientError (try later)."""


_registered: dict[str, AlertSink] = {}
_lock = threading.Lock()


def register_sink(name: str, sink: AlertSink) -> None:
    """Add a sink that lives only in this process (the desktop notification of the GUI)."""
    if not isinstance(sink, AlertSink):
        raise TypeError(f"sink '{name}' has no send(alert) method")
    with _lock:
        _registered[name] = sink


def unregister_sink(name: str) -> None:
    """Remove a registered sink (the GUI calls it when its tray icon goes away)."""
    with _lock:
        _registered.pop(name, None)


def registered_sinks() -> dict[str, AlertSink]:
    """The sinks registered in this process, by name."""
    with _lock:
        return dict(_registered)


def truncate_utf8(text: str, max_bytes: int) -> str:
    """``text`` cut to at most ``max_bytes`` of UTF-8 (robots count bytes, not characters)."""
    data = text.encode("utf-8")
    if len(data) <= max_bytes:
        return text
    return data[: max_bytes - 3].decode("utf-8", "ignore") + "…"


def register_webhook_secrets(url: str) -> None:
    """Register the credential parts of a webhook URL (query values, long path segments) for masking."""
    register_secret(url)  # a URL is registered by its credential parts, not whole


def check_webhook_url(url: str, vendor: str) -> str:
    """A webhook URL must be HTTPS (plain HTTP only on loopback, for tests and local relays).

    Raises:
        SetupError: the URL is not a usable webhook address.
    """
    parts = urlsplit(url.strip())
    loopback = parts.hostname in ("127.0.0.1", "localhost", "::1")
    allowed = parts.scheme == "https" or (parts.scheme == "http" and loopback)
    if not allowed or not parts.hostname:
        raise SetupError(f"the {vendor} webhook is not an https:// address",
                         hint=f"copy the whole webhook URL from the {vendor} robot's settings")
    return url.strip()


def post_json(url: str, body: Mapping[str, Any], *, vendor: str, timeout: float = 10.0,
              transport: httpx.BaseTransport | None = None) -> dict[str, Any]:
    """POST ``body`` as UTF-8 JSON to a robot webhook and check its ``errcode``.

    Both robots answer HTTP 200 with ``{"errcode": 0, "errmsg": "ok"}`` on success and a non-zero
    ``errcode`` when they refuse the message (bad token or signature, missing keyword…).

    Raises:
        SetupError: the robot refused the message (fix the webhook, secret or keyword).
        TransientError: network trouble, a 5xx, or the robot's rate limit.
    """
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT}
    try:
        with httpx.Client(timeout=timeout, transport=transport, follow_redirects=False) as client:
            response = client.post(url, content=data, headers=headers)
    except httpx.TimeoutException as exc:
        raise TransientError(f"the {vendor} robot did not answer in time") from exc
    except httpx.HTTPError as exc:  # the message names the host, never the token (masked anyway)
        raise TransientError(f"the {vendor} robot could not be reached: {mask(type(exc).__name__)}") from exc
    if response.status_code >= 500 or response.status_code == 429:
        raise TransientError(f"the {vendor} robot answered HTTP {response.status_code}")
    try:
        answer = response.json()
    except ValueError:
        answer = None
    if response.status_code >= 400 or not isinstance(answer, dict):
        raise SetupError(f"the {vendor} robot refused the message (HTTP {response.status_code})",
                         vendor_message=clip(response.text, 200),
                         hint=f"check the {vendor} webhook address")
    code = answer.get("errcode", 0)
    if code in (0, "0"):
        return answer
    message = clip(str(answer.get("errmsg") or ""), 300)
    if code in _RATE_LIMITED:
        raise TransientError(f"the {vendor} robot is rate-limited (errcode {code})", vendor_message=message)
    raise SetupError(f"the {vendor} robot refused the message (errcode {code})", vendor_message=message,
                     hint=_HINTS.get(vendor, "check the robot's settings"))


# DingTalk: 130101 "send too fast, exceed 20 times per minute" (seen in ccfos/nightingale#369; the
# custom-robot doc says 20 messages/minute per robot, then 10 minutes of throttling) and 90030
# "webhook over limit" (quota); WeCom: 45009 "api freq out of limit" (20 messages/minute per robot,
# https://developer.work.weixin.qq.com/document/path/91770). Both are worth a later attempt.
_RATE_LIMITED = {130101, 90030, 45009, "130101", "90030", "45009"}
_HINTS = {
    "DingTalk": "check the webhook address, the signing secret (SEC…) and the robot's keyword setting",
    "WeCom": "check the robot's webhook address (it ends in ?key=…)",
}
