"""The one HTTP layer every connector uses: auth, timeouts, rate limits, retries, error mapping.

Response rules (overridable per connector with ``Connector.classify``):

========  =====================================================================
2xx       OK
429       RETRY, honouring ``Retry-After``; the account's limiter also pauses
5xx       RETRY with exponential backoff and full jitter
401       REAUTH once (auth flows that can refresh), then :class:`AuthError`
403       SETUP (missing scope / plan): :class:`SetupError`
other 4xx REJECT: :class:`RecordRejected` with the vendor's message
========  =====================================================================

Timeouts and connection errors are transient. When the in-run retry budget is spent the call
raises :class:`TransientError` carrying ``retry_after`` so the engine can schedule the record later.
Every message is masked (:mod:`ordersync_app.domain.redact`) before an error is built.
"""

from __future__ import annotations

import email.utils
import os
import random
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

from ordersync_app.connectors.sdk.spec import AccountConfig, Connector, RateLimit, Verdict
from ordersync_app.domain.errors import AuthError, RecordRejected, SetupError, TransientError
from ordersync_app.domain.redact import clip, mask

USER_AGENT = "OrderSync/0.1 (+https://ordersync.app)"


class RateLimiter:
    """A sliding-window limiter: at most ``requests`` calls in any ``per_seconds`` window.

    One instance per account, shared by every recipe and test call in the process, so that
    recipes never compete for the vendor's budget. ``pause`` makes everyone wait after a 429.
    """

    def __init__(self, limit: RateLimit, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.limit = limit
        self._clock = clock
        self._sleep = sleep
        self._sent: deque[float] = deque()
        self._paused_until = 0.0
        self._lock = threading.Lock()
        # The vendor counts a call when it arrives, a little after we count it when we send it:
        # keep a small margin so our pacing never causes a 429 at the window's edge.
        self._window = limit.per_seconds + min(0.5, limit.per_seconds * 0.03)

    def acquire(self) -> float:
        """Block until a call may be made; returns the seconds waited."""
        waited = 0.0
        while True:
            with self._lock:
                now = self._clock()
                while self._sent and self._sent[0] <= now - self._window:
                    self._sent.popleft()
                wait = max(0.0, self._paused_until - now)
                if not wait and len(self._sent) < self.limit.requests:
                    self._sent.append(now)
                    return waited
                if not wait:
                    wait = self._sent[0] + self._window - now
            wait = max(wait, 0.001)
            self._sleep(wait)
            waited += wait

    def pause(self, seconds: float) -> None:
        """Hold every caller for ``seconds`` (the vendor said 429)."""
        with self._lock:
            self._paused_until = max(self._paused_until, self._clock() + seconds)


_limiters: dict[str, RateLimiter] = {}
_limiters_lock = threading.Lock()


def limiter_for(account: str, limit: RateLimit) -> RateLimiter:
    """The process-wide limiter of ``account`` (created on first use)."""
    with _limiters_lock:
        limiter = _limiters.get(account)
        if limiter is None or limiter.limit != limit:
            limiter = _limiters[account] = RateLimiter(limit)
        return limiter


@dataclass
class RetryPolicy:
    """In-run retry budget; beyond it the record is re-attempted later by the engine."""

    max_attempts: int = 6
    base_delay: float = 0.5
    max_delay: float = 30.0
    max_retry_after: float = 120.0  # a longer Retry-After is handed back to the engine


@dataclass
class CallStats:
    """Counters the engine stores per run (API calls and 429s per account)."""

    calls: int = 0
    throttled: int = 0
    retries: int = 0
    errors: int = 0
    by_status: dict[int, int] = field(default_factory=dict)


def retry_after_seconds(response: httpx.Response) -> float | None:
    """Parse ``Retry-After`` (seconds or an HTTP date), or ``X-RateLimit``-style hints."""
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        return max(0.0, (when - datetime.now(UTC)).total_seconds())


def default_verdict(response: httpx.Response) -> Verdict:
    """The default response rules (see the module docstring)."""
    status = response.status_code
    if status < 300:
        return Verdict.OK
    if status == 429 or status >= 500:
        return Verdict.RETRY
    if status == 401:
        return Verdict.REAUTH
    if status == 403:
        return Verdict.SETUP
    return Verdict.REJECT


class ApiClient:
    """An account's connection: the connector's auth and rules over a pooled httpx client."""

    def __init__(
        self,
        connector: Connector,
        account: AccountConfig,
        *,
        retry: RetryPolicy | None = None,
        timeout: float | None = None,
        limiter: RateLimiter | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.connector = connector
        self.account = account
        self.retry = retry or RetryPolicy()
        self.stats = CallStats()
        limit = connector.rate_limit_for(account.settings) if connector.rate_limit_for else connector.rate_limit
        self.limiter = limiter or limiter_for(account.name, limit)
        self._sleep = sleep
        self._auth = connector.make_auth(account)
        timeout = timeout or float(os.environ.get("ORDERSYNC_HTTP_TIMEOUT") or 30.0)
        self._http = httpx.Client(
            base_url=account.base_url.rstrip("/"),
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            headers={"User-Agent": USER_AGENT},
            transport=transport,
            follow_redirects=False,
        )

    def close(self) -> None:
        """Release pooled connections."""
        self._http.close()

    def __enter__(self) -> ApiClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        data: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """Send one call with the account's auth, limits and retries; return the 2xx response.

        Raises:
            TransientError: the retry budget is spent (timeouts, 429, 5xx).
            AuthError: credentials refused even after a refresh.
            SetupError: the vendor says the account lacks access (403 by default).
            RecordRejected: the vendor refused the request with a 4xx; carries its message.
        """
        reauthed = False
        last: TransientError | None = None
        for attempt in range(self.retry.max_attempts):
            self.limiter.acquire()
            self.stats.calls += 1
            try:
                response = self._http.request(
                    method, path, params=params, json=json, data=data, headers=headers, auth=self._auth
                    if self._auth is not None else httpx.USE_CLIENT_DEFAULT,
                )
            except (httpx.LocalProtocolError, httpx.InvalidURL, httpx.UnsupportedProtocol, UnicodeEncodeError) as exc:
                # Built wrong here (a control character in a token or header, a bad address): no
                # retry can help, and the message may quote the token, so it is masked and not chained.
                raise SetupError(
                    f"{self._where(method, path)} could not be sent: {clip(type(exc).__name__ + ': ' + str(exc), 300)}",
                    hint=f"check the settings and secrets of account '{self.account.name}' (a pasted token may "
                         "carry a line break or space)",
                ) from None
            except httpx.TimeoutException as exc:
                last = TransientError(f"{self._where(method, path)} timed out", vendor_message=None)
                self._backoff(attempt, None, exc)
                continue
            except httpx.TransportError as exc:
                last = TransientError(
                    f"{self._where(method, path)} failed: {mask(type(exc).__name__ + ': ' + str(exc))}"
                )
                self._backoff(attempt, None, exc)
                continue
            self.stats.by_status[response.status_code] = self.stats.by_status.get(response.status_code, 0) + 1
            verdict = (self.connector.classify(response) if self.connector.classify else None) or \
                default_verdict(response)
            if verdict is Verdict.OK:
                return response
            message = self.vendor_message(response)
            if verdict is Verdict.RETRY:
                wait = retry_after_seconds(response)
                if response.status_code == 429:
                    self.stats.throttled += 1
                    self.limiter.pause(wait if wait is not None else self._delay(attempt))
                last = TransientError(
                    f"{self._where(method, path)} answered {response.status_code}",
                    retry_after=wait, vendor_message=message,
                )
                if wait is not None and wait > self.retry.max_retry_after:
                    raise last
                self._backoff(attempt, wait, None)
                continue
            self.stats.errors += 1
            invalidate = getattr(self._auth, "invalidate", None)
            if verdict is Verdict.REAUTH and not reauthed and invalidate is not None:
                invalidate()
                reauthed = True
                continue
            if verdict is Verdict.REAUTH:
                raise AuthError(
                    f"{self.connector.name_en} refused the credentials of account '{self.account.name}'",
                    vendor_message=message, hint=f"reconnect the account: ordersync account add {self.account.name}"
                    f" --connector {self.connector.key} --replace (or Reconnect in the app)",
                    account=self.account.name,
                )
            if verdict is Verdict.SETUP:
                raise SetupError(
                    f"{self.connector.name_en} denied access for account '{self.account.name}' "
                    f"({self._where(method, path)}, HTTP {response.status_code})",
                    vendor_message=message, hint="check the app's scopes/permissions and the account settings",
                )
            raise RecordRejected(
                f"{self.connector.name_en} rejected the request (HTTP {response.status_code})",
                vendor_message=message,
            )
        assert last is not None
        raise last

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        """Like :meth:`request`, returning the parsed JSON body.

        Raises:
            TransientError: the body is not JSON (a proxy's error page, a cut-off answer).
        """
        response = self.request(method, path, **kwargs)
        try:
            return response.json()
        except ValueError as exc:
            raise TransientError(
                f"{self._where(method, path)} answered something that is not JSON",
                vendor_message=clip(response.text, 200),
            ) from exc

    def vendor_message(self, response: httpx.Response) -> str:
        """The vendor's own error message, masked and trimmed."""
        try:
            text = self.connector.error_message(response)
        except Exception:  # noqa: BLE001 - a broken error body must not hide the error itself
            text = response.text
        return clip((text or f"HTTP {response.status_code}").strip(), 500)

    def _where(self, method: str, path: str) -> str:
        return f"{self.connector.name_en} {method} {path.split('?')[0]}"

    def _delay(self, attempt: int) -> float:
        cap = min(self.retry.max_delay, self.retry.base_delay * 2**attempt)
        return random.uniform(cap / 2, cap)

    def _backoff(self, attempt: int, retry_after: float | None, _exc: Exception | None) -> None:
        if attempt + 1 >= self.retry.max_attempts:
            return
        self.stats.retries += 1
        wait = retry_after + random.uniform(0, 0.1) if retry_after is not None else self._delay(attempt)
        self._sleep(wait)
