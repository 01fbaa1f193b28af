"""OAuth 2.0 sign-in in the system browser with a loopback redirect (RFC 8252), without Qt.

Why it exists: vendors such as HubSpot and Salesforce hand out refresh tokens only through the
authorization-code grant, so a desktop user must sign in on the vendor's page. What differs per
vendor is declared by its connector (:class:`~ordersync_app.connectors.sdk.spec.OAuthApp`: the sign-in
page and token endpoint, absolute or below the account's address, scopes, extra authorize
parameters, a fixed callback port, what the token answer carries that must be kept).

A native app cannot keep a secret web server, so (RFC 8252 §7.3) it listens once on the loopback IP
literal ``127.0.0.1`` on a port the OS picks, sends the browser to the vendor with
``redirect_uri=http://127.0.0.1:<port>/callback``, a random ``state`` (RFC 6749 §10.12) and a PKCE
``code_challenge`` (RFC 7636, required for native apps by RFC 8252 §8.1), then exchanges the code
for tokens and puts them in the keychain (and values such as Salesforce's ``instance_url`` in the
account's state), where the connector's token flow
(:func:`~ordersync_app.connectors.sdk.auth.oauth2_refresh`) finds them.

The GUI opens :attr:`Flow.url` with ``QDesktopServices.openUrl`` and calls :meth:`Flow.wait` on its
background helper; tests fetch the URL with httpx against the sandbox. Callers run
``accounts.test_account`` afterwards, which marks the account ok and resumes paused recipes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets as random
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx

from ordersync_app.connectors.sdk import auth
from ordersync_app.connectors.sdk.http import USER_AGENT
from ordersync_app.connectors.sdk.spec import OAuthApp
from ordersync_app.domain.errors import AuthError, SetupError, TransientError
from ordersync_app.domain.redact import clip, register_secret
from ordersync_app.secrets import store
from ordersync_app.services import accounts

CALLBACK_PATH = "/callback"
DEFAULT_TIMEOUT = 300.0
REFRESH_SKEW = 300.0  # as OAuth2Refresh: the stored expiry is when to refresh, 5 minutes early
_PAGE = ("<!doctype html><meta charset='utf-8'><title>OrderSync</title><body style='font-family:sans-serif'>"
         "<h2>{en}</h2><p>{zh}</p><p>You can close this tab and return to OrderSync.</p>"
         "<p>可以关闭此页面，回到 OrderSync。</p>")


Provider = OAuthApp  # what OAuth sign-in needs to know about one vendor, declared by its connector


def provider(connector_key: str) -> OAuthApp:
    """The OAuth facts a connector declares, or SetupError when it does not sign in through the browser."""
    app = accounts.connector(connector_key).oauth
    if app is None:
        raise SetupError(f"{connector_key} accounts do not sign in through the browser",
                         hint="fill in the account's keys instead")
    return app


def _at(root: str, address: str) -> str:
    """An absolute address, or a path below the account's address (Salesforce signs in on the org's host)."""
    return address if address.startswith(("https://", "http://")) else f"{root.rstrip('/')}{address}"


def pkce_pair() -> tuple[str, str]:
    """(code_verifier, S256 code_challenge): 43 unreserved characters and their base64url SHA-256 (RFC 7636 §4)."""
    verifier = random.token_urlsafe(32)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class _Listener(ThreadingHTTPServer):
    """The loopback redirect receiver; ``answer`` holds the first callback that carries our ``state``.

    Each connection is served on its own thread with a socket timeout, so an idle or slow local
    connection cannot hold up the browser's callback; a callback with another ``state`` (a stale
    tab, another program) gets an error page and the listener keeps waiting for the real one.
    """

    daemon_threads = True

    def __init__(self, port: int, state: str) -> None:
        self.answer: dict[str, str] | None = None
        self.arrived = threading.Event()
        self.state = state
        super().__init__(("127.0.0.1", port), _CallbackHandler)


class _CallbackHandler(BaseHTTPRequestHandler):
    server: _Listener
    timeout = 10.0  # seconds a connection may stay silent (socket timeout of the request)

    def log_message(self, format: str, *args: Any) -> None:  # the query holds the code: never log it
        del format, args

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        if parts.path != CALLBACK_PATH or self.server.arrived.is_set():
            self._reply(404, "Not found", "未找到")
            return
        answer = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        if not hmac.compare_digest(answer.get("state", "").encode(), self.server.state.encode()):
            self._reply(400, "This sign-in link is not the one OrderSync is waiting for. Start the sign-in "
                        "again from OrderSync.", "此登录链接不属于 OrderSync 当前的登录，请在 OrderSync 中重新登录。")
            return
        self.server.answer = answer
        ok = "code" in answer
        self._reply(200, "Signed in." if ok else "Sign-in was not completed.", "已登录。" if ok else "登录未完成。")
        self.server.arrived.set()

    def _reply(self, status: int, en: str, zh: str) -> None:
        data = _PAGE.format(en=en, zh=zh).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)


@dataclass(frozen=True)
class SignedIn:
    """What a finished sign-in stored (no token values); ``expires_at`` None: used until refused."""

    account: str
    expires_at: float | None
    scope: str


class Flow:
    """One sign-in under way: open :attr:`url` in the browser, then :meth:`wait` (off the GUI thread)."""

    def __init__(self, account: str, token_url: str, client_id: str, client_secret: str | None,
                 authorize_url: str, scopes: str, port: int = 0, *, app: OAuthApp | None = None) -> None:
        self.account = account
        self._app = app or OAuthApp(authorize_url, token_url, scopes)
        self._token_url = token_url
        self._client_id = client_id
        self._client_secret = client_secret
        self._state = random.token_urlsafe(24)
        self._verifier, challenge = pkce_pair()
        self._server = _Listener(port, self._state)
        self.redirect_uri = f"http://127.0.0.1:{self._server.server_address[1]}{CALLBACK_PATH}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"oauth-{account}", daemon=True)
        self._thread.start()
        self._closed = False
        query = urlencode({**self._app.extra, "client_id": client_id, "redirect_uri": self.redirect_uri,
                           "scope": scopes, "state": self._state, "code_challenge": challenge,
                           "code_challenge_method": "S256"})
        self.url = f"{authorize_url}{'&' if '?' in authorize_url else '?'}{query}"

    def cancel(self) -> None:
        """Stop listening; a :meth:`wait` under way ends with a SetupError."""
        self._server.arrived.set()
        self.close()

    def close(self) -> None:
        """Release the port (idempotent)."""
        if not self._closed:
            self._closed = True
            self._server.shutdown()
            self._server.server_close()

    def wait(self, timeout: float = DEFAULT_TIMEOUT) -> SignedIn:
        """Wait for the browser to come back, check ``state``, exchange the code, store the tokens.

        Raises:
            SetupError: timed out, cancelled, or the answer did not belong to this sign-in.
            AuthError: the user refused access or the vendor refused the code.
            TransientError: the token endpoint could not be reached.
        """
        try:
            if not self._server.arrived.wait(timeout):
                raise SetupError(f"sign-in for account '{self.account}' did not finish within {int(timeout)} s",
                                 hint="click Sign in again and finish signing in in the browser")
            answer = self._server.answer
        finally:
            self.close()
        if answer is None:
            raise SetupError(f"sign-in for account '{self.account}' was cancelled")
        if not hmac.compare_digest(answer.get("state", ""), self._state):
            raise SetupError("the browser's answer does not belong to this sign-in (state mismatch)",
                             hint="start the sign-in again from OrderSync")
        if "code" not in answer:
            raise AuthError(f"sign-in for account '{self.account}' was refused or cancelled",
                            account=self.account, vendor_message=clip(answer.get("error", "no code"), 200),
                            hint="sign in again and allow access")
        return self._exchange(answer["code"])

    def _exchange(self, code: str) -> SignedIn:
        register_secret(code)
        secret = self._client_secret or store.get_secret(self.account, "client_secret") or ""
        register_secret(secret)
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": self.redirect_uri,
                "client_id": self._client_id, "client_secret": secret, "code_verifier": self._verifier}
        try:
            response = httpx.post(self._token_url, data=form, timeout=30.0, headers={"User-Agent": USER_AGENT})
        except httpx.HTTPError as exc:
            raise TransientError(f"the sign-in server could not be reached ({type(exc).__name__})") from exc
        if response.status_code != 200:
            raise AuthError(f"the vendor refused the sign-in of account '{self.account}' "
                            f"(HTTP {response.status_code})", account=self.account,
                            vendor_message=clip(response.text, 300),
                            hint="check the client ID and secret, then sign in again")
        try:
            body = response.json()
            access, refresh = str(body["access_token"]), str(body.get("refresh_token") or "")
        except (ValueError, KeyError, TypeError):
            raise AuthError(f"the sign-in server's answer for account '{self.account}' has no access token",
                            account=self.account, vendor_message=clip(response.text, 300),
                            hint="sign in again; if it keeps failing, check the app's token URL") from None
        register_secret(access)
        register_secret(refresh)
        lifetime = expires_in(body.get("expires_in"), default=0.0) or self._app.lifetime
        expires_at = time.time() + lifetime - REFRESH_SKEW if lifetime else None  # Salesforce: until refused
        store.set_secret(self.account, "access_token", access)
        store.set_secret(self.account, "access_token_expires_at", "" if expires_at is None else str(expires_at))
        if refresh:
            store.set_secret(self.account, "refresh_token", refresh)
        for key in (k for k in self._app.keep if k != "refresh_token" and body.get(k)):
            register_secret(str(body[key]))
            store.set_secret(self.account, key, str(body[key]))
        for key in (k for k in self._app.state if body.get(k)):
            accounts.set_state(self.account, key, str(body[key]))  # e.g. the org's instance_url
        if self._client_secret:
            store.set_secret(self.account, "client_secret", self._client_secret)
        auth.forget(self.account)  # the account's shared sign-in takes the new tokens
        return SignedIn(self.account, expires_at, granted_scopes(body))


MAX_EXPIRES_IN = 366 * 24 * 3600.0  # a year; longer is a garbled answer, not a token lifetime


def expires_in(value: Any, *, default: float) -> float:
    """Seconds a token lives, from a token answer's ``expires_in`` (RFC 6749 §5.1).

    Raises:
        AuthError: the value is not a number of seconds between 1 and a year (negative, NaN, absurd).
    """
    if value is None:
        return default
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        seconds = float("nan")
    if not 0 < seconds <= MAX_EXPIRES_IN:  # also false for NaN
        raise AuthError(f"the sign-in server gave a token lifetime that makes no sense ({clip(str(value), 40)} s)",
                        hint="sign in again; if it keeps happening, the token endpoint is not answering OAuth")
    return seconds


def granted_scopes(body: Mapping[str, Any]) -> str:
    """The scopes a token answer grants: ``scope`` (RFC 6749 §5.1, space-separated) or HubSpot's
    ``scopes`` list (its /oauth/v1/token answer, checked against HubSpot's OAuth OpenAPI file with Prism
    in the 2026-11 security review, issue 9 [V])."""
    listed = body.get("scopes")
    if isinstance(listed, list):
        return " ".join(str(s) for s in listed)
    return str(body.get("scope") or listed or "")


def begin(account_name: str, connector_key: str, settings: Mapping[str, Any], *, base_url: str | None = None,
          client_secret: str | None = None, port: int = 0) -> Flow:
    """Start a sign-in: listen on loopback and build the vendor's authorize URL.

    Args:
        account_name: where the tokens go in the keychain.
        connector_key: e.g. ``hubspot``, ``salesforce``.
        settings: the account's settings (``client_id``; the connector's ``authorize_setting`` overrides the
            vendor's page, its ``port_setting`` fixes the loopback port).
        base_url: the account's address, which relative sign-in addresses hang off (default: the connector's).
        client_secret: as typed in the form; None reads it from the keychain at exchange time.
        port: 0 lets the OS pick (RFC 8252 §7.3) unless the connector fixes one for vendors that match
            redirects exactly.

    Raises:
        SetupError: the connector has no OAuth sign-in, no client ID was given, or the port setting is wrong.
    """
    conn = accounts.connector(connector_key)
    app = provider(conn.key)
    if client_secret:
        client_secret = accounts.clean_secret("OAuth client secret", client_secret)
    client_id = str(settings.get("client_id") or "").strip()
    if not client_id:
        raise SetupError(f"account '{account_name}' has no OAuth client ID",
                         hint="copy the client ID from your app's Auth settings into the account form")
    defaults = {s.key: s.default for s in conn.settings if s.default is not None}
    try:
        root = base_url or conn.base_url.format(**{**defaults, **settings})
    except KeyError as exc:
        raise SetupError(f"account '{account_name}' needs the setting {exc} to sign in") from None
    chosen = str(settings.get(app.authorize_setting) or "").strip() if app.authorize_setting else ""
    fixed = str(settings.get(app.port_setting) or defaults.get(app.port_setting) or "0").strip() \
        if app.port_setting else "0"
    if not fixed.isdigit() or int(fixed) > 65535:
        raise SetupError(f"the sign-in callback port '{fixed}' is not a port number", hint="use 1024–65535")
    return Flow(account_name, _at(root, app.token_url), client_id, client_secret,
                _at(root, chosen or app.authorize_url), app.scopes, port or int(fixed), app=app)
