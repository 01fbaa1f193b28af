"""JWT bearer sign-in of a server install, through the real ``ordersync`` command against the Salesforce
emulator: the certificate is uploaded to the (emulated) app, the private key is given only through the
environment and kept only in the keychain, and an integration user the app has not approved is refused."""

from __future__ import annotations

from pathlib import Path

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from tests.e2e.helpers import cli_env, ordersync, serve_sandbox

from ordersync_app.connectors.sdk.jwt import public_key_pem
from ordersync_app.sandbox.salesforce import SANDBOX_CLIENT_ID, SANDBOX_USERNAME


def test_jwt_bearer_from_the_command_line(tmp_path: Path) -> None:
    home = tmp_path / "home"
    server, url = serve_sandbox(home)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
    try:
        httpx.post(f"{url}/_sandbox/salesforce/certificate", content=public_key_pem(key), timeout=10).raise_for_status()
        env = cli_env(home, ORDERSYNC_SECRET_PRIVATE_KEY=key)
        for name, user in (("sf", SANDBOX_USERNAME), ("sf-other", "someone@elsewhere.example")):
            added = ordersync(home, "account", "add", name, "--connector", "salesforce", "--base-url",
                              f"{url}/salesforce", "--set", "auth_mode=jwt", "--set", f"client_id={SANDBOX_CLIENT_ID}",
                              "--set", f"username={user}", env=env)
            assert added.returncode == 0, added.stderr

        tested = ordersync(home, "account", "test", "sf")
        assert tested.returncode == 0, tested.stderr
        assert "Salesforce: 60 opportunities" in tested.stdout and "api-usage=" in tested.stdout

        refused = ordersync(home, "account", "test", "sf-other")
        assert refused.returncode == 2
        assert "user hasn't approved this consumer" in refused.stderr

        body = key.splitlines()[1].encode()
        stored = [p for p in home.rglob("*") if p.is_file() and body in p.read_bytes()]
        assert stored == [], f"the private key is outside the keychain: {stored}"
    finally:
        server.terminate()
        server.communicate(timeout=30)
