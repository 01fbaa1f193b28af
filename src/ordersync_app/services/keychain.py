"""The password store as the desktop app sees it: does it need a passphrase, and unlocking it.

Why: on a machine without an OS keychain (Linux without Secret Service or KWallet) secrets live in an
encrypted file opened by a passphrase. The CLI asks for it in the terminal; the desktop app has no
terminal, so it asks with a dialog and hands the passphrase to :func:`unlock`. Never stored anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass

from ordersync_app.secrets import store

__all__ = ["KeychainState", "state", "unlock"]


@dataclass(frozen=True)
class KeychainState:
    """Whether secrets can be used now.

    Attributes:
        locked: a passphrase must be typed before any secret is read or saved.
        new: no encrypted keyring exists yet, so the passphrase typed now creates it (ask twice).
        path: the encrypted file (shown to the user so they know what the passphrase protects).
    """

    locked: bool
    new: bool
    path: str


def state() -> KeychainState:
    """The password store's state (cheap; no secret is read)."""
    locked = store.needs_passphrase()
    return KeychainState(locked=locked, new=locked and not store.keyring_exists(), path=store.secrets_file())


def unlock(passphrase: str) -> None:
    """Open the encrypted keyring with ``passphrase`` for the rest of this session.

    Raises:
        SetupError: the passphrase is empty or does not open the existing keyring.
    """
    store.unlock(passphrase)
