"""Token flows whose answer names the API host (connectors/sdk/auth.py: ``instance_apply``, ``needs_state``,
``jwt_bearer``), against the Salesforce emulator served on two loopback ports: one plays the login host,
the other the org's instance."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import count
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from ordersync_app.connectors.salesforce import API, CONNECTOR
from ordersync_app.connectors.sdk import auth
from ordersync_app.connectors.sdk.http import ApiClient
from ordersync_app.connectors.sdk.jwt import public_key_pem
from ordersync_app.connectors.sdk.spec import AccountConfig
from ordersync_app.domain.errors import AuthError, SetupError
from ordersync_app.sandbox._server import SandboxServer
from ordersync_app.sandbox.salesforce import (
    SANDBOX_CLIENT_ID,
    SANDBOX_REFRESH_TOKEN,
    SANDBOX_USERNAME,
    SalesforceSandbox,
)

_names = count()


@pytest.fixture
def org(tmp_path: Path) -> Iterator[tuple[SandboxServer, SandboxServer]]:
    """(login host, instance host): two servers over one emulated org; token answers name the second."""
    app = SalesforceSandbox(tmp_path / "org.db")
    with app.lock:
        app.db.execute("BEGIN IMMEDIATE")
        app.seed(5)
        app.db.execute("COMMIT")
    login, instance = SandboxServer([app]).start(), SandboxServer([app]).start()
    named = httpx.post(f"{login.root}/_sandbox/salesforce/instance", json={"url": instance.url("salesforce")})
    named.raise_for_status()
    yield login, instance
    login.stop()
    instance._httpd.shutdown()
    instance._httpd.server_close()


def account(login: SandboxServer, *, secrets: dict[str, str] | None = None, state: dict[str, str] | None = None,
            settings: dict[str, str] | None = None) -> AccountConfig:
    keys = {"refresh_token": SANDBOX_REFRESH_TOKEN} if secrets is None else secrets
    kept = {} if state is None else state
    return AccountConfig(name=f"org-{next(_names)}", connector="salesforce", base_url=login.url("salesforce"),
                         settings={"auth_mode": "oauth", "client_id": SANDBOX_CLIENT_ID, **(settings or {})},
                         secret=keys.get, save_secret=keys.__setitem__, state=kept.get,
                         save_state=kept.__setitem__)


def test_calls_go_to_the_instance_the_token_named_and_the_token_nowhere_else(org) -> None:
    login, instance = org
    state: dict[str, str] = {}
    with ApiClient(CONNECTOR, account(login, state=state)) as client:
        assert CONNECTOR.test_connection(client).startswith("Salesforce: 5 opportunities")
        assert state["instance_url"] == instance.url("salesforce")
        assert login.request_counts["salesforce"] == 1  # the token request only
        assert instance.request_counts["salesforce"] == 1  # the data call
        with pytest.raises(SetupError, match="will not send"):
            client.request("GET", "http://127.0.0.1:9/services/data/v62.0/query")  # a third host
    assert instance.request_counts["salesforce"] == 1


@pytest.mark.parametrize("where", ["http://example.com/salesforce", "not a url", "ftp://127.0.0.1/salesforce"])
def test_an_unusable_instance_address_is_refused(org, where: str) -> None:
    login, _instance = org
    httpx.post(f"{login.root}/_sandbox/salesforce/instance", json={"url": where}).raise_for_status()
    with ApiClient(CONNECTOR, account(login)) as client, pytest.raises((SetupError, AuthError)):
        CONNECTOR.test_connection(client)


def test_a_stored_token_is_used_only_with_its_instance(org) -> None:
    login, _instance = org
    secrets = {"refresh_token": SANDBOX_REFRESH_TOKEN}
    state: dict[str, str] = {}
    first = account(login, secrets=secrets, state=state)
    with ApiClient(CONNECTOR, first) as client:
        CONNECTOR.test_connection(client)
    assert secrets["access_token"] and secrets["access_token_expires_at"] == ""  # no expires_in: until refused
    again = AccountConfig(**{**first.__dict__, "name": f"{first.name}-again"})
    with ApiClient(CONNECTOR, again) as client:  # another process: token and instance are stored
        CONNECTOR.test_connection(client)
        assert client._auth.bought == 0  # type: ignore[union-attr]
    state.clear()
    lost = AccountConfig(**{**first.__dict__, "name": f"{first.name}-lost"})
    with ApiClient(CONNECTOR, lost) as client:  # the instance was lost: the token alone is useless
        CONNECTOR.test_connection(client)
        assert client._auth.bought == 1  # type: ignore[union-attr]


def test_jwt_bearer_signs_an_assertion_the_org_accepts(org) -> None:
    login, instance = org
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
    httpx.post(f"{login.root}/_sandbox/salesforce/certificate", content=public_key_pem(key)).raise_for_status()
    sent: list[httpx.Request] = []
    jwt = account(login, secrets={"private_key": key}, settings={"auth_mode": "jwt", "username": SANDBOX_USERNAME})
    with ApiClient(CONNECTOR, jwt) as client:
        client._http.event_hooks["request"].append(sent.append)
        assert CONNECTOR.test_connection(client)
    assert sent[0].url.path.endswith("/services/oauth2/token")
    form = dict(httpx.QueryParams(sent[0].content.decode()))
    assert form["grant_type"] == auth.JWT_BEARER and form["assertion"].count(".") == 2
    assert key.splitlines()[1] not in sent[0].content.decode()
    assert sent[1].url.port == instance.port and sent[1].url.path == f"/salesforce{API}/query"
    stranger = account(login, secrets={"private_key": key}, settings={"auth_mode": "jwt", "username": "x@y.z"})
    with ApiClient(CONNECTOR, stranger) as client, pytest.raises(AuthError) as refused:
        CONNECTOR.test_connection(client)
    assert "user hasn't approved this consumer" in (refused.value.vendor_message or "")
