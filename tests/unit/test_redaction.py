"""Secrets are hidden in every shape they reach text in (issue 9, defects 1 and 2)."""

from __future__ import annotations

import base64
import logging
from pathlib import Path
from urllib.parse import quote

import pytest

from ordersync_app import logs
from ordersync_app.domain import redact
from ordersync_app.domain.redact import MASK, clip, mask, register_secret

SECRET = "shpat_CANARY0987654321fedcba"


def _pieces(secret: str) -> list[str]:
    return [secret[i:j] for i in range(len(secret)) for j in range(i + redact.PIECE, len(secret) + 1)]


def _leaks(text: str, secret: str) -> list[str]:
    return [piece for piece in _pieces(secret) if piece in text]


@pytest.mark.parametrize("shape", [
    lambda s: repr((s + "\r\n").encode()),  # h11: Illegal header value b'shpat_…\r\n'
    lambda s: repr(s + "\r"),
    lambda s: base64.b64encode(s.encode()).decode(),
    lambda s: base64.urlsafe_b64encode(s.encode()).decode().rstrip("="),
    lambda s: base64.b64encode(b"user:" + s.encode()).decode(),  # HTTP Basic: shifted alignment
    lambda s: quote(s, safe=""),
    lambda s: s[:13],  # a prefix of 8+ characters
    lambda s: s[-9:],  # a suffix
    lambda s: s[5:20],  # a middle piece
])
def test_mask_hides_escaped_encoded_and_partial_forms_of_a_secret(shape) -> None:
    register_secret(SECRET + "\r\n")  # stored as typed, with the CR/LF of a Windows file
    text = f"LocalProtocolError: Illegal header value {shape(SECRET)} (attempt 1)"
    masked = mask(text)
    assert MASK in masked
    assert not _leaks(masked, SECRET), masked
    for b64 in (base64.b64encode(SECRET.encode()).decode(), base64.urlsafe_b64encode(SECRET.encode()).decode()):
        assert b64[4:20] not in masked


def test_mask_hides_unicode_secrets_in_json_and_url_encodings() -> None:
    secret = "密钥-ünïcode-токен-2026 "
    register_secret(secret)
    for text in (secret, quote(secret), secret.encode("unicode_escape").decode(), repr(secret)):
        assert not _leaks(mask(f"vendor said: {text}!"), secret.strip()), text


def test_mask_keeps_ordinary_text() -> None:
    register_secret(SECRET)
    text = "HubSpot GET /crm/v3/objects/deals answered 503 at https://api.hubapi.com"
    assert mask(text) == text


def test_clip_masks_before_cutting_so_a_secret_at_the_cut_is_hidden() -> None:
    register_secret(SECRET)
    for cut in range(180, 230):
        text = "x" * (200 - len(SECRET) // 2) + SECRET + "y" * 300
        clipped = clip(text[: cut + 50], 200)
        assert len(clipped) <= 200
        assert not _leaks(clipped, SECRET), cut


def test_clip_of_a_huge_value_stays_cheap_and_short() -> None:
    register_secret(SECRET)
    clipped = clip("a" * 10_000_000 + SECRET, 60)
    assert len(clipped) == 60 and clipped.endswith("…")


def test_a_webhook_url_is_masked_by_its_token_not_its_host() -> None:
    register_secret("https://oapi.dingtalk.com/robot/send?access_token=0123456789abcdef0123456789abcdef")
    shown = mask("posting to https://oapi.dingtalk.com/robot/send?access_token=0123456789abcdef0123456789abcdef")
    assert "oapi.dingtalk.com/robot/send" in shown and "0123456789abcdef" not in shown
    assert mask("see https://example.com/docs") == "see https://example.com/docs"


def test_log_tracebacks_are_masked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORDERSYNC_HOME", str(tmp_path / "home"))
    root = logging.getLogger("ordersync_app")
    before = list(root.handlers)
    for handler in before:  # an earlier test's log file (another home) would take the lines
        root.removeHandler(handler)
    try:
        logs.setup()
        register_secret(SECRET)
        try:
            raise ValueError(f"Illegal header value {(SECRET + chr(13)).encode()!r}")
        except ValueError:
            logging.getLogger("ordersync_app.test").exception("call failed with %s", SECRET[:12])
        for handler in root.handlers:
            handler.flush()
        text = (tmp_path / "home" / "logs" / "ordersync.log").read_text("utf-8")
    finally:
        for handler in root.handlers[:]:
            root.removeHandler(handler)
            handler.close()
        for handler in before:
            root.addHandler(handler)
    assert "Traceback" in text and "ValueError" in text
    assert not _leaks(text, SECRET), text
