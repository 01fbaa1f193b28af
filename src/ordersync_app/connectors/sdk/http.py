"""The one HTTP layer every connector uses: auth, timeouts, rate limits, retries, error mapping.

Response rules, in order: the connector's declared :mod:`.rules` (errors inside HTTP 200, split
statuses), its ``classify`` hook, then the defaults:

========  =====================================================================
2xx       OK
408/429   RETRY, honouring ``Retry-After`` (and rate-limit headers); a 429 pauses the account
5xx       RETRY with exponential backoff and full jitter
401       REAUTH once (token flows renew), then :class:`AuthError`
3xx       SETUP: the server moved; the message names the new address
403       SETUP (missing scope / plan): :class:`SetupError`
other 4xx REJECT: :class:`RecordRejected` with the vendor's message
========  =====================================================================

Timeouts and connection errors are transient. A **write** whose answer is lost after it may have
been sent (a read timeout, a dropped connection, a 5xx other than 503) is *not* sent again here:
:class:`AnswerLost` hands it to the engine, which checks the target before any re-send. When the
in-run retry budget is spent the call raises :class:`TransientError` carrying ``retry_after`` so
the engine can schedule the record later. A wait longer than that budget is a *long limit* (a daily
quota): the call raises :class:`LimitReached` and the client makes no further call until the wait
has passed (each later call fails at once, without reaching the vendor), so the run queues the
rest of its records instead of sleeping. Every wait watches the run's stop event. Every message
is masked (:mod:`ordersync_app.domain.redact`) before an error is built.
"""

from __future__ import annotations

import dataclasses
import email.utils
import hashlib
import os
import random
import ssl
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from ordersync_app.connectors.sdk import auth as auth_kinds
from ordersync_app.connectors.sdk.rules import decide, default_decision, parsed_json
from ordersync_app.connectors.sdk.spec import (
    AccountConfig,
    Connector,
    Decision,
    Pacer,
    RateLimit,
    TlsSettings,
    Verdict,
)
from ordersync_app.domain.errors import (
    AuthError,
    LimitReached,
    RecordRejected,
    SetupError,
    Stopped,
    TransientError,
)
from ordersync_app.domain.redact import clip, mask

USER_AGENT = "OrderSync/0.1 (+https://ordersync.app)"
Wait = Callable[[float], None]


FENCE_MARGIN_SECONDS = 2.0  # beyond a call's timeout, for the answer's processing
# Calls reserved from the budget shared with other processes are counted there from their reservation, but the
# vendor counts them when they arrive: a reserved call not sent within this share of the window is given up
# (the shared count keeps each reservation that much longer), so a block reserved now cannot land in the
# vendor's next window on top of the other processes' calls.
PERMIT_HOLD_SHARE = 0.03


class AnswerLost(TransientError):
    """A write may have reached the vendor but its answer did not reach us: check before re-sending."""


