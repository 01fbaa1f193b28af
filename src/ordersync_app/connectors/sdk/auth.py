"""Sign-in kinds as httpx ``Auth`` flows, with one credential holder per account.

Static kinds put a stored secret on each call: :func:`api_key`, :func:`basic`, :func:`bearer`.
Token kinds buy a token and keep it: :class:`TokenAuth` is the one mechanism behind OAuth 2.0
refresh (with refresh-token rotation), client credentials (form or JSON body), JWT bearer
(:func:`jwt_bearer`, RS256 assertions) and login sessions (a cookie is a token too); a vendor module
passes three small functions — build the token request, read the answer, put the token on a call.
A token answer may also name the API host (Salesforce's ``instance_url``): :func:`instance_apply`
sends the account's calls there, and nowhere else. :class:`SignedAuth` runs a request-signing hook
(sorted-parameter MD5, HMAC-SHA256) on every call.

Some vendors need more than one call to buy a token: Yonyou first asks which data centre serves the
tenant, Fxiaoke names the acting employee by a second look-up. A *token flow* (``request`` returning a
generator) makes those calls inside the same lock, and may keep what it learnt in the account's state;
``requires`` names the state a stored token is useless without, and ``limit`` paces the token endpoint.

Why one holder per account (:func:`shared`): every run, recipe and process of an account uses the
same token. A token is kept in the keychain with its expiry; it is renewed under a lock (a thread
lock plus a file lock in the data directory) that first re-reads the stored token, so two runs
never both buy one (Shopify client credentials: one token a day, not one per run) and a rotating
refresh token is never spent twice (Jushuitan).
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import os
import threading
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from ordersync_app.connectors.sdk.spec import AccountConfig, RateLimit
from ordersync_app.domain.errors import AuthError, SetupError, TransientError
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


def require(account: AccountConfig, *keys: str) -> list[str]:
    """The values of ``keys`` (settings, else secrets) of an account; the secret ones are registered for masking.

    Raises:
        SetupError: naming every value that is missing.
    """
    values = _needs(account, *keys)
    for key, value in zip(keys, values, strict=True):
        if not account.settings.get(key):
            register_secret(value)
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


# A token flow: yields preliminary calls (data-centre discovery, a look-up) and receives their answers, then
# returns the token request (whose answer ``read`` reads) or the finished :class:`Token`.
TokenFlow = Generator[httpx.Request, httpx.Response, "httpx.Request | Token"]
TokenRequest = Callable[[AccountConfig], "httpx.Request | TokenFlow"]
ReadToken = Callable[[httpx.Response, AccountConfig], Token]
ApplyToken = Callable[[httpx.Request, str, AccountConfig], httpx.Request]


def header_apply(header: str = "Authorization", prefix: str = "Bearer ") -> ApplyToken:
    """Put the token in a header."""
    def apply(request: httpx.Request, token: str, _account: AccountConfig) -> httpx.Request:
        request.headers[header] = f"{prefix}{token}"
        return request
    return apply


def cookie_apply(request: httpx.Request, token: str, _account: AccountConfig) -> httpx.Request:
    """Put a session token kept as cookie text (``name=value; name2=value2``) on a call."""
    request.headers["Cookie"] = token
    return request


def cookies_of(response: httpx.Response, names: tuple[str, ...]) -> str:
    """The named session cookies a login answer set, as cookie text for :func:`cookie_apply` ("" if none)."""
    return "; ".join(f"{name}={value}" for name in names if (value := response.cookies.get(name)))


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
        read: reads the answer into a :class:`Token` (raise :class:`AuthError` when refused); a flow that
            returns the :class:`Token` itself needs none.
        apply: puts the token on a call (a header, a query parameter, a cookie, a body field).
        store_as: the keychain key of the token; its expiry goes to ``<store_as>_expires_at``.
        skew: renew this many seconds before the token expires.
        requires: state keys the token's calls need (a corp id, a gateway): a stored token whose account
            state lacks one of them is bought again, so the flow learns them anew.
        limit: the token endpoint's own budget (Fxiaoke: 10 calls a minute); acquired before each purchase.
        needs_state: the same as ``requires`` (Salesforce's ``instance_url``), also checked for the token held
            in memory.

    The account's state is remembered by this holder too, so a flow's ``keep_state`` reaches ``apply``
    even for an account whose state is not kept anywhere (a test account, a connection check).
    """

    requires_response_body = True

    def __init__(self, account: AccountConfig, *, request: TokenRequest, apply: ApplyToken,
                 read: ReadToken | None = None, store_as: str = "access_token", skew: float = 300.0,
                 requires: tuple[str, ...] = (), limit: RateLimit | None = None,
                 needs_state: tuple[str, ...] = ()) -> None:
        self._account, self._make, self._read, self._apply = _remembering(account), request, read, apply
        self._key, self._skew, self._requires, self._limit = store_as, skew, requires + needs_state, limit
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
        return bool(token) and token != self._refused and (expires_at is None or time.time() < expires_at) \
            and self._complete()

    def _complete(self) -> bool:
        return all(self._account.state(key) for key in self._requires)

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
            if self._usable(stored, expires) and self._complete():
                self._token, self._expires_at = stored, expires
                register_secret(stored)
                return
            if self._limit is not None:  # one purchase (a flow included) takes one call of the endpoint's budget
                from ordersync_app.connectors.sdk.http import limiter_for  # http imports this module

                limiter_for(self._account.name, self._limit).acquire()
            made = self._make(self._account)
            found: httpx.Request | Token = made if isinstance(made, httpx.Request) else (yield from made)
            if isinstance(found, httpx.Request):
                if self._read is None:
                    raise TypeError("a TokenAuth whose flow returns a token request needs read=")
                found = self._read((yield found), self._account)
            token = found
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


