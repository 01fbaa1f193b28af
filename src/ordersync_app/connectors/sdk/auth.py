"""httpx ``Auth`` flows shared by connectors: static tokens and OAuth 2.0 with refresh.

Signature-style auth (Jushuitan, Wangdiantong…) lives in the vendor module as its own small
``httpx.Auth``; if a second vendor needs the same signing, it moves here.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Generator

import httpx

from ordersync_app.connectors.sdk.spec import AccountConfig
from ordersync_app.domain.errors import AuthError
from ordersync_app.domain.redact import clip, register_secret


class HeaderToken(httpx.Auth):
    """Sends a secret in a header, e.g. ``Authorization: Bearer …`` or ``X-Shopify-Access-Token``."""

    def __init__(self, header: str, token: str, *, prefix: str = "") -> None:
        register_secret(token)
        self._header = header
        self._value = f"{prefix}{token}"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers[self._header] = self._value
        yield request


def bearer(token: str) -> HeaderToken:
    """``Authorization: Bearer <token>``."""
    return HeaderToken("Authorization", token, prefix="Bearer ")


class OAuth2Refresh(httpx.Auth):
    """OAuth 2.0 access token kept fresh with a refresh token (RFC 6749 §6).

    Refreshes ahead of ``expires_in`` rather than waiting for a 401 (HubSpot says a 401 is not a
    refresh signal), and once more when the server does refuse the token (``invalidate``).
    A rotated refresh token is written back to the keychain through ``account.save_secret``.
    """

    requires_response_body = True

    def __init__(self, account: AccountConfig, token_url: str, *, skew: float = 300.0) -> None:
        self._account = account
        self._token_url = token_url
        self._skew = skew
        self._lock = threading.Lock()
        self._access: str | None = account.secret("access_token")
        expires = account.secret("access_token_expires_at")
        self._expires_at = float(expires) if expires else 0.0
        register_secret(self._access)

    def invalidate(self) -> None:
        """Forget the access token so the next call refreshes it."""
        with self._lock:
            self._expires_at = 0.0

    def _refresh_request(self) -> httpx.Request:
        refresh = self._account.secret("refresh_token")
        client_id = self._account.settings.get("client_id") or self._account.secret("client_id")
        client_secret = self._account.secret("client_secret")
        if not (refresh and client_id and client_secret):
            raise AuthError(
                f"account '{self._account.name}' has no OAuth refresh token or client credentials",
                hint="sign in again (Reconnect) to obtain a refresh token", account=self._account.name,
            )
        register_secret(refresh)
        register_secret(client_secret)
        return httpx.Request("POST", self._token_url, data={
            "grant_type": "refresh_token", "refresh_token": refresh,
            "client_id": client_id, "client_secret": client_secret,
        })

    def _take(self, response: httpx.Response) -> None:
        if response.status_code != 200:
            raise AuthError(
                f"refreshing the OAuth token of account '{self._account.name}' failed "
                f"(HTTP {response.status_code})",
                vendor_message=clip(response.text, 300), hint="sign in again (Reconnect)",
                account=self._account.name,
            )
        body = response.json()
        self._access = str(body["access_token"])
        register_secret(self._access)
        self._expires_at = time.time() + float(body.get("expires_in", 1800)) - self._skew
        self._account.save_secret("access_token", self._access)
        self._account.save_secret("access_token_expires_at", str(self._expires_at))
        if body.get("refresh_token"):
            register_secret(str(body["refresh_token"]))
            self._account.save_secret("refresh_token", str(body["refresh_token"]))

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if not self._access or time.time() >= self._expires_at:
            token_request = self._refresh_request()
            response = yield token_request
            self._take(response)
        request.headers["Authorization"] = f"Bearer {self._access}"
        yield request


class ClientCredentials(httpx.Auth):
    """OAuth 2.0 client credentials grant (RFC 6749 §4.4): a short-lived token bought with the app's
    client ID and secret, bought again before it expires or after the server refuses it.

    Args:
        account: supplies ``client_id`` (a setting) and ``client_secret`` (a secret).
        token_url: the vendor's token endpoint.
        header: where the token goes; ``prefix`` is put before it (``"Bearer "`` for RFC 6750).
    """

    requires_response_body = True

    def __init__(self, account: AccountConfig, token_url: str, *, header: str = "Authorization",
                 prefix: str = "Bearer ", skew: float = 300.0) -> None:
        self._account, self._token_url, self._header, self._prefix = account, token_url, header, prefix
        self._skew, self._token, self._expires_at = skew, "", 0.0

    def invalidate(self) -> None:
        """After a 401: the next call buys a new token."""
        self._expires_at = 0.0

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if time.time() >= self._expires_at:
            secret = self._account.secret("client_secret") or ""
            register_secret(secret)
            response = yield httpx.Request("POST", self._token_url, data={
                "grant_type": "client_credentials", "client_id": self._account.settings.get("client_id", ""),
                "client_secret": secret})
            if response.status_code != 200:
                raise AuthError(f"the vendor refused the client credentials of account '{self._account.name}'",
                                vendor_message=clip(response.text, 300), hint="check the client ID and secret",
                                account=self._account.name)
            body = response.json()
            self._token = str(body["access_token"])
            self._expires_at = time.time() + float(body.get("expires_in", 3600)) - self._skew
            register_secret(self._token)
        request.headers[self._header] = f"{self._prefix}{self._token}"
        yield request