class RateLimiter:
    """A sliding-window limiter: at most ``requests`` calls in any ``per_seconds`` window.

    One instance per account and window, shared by every recipe and test call in the process, so
    that recipes never compete for the vendor's budget. ``pause`` makes everyone wait after a 429.
    """

    def __init__(self, limit: RateLimit, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Wait = time.sleep) -> None:
        self.limit = limit
        self._clock = clock
        self._sleep = sleep
        self._sent: deque[float] = deque()
        self._paused_until = 0.0
        self._lock = threading.Lock()
        self._permits = 0  # calls reserved from the budget shared with other processes, not yet spent
        self._permits_until = 0.0  # when the unspent ones are given up (PERMIT_HOLD_SHARE)
        self._reserving = threading.Lock()
        # The vendor counts a call when it arrives, a little after we count it when we send it:
        # keep a small margin so our pacing never causes a 429 at the window's edge.
        self._window = limit.per_seconds + min(0.5, limit.per_seconds * 0.03)

    def acquire(self, wait: Wait | None = None, *,
                reserve: Callable[[RateLimit, int], tuple[int, float]] | None = None) -> float:
        """Block until a call may be made (``wait`` sleeps, and may raise to stop); returns seconds waited.

        With ``reserve`` (the budget shared with other processes) calls are first taken from it in small
        blocks (spent within :data:`PERMIT_HOLD_SHARE` of the window, or given up), so all processes together
        stay inside the vendor's limit.
        """
        waited = self._reserve(reserve, wait) if reserve is not None else 0.0
        while True:
            with self._lock:
                now = self._clock()
                while self._sent and self._sent[0] <= now - self._window:
                    self._sent.popleft()
                delay = max(0.0, self._paused_until - now)
                if not delay and len(self._sent) < self.limit.requests:
                    self._sent.append(now)
                    return waited
                if not delay:
                    delay = self._sent[0] + self._window - now
            delay = max(delay, 0.001)
            (wait or self._sleep)(delay)
            waited += delay

    def _reserve(self, reserve: Callable[[RateLimit, int], tuple[int, float]], wait: Wait | None) -> float:
        waited = 0.0
        with self._reserving:
            if self._permits > 0 and self._clock() > self._permits_until:
                self._permits = 0  # reserved too long ago: sent now they could overrun the vendor's window
            while self._permits <= 0:
                asked = self._clock()
                # a block the window would spend in the hold: more would mostly be given up unspent
                granted, delay = reserve(self.limit, max(1, int(self.limit.requests * PERMIT_HOLD_SHARE)))
                if granted:
                    self._permits += granted
                    self._permits_until = asked + self.limit.per_seconds * PERMIT_HOLD_SHARE
                    break
                (wait or self._sleep)(delay)
                waited += delay
            self._permits -= 1
        return waited

    def pause(self, seconds: float) -> None:
        """Hold every caller for ``seconds`` (the vendor said 429)."""
        with self._lock:
            self._paused_until = max(self._paused_until, self._clock() + seconds)


_limiters: dict[tuple[str, str, float], RateLimiter] = {}
_limiters_lock = threading.Lock()
_pacers: dict[tuple[str, str], Pacer] = {}


def pacer_for(account: str, connector: Connector) -> Pacer | None:
    """The account's pacer (``Connector.pace``), shared by its clients in this process; None when it has none."""
    if connector.pace is None:
        return None
    with _limiters_lock:
        found = _pacers.get((account, connector.key))
        if found is None:
            found = _pacers[(account, connector.key)] = connector.pace()
        return found


def limiter_for(account: str, limit: RateLimit) -> RateLimiter:
    """The process-wide limiter of one budget of ``account`` (created on first use)."""
    key = (account, limit.family, limit.per_seconds)
    with _limiters_lock:
        limiter = _limiters.get(key)
        if limiter is None or limiter.limit != limit:
            limiter = _limiters[key] = RateLimiter(limit)
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
    lost: int = 0
    by_status: dict[int, int] = field(default_factory=dict)
    usage: str | None = None  # the vendor's latest quota report (``Connector.usage``), e.g. "api-usage=18/5000"


def retry_after_seconds(response: httpx.Response) -> float | None:
    """How long the vendor asks us to wait: ``Retry-After`` (seconds or an HTTP date), or rate-limit
    headers that say the window is spent (HubSpot ``X-HubSpot-RateLimit-*``, IETF ``RateLimit-Reset``)."""
    value = response.headers.get("Retry-After")
    if value:
        try:
            return max(0.0, float(value))
        except ValueError:
            try:
                when = email.utils.parsedate_to_datetime(value)
            except (TypeError, ValueError):
                return None
            return max(0.0, (when - datetime.now(UTC)).total_seconds())
    headers = response.headers
    # https://developers.hubspot.com/docs/developer-tooling/platform/usage-guidelines [V]: -Remaining and
    # -Interval-Milliseconds describe the ten-second window.
    if headers.get("X-HubSpot-RateLimit-Remaining") == "0":
        interval = headers.get("X-HubSpot-RateLimit-Interval-Milliseconds", "")
        if interval.isdigit():
            return int(interval) / 1000
    reset = headers.get("RateLimit-Reset") or headers.get("X-RateLimit-Reset")
    if reset and reset.isdigit() and int(reset) < 86400:  # seconds until reset (not an epoch)
        return float(reset)
    return None


