"""Accounts: connections to apps. Non-secret settings go to the database, secrets to the keychain."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from ordersync_app.connectors.sdk import auth, registry
from ordersync_app.connectors.sdk.http import ApiClient
from ordersync_app.connectors.sdk.spec import SANDBOX_SCHEME, AccountConfig, Connector
from ordersync_app.domain.errors import SetupError
from ordersync_app.secrets import store as secrets
from ordersync_app.services import sandbox
from ordersync_app.storage import db
from ordersync_app.storage.tables import Account, AccountState, utcnow

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$")


@dataclass(frozen=True)
class AccountInfo:
    """An account as listed to users (no secrets)."""

    name: str
    connector: str
    base_url: str
    settings: dict[str, Any]
    status: str
    status_message: str | None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready view."""
        return dict(self.__dict__)


def connector(key: str) -> Connector:
    """The connector ``key`` or a SetupError with a suggestion."""
    found = registry.get(key)
    if found is None:
        known = list(registry.all_connectors())
        hint = registry.suggest(key, known)
        raise SetupError(f"unknown connector '{key}'",
                         hint=f"did you mean '{hint}'?" if hint else f"known connectors: {', '.join(known)}")
    return found


def add_account(name: str, connector_key: str, *, base_url: str | None = None,
                settings: dict[str, str] | None = None, secret_values: dict[str, str] | None = None,
                replace: bool = False) -> AccountInfo:
    """Create (or, with ``replace``, update) an account after validating every setting.

    Raises:
        SetupError: bad name, unknown connector, unknown/missing settings, or the name is taken.
    """
    if not NAME.match(name):
        raise SetupError(f"'{name}' is not a valid account name",
                         hint="use letters, digits, '-', '_' or '.', up to 63 characters")
    conn = connector(connector_key)
    settings = dict(settings or {})
    secret_values = dict(secret_values or {})
    declared = {s.key: s for s in conn.settings}
    problems: list[str] = []
    for key in settings:
        spec = declared.get(key)
        if spec is None or spec.secret:
            near = registry.suggest(key, [k for k, s in declared.items() if not s.secret])
            why = "is a secret: give it through the prompt or ORDERSYNC_SECRET_" + key.upper() if spec else \
                "is not a setting of " + conn.key + (f" (did you mean '{near}'?)" if near else "")
            problems.append(f"'{key}' {why}")
        elif spec.choices and settings[key] not in spec.choices:
            problems.append(f"'{key}' must be one of {', '.join(spec.choices)}")
    sandboxed = (base_url or "").startswith(SANDBOX_SCHEME)
    for spec in conn.settings:
        if spec.secret or spec.key in settings:
            continue
        if sandboxed and conn.sandbox and spec.key in conn.sandbox.settings:
            settings[spec.key] = conn.sandbox.settings[spec.key]
        elif spec.default is not None:
            settings[spec.key] = spec.default
        elif spec.required:
            problems.append(f"setting '{spec.key}' ({spec.label_en}) is required")
    if not sandboxed:
        for spec in conn.settings:
            if spec.secret and spec.required and not secret_values.get(spec.key):
                problems.append(f"secret '{spec.key}' ({spec.label_en}) is required")
    if problems:
        raise SetupError("; ".join(problems), where=f"account {name}")
    url = base_url or conn.base_url
    try:
        url = url.format(**settings) if not sandboxed else url
    except KeyError as exc:
        raise SetupError(f"the base URL needs the setting {exc}", where=f"account {name}") from exc
    if not (url.startswith(("http://", "https://")) or sandboxed):
        raise SetupError(f"base URL '{url}' must start with https:// (or http:// for local servers)",
                         where=f"account {name}")
    with db.session() as s:
        row = s.scalar(select(Account).where(Account.name == name))
        if row is not None and not replace:
            raise SetupError(f"an account named '{name}' already exists",
                             hint="choose another name, or remove it first: ordersync account remove " + name)
        if row is None:
            row = Account(name=name, connector=conn.key, base_url=url, settings=settings)
            s.add(row)
        row.connector, row.base_url, row.settings = conn.key, url, settings
        row.status, row.status_message = "ok", None
    for key, value in secret_values.items():
        if value:
            secrets.set_secret(name, key, value)
    auth.forget(name)  # new settings or secrets: the account's shared sign-in starts afresh
    return get_account(name)


