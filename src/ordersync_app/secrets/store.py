"""The secret store: the OS keychain through ``keyring``, never a plain-text fallback.

``keyring`` happily chains to plain-text backends when no keychain exists (headless Linux), so we
choose the backend ourselves: a real OS keychain (macOS Keychain, Windows Credential Locker,
Secret Service/KWallet) when there is one; otherwise an encrypted file in the data directory
(``keyrings.cryptfile``, Argon2 + AES) unlocked with a passphrase from
``ORDERSYNC_KEYRING_PASSPHRASE``, from the file named by ``ORDERSYNC_KEYRING_PASSPHRASE_FILE`` (a mounted
secret on a server: ``/run/secrets/…``, a systemd credential) or typed by the user. Never the database,
never plain text.
"""

from __future__ import annotations

import base64
import binascii
import getpass
import json
import os
import sys
import threading
from pathlib import Path

import keyring
import keyring.backend

from ordersync_app import paths
from ordersync_app.domain.errors import SetupError
from ordersync_app.domain.redact import register_secret
from ordersync_app.secrets import bundle

SERVICE = "OrderSync"
_OS_KEYCHAINS = ("keyring.backends.macOS", "keyring.backends.Windows", "keyring.backends.SecretService",
                 "keyring.backends.kwallet", "keyring.backends.libsecret")

_backend: keyring.backend.KeyringBackend | None = None
_lock = threading.Lock()
# Values read in this process, so a secret is fetched from the keychain once per process, not once per use.
_cache: dict[tuple[str, str], str | None] = {}
# The encrypted file's secrets, decrypted once per process (one Argon2 derivation: see ``bundle``).
_bundle: dict[str, str] | None = None


def set_backend(backend: keyring.backend.KeyringBackend | None) -> None:
    """Use ``backend`` from now on (tests install an in-memory one; None re-detects)."""
    global _backend, _bundle
    with _lock:
        _backend = backend
        _bundle = None
        _cache.clear()


def _os_keychain() -> keyring.backend.KeyringBackend | None:
    for backend in keyring.backend.get_all_keyring():
        if type(backend).__module__.startswith(_OS_KEYCHAINS) and backend.priority > 0:
            return backend
    return None


def secrets_file() -> str:
    """Where the encrypted keyring lives (used only where the machine has no OS keychain)."""
    return str(paths.home() / "secrets.cfg")


def _created_marker(path: Path) -> Path:
    """Written beside the keyring when OrderSync creates it, so a later missing file is noticed
    instead of being replaced by a new, empty keyring."""
    return path.with_name(path.name + ".created")


def _damaged(path: Path, what: str) -> SetupError:
    return SetupError(
        f"the encrypted keyring {path} {what}",
        hint=f"restore {path.name} from a backup; or, to start an empty keyring and enter every account's "
             f"secrets again (ordersync account add NAME --connector ID --replace), move {path.name} away",
    )


def _check_structure(path: Path) -> None:
    """Refuse a keyring file that is truncated or edited before the library would quietly start a
    new one over it (it does so when its reference entry is missing)."""
    import configparser

    from keyrings.cryptfile.escape import escape

    parser = configparser.RawConfigParser()
    try:
        parser.read_string(path.read_text("utf-8"))
        reference = parser.get(escape("keyring-setting"), escape("password reference"))
        fields = json.loads(base64.b64decode(reference.encode()))
        if not {"salt", "data", "mac", "nonce"} <= set(fields):
            raise ValueError("incomplete entry")
    except (OSError, UnicodeDecodeError, configparser.Error, ValueError, binascii.Error):
        raise _damaged(path, "is damaged (truncated or edited)") from None


def _check_file(path: Path) -> bool:
    """Whether the keyring file exists and looks whole (SetupError when it was lost or damaged)."""
    existed = path.exists() and path.stat().st_size > 0
    if path.exists() and not existed:
        raise _damaged(path, "is empty (truncated)")
    if not existed and _created_marker(path).exists():
        raise SetupError(
            f"the encrypted keyring {path} is missing (deleted or moved); the accounts' secrets were in it",
            hint=f"restore {path.name} from a backup; or, to start an empty keyring and enter every account's "
                 f"secrets again, delete {_created_marker(path).name} beside it",
        )
    if existed:
        _check_structure(path)
    return existed


