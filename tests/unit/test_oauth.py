"""OAuth sign-in with a loopback redirect, driven end to end against the HubSpot sandbox over HTTP."""

from __future__ import annotations

import socket
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from ordersync_app.connectors.sdk import auth
from ordersync_app.domain.errors import AuthError, SetupError
from ordersync_app.sandbox.hubspot import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, SANDBOX_REFRESH_TOKEN
from ordersync_app.secrets import store
from ordersync_app.services import accounts, oauth

KEYS = ("access_token", "access_token_expires_at", "refresh_token")


@pytest.fixture
def oauth_account(home: Path, sandbox) -> accounts.AccountInfo:
    """A HubSpot account in oauth mode whose sign-in page is the sandbox's."""
    base = sandbox.url("hubspot")
    return accounts.add_account("crm", "hubspot", base_url=base, settings={
        "auth_mode": "oauth", "client_id": SANDBOX_CLIENT_ID, "authorize_url": f"{base}/oauth/authorize"},
        secret_values={"client_secret": SANDBOX_CLIENT_SECRET})


def _query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def test_sign_in_stores_tokens_and_the_account_then_works(oauth_account, memory_keyring) -> None:
    flow = oauth.begin("crm", "hubspot", oauth_account.settings, base_url=oauth_account.base_url)
    sent = _query(flow.url)
    assert flow.url.startswith(f"{oauth_account.base_url}/oauth/authorize?")
    assert sent["client_id"] == SANDBOX_CLIENT_ID
    assert sent["redirect_uri"] == flow.redirect_uri
    assert flow.redirect_uri.startswith("http://127.0.0.1:") and flow.redirect_uri.endswith("/callback")
    assert sent["code_challenge_method"] == "S256" and len(sent["code_challenge"]) == 43
    assert "crm.objects.deals.write" in sent["scope"].split()
    assert len(sent["state"]) >= 32

    page = httpx.get(flow.url, follow_redirects=True, timeout=10)  # the browser: sandbox 302 → loopback
    assert page.status_code == 200 and "Signed in" in page.text
    assert page.history[0].status_code == 302

    signed = flow.wait(timeout=10)
    assert signed.account == "crm"
    assert store.get_secret("crm", "refresh_token") == SANDBOX_REFRESH_TOKEN
    assert (store.get_secret("crm", "access_token") or "").startswith("sandbox-hubspot-oauth-")
    assert {("OrderSync", f"crm/{k}") for k in KEYS} <= set(memory_keyring.values)

    assert "deal pipeline" in accounts.test_account("crm")  # an API call with the signed-in account
    store.set_secret("crm", "access_token_expires_at", "0")  # and once the access token is due: refresh
    auth.forget("crm")  # (as the next process would read it)
    with accounts.client("crm") as api:
        assert api.json("GET", "/crm/v3/pipelines/0-3")["results"]
    assert store.get_secret("crm", "access_token_expires_at") != "0"


def test_a_callback_with_another_state_gets_an_error_page_and_the_real_one_still_counts(oauth_account) -> None:
    flow = oauth.begin("crm", "hubspot", oauth_account.settings, base_url=oauth_account.base_url)
    forged = httpx.get(f"{flow.redirect_uri}?code=stolen&state=attacker", timeout=10)
    assert forged.status_code == 400 and "not the one OrderSync is waiting for" in forged.text
    assert store.get_secret("crm", "refresh_token") is None
    page = httpx.get(flow.url, follow_redirects=True, timeout=10)  # the user's real sign-in still lands
    assert page.status_code == 200 and "Signed in" in page.text
    assert flow.wait(timeout=10).account == "crm"
    assert store.get_secret("crm", "refresh_token") == SANDBOX_REFRESH_TOKEN


def test_an_idle_local_connection_does_not_block_the_callback(oauth_account) -> None:
    flow = oauth.begin("crm", "hubspot", oauth_account.settings, base_url=oauth_account.base_url)
    port = int(urlsplit(flow.redirect_uri).port or 0)
    with socket.create_connection(("127.0.0.1", port), timeout=10) as idle:
        idle.sendall(b"GET /callback")  # starts a request and then says nothing more
        page = httpx.get(flow.url, follow_redirects=True, timeout=10)
        assert page.status_code == 200 and "Signed in" in page.text
        assert flow.wait(timeout=10).account == "crm"


