"""Every secret of the encrypted keyring file in one entry: the file is unlocked once per process.

Why: ``keyrings.cryptfile`` derives an Argon2 key (about a second of CPU and 64 MB) for every entry it
reads or writes. With one entry per secret, a run using two accounts paid three derivations before its
first request. Here all of OrderSync's secrets are one JSON object in one entry (encrypted and
authenticated like any other), read once per process; a change re-reads it under a file lock, so two
processes saving different secrets (a worker refreshing a token, the app adding an account) keep both.

Entries written one per secret by earlier versions are moved into the bundle the first time it is
needed (the bundle is written before they are removed, so a crash in between loses nothing).
"""

from __future__ import annotations

import configparser
import contextlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ordersync_app.domain.errors import SetupError

BUNDLE_USER = "ordersync:all-secrets"  # no account/key pair looks like this (names have no colon)


@contextlib.contextmanager
def locked(keyring_file: Path) -> Iterator[None]:
    """Hold an exclusive lock beside the keyring file while its bundle is read, changed and written."""
    with keyring_file.with_name(keyring_file.name + ".lock").open("a+b") as handle:
        if sys.platform == "win32":  # pragma: no cover - Windows
            import msvcrt

            msvcrt.locking(handle.fileno(), msvcrt.LK_LOCK, 1)
        else:
            import fcntl

            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        yield  # closing the handle releases the lock


def _legacy_users(backend: Any, service: str) -> list[str]:
    """Entries of ``service`` stored one per secret (by versions before the bundle)."""
    from keyrings.cryptfile.escape import escape, unescape

    parser = configparser.RawConfigParser()
    parser.read(backend.file_path, encoding="utf-8")
    section = escape(service)
    if not parser.has_section(section):
        return []
    return [user for user in (unescape(option) for option in parser.options(section)) if user != BUNDLE_USER]


def load(backend: Any, service: str) -> dict[str, str]:
    """The bundle's secrets (``user`` → value); an older keyring's single entries are moved into it.

    Call with :func:`locked` held. Raises ValueError (and the decryption's errors) when the entry is damaged.
    """
    raw = backend.get_password(service, BUNDLE_USER)
    if raw is not None:
        found = json.loads(raw)
        if not isinstance(found, dict) or not all(isinstance(v, str) for v in found.values()):
            raise ValueError("the secrets entry is not an object of strings")
        return found
    legacy = _legacy_users(backend, service)
    values = {user: value for user in legacy if (value := backend.get_password(service, user)) is not None}
    if legacy:
        save(backend, service, values)
        for user in legacy:
            backend.delete_password(service, user)
    return values


def save(backend: Any, service: str, values: dict[str, str]) -> None:
    """Write the whole bundle (one encryption). Call with :func:`locked` held."""
    backend.set_password(service, BUNDLE_USER, json.dumps(values, ensure_ascii=False, sort_keys=True))


def damaged(path: Path) -> SetupError:
    """The error for a bundle entry that does not decrypt or parse."""
    return SetupError(
        f"the secrets in the encrypted keyring {path} are damaged",
        hint=f"restore {path.name} from a backup; or move it away and enter every account's secrets again "
             "(ordersync account add NAME --connector ID --replace, or Edit in the app's Accounts page)",
    )
