"""Sign-in kinds as httpx ``Auth`` flows, with one credential holder per account.

Static kinds put a stored secret on each call: :func:`api_key`, :func:`basic`, :func:`bearer`.
Token kinds buy a token and keep it: :class:`TokenAuth` is the one mechanism behind OAuth 2.0
refresh (with refresh-token rotation), client credentials (form or JSON body), JWT bearer and
login sessions (a cookie is a token too); a vendor module passes three small functions — build
the token request, read the answer, put the token on a call. :class:`SignedAuth` runs a
request-signing hook (sorted-parameter MD5, HMAC-SHA256) on every call.

Why one holder per account (:func:`shared`): every run, recipe and process of an account uses the
same token. A token is kept in the keychain with its expiry; it is renewed under a lock (a thread
lock plus a file lock in the data directory) that first re-reads the stored token, so two runs
never both buy one (Shopify client credentials: one token a day, not one per run) and a rotating
refresh token is never spent twice (Jushuitan).
"""

from __future__ import annotations

import base64
import contextlib
import os
import threading
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from ordersync_app.connectors.sdk.spec import AccountConfig
from ordersync_app.domain.errors import AuthError, SetupError
from ordersync_app.domain.redact import clip, register_secret


# -- static kinds ---------------------------------------------------------------------------------
class HeaderToken(httpx.Auth):
    """Sends a secret in a header, e.g. ``Authorization: Bearer …`` or ``X-Shopify-Access-Token``."""

    def __init__(self, header: str, token: str, *, prefix: str = "") -> None:
        register_secret(token)
        self._header = header
        self._value = f"{prefix}{token}"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers[self._header] = self._value
        yield request


class QueryToken(httpx.Auth):
    """Sends secrets as query parameters (``?api_key=…``; WooCommerce's fallback when a host strips
    ``Authorization``)."""

    def __init__(self, values: dict[str, str]) -> None:
        for value in values.values():
            register_secret(value)
        self._values = values

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.url = request.url.copy_merge_params(self._values)
        yield request


def bearer(token: str) -> HeaderToken:
    """``Authorization: Bearer <token>``."""
    return HeaderToken("Authorization", token, prefix="Bearer ")


def _value(account: AccountConfig, key: str) -> str:
    """A setting or, failing that, a secret of the account."""
    return account.settings.get(key) or account.secret(key) or ""


def _needs(account: AccountConfig, *keys: str) -> list[str]:
    values = [_value(account, k) for k in keys]
    missing = [k for k, v in zip(keys, values, strict=True) if not v]
    if missing:
        raise SetupError(f"account '{account.name}' has no {', '.join(missing)}",
                         hint="add it in Accounts (or ordersync account add … --replace)")
    return values


def api_key(account: AccountConfig, key: str = "api_key", *, header: str | None = None,
            query: str | None = None, prefix: str = "") -> httpx.Auth:
    """An API key from the account in a header or a query parameter."""
    (secret,) = _needs(account, key)
    return HeaderToken(header, secret, prefix=prefix) if header else QueryToken({query or key: secret})


def basic(account: AccountConfig, user: str, password: str, *, query_fallback: bool = False) -> httpx.Auth:
    """HTTP Basic with two account values; ``query_fallback`` sends them as query parameters instead."""
    name, secret = _needs(account, user, password)
    register_secret(secret)
    if query_fallback:
        return QueryToken({user: name, password: secret})
    register_secret(base64.b64encode(f"{name}:{secret}".encode()).decode())
    return httpx.BasicAuth(name, secret)


# -- tokens ---------------------------------------------------------------------------------------
@dataclass
class Token:
    """What a token endpoint gave: the token, its lifetime, and values to keep.

    ``keep_secrets`` are stored in the keychain (a rotated refresh token); ``keep_state`` in the
    account's non-secret state (``instance_url``, a corp id).
    """

    value: str
    expires_in: float | None = None
    keep_secrets: dict[str, str] = field(default_factory=dict)
    keep_state: dict[str, str] = field(default_factory=dict)


TokenRequest = Callable[[AccountConfig], httpx.Request]
ReadToken = Callable[[httpx.Response, AccountConfig], Token]
ApplyToken = Callable[[httpx.Request, str, AccountConfig], httpx.Request]


def header_apply(header: str = "Authorization", prefix: str = "Bearer ") -> ApplyToken:
    """Put the token in a header."""
    def apply(request: httpx.Request, token: str, _account: AccountConfig) -> httpx.Request:
        request.headers[header] = f"{prefix}{token}"
        return request
    return apply


