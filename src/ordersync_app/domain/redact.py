"""Mask secrets before any message, log line or summary is built from text that may hold them."""

from __future__ import annotations

import re
from collections.abc import Iterable

MASK = "•••"
_registered: set[str] = set()
# Query parameters and headers whose values are always secret, whatever the vendor.
_SECRET_PARAM = re.compile(
    r"(?i)\b(access_token|refresh_token|client_secret|app_secret|api_key|apikey|token|sign|signature|password)"
    r"(=|\"\s*:\s*\"|:\s*)([^&\s\"',;]+)"
)
_BEARER = re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+")


def register_secret(value: str | None) -> None:
    """Remember a secret value so that :func:`mask` hides it wherever it appears."""
    if value and len(value) >= 4:
        _registered.add(value)


def register_secrets(values: Iterable[str | None]) -> None:
    """Register several secret values at once."""
    for value in values:
        register_secret(value)


def mask(text: str) -> str:
    """Return ``text`` with every known secret and every secret-looking parameter masked."""
    for secret in sorted(_registered, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, MASK)
    text = _BEARER.sub(lambda m: f"{m.group(1)} {MASK}", text)
    return _SECRET_PARAM.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}", text)