def _ssl_context(account: AccountConfig) -> ssl.SSLContext | bool:
    """The account's TLS trust: a CA bundle, or exactly one pinned certificate — never "verify off"."""
    tls = account.tls
    if tls is None or not (tls.ca_bundle or tls.pinned_pem):
        return True
    context = ssl.create_default_context(cafile=tls.ca_bundle or None)
    if tls.pinned_pem:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.load_verify_locations(cadata=tls.pinned_pem)  # the one certificate the user accepted
        context.check_hostname = False  # on-premise servers are often reached by IP; the pin is the identity
        context.verify_mode = ssl.CERT_REQUIRED
    return context


_default_tls: ssl.SSLContext | None = None
_pool: dict[tuple[Any, ...], httpx.Client] = {}
_pool_lock = threading.Lock()


def _trust(account: AccountConfig) -> ssl.SSLContext:
    """The account's TLS context; the default one (the certificate bundle) is loaded once per process."""
    global _default_tls
    context = _ssl_context(account)
    if isinstance(context, ssl.SSLContext):
        return context
    with _pool_lock:
        if _default_tls is None:
            _default_tls = httpx.create_ssl_context()
        return _default_tls


def _new_http(base_url: str, timeout: float, verify: ssl.SSLContext | bool,
              transport: httpx.BaseTransport | None = None) -> httpx.Client:
    return httpx.Client(base_url=base_url, timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
                        headers={"User-Agent": USER_AGENT}, transport=transport, follow_redirects=False,
                        verify=verify)


def _pooled(account: str, base_url: str, timeout: float, tls_account: AccountConfig) -> httpx.Client:
    """One httpx client (connection pool, TLS context) per account address and trust, kept for the process:
    a worker's scheduled runs reuse it instead of building a client and loading certificates every run.
    Credentials are not part of it (each request carries the account's auth flow)."""
    tls = tls_account.tls
    key = (account, base_url, timeout, tls.ca_bundle if tls else None, tls.pinned_pem if tls else None)
    with _pool_lock:
        found = _pool.get(key)
    if found is not None and not found.is_closed:
        return found
    http = _new_http(base_url, timeout, _trust(tls_account))
    with _pool_lock:
        old = _pool.get(key)
        if old is not None and not old.is_closed:  # another thread built it meanwhile
            http.close()
            return old
        _pool[key] = http
        return http


def close_pooled() -> None:
    """Close every pooled client (tests that switch data directories, a process about to exit)."""
    with _pool_lock:
        clients = list(_pool.values())
        _pool.clear()
    for http in clients:
        http.close()


def _untrusted_certificate(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError) or "CERTIFICATE_VERIFY_FAILED" in str(seen):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def fetch_certificate(url: str, *, timeout: float = 10.0) -> tuple[str, str]:
    """The certificate a server presents (PEM) and its SHA-256 fingerprint, to show before pinning it."""
    address = httpx.URL(url)
    pem = ssl.get_server_certificate((address.host, address.port or 443), timeout=timeout)
    return pem, fingerprint(pem)


def tls_from_files(ca_bundle: str | None, pinned_cert: str | None) -> TlsSettings | None:
    """TLS settings from two file paths an account names: a CA bundle to trust, or the server's own
    certificate to pin (PEM). None when neither is given.

    Raises:
        SetupError: a file is missing, unreadable or holds no PEM certificate.
    """
    for label, path in (("CA certificate file", ca_bundle), ("pinned certificate file", pinned_cert)):
        if not path:
            continue
        try:
            text = Path(path).expanduser().read_text("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise SetupError(f"the {label} '{path}' cannot be read ({type(exc).__name__})",
                             hint="give the path of a PEM file (-----BEGIN CERTIFICATE----- …)") from None
        if "-----BEGIN CERTIFICATE-----" not in text:
            raise SetupError(f"the {label} '{path}' holds no PEM certificate",
                             hint="export the certificate as Base64/PEM, not DER")
    if not (ca_bundle or pinned_cert):
        return None
    pem = Path(pinned_cert).expanduser().read_text("utf-8") if pinned_cert else None
    return TlsSettings(ca_bundle=str(Path(ca_bundle).expanduser()) if ca_bundle else None, pinned_pem=pem)