def json_token(token_path: str = "access_token", *,  # noqa: S107 - a JSON path, not a password
               expires_path: str | None = "expires_in",
               default_lifetime: float | None = 3600.0, keep: tuple[str, ...] = ("refresh_token",),
               state: tuple[str, ...] = (), refused: str = "the sign-in") -> ReadToken:
    """Read a JSON token answer (RFC 6749 §5.1 by default); a non-200 answer is an AuthError saying the
    vendor refused ``refused`` ("the client credentials", "the refresh token")."""
    from ordersync_app.connectors.sdk.paths import dig

    def read(response: httpx.Response, account: AccountConfig) -> Token:
        body: Any = None
        with contextlib.suppress(ValueError):
            body = response.json()
        value = dig(body, token_path) if response.status_code == 200 else None
        if not value:
            raise AuthError(f"the vendor refused {refused} of account '{account.name}' "
                            f"(HTTP {response.status_code})", vendor_message=clip(response.text, 300),
                            hint="check the credentials, or sign in again (Reconnect)", account=account.name)
        lifetime = dig(body, expires_path) if expires_path else None
        try:
            expires = float(lifetime) if lifetime not in (None, "") else default_lifetime
        except (TypeError, ValueError):
            expires = default_lifetime
        if expires is not None and not 0 < expires < 10 * 365 * 86400:
            expires = default_lifetime  # a negative or absurd lifetime: assume the default
        return Token(str(value), expires,
                     keep_secrets={k: str(v) for k in keep if (v := dig(body, k))},
                     keep_state={k.rsplit(".", 1)[-1]: str(v) for k in state if (v := dig(body, k))})
    return read


class _FileLock:
    """An exclusive lock on a file, held by this process until released (released if it dies)."""

    def __init__(self, path: Path | None) -> None:
        self._path = path

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        if self._path is None:
            yield
            return
        self._path.parent.mkdir(parents=True, exist_ok=True)
        with self._path.open("a+b") as handle:
            if os.name == "nt":  # pragma: no cover - Windows
                import msvcrt

                handle.seek(0)
                msvcrt.locking(handle.fileno(), msvcrt.LK_LOCK, 1)  # type: ignore[attr-defined,unused-ignore]
            else:
                import fcntl

                fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            yield  # closing the file releases the lock


class TokenAuth(httpx.Auth):
    """A token bought from the vendor, kept in the keychain and shared by the whole account.

    Args:
        account: the account (its secrets, state and lock directory).
        request: builds the token request (client credentials, refresh, JWT assertion, login).
        read: reads the answer into a :class:`Token` (raise :class:`AuthError` when refused).
        apply: puts the token on a call (a header, a query parameter, a cookie, a body field).
        store_as: the keychain key of the token; its expiry goes to ``<store_as>_expires_at``.
        skew: renew this many seconds before the token expires.
        initial: the stored token may have been given by the user (no expiry: valid until refused).
    """

    requires_response_body = True

    def __init__(self, account: AccountConfig, *, request: TokenRequest, read: ReadToken, apply: ApplyToken,
                 store_as: str = "access_token", skew: float = 300.0) -> None:
        self._account, self._make, self._read, self._apply = account, request, read, apply
        self._key, self._skew = store_as, skew
        self._lock = threading.RLock()
        lock_dir = Path(account.lock_dir) if account.lock_dir else None
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in f"{account.name}.{store_as}")
        self._file = _FileLock(lock_dir / f"{safe}.lock" if lock_dir else None)
        self._token: str | None = None
        self._expires_at: float | None = None
        self._refused: str | None = None  # a token the vendor refused: never used again
        self.bought = 0  # tokens bought by this process (tests count them)

    def invalidate(self) -> None:
        """The vendor refused the token: the next call renews it (or reads a newer one)."""
        with self._lock:
            self._refused, self._token = self._token, None

    def _usable(self, token: str | None, expires_at: float | None) -> bool:
        return bool(token) and token != self._refused and (expires_at is None or time.time() < expires_at)

    def _stored(self) -> tuple[str | None, float | None]:
        token = self._account.secret(self._key)
        expires = self._account.secret(f"{self._key}_expires_at")
        try:
            return token, float(expires) if expires else None
        except ValueError:
            return token, 0.0

    def _renew(self) -> Generator[httpx.Request, httpx.Response, None]:
        with self._lock, self._file.held():
            if self._usable(self._token, self._expires_at):
                return
            stored, expires = self._stored()  # another run or process may have renewed it meanwhile
            if self._usable(stored, expires):
                self._token, self._expires_at = stored, expires
                register_secret(stored)
                return
            token_request = self._make(self._account)
            token = self._read((yield token_request), self._account)
            self.bought += 1
            register_secret(token.value)
            expires_at = time.time() + token.expires_in - min(self._skew, token.expires_in / 2) \
                if token.expires_in else None
            for key, value in token.keep_secrets.items():
                register_secret(value)
                self._account.save_secret(key, value)
            for key, value in token.keep_state.items():
                self._account.save_state(key, value)
            self._account.save_secret(self._key, token.value)
            self._account.save_secret(f"{self._key}_expires_at", "" if expires_at is None else repr(expires_at))
            self._token, self._expires_at, self._refused = token.value, expires_at, None

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if not self._usable(self._token, self._expires_at):
            yield from self._renew()
        assert self._token is not None
        yield self._apply(request, self._token, self._account)


