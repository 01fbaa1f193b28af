"""JSON Web Tokens signed with RS256, for the JWT-bearer sign-in of server installs (RFC 7523).

Why it exists: a server install cannot open a browser, so vendors such as Salesforce let it sign a
short assertion with the private key of a certificate uploaded to the vendor's app, and trade it for
an access token (``grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer``). This module builds and
checks such assertions (RFC 7519 claims, RFC 7515 compact form, RS256 = RSASSA-PKCS1-v1_5 with
SHA-256, RFC 7518 §3.3) with the ``cryptography`` package; the sandbox emulators verify with it too.

A private key is pasted by people: a PEM whose line breaks became spaces (a one-line form field) or
``\\n`` escapes (an environment variable) is read all the same; anything else is a :class:`SetupError`
that names the problem and never quotes the key.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Mapping
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509 import load_pem_x509_certificate

from ordersync_app.domain.errors import SetupError

__all__ = ["load_private_key", "public_key_pem", "sign_rs256", "verify_rs256"]

_PEM = re.compile(r"-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \1-----", re.DOTALL)


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def normalise_pem(text: str) -> bytes:
    """A PEM block with its line breaks restored (pasted keys often lose them).

    Raises:
        SetupError: there is no ``-----BEGIN …-----`` block in the text.
    """
    found = _PEM.search(text.replace("\\n", "\n").strip())
    if found is None:
        raise SetupError("the private key is not in PEM form (-----BEGIN PRIVATE KEY----- … -----END PRIVATE KEY-----)",
                         hint="paste the whole key file, including its BEGIN and END lines")
    label, body = found.group(1), "".join(found.group(2).split())
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    return ("\n".join([f"-----BEGIN {label}-----", *lines, f"-----END {label}-----"]) + "\n").encode("ascii")


def load_private_key(text: str) -> rsa.RSAPrivateKey:
    """The RSA private key in a (possibly mangled) PEM text.

    Raises:
        SetupError: not a PEM, not readable, encrypted, or not an RSA key (the message never quotes it).
    """
    try:
        key = serialization.load_pem_private_key(normalise_pem(text), password=None)
    except (ValueError, TypeError) as exc:  # TypeError: "Password was not given but private key is encrypted"
        why = "it is protected by a passphrase" if isinstance(exc, TypeError) else "it could not be read"
        raise SetupError(f"the private key cannot be used: {why}",
                         hint="paste an unencrypted RSA key (openssl pkey -in key.pem gives one)") from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise SetupError("the private key is not an RSA key", hint="RS256 needs an RSA key of 2048 bits or more")
    return key


def public_key_pem(private_key_text: str) -> str:
    """The PEM public key of a private key (what the vendor's app must hold)."""
    public = load_private_key(private_key_text).public_key()
    return public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def sign_rs256(claims: Mapping[str, Any], private_key_text: str, *, headers: Mapping[str, Any] | None = None) -> str:
    """The compact JWT of ``claims`` signed with RS256 (``header.payload.signature``).

    Raises:
        SetupError: the key cannot be used (see :func:`load_private_key`).
    """
    key = load_private_key(private_key_text)
    header = {"alg": "RS256", **(headers or {})}
    signing_input = ".".join(_b64url(json.dumps(part, separators=(",", ":")).encode()) for part in (header, claims))
    signature = key.sign(signing_input.encode("ascii"), padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input}.{_b64url(signature)}"


def verify_rs256(token: str, public_key_or_certificate: str) -> dict[str, Any]:
    """The claims of an RS256 JWT whose signature the given public key (or X.509 certificate) accepts.

    Raises:
        ValueError: malformed, another algorithm, or a bad signature (claims are not checked here).
    """
    parts = token.split(".")
    if len(parts) != 3:  # header.payload.signature
        raise ValueError("a JWT has three dot-separated parts")
    try:
        header, claims = (json.loads(_unb64url(p)) for p in parts[:2])
        signature = _unb64url(parts[2])
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError(f"the JWT is not base64url JSON ({type(exc).__name__})") from None
    if not isinstance(header, dict) or header.get("alg") != "RS256" or not isinstance(claims, dict):
        raise ValueError("the JWT is not signed with RS256")
    try:
        pem = normalise_pem(public_key_or_certificate)
    except SetupError as exc:
        raise ValueError(exc.what) from None
    public = load_pem_x509_certificate(pem).public_key() if b"CERTIFICATE" in pem.split(b"\n", 1)[0] \
        else serialization.load_pem_public_key(pem)
    if not isinstance(public, rsa.RSAPublicKey):
        raise ValueError("the certificate does not hold an RSA key")
    try:
        public.verify(signature, f"{parts[0]}.{parts[1]}".encode("ascii"), padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        raise ValueError("the JWT's signature does not match the certificate") from None
    return claims