def checked(response: httpx.Response, account: AccountConfig, what: str, *, vendor: str, code: str, ok: Any,
            busy: tuple[Any, ...] = (), explain: Callable[[httpx.Response], str] | None = None,
            setup: bool = False) -> dict[str, Any]:
    """The JSON body of a token-flow answer whose ``code`` is ``ok`` (codes compare as text).

    Raises:
        TransientError: a ``busy`` code: the vendor asks to try later (a token endpoint's own limit).
        SetupError: the answer is no JSON (a web page: a wrong address), or ``setup`` and the vendor does not
            know ``what`` (a tenant id: a value of the account, not a credential).
        AuthError: the vendor refused ``what`` (credentials); its message (``explain``) is kept, masked.
    """
    from ordersync_app.connectors.sdk.rules import body_of  # rules is imported by the http layer first

    body, who = body_of(response), f"account '{account.name}'"
    said = clip(explain(response) if explain else response.text, 300)
    if not isinstance(body, dict):
        raise SetupError(f"{vendor} answered no JSON for {who} (HTTP {response.status_code})", vendor_message=said,
                         hint="check the account's address")
    if str(body.get(code)) == str(ok):
        return body
    if str(body.get(code)) in {str(b) for b in busy}:
        raise TransientError(f"{vendor} is busy ({what}, {who})", retry_after=60.0, vendor_message=said)
    if setup:
        raise SetupError(f"{vendor} does not know {what} of {who}", vendor_message=said,
                         hint="check the value in Accounts")
    raise AuthError(f"{vendor} refused {what} of {who}", vendor_message=said, account=account.name,
                    hint="check the values in Accounts (or Reconnect)")


def _remembering(account: AccountConfig) -> AccountConfig:
    """The account, with its state also remembered in memory (read once, then served from here)."""
    kept: dict[str, str] = {}

    def state(key: str) -> str | None:
        if key not in kept and (value := account.state(key)) is not None:
            kept[key] = value
        return kept.get(key)

    def save_state(key: str, value: str | None) -> None:
        account.save_state(key, value)
        if value is None:
            kept.pop(key, None)
        else:
            kept[key] = value

    return dataclasses.replace(account, state=state, save_state=save_state)


