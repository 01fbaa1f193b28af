"""Browser sign-in for Salesforce (services/oauth.py, driven by the connector's OAuthApp) against its emulator:
the org's own login host, ``response_type=code`` with PKCE, the fixed callback port, and the token answer's
``instance_url`` kept in the account's state; the access token has no expiry and is used until refused."""

from __future__ import annotations

import socket
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from ordersync_app.connectors.sdk import auth
from ordersync_app.domain.errors import SetupError
from ordersync_app.sandbox.salesforce import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, SANDBOX_REFRESH_TOKEN
from ordersync_app.secrets import store
from ordersync_app.services import accounts, oauth


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_sign_in_on_the_org_host_keeps_the_instance_and_the_account_then_works(home: Path, sandbox) -> None:
    base, port = sandbox.url("salesforce"), free_port()
    info = accounts.add_account("sf", "salesforce", base_url=base,
                                settings={"client_id": SANDBOX_CLIENT_ID, "callback_port": str(port)},
                                secret_values={"client_secret": SANDBOX_CLIENT_SECRET})
    flow = oauth.begin(info.name, info.connector, info.settings, base_url=info.base_url)
    sent = {k: v[0] for k, v in parse_qs(urlsplit(flow.url).query).items()}
    assert flow.url.startswith(f"{base}/services/oauth2/authorize?")
    assert sent["response_type"] == "code" and sent["scope"] == "api refresh_token"
    assert sent["redirect_uri"] == f"http://127.0.0.1:{port}/callback"
    assert sent["code_challenge_method"] == "S256" and len(sent["code_challenge"]) == 43

    page = httpx.get(flow.url, follow_redirects=True, timeout=10)  # the browser: the org's 302 → loopback
    assert page.status_code == 200 and "Signed in" in page.text
    signed = flow.wait(timeout=10)
    assert signed.expires_at is None  # Salesforce sends no expires_in
    assert store.get_secret("sf", "refresh_token") == SANDBOX_REFRESH_TOKEN
    assert store.get_secret("sf", "access_token_expires_at") == ""
    assert accounts.get_state("sf", "instance_url") == base
    assert "opportunities" in accounts.test_account("sf")

    auth.forget("sf")  # the next process: the stored token and instance are used, none is bought
    with accounts.client("sf") as api:
        assert api.connector.test_connection(api)
        assert api._auth.bought == 0  # type: ignore[union-attr]
    accounts.remove_account("sf")
    assert store.get_secret("sf", "access_token") is None and accounts.get_state("sf", "instance_url") is None


def test_a_wrong_callback_port_says_so(home: Path, sandbox) -> None:
    info = accounts.add_account("sf", "salesforce", base_url=sandbox.url("salesforce"),
                                settings={"client_id": SANDBOX_CLIENT_ID, "callback_port": "80a"},
                                secret_values={"client_secret": SANDBOX_CLIENT_SECRET})
    with pytest.raises(SetupError, match="callback port '80a'"):
        oauth.begin(info.name, info.connector, info.settings, base_url=info.base_url)


def test_connectors_without_a_browser_sign_in_are_refused(home: Path) -> None:
    with pytest.raises(SetupError, match="do not sign in through the browser"):
        oauth.provider("woocommerce")
    assert oauth.provider("hubspot").token_url == "/oauth/v1/token"


def test_the_consumer_secret_is_asked_for_browser_sign_in_only(home: Path) -> None:
    with pytest.raises(SetupError, match="secret 'client_secret'"):
        accounts.add_account("sf", "salesforce", settings={"client_id": SANDBOX_CLIENT_ID})
    with pytest.raises(SetupError, match=r"setting 'username'.*secret 'private_key'"):
        accounts.add_account("sf", "salesforce", settings={"client_id": SANDBOX_CLIENT_ID, "auth_mode": "jwt"})