def fingerprint(pem: str) -> str:
    """The SHA-256 fingerprint of a PEM certificate, as shown to the user before pinning it."""
    digest = hashlib.sha256(ssl.PEM_cert_to_DER_cert(pem)).hexdigest().upper()
    return ":".join(digest[i:i + 2] for i in range(0, len(digest), 2))


class ApiClient:
    """An account's connection: the connector's auth, limits and rules over a pooled httpx client."""

    def __init__(
        self,
        connector: Connector,
        account: AccountConfig,
        *,
        retry: RetryPolicy | None = None,
        timeout: float | None = None,
        limiter: RateLimiter | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Wait = time.sleep,
        stop: threading.Event | None = None,
        pace: bool = True,
    ) -> None:
        self.connector = connector
        self.pacer = pacer_for(account.name, connector) if pace else None
        self.account = account
        self.retry = retry or RetryPolicy()
        self.stats = CallStats()
        self.stop = stop
        # Set by a run that holds a recipe's lease: a call is sent only while the lease surely outlasts it.
        self.fence: Callable[[float], bool] | None = None
        budgets = connector.limits(account.settings)
        self.limiters = [limiter] if limiter else []
        self.limiters += [limiter_for(account.name, b) for b in budgets[1 if limiter else 0:]]
        self._sleep = sleep
        self._clock = time.monotonic
        self._held: tuple[float, LimitReached] | None = None  # a long limit: no call before this time
        self._auth = auth_kinds.shared(account, connector.make_auth)
        timeout = timeout or float(os.environ.get("ORDERSYNC_HTTP_TIMEOUT") or 30.0)
        self.timeout = timeout
        self._shared = transport is None  # a test's own transport gets its own client
        self._http = _pooled(account.name, account.base_url.rstrip("/"), timeout,
                             self._tls_account(connector, account)) if self._shared else \
            _new_http(account.base_url.rstrip("/"), timeout, True, transport)

    @staticmethod
    def _tls_account(connector: Connector, account: AccountConfig) -> AccountConfig:
        """The account with the TLS its settings ask for (``Connector.tls_for``) unless it carries its own."""
        if account.tls is not None or connector.tls_for is None:
            return account
        return dataclasses.replace(account, tls=connector.tls_for(account.settings))

    @property
    def limiter(self) -> RateLimiter:
        """The account's main budget (the plan's request window)."""
        return self.limiters[0]

    def close(self) -> None:
        """Release the client's connections (a pooled client stays open for the account's next run)."""
        if not self._shared:
            self._http.close()

    def __enter__(self) -> ApiClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # -- waiting ----------------------------------------------------------------------------
    def wait(self, seconds: float) -> None:
        """Sleep, but wake and raise :class:`Stopped` as soon as the run is asked to stop."""
        if self.stop is None:
            self._sleep(seconds)
            return
        if self.stop.wait(seconds):
            raise Stopped(f"{self.connector.name_en}: stopped while waiting")

    def _acquire(self, family: str) -> None:
        for limiter in self.limiters:
            if limiter.limit.family in ("*", family):
                limiter.acquire(self.wait, reserve=self.account.reserve)

    # -- calls ------------------------------------------------------------------------------
    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        data: Mapping[str, Any] | None = None,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        family: str = "default",
        write: bool = False,
    ) -> httpx.Response:
        """Send one call with the account's auth, limits and retries; return the 2xx response.

        ``write`` marks a call that changes the vendor's data: its lost answers are never re-sent
        here (:class:`AnswerLost`).

        Raises:
            TransientError: the retry budget is spent (timeouts, 429, 5xx); AnswerLost for writes.
            AuthError: credentials refused even after a renewal.
            SetupError: the vendor says the account lacks access, or the address moved.
            RecordRejected: the vendor refused the request; carries its message.
            Stopped: the run was asked to stop.
        """
        reauthed = False
        refusal: str | None = None
        last: TransientError | None = None
        where = self._where(method, path)
        for attempt in range(self.retry.max_attempts):
            if self.stop is not None and self.stop.is_set():
                raise Stopped(f"{where}: stopped")
            self._check_held(where)
            self._acquire(family)
            if self.pacer is not None and (delay := self.pacer.before(json)) > 0:
                # Waited out up to the retry policy's longest pause; beyond it the vendor decides (a THROTTLED
                # answer is retried as before, and a budget that refills too slowly ends as TransientError).
                self.wait(min(delay, self.retry.max_delay))
            if self.fence is not None and not self.fence(self.timeout + FENCE_MARGIN_SECONDS):
                raise Stopped(f"{where} not sent: this worker no longer surely holds the recipe (its lease "
                              "lapsed while it waited); the recipe goes on where it holds it")
            self.stats.calls += 1
            try:
                response = self._http.request(
                    method, path, params=params, json=json, data=data, content=content, headers=headers,
                    auth=self._auth if self._auth is not None else httpx.USE_CLIENT_DEFAULT,
                )
                if self.pacer is not None:
                    self.pacer.after(json, response)
            except AuthError as exc:  # the sign-in flow could not (re)new the credentials
                if exc.vendor_message is None and refusal is not None:
                    exc.vendor_message = refusal  # the vendor's reason for refusing the old credentials
                exc.account = exc.account or self.account.name
                raise
            except (httpx.LocalProtocolError, httpx.InvalidURL, httpx.UnsupportedProtocol, UnicodeEncodeError) as exc:
                # We built a request no server accepts (a control character in a secret, a bad address):
                # no retry can help, and the text may quote the secret, so it is masked first, then cut.
                raise SetupError(f"{where} could not be sent: {clip(type(exc).__name__ + ': ' + str(exc), 300)}",
                                 hint="check the account's values for stray characters") from None
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:  # never reached the vendor
                if _untrusted_certificate(exc):  # a setup question, not weather: retrying cannot help
                    raise SetupError(f"{where}: the server's certificate is not trusted ({clip(str(exc), 200)})",
                                     hint="if this is your own server, trust its certificate for this account "
                                          "(pin it, or give its CA bundle)") from None
                last = TransientError(f"{where} failed: {mask(type(exc).__name__ + ': ' + str(exc))}")
                self._backoff(attempt, None)
                continue
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                self.stats.lost += 1
                text = "timed out" if isinstance(exc, httpx.TimeoutException) else \
                    f"lost its answer ({mask(type(exc).__name__)})"
                if write:
                    raise AnswerLost(f"{where} {text}") from None
                last = TransientError(f"{where} {text}")
                self._backoff(attempt, None)
                continue
            self.stats.by_status[response.status_code] = self.stats.by_status.get(response.status_code, 0) + 1
            if self.connector.usage is not None:
                self.stats.usage = self.connector.usage(response) or self.stats.usage
            decision = self.decide(response)
            if decision.verdict is Verdict.OK:
                return response
            message = decision.message or self.vendor_message(response)
            if decision.verdict is Verdict.RETRY:
                wait = decision.wait_seconds if decision.wait_seconds is not None else retry_after_seconds(response)
                lost = write and response.status_code >= 500 and response.status_code != 503
                if wait is not None and wait > self.retry.max_retry_after and not lost:  # a long limit: to the engine
                    self.stats.throttled += 1
                    limited = LimitReached(f"{where} answered {response.status_code}: a limit holds calls for "
                                           f"{round(wait)} s", retry_after=wait, vendor_message=message)
                    self._held = (self._clock() + wait, limited)
                    raise limited
                if response.status_code == 429 or decision.wait_seconds is not None:
                    self.stats.throttled += 1
                    pause = min(wait if wait is not None else self._delay(attempt), self.retry.max_retry_after)
                    self.limiter.pause(pause)
                    if self.account.pause_shared is not None:  # every process of the account backs off
                        self.account.pause_shared(self.limiter.limit, pause)
                if lost:
                    raise AnswerLost(f"{where} answered {response.status_code}", vendor_message=message)
                last = TransientError(f"{where} answered {response.status_code}", retry_after=wait,
                                      vendor_message=message)
                self._backoff(attempt, wait)
                continue
            self.stats.errors += 1
            invalidate = getattr(self._auth, "invalidate", None)
            if decision.verdict is Verdict.REAUTH and not reauthed and invalidate is not None:
                invalidate()
                reauthed, refusal = True, message
                continue
            if decision.verdict is Verdict.REAUTH:
                raise AuthError(
                    f"{self.connector.name_en} refused the credentials of account '{self.account.name}'",
                    vendor_message=message, hint=f"reconnect the account: ordersync account add {self.account.name}"
                    f" --connector {self.connector.key} --replace (or Reconnect in the app)",
                    account=self.account.name,
                )
            if decision.verdict is Verdict.SETUP:
                raise SetupError(
                    f"{self.connector.name_en} denied access for account '{self.account.name}' "
                    f"({where}, HTTP {response.status_code})",
                    vendor_message=message, hint="check the app's scopes/permissions and the account settings",
                )
            raise RecordRejected(
                f"{self.connector.name_en} rejected the request (HTTP {response.status_code})",
                vendor_message=message,
            )
        assert last is not None
        raise last

    def _check_held(self, where: str) -> None:
        """Refuse a call while a long limit holds this client (no call reaches the vendor)."""
        if self._held is None:
            return
        until, limited = self._held
        left = until - self._clock()
        if left <= 0:
            self._held = None
            return
        raise LimitReached(f"{where} not sent: {limited.what}", retry_after=left, vendor_message=limited.vendor_message)

    def decide(self, response: httpx.Response) -> Decision:
        """The decision for an answer: declared rules, then the connector's hook, then the defaults."""
        decision = decide(self.connector.rules, response)
        if decision is None and self.connector.classify is not None:
            found = self.connector.classify(response)
            decision = Decision(found) if isinstance(found, Verdict) else found
        return decision or default_decision(response)

    def call(self, method: str, path: str, **kwargs: Any) -> tuple[httpx.Response, Any]:
        """Like :meth:`request`, returning the response and its parsed JSON body.

        Raises:
            TransientError: the body is not JSON (a proxy's error page, a cut-off answer).
        """
        response = self.request(method, path, **kwargs)
        if not response.content:
            return response, None
        try:
            return response, parsed_json(response)
        except ValueError as exc:
            raise TransientError(
                f"{self._where(method, path)} answered something that is not JSON",
                vendor_message=clip(response.text, 200),
            ) from exc

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        """Like :meth:`request`, returning the parsed JSON body (see :meth:`call`)."""
        return self.call(method, path, **kwargs)[1]

    def vendor_message(self, response: httpx.Response) -> str:
        """The vendor's own error message, masked and trimmed."""
        try:
            text = self.connector.error_message(response)
        except Exception:  # noqa: BLE001 - a broken error body must not hide the error itself
            text = response.text
        return clip((text or f"HTTP {response.status_code}").strip(), 500)

    def _where(self, method: str, path: str) -> str:
        return f"{self.connector.name_en} {method} {httpx.URL(path).path or path.split('?')[0]}"

    def _delay(self, attempt: int) -> float:
        cap = min(self.retry.max_delay, self.retry.base_delay * 2**attempt)
        return random.uniform(cap / 2, cap)

    def _backoff(self, attempt: int, retry_after: float | None) -> None:
        if attempt + 1 >= self.retry.max_attempts:
            return
        self.stats.retries += 1
        self.wait(retry_after + random.uniform(0, 0.1) if retry_after is not None else self._delay(attempt))