def oauth2_refresh(account: AccountConfig, token_url: str, *, skew: float = 300.0, read: ReadToken | None = None,
                   apply: ApplyToken | None = None, secret_required: bool = True,
                   needs_state: tuple[str, ...] = ()) -> TokenAuth:
    """OAuth 2.0 access token kept fresh with a refresh token (RFC 6749 §6), refreshed ahead of
    ``expires_in`` (HubSpot says a 401 is not a refresh signal); a rotated refresh token is kept.

    ``secret_required=False`` for apps signed in with PKCE that need no client secret to refresh (the
    secret is still sent when the account has one); ``read``/``apply``/``needs_state`` as in
    :class:`TokenAuth` (default: RFC 6749 JSON, 30 minutes when no ``expires_in``; a bearer header).
    """
    def request(acct: AccountConfig) -> httpx.Request:
        refresh = acct.secret("refresh_token")
        client_id = acct.settings.get("client_id") or acct.secret("client_id")
        client_secret = acct.secret("client_secret")
        if not (refresh and client_id and (client_secret or not secret_required)):
            raise AuthError(f"account '{acct.name}' has no OAuth refresh token or client credentials",
                            hint="sign in again (Reconnect) to obtain a refresh token", account=acct.name)
        register_secret(refresh)
        form = {"grant_type": "refresh_token", "refresh_token": refresh, "client_id": client_id}
        if client_secret:
            register_secret(client_secret)
            form["client_secret"] = client_secret
        return httpx.Request("POST", token_url, data=form)
    return TokenAuth(account, request=request,
                     read=read or json_token(default_lifetime=1800.0, refused="the refresh token"),
                     apply=apply or header_apply(), skew=skew, needs_state=needs_state)


JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"  # RFC 7523 §2.1


def jwt_bearer(account: AccountConfig, token_url: str, *, audience: str | Callable[[AccountConfig], str],
               issuer: str = "client_id", subject: str = "username", key: str = "private_key", lifetime: int = 180,
               read: ReadToken | None = None, apply: ApplyToken | None = None, needs_state: tuple[str, ...] = (),
               skew: float = 300.0) -> TokenAuth:
    """A token bought with an RS256-signed assertion (RFC 7523 §2.1): no refresh token, no browser.

    The assertion carries the claims RFC 7523 §3 requires: ``iss`` and ``sub`` from the account values
    ``issuer`` and ``subject`` (an app's client ID, the user it acts as), ``aud`` (the authorization
    server), and ``exp`` ``lifetime`` seconds ahead. The private key is the account's secret ``key`` (a
    PEM, :mod:`.jwt`). A refused or expired token is replaced by signing a new assertion.
    """
    from ordersync_app.connectors.sdk.jwt import sign_rs256

    def request(acct: AccountConfig) -> httpx.Request:
        iss, sub, private_key = _needs(acct, issuer, subject, key)
        register_secret(private_key)
        claims = {"iss": iss, "sub": sub, "aud": audience(acct) if callable(audience) else audience,
                  "exp": int(time.time()) + lifetime}
        assertion = sign_rs256(claims, private_key)
        register_secret(assertion)
        return httpx.Request("POST", token_url, data={"grant_type": JWT_BEARER, "assertion": assertion})
    return TokenAuth(account, request=request, read=read or json_token(keep=(), refused="the signed assertion"),
                     apply=apply or header_apply(), skew=skew, needs_state=needs_state)


def _loopback(host: str) -> bool:
    return host in ("127.0.0.1", "::1", "localhost")


def instance_apply(inner: ApplyToken | None = None, *, key: str = "instance_url") -> ApplyToken:
    """Send the account's calls to the API host the token answer named (account state ``key``).

    Calls are built against the account's address (the login host); this rewrites their scheme, host
    and port to the instance's and then puts the token on them with ``inner`` (a bearer header). The
    token goes to no other host: a call for any host but the login host or the instance is refused, as
    is an instance that is not HTTPS (plain HTTP only on loopback, for the sandbox).

    Raises:
        SetupError: the call is for another host, or the instance address is unusable.
    """
    put = inner or header_apply()

    def apply(request: httpx.Request, token: str, account: AccountConfig) -> httpx.Request:
        found = account.state(key)
        instance = httpx.URL(found or "")
        if not found or not instance.host or not (instance.scheme == "https" or
                                                  (instance.scheme == "http" and _loopback(instance.host))):
            raise SetupError(f"account '{account.name}' has no usable API address ({key} {found!r})",
                             hint="sign in again (Reconnect); the sign-in names the API address")
        login = httpx.URL(account.base_url)
        where = (request.url.scheme, request.url.host, request.url.port)
        if where not in ((login.scheme, login.host, login.port), (instance.scheme, instance.host, instance.port)):
            raise SetupError(f"OrderSync will not send account '{account.name}' credentials to {request.url.host}",
                             hint="only the login host and the API address the sign-in named receive them")
        request.url = request.url.copy_with(scheme=instance.scheme, host=instance.host, port=instance.port)
        request.headers["Host"] = instance.netloc.decode("ascii")
        return put(request, token, account)
    return apply


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