def _open_file(passphrase: str) -> keyring.backend.KeyringBackend:
    """The encrypted keyring opened with ``passphrase`` (one Argon2 derivation; a new file is created
    with it, 0600).

    Raises:
        SetupError: the passphrase does not open the file, or the file is damaged or was lost.
    """
    from keyrings.cryptfile.cryptfile import CryptFileKeyring

    path = Path(secrets_file())
    existed = _check_file(path)
    backend = CryptFileKeyring()
    backend.file_path = str(path)
    try:
        backend.keyring_key = passphrase  # opens (checks) an existing file, or starts a new one
    except ValueError:  # AES-GCM cannot tell a wrong key from a changed byte
        raise SetupError(
            f"the passphrase does not open the encrypted keyring {path}: the passphrase is wrong, or the file "
            "was changed",
            hint="type the passphrase chosen when the first secret was saved (ORDERSYNC_KEYRING_PASSPHRASE); "
                 f"if it is right, restore {path.name} from a backup",
        ) from None
    except (KeyError, TypeError, binascii.Error, UnicodeDecodeError):
        raise _damaged(path, "is damaged (truncated or edited)") from None
    if not existed:
        paths.private_file(path)
        paths.private_file(_created_marker(path))
    return backend


PASSPHRASE_ENV = "ORDERSYNC_KEYRING_PASSPHRASE"  # noqa: S105 - the variable's name, not a passphrase
PASSPHRASE_FILE_ENV = "ORDERSYNC_KEYRING_PASSPHRASE_FILE"  # noqa: S105 - a variable name


def env_passphrase() -> str | None:
    """The passphrase given to a headless process: ``ORDERSYNC_KEYRING_PASSPHRASE``, else the content of the file
    ``ORDERSYNC_KEYRING_PASSPHRASE_FILE`` names (its trailing line break dropped), else None.

    Raises:
        SetupError: the file is named but cannot be read, or is empty.
    """
    value = os.environ.get(PASSPHRASE_ENV)
    if value:
        return value
    name = os.environ.get(PASSPHRASE_FILE_ENV)
    if not name:
        return None
    try:
        text = Path(name).read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SetupError(f"cannot read the keyring passphrase file {name} ({type(exc).__name__})",
                         hint=f"check the path in {PASSPHRASE_FILE_ENV} and that this user may read it") from None
    passphrase = text.rstrip("\r\n")
    if not passphrase.strip():
        raise SetupError(f"the keyring passphrase file {name} is empty",
                         hint="write the passphrase into it (one line), or unset " + PASSPHRASE_FILE_ENV)
    return passphrase


def has_env_passphrase() -> bool:
    """Whether a passphrase is configured for headless use (the variable or the file variable is set)."""
    return bool(os.environ.get(PASSPHRASE_ENV) or os.environ.get(PASSPHRASE_FILE_ENV))


def needs_passphrase() -> bool:
    """Whether secrets can only be used after the user types the keyring passphrase.

    True on a machine without an OS keychain whose encrypted keyring is not unlocked yet and
    has no ``ORDERSYNC_KEYRING_PASSPHRASE`` (or ``…_FILE``); the desktop app then asks (:func:`unlock`).
    """
    with _lock:
        if _backend is not None:
            return False
    return not has_env_passphrase() and _os_keychain() is None


def keyring_exists() -> bool:
    """Whether the encrypted keyring file was created already (so a passphrase exists)."""
    return Path(secrets_file()).exists()


def unlock(passphrase: str) -> None:
    """Open the encrypted keyring with a typed passphrase and use it from now on.

    Raises:
        SetupError: the passphrase is empty or wrong, or the keyring file is damaged or lost.
    """
    global _backend, _bundle
    if not passphrase.strip():
        raise SetupError("the passphrase is empty")
    opened = _open_file(passphrase)
    with _lock:
        _backend = opened
        _bundle = None
        _cache.clear()


def _encrypted_file() -> keyring.backend.KeyringBackend:
    """The encrypted-file keyring, unlocked with the environment's or a typed passphrase.

    Raises:
        SetupError: no passphrase; the passphrase is wrong; the file is damaged or was lost.
    """
    path = Path(secrets_file())
    existed = _check_file(path)  # a lost or damaged file is said before a passphrase is asked for
    passphrase = env_passphrase()
    if not passphrase and sys.stdin.isatty():
        print(  # noqa: T201 - the user must read this before typing a passphrase
            "No system keychain was found on this machine. OrderSync keeps secrets in an encrypted file\n"
            f"({path}). Enter its passphrase ({'existing' if existed else 'new'}):", file=sys.stderr)
        passphrase = getpass.getpass("Keyring passphrase: ")
    if not passphrase or not passphrase.strip():
        raise SetupError(
            "no system keychain is available on this machine, and the encrypted keyring is locked",
            hint="set ORDERSYNC_KEYRING_PASSPHRASE, or ORDERSYNC_KEYRING_PASSPHRASE_FILE to a file holding it "
                 "(headless servers, CI), or run the command in a terminal to type the passphrase",
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
        return _is_file(chosen)
    return _os_keychain() is None


def describe() -> str:
    """Human name of the backend, for ``ordersync doctor`` and the settings page."""
    chosen = backend()
    if _is_file(chosen):
        return f"encrypted file {paths.home() / 'secrets.cfg'}"
    return type(chosen).__module__ + "." + type(chosen).__name__


def _user(account: str, key: str) -> str:
    return f"{account}/{key}"


def _is_file(chosen: keyring.backend.KeyringBackend) -> bool:
    return type(chosen).__name__ == "CryptFileKeyring"


def _load_file_secrets(chosen: keyring.backend.KeyringBackend) -> dict[str, str]:
    """The encrypted file's secrets as stored now (the caller holds :func:`bundle.locked`).

    Raises:
        SetupError: the secrets entry does not decrypt or parse.
    """
    try:
        return bundle.load(chosen, SERVICE)
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeDecodeError):
        raise bundle.damaged(Path(secrets_file())) from None