def test_hubspot_scopes_are_read_from_scopes(oauth_account) -> None:
    flow = oauth.begin("crm", "hubspot", oauth_account.settings, base_url=oauth_account.base_url)
    httpx.get(flow.url, follow_redirects=True, timeout=10)
    assert set(flow.wait(timeout=10).scope.split()) == {"crm.objects.deals.read", "oauth"}
    assert oauth.granted_scopes({"scope": "read_orders write_orders"}) == "read_orders write_orders"


@pytest.mark.parametrize("value", [-5, 0, "NaN", "inf", 10**12, "soon", [3600]])
def test_a_nonsense_token_lifetime_is_refused(value) -> None:
    with pytest.raises(AuthError, match="token lifetime"):
        oauth.expires_in(value, default=1800.0)


def test_a_sensible_token_lifetime_is_kept() -> None:
    assert oauth.expires_in(None, default=1800.0) == 1800.0
    assert oauth.expires_in("1800", default=60.0) == 1800.0


def test_no_answer_times_out_and_frees_the_port(oauth_account) -> None:
    flow = oauth.begin("crm", "hubspot", oauth_account.settings, base_url=oauth_account.base_url)
    with pytest.raises(SetupError, match="did not finish"):
        flow.wait(timeout=0.05)
    with pytest.raises(httpx.ConnectError):
        httpx.get(flow.redirect_uri, timeout=2)


def test_a_refused_exchange_names_no_secret(oauth_account) -> None:
    settings = {**oauth_account.settings, "client_id": "someone-elses-app"}
    with pytest.raises(SetupError, match="client ID"):
        oauth.begin("crm", "hubspot", {**settings, "client_id": ""})
    flow = oauth.begin("crm", "hubspot", oauth_account.settings, base_url=oauth_account.base_url,
                       client_secret="typed-wrong-secret-123")
    httpx.get(flow.url, follow_redirects=True, timeout=10)
    with pytest.raises(AuthError) as refused:
        flow.wait(timeout=10)
    assert "typed-wrong-secret-123" not in str(refused.value.render())
    assert "BAD_CLIENT_SECRET" in (refused.value.vendor_message or "")


def test_sandbox_checks_the_pkce_verifier_and_uses_a_code_once(sandbox) -> None:
    base = sandbox.url("hubspot")
    verifier, challenge = oauth.pkce_pair()
    redirect = "http://127.0.0.1:9/callback"
    answer = httpx.get(f"{base}/oauth/authorize", params={
        "client_id": SANDBOX_CLIENT_ID, "redirect_uri": redirect, "scope": "oauth", "state": "s1",
        "code_challenge": challenge, "code_challenge_method": "S256"})
    assert answer.status_code == 302
    back = _query(answer.headers["location"])
    assert back["state"] == "s1"
    form = {"grant_type": "authorization_code", "code": back["code"], "redirect_uri": redirect,
            "client_id": SANDBOX_CLIENT_ID, "client_secret": SANDBOX_CLIENT_SECRET}
    wrong = httpx.post(f"{base}/oauth/v1/token", data={**form, "code_verifier": "not-the-verifier"})
    assert wrong.status_code == 400 and wrong.json()["status"] == "BAD_CODE_VERIFIER"
    answer = httpx.get(f"{base}/oauth/authorize", params={
        "client_id": SANDBOX_CLIENT_ID, "redirect_uri": redirect, "code_challenge": challenge,
        "code_challenge_method": "S256"})
    form["code"] = _query(answer.headers["location"])["code"]
    good = httpx.post(f"{base}/oauth/v1/token", data={**form, "code_verifier": verifier})
    assert good.status_code == 200 and good.json()["refresh_token"] == SANDBOX_REFRESH_TOKEN
    again = httpx.post(f"{base}/oauth/v1/token", data={**form, "code_verifier": verifier})
    assert again.status_code == 400 and again.json()["status"] == "BAD_AUTH_CODE"
