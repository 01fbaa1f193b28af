"""Mask secrets before any message, log line or summary is built from text that may hold them.

Why more than an exact match: a secret reaches text in many shapes. An HTTP library writes a
header value with its CR as ``\\r`` (``LocalProtocolError: Illegal header value b'shpat_…\\r'``), a
vendor echoes the token base64- or URL-encoded, a JSON body escapes its unicode, and every
"first 200 characters" cut leaves half a token. So each registered secret is expanded once, at
register time, into its variants (raw, stripped, repr/JSON escaped, base64 standard and url-safe
in every alignment, URL-encoded), and :func:`mask` hides any run of text made of 8-character
pieces of those variants: the whole secret, any prefix or suffix of 8+ characters, any middle
piece. Secrets shorter than 8 characters are matched whole. The check costs one set lookup per
character of text, so it can run on every log line.

Cut text with :func:`clip`, never ``mask(text[:n])``: it masks first, then cuts.
"""

from __future__ import annotations

import base64
import contextlib
import json
import re
import threading
from collections.abc import Iterable
from urllib.parse import parse_qsl, quote, quote_plus, urlsplit

MASK = "•••"
PIECE = 8  # the shortest piece of a secret that is still hidden on its own
_lock = threading.Lock()
_registered: frozenset[str] = frozenset()
_pieces: frozenset[str] = frozenset()  # every PIECE-character slice of every variant
_short: tuple[str, ...] = ()  # variants shorter than PIECE, matched whole (longest first)
_longest = 0
_public: set[str] = set()  # well-known values that look like secrets but open nothing (sandbox demo keys)
# Query parameters and headers whose values are always secret, whatever the vendor.
_SECRET_PARAM = re.compile(
    r"(?i)\b(access_token|refresh_token|client_secret|app_secret|api_key|apikey|token|sign|signature|password)"
    r"(=|\"\s*:\s*\"|:\s*)([^&\s\"',;]+)"
)
_BEARER = re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+")


def _b64_variants(data: bytes) -> set[str]:
    """Base64 of ``data`` (standard and url-safe, padded or not) at each of the three alignments
    it can have inside a longer encoded text; the characters that depend on neighbours are dropped."""
    out: set[str] = set()
    for shift in range(3):
        encoded = base64.b64encode(b"\0" * shift + data).decode("ascii")
        head = 0 if shift == 0 else 4  # the first quantum mixes in the preceding bytes
        whole = len(data) + shift
        tail = len(encoded) if whole % 3 == 0 else (whole // 3) * 4  # the last quantum mixes in what follows
        for text in (encoded, encoded[head:tail]):
            for form in (text, text.rstrip("="), text.replace("+", "-").replace("/", "_"),
                         text.replace("+", "-").replace("/", "_").rstrip("=")):
                out.add(form)
    return out


def variants(secret: str) -> set[str]:
    """The shapes ``secret`` takes in text: raw, stripped, escaped, base64, URL-encoded, and its UTF-8
    bytes read as Latin-1 (how a server decodes a non-ASCII header before echoing it)."""
    forms = {secret, secret.strip()}
    for raw in list(forms):
        forms.add(raw.encode("unicode_escape").decode("ascii"))
        forms.add(repr(raw)[1:-1])
        forms.add(json.dumps(raw)[1:-1])
        forms.add(json.dumps(raw, ensure_ascii=False)[1:-1])
        forms.add(quote(raw, safe=""))
        forms.add(quote_plus(raw, safe=""))
        forms.add(quote(raw, safe="/:"))
        forms.add(raw.encode("utf-8", "surrogatepass").decode("latin-1"))  # UTF-8 bytes read as Latin-1 (HTTP headers)
        forms |= _b64_variants(raw.encode("utf-8", "surrogatepass"))
    return {f for f in forms if len(f) >= 4}


def register_secret(value: str | None) -> None:
    """Remember a secret value so that :func:`mask` hides it (and its variants) wherever it appears."""
    global _registered, _pieces, _short, _longest
    if not value or len(value.strip()) < 4 or value in _registered or value in _public:
        return
    if _URL.match(value.strip()):  # a webhook URL: its credential parts, not "https://" and the host
        register_secrets(_url_credentials(value.strip()))
        return
    forms = variants(value)
    with _lock:
        _registered = _registered | {value}
        _pieces = _pieces | {f[i:i + PIECE] for f in forms for i in range(len(f) - PIECE + 1)}
        _short = tuple(sorted({*_short, *(f for f in forms if len(f) < PIECE)}, key=len, reverse=True))
        _longest = max(_longest, *(len(f) for f in forms))


_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def _url_credentials(url: str) -> list[str]:
    """The parts of a URL that carry credentials: query values, a password, long path segments."""
    parts = urlsplit(url)
    found = [value for _key, value in parse_qsl(parts.query)]
    found += [segment for segment in parts.path.split("/") if len(segment) >= 16]
    with contextlib.suppress(ValueError):
        found.append(parts.password or "")
    return found


def declare_public(values: Iterable[str]) -> None:
    """Values that are published on purpose (the sandbox's demo credentials): never masked, so a
    message about the sandbox stays readable."""
    _public.update(values)


def register_secrets(values: Iterable[str | None]) -> None:
    """Register several secret values at once."""
    for value in values:
        register_secret(value)


def _mask_pieces(text: str, pieces: frozenset[str]) -> str:
    """Replace every run of characters covered by a known PIECE-character slice with MASK."""
    covered_to = -1
    spans: list[list[int]] = []
    for i in range(len(text) - PIECE + 1):
        if text[i:i + PIECE] in pieces:
            if spans and i <= covered_to:
                spans[-1][1] = i + PIECE
            else:
                spans.append([i, i + PIECE])
            covered_to = i + PIECE
    if not spans:
        return text
    out, last = [], 0
    for start, end in spans:
        out.append(text[last:start])
        out.append(MASK)
        last = end
    out.append(text[last:])
    return "".join(out)


def mask(text: str) -> str:
    """Return ``text`` with every known secret (in any of its shapes, or an 8+ character piece of
    one) and every secret-looking parameter masked."""
    text = _BEARER.sub(lambda m: f"{m.group(1)} {MASK}", text)
    text = _SECRET_PARAM.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}", text)
    pieces, short = _pieces, _short
    if pieces:
        text = _mask_pieces(text, pieces)
    for secret in short:
        if secret in text:
            text = text.replace(secret, MASK)
    return text


def clip(text: str, limit: int) -> str:
    """``text`` masked, then cut to at most ``limit`` characters (``…`` marks a cut).

    Masking first means a secret that straddles the cut is still recognised whole. Only a window a
    little longer than ``limit`` is masked, so clipping a 10 MB value stays cheap.
    """
    window = limit + _longest + PIECE + 64
    while True:
        part = text[:window]
        masked = mask(part)
        if len(part) == len(text) or len(masked) > limit:
            break
        window *= 2
    return masked if len(masked) <= limit else masked[: max(limit - 1, 0)] + "…"


def control_characters(value: str) -> list[str]:
    """The control characters in ``value`` as readable escapes (``\\r``, ``\\x00``…), for messages."""
    found = [ch for ch in value if ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0 or ch in "\u2028\u2029"]
    return sorted({ch.encode("unicode_escape").decode("ascii") for ch in found})
