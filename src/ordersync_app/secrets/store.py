"""The secret store: the OS keychain through ``keyring``, never a plain-text fallback.

``keyring`` happily chains to plain-text backends when no keychain exists (headless Linux), so we
choose the backend ourselves: a real OS keychain (macOS Keychain, Windows Credential Locker,
Secret Service/KWallet) when there is one; otherwise an encrypted file in the data directory
(``keyrings.cryptfile``, Argon2 + AES) unlocked with a passphrase from
``ORDERSYNC_KEYRING_PASSPHRASE`` or typed by the user. Never the database, never plain text.
"""

from __future__ import annotations

import getpass
import os
import sys
import threading
from pathlib import Path

import keyring
import keyring.backend

from ordersync_app import paths
from ordersync_app.domain.errors import SetupError
from ordersync_app.domain.redact import register_secret

SERVICE = "OrderSync"
_OS_KEYCHAINS = ("keyring.backends.macOS", "keyring.backends.Windows", "keyring.backends.SecretService",
                 "keyring.backends.kwallet", "keyring.backends.libsecret")

_backend: keyring.backend.KeyringBackend | None = None
_lock = threading.Lock()


def set_backend(backend: keyring.backend.KeyringBackend | None) -> None:
    """Use ``backend`` from now on (tests install an in-memory one; None re-detects)."""
    global _backend
    with _lock:
        _backend = backend


def _os_keychain() -> keyring.backend.KeyringBackend | None:
    for backend in keyring.backend.get_all_keyring():
        if type(backend).__module__.startswith(_OS_KEYCHAINS) and backend.priority > 0:
            return backend
    return None


def secrets_file() -> str:
    """Where the encrypted keyring lives (used only where the machine has no OS keychain)."""
    return str(paths.home() / "secrets.cfg")


def _open_file(passphrase: str) -> keyring.backend.KeyringBackend:
    """The encrypted keyring opened with ``passphrase`` (a new file is created with it).

    Raises:
        SetupError: the passphrase is blank or does not open the existing file.
    """
    from keyrings.cryptfile.cryptfile import CryptFileKeyring

    backend = CryptFileKeyring()
    backend.file_path = secrets_file()
    try:
        backend.keyring_key = passphrase  # opens (checks) an existing file, or starts a new one
    except ValueError as exc:
        raise SetupError("the passphrase does not open the encrypted keyring",
                         hint="type the passphrase chosen when the first secret was saved") from exc
    return backend


def needs_passphrase() -> bool:
    """Whether secrets can only be used after the user types the keyring passphrase.

    True on a machine without an OS keychain whose encrypted keyring is not unlocked yet and
    has no ``ORDERSYNC_KEYRING_PASSPHRASE``; the desktop app then asks (:func:`unlock`).
    """
    with _lock:
        if _backend is not None:
            return False
    return not os.environ.get("ORDERSYNC_KEYRING_PASSPHRASE") and _os_keychain() is None


def keyring_exists() -> bool:
    """Whether the encrypted keyring file was created already (so a passphrase exists)."""
    return Path(secrets_file()).exists()


def unlock(passphrase: str) -> None:
    """Open the encrypted keyring with a typed passphrase and use it from now on.

    Raises:
        SetupError: the passphrase is empty or wrong.
    """
    global _backend
    if not passphrase.strip():
        raise SetupError("the passphrase is empty")
    opened = _open_file(passphrase)
    with _lock:
        _backend = opened


def _encrypted_file() -> keyring.backend.KeyringBackend:
    passphrase = os.environ.get("ORDERSYNC_KEYRING_PASSPHRASE")
    if not passphrase and sys.stdin.isatty():
        print(  # noqa: T201 - the user must read this before typing a passphrase
            "No system keychain was found on this machine. OrderSync keeps secrets in an encrypted file\n"
            f"({paths.home() / 'secrets.cfg'}). Enter its passphrase (new or existing):", file=sys.stderr)
        passphrase = getpass.getpass("Keyring passphrase: ")
    if not passphrase:
        raise SetupError(
            "no system keychain is available on this machine, and the encrypted keyring is locked",
            hint="set ORDERSYNC_KEYRING_PASSPHRASE (headless servers, CI) or run the command in a terminal "
                 "to type the passphrase",
        )
    return _open_file(passphrase)


def backend() -> keyring.backend.KeyringBackend:
    """The backend in use (chosen on first use).

    Raises:
        SetupError: there is no keychain and the encrypted file cannot be unlocked.
    """
    global _backend
    with _lock:
        if _backend is None:
            _backend = _os_keychain() or _encrypted_file()
        return _backend


def uses_encrypted_file() -> bool:
    """Whether secrets live in the encrypted file (no OS keychain on this machine)."""
    with _lock:
        chosen = _backend
    if chosen is not None:
        return type(chosen).__name__ == "CryptFileKeyring"
    return _os_keychain() is None


def describe() -> str:
    """Human name of the backend, for ``ordersync doctor`` and the settings page."""
    chosen = backend()
    if type(chosen).__name__ == "CryptFileKeyring":
        return f"encrypted file {paths.home() / 'secrets.cfg'}"
    return type(chosen).__module__ + "." + type(chosen).__name__


def _user(account: str, key: str) -> str:
    return f"{account}/{key}"


def get_secret(account: str, key: str) -> str | None:
    """A secret of ``account``, or None; the value is registered for masking."""
    try:
        value = backend().get_password(SERVICE, _user(account, key))
    except keyring.errors.KeyringError as exc:
        raise SetupError(f"the keychain refused to read a secret of account '{account}': {exc}",
                         hint="unlock the keychain, or check ORDERSYNC_KEYRING_PASSPHRASE") from exc
    except ValueError as exc:  # cryptfile: wrong passphrase
        raise SetupError("the encrypted keyring could not be unlocked",
                         hint="check ORDERSYNC_KEYRING_PASSPHRASE") from exc
    register_secret(value)
    return value


def set_secret(account: str, key: str, value: str) -> None:
    """Store a secret of ``account`` in the keychain."""
    register_secret(value)
    try:
        backend().set_password(SERVICE, _user(account, key), value)
    except keyring.errors.KeyringError as exc:
        raise SetupError(f"the keychain refused to store a secret of account '{account}': {exc}") from exc


def delete_secrets(account: str, keys: list[str]) -> None:
    """Remove the listed secrets of ``account`` (missing ones are ignored)."""
    for key in keys:
        try:
            backend().delete_password(SERVICE, _user(account, key))
        except keyring.errors.PasswordDeleteError:
            continue