def _info(row: Account) -> AccountInfo:
    return AccountInfo(row.name, row.connector, row.base_url, dict(row.settings), row.status, row.status_message)


def list_accounts() -> list[AccountInfo]:
    """Every account, by name."""
    with db.session() as s:
        return [_info(r) for r in s.scalars(select(Account).order_by(Account.name))]


def get_account(name: str) -> AccountInfo:
    """One account, or SetupError naming the known ones."""
    with db.session() as s:
        row = s.scalar(select(Account).where(Account.name == name))
        if row is None:
            known = [a for (a,) in s.execute(select(Account.name))]
            near = registry.suggest(name, known)
            raise SetupError(f"no account named '{name}'",
                             hint=f"did you mean '{near}'?" if near
                             else "add one: ordersync account add NAME --connector ID")
        return _info(row)


def remove_account(name: str) -> None:
    """Delete an account and its secrets (recipes bound to it stop until re-bound)."""
    info = get_account(name)
    conn = connector(info.connector)
    with db.session() as s:
        row = s.scalar(select(Account).where(Account.name == name))
        if row is not None:
            s.delete(row)
    if not info.base_url.startswith(SANDBOX_SCHEME):  # sandbox accounts keep nothing in the keychain
        derived = ["access_token", "access_token_expires_at", "refresh_token", "client_token",
                   "client_token_expires_at"]
        secrets.delete_secrets(name, list(dict.fromkeys([st.key for st in conn.settings if st.secret] + derived)))
    with db.session() as s:
        for kept in s.scalars(select(AccountState).where(AccountState.account == name)):
            s.delete(kept)
    auth.forget(name)


def set_status(name: str, status: str, message: str | None = None) -> None:
    """Mark an account ``ok`` or ``reconnect`` (after an auth failure)."""
    with db.session() as s:
        row = s.scalar(select(Account).where(Account.name == name))
        if row is not None:
            row.status, row.status_message = status, message


def state(name: str, key: str) -> str | None:
    """A connector's non-secret fact about an account (a Salesforce ``instance_url``), or None."""
    with db.session() as s:
        row = s.get(AccountState, (name, key))
        return row.value if row is not None else None


def save_state(name: str, key: str, value: str | None) -> None:
    """Keep (or, with None, forget) a connector's non-secret fact about an account."""
    with db.session() as s:
        row = s.get(AccountState, (name, key))
        if value is None:
            if row is not None:
                s.delete(row)
        elif row is None:
            s.add(AccountState(account=name, key=key, value=value, updated_at=utcnow()))
        else:
            row.value = value


def account_config(name: str) -> AccountConfig:
    """The runtime configuration of an account: secrets read lazily from the keychain, state from the database."""
    info = get_account(name)
    if info.base_url.startswith(SANDBOX_SCHEME):
        box = connector(info.connector).sandbox
        values = dict(box.credentials) if box else {}
        return AccountConfig(name=name, connector=info.connector, base_url=sandbox.resolve(info.base_url),
                             settings=info.settings, secret=values.get)
    return AccountConfig(
        name=name, connector=info.connector, base_url=info.base_url, settings=info.settings,
        secret=lambda key: secrets.get_secret(name, key),
        save_secret=lambda key, value: secrets.set_secret(name, key, value),
        state=lambda key: state(name, key), save_state=lambda key, value: save_state(name, key, value),
    )


def client(name: str) -> ApiClient:
    """An API client for the account (shares the account's rate budget with every other user)."""
    config = account_config(name)
    return ApiClient(connector(config.connector), config)


def test_account(name: str) -> str:
    """Call the vendor with the account's credentials; returns what the vendor said about it."""
    with client(name) as api:
        conn = api.connector
        result = conn.test_connection(api)
    set_status(name, "ok")
    from ordersync_app.services import recipes  # recipes imports this module

    recipes.resume_after_reconnect(name)
    return result