def _file_secrets(chosen: keyring.backend.KeyringBackend) -> dict[str, str]:
    """The encrypted file's secrets, decrypted once per process (SetupError when the entry is damaged)."""
    global _bundle
    with _lock:
        if _bundle is not None:
            return _bundle
    with bundle.locked(Path(secrets_file())):  # the first read may move an older keyring's entries into the bundle
        values = _load_file_secrets(chosen)
    with _lock:
        _bundle = values
    return values


def _change_file_secrets(chosen: keyring.backend.KeyringBackend, change: dict[str, str | None]) -> None:
    """Set (or, for None, remove) entries of the encrypted file's bundle: read fresh, changed, written, locked."""
    global _bundle
    with bundle.locked(Path(secrets_file())):
        values = _load_file_secrets(chosen)  # read again: another process may have changed it since
        for user, value in change.items():
            if value is None:
                values.pop(user, None)
            else:
                values[user] = value
        bundle.save(chosen, SERVICE, values)
    with _lock:
        _bundle = values


def get_secret(account: str, key: str) -> str | None:
    """A secret of ``account``, or None; the value is registered for masking.

    Raises:
        SetupError: the keychain is locked or refused, or the stored entry is damaged.
    """
    cached = _cache.get((account, key), _cache)
    if cached is not _cache:
        return cached  # type: ignore[return-value]
    chosen = backend()
    if _is_file(chosen):
        value = _file_secrets(chosen).get(_user(account, key))
        return _remember(account, key, value)
    try:
        value = chosen.get_password(SERVICE, _user(account, key))
    except keyring.errors.KeyringError as exc:
        raise SetupError(f"the keychain refused to read a secret of account '{account}': {exc}",
                         hint="unlock the keychain, or check ORDERSYNC_KEYRING_PASSPHRASE") from exc
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeDecodeError):
        raise SetupError(
            f"the secret '{key}' of account '{account}' in the encrypted keyring is damaged",
            hint=f"enter it again: ordersync account add {account} --connector ID --replace "
                 "(or Edit in the app's Accounts page)",
        ) from None
    return _remember(account, key, value)


def _remember(account: str, key: str, value: str | None) -> str | None:
    """Register a read value for masking and keep it for this process."""
    if not key.endswith("_expires_at"):  # a timestamp is no secret
        register_secret(value)
    with _lock:
        _cache[(account, key)] = value
    return value


def set_secret(account: str, key: str, value: str) -> None:
    """Store a secret of ``account`` in the keychain.

    Raises:
        SetupError: the keychain is locked or refused the value (nothing was stored).
    """
    if not key.endswith("_expires_at"):
        register_secret(value)
    chosen = backend()
    try:
        if _is_file(chosen):
            _change_file_secrets(chosen, {_user(account, key): value})
        else:
            chosen.set_password(SERVICE, _user(account, key), value)
    except keyring.errors.KeyringError as exc:
        raise SetupError(f"the keychain refused to store a secret of account '{account}': "
                         f"{type(exc).__name__}", hint="unlock the keychain and try again") from None
    except (OSError, ValueError) as exc:
        raise SetupError(f"the secret of account '{account}' could not be stored: {type(exc).__name__}",
                         hint="check that the data directory is writable and the keyring unlocked") from None
    with _lock:
        _cache[(account, key)] = value


def delete_secrets(account: str, keys: list[str]) -> None:
    """Remove the listed secrets of ``account`` (missing ones are ignored)."""
    chosen = backend()
    with _lock:
        for key in keys:
            _cache.pop((account, key), None)
    if _is_file(chosen):
        _change_file_secrets(chosen, {_user(account, key): None for key in keys})
        return
    for key in keys:
        try:
            chosen.delete_password(SERVICE, _user(account, key))
        except keyring.errors.PasswordDeleteError:
            continue
