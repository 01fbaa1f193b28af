"""RS256 assertions for JWT-bearer sign-in (connectors/sdk/jwt.py): signing, checking, and pasted keys."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from ordersync_app.connectors.sdk.jwt import normalise_pem, public_key_pem, sign_rs256, verify_rs256
from ordersync_app.domain.errors import SetupError

KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
PEM = KEY.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                        serialization.NoEncryption()).decode()
CLAIMS = {"iss": "consumer-key", "sub": "user@example.com", "aud": "https://login.salesforce.com", "exp": 1999999999}


def _certificate() -> str:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ordersync-test")])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(KEY.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now).not_valid_after(now + timedelta(days=1))
            .sign(KEY, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def test_a_signed_assertion_verifies_with_the_public_key_and_the_certificate() -> None:
    token = sign_rs256(CLAIMS, PEM)
    header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    assert header == {"alg": "RS256"}
    assert verify_rs256(token, public_key_pem(PEM)) == CLAIMS
    assert verify_rs256(token, _certificate()) == CLAIMS


@pytest.mark.parametrize("mangle", [lambda pem: pem.replace("\n", " "), lambda pem: pem.replace("\n", "\\n"),
                                    lambda pem: pem.replace("\n", ""), lambda pem: f"  {pem}\r\n"],
                         ids=["spaces", "escaped", "one-line", "padded"])
def test_a_pasted_key_that_lost_its_line_breaks_still_signs(mangle) -> None:
    assert normalise_pem(mangle(PEM)) == normalise_pem(PEM)
    assert verify_rs256(sign_rs256(CLAIMS, mangle(PEM)), public_key_pem(PEM)) == CLAIMS


def test_unusable_keys_say_why_and_never_quote_the_key() -> None:
    body = PEM.splitlines()[1]
    encrypted = KEY.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.BestAvailableEncryption(b"secret-pass")).decode()
    elliptic = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
    for text, why in ((body, "not in PEM form"), (encrypted, "passphrase"), (elliptic, "not an RSA key"),
                      (PEM.replace(body, body[::-1]), "could not be read")):
        with pytest.raises(SetupError, match=why) as refused:
            sign_rs256(CLAIMS, text)
        assert body[:20] not in refused.value.render()


def test_a_changed_claim_or_another_key_fails_verification() -> None:
    token = sign_rs256(CLAIMS, PEM)
    header, _payload, signature = token.split(".")
    forged = base64.urlsafe_b64encode(json.dumps({**CLAIMS, "sub": "admin"}).encode()).rstrip(b"=").decode()
    with pytest.raises(ValueError, match="signature"):
        verify_rs256(f"{header}.{forged}.{signature}", public_key_pem(PEM))
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
    with pytest.raises(ValueError, match="signature"):
        verify_rs256(token, public_key_pem(other))
    for broken in ("a.b", "not.json.here", f"{header}.{forged}"):
        with pytest.raises(ValueError, match="JWT"):
            verify_rs256(broken, public_key_pem(PEM))