def oauth2_refresh(account: AccountConfig, token_url: str, *, skew: float = 300.0) -> TokenAuth:
    """OAuth 2.0 access token kept fresh with a refresh token (RFC 6749 §6), refreshed ahead of
    ``expires_in`` (HubSpot says a 401 is not a refresh signal); a rotated refresh token is kept."""
    def request(acct: AccountConfig) -> httpx.Request:
        refresh = acct.secret("refresh_token")
        client_id = acct.settings.get("client_id") or acct.secret("client_id")
        client_secret = acct.secret("client_secret")
        if not (refresh and client_id and client_secret):
            raise AuthError(f"account '{acct.name}' has no OAuth refresh token or client credentials",
                            hint="sign in again (Reconnect) to obtain a refresh token", account=acct.name)
        register_secret(refresh)
        register_secret(client_secret)
        return httpx.Request("POST", token_url, data={"grant_type": "refresh_token", "refresh_token": refresh,
                                                      "client_id": client_id, "client_secret": client_secret})
    return TokenAuth(account, request=request, read=json_token(default_lifetime=1800.0, refused="the refresh token"),
                     apply=header_apply(),
                     skew=skew)


def client_credentials(account: AccountConfig, token_url: str, *, header: str = "Authorization",
                       prefix: str = "Bearer ", body: str = "form", store_as: str = "client_token",
                       skew: float = 300.0) -> TokenAuth:
    """OAuth 2.0 client credentials (RFC 6749 §4.4): the app's client ID and secret buy a short-lived
    token, bought again before it expires or after the server refuses it; ``body`` form or json."""
    def request(acct: AccountConfig) -> httpx.Request:
        client_id, secret = _needs(acct, "client_id", "client_secret")
        register_secret(secret)
        values = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
        if body == "json":
            return httpx.Request("POST", token_url, json=values)
        return httpx.Request("POST", token_url, data=values)
    return TokenAuth(account, request=request, read=json_token(keep=(), refused="the client credentials"),
                     apply=header_apply(header, prefix),
                     store_as=store_as, skew=skew)


Sign = Callable[[httpx.Request, AccountConfig], httpx.Request]


class SignedAuth(httpx.Auth):
    """Signs every call with a vendor hook (sorted-parameter MD5, HMAC-SHA256 over the request).

    A vendor whose signed calls also carry a token signs inside its :class:`TokenAuth` ``apply``.
    """

    requires_request_body = True

    def __init__(self, account: AccountConfig, sign: Sign) -> None:
        self._account, self._sign = account, sign

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        yield self._sign(request, self._account)


# -- one holder per account -----------------------------------------------------------------------
_shared: dict[tuple[Any, ...], httpx.Auth | None] = {}
_shared_lock = threading.Lock()


def shared(account: AccountConfig, make: Callable[[AccountConfig], httpx.Auth | None]) -> httpx.Auth | None:
    """The process-wide auth of ``account`` (made on first use), so every run shares its tokens.

    The key includes the account's address and settings: a changed account gets a new holder.
    """
    key = (account.name, account.connector, account.base_url, tuple(sorted(account.settings.items())))
    with _shared_lock:
        if key not in _shared:
            _shared[key] = make(account)
        return _shared[key]


def forget(account_name: str | None = None) -> None:
    """Drop the shared holders of one account (replaced, removed, reconnected), or of all."""
    with _shared_lock:
        for key in [k for k in _shared if account_name is None or k[0] == account_name]:
            del _shared[key]
