"""Per-account TLS for on-premise servers: a self-signed server is refused as a setup problem (not retried),
then trusted for that one account by pinning its certificate or by its CA bundle — never "verify off"."""

from __future__ import annotations

import shutil
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from ordersync_app.connectors.sdk.http import fetch_certificate, fingerprint
from ordersync_app.domain.errors import SetupError
from ordersync_app.sandbox._server import SandboxServer
from ordersync_app.sandbox.apps import build_server
from ordersync_app.services import accounts

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")


def _self_signed(folder: Path, name: str) -> tuple[Path, Path]:
    key, cert = folder / f"{name}.key", folder / f"{name}.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out",
                    str(cert), "-days", "2", "-subj", f"/CN={name}", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    return key, cert


@pytest.fixture
def tls_sandbox(tmp_path: Path) -> Iterator[tuple[SandboxServer, Path]]:
    """The sandbox apps over HTTPS with a self-signed certificate (an on-premise server)."""
    key, cert = _self_signed(tmp_path, "onprem")
    server = build_server(tmp_path / "apps", port=0, orders=5, hubspot_limit=None)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server._httpd.socket = context.wrap_socket(server._httpd.socket, server_side=True)
    server.start()
    yield server, cert
    server.stop()


def test_a_self_signed_server_is_trusted_for_one_account_only(home, tmp_path, tls_sandbox) -> None:
    server, cert = tls_sandbox
    url = f"https://127.0.0.1:{server.port}/hubspot"
    accounts.add_account("crm", "hubspot", base_url=url, secret_values={"access_token": "sandbox-hubspot-token"})
    with pytest.raises(SetupError, match="certificate is not trusted"):
        accounts.test_account("crm")

    pem, shown = fetch_certificate(url)
    assert shown == fingerprint(cert.read_text()) and len(shown.split(":")) == 32
    accounts.set_tls("crm", pinned_pem=pem)
    assert accounts.test_account("crm").startswith("HubSpot")

    accounts.add_account("other", "hubspot", base_url=url, secret_values={"access_token": "sandbox-hubspot-token"})
    with pytest.raises(SetupError, match="certificate is not trusted"):  # the pin belongs to "crm" alone
        accounts.test_account("other")
    accounts.set_tls("other", ca_bundle=str(cert))  # a self-signed certificate is its own CA
    assert accounts.test_account("other").startswith("HubSpot")

    _key, stranger = _self_signed(tmp_path, "stranger")
    accounts.set_tls("crm", pinned_pem=stranger.read_text())  # a server that changed its certificate
    with pytest.raises(SetupError, match="certificate is not trusted"):
        accounts.test_account("crm")
