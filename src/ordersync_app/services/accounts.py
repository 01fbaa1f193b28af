"""Accounts: connections to apps. Non-secret settings go to the database, secrets to the keychain.

An account has an ASCII *key* (``name``: what recipes bind to and the CLI types) and a *display name* in
any language ("我的店铺"); :func:`suggest_key` derives a key from a display name. Saving stores the secrets
first and the row second, so a keychain that refuses leaves no half-made ("ghost") account behind. The
status says what the last real contact with the vendor showed: ``untested`` after saving, ``ok`` after a
successful test or run, ``attention`` after a failed test, ``reconnect`` after the vendor refused the
credentials during a run.
"""

from __future__ import annotations

import re
import time
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import delete, select, update

from ordersync_app import paths
from ordersync_app.connectors.sdk import auth, registry
from ordersync_app.connectors.sdk.guard import guarded
from ordersync_app.connectors.sdk.http import PERMIT_HOLD_SHARE, ApiClient
from ordersync_app.connectors.sdk.spec import SANDBOX_SCHEME, AccountConfig, Connector, RateLimit, TlsSettings
from ordersync_app.domain.errors import AuthError, OrderSyncError, SetupError
from ordersync_app.domain.redact import control_characters
from ordersync_app.domain.text import invisible_characters, visible
from ordersync_app.secrets import store as secrets
from ordersync_app.services import sandbox
from ordersync_app.storage import budgets, db
from ordersync_app.storage.tables import Account, AccountState, utcnow

# Account state keys OrderSync itself keeps (beside each connector's own): per-account TLS trust.
TLS_CA_BUNDLE, TLS_PINNED_PEM = "tls_ca_bundle", "tls_pinned_pem"

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$")
STATUSES = ("untested", "ok", "attention", "reconnect")


@dataclass(frozen=True)
class AccountInfo:
    """An account as listed to users (no secrets)."""

    name: str
    connector: str
    base_url: str
    settings: dict[str, Any]
    status: str
    status_message: str | None
    display_name: str = ""

    @property
    def label(self) -> str:
        """What the user calls the account (its display name, else its key)."""
        return self.display_name or self.name

    @property
    def sandbox(self) -> bool:
        """Whether the account talks to the built-in sandbox apps."""
        return self.base_url.startswith(SANDBOX_SCHEME)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready view."""
        return dict(self.__dict__)


def suggest_key(display_name: str, connector_key: str, taken: set[str] | None = None) -> str:
    """An unused ASCII account key for a display name: ``My Shop`` → ``my-shop``; ``我的店铺`` → ``shopify-1``.

    Args:
        display_name: the name in any language.
        connector_key: the app (used when the name has no ASCII letters or digits).
        taken: keys already in use (read from the database when None).
    """
    if taken is None:
        with db.session() as s:
            taken = {n for (n,) in s.execute(select(Account.name))}
    ascii_text = unicodedata.normalize("NFKD", display_name).encode("ascii", "ignore").decode("ascii")
    base = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:50]
    if not base:
        base, n = connector_key, 1
        while f"{base}-{n}" in taken:
            n += 1
        return f"{base}-{n}"
    key, n = base, 2
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    return key


def connector(key: str) -> Connector:
    """The connector ``key`` or a SetupError with a suggestion."""
    found = registry.get(key)
    if found is None:
        known = list(registry.all_connectors())
        hint = registry.suggest(key, known)
        raise SetupError(f"unknown connector '{key}'",
                         hint=f"did you mean '{hint}'?" if hint else f"known connectors: {', '.join(known)}")
    return guarded(found)  # a vendor answer the connector cannot read is the vendor's error, not exit 3


def clean_secret(label: str, value: str, *, multiline: bool = False) -> str:
    """A typed or pasted secret without surrounding whitespace; control characters are refused.

    ``$(cat token.txt)`` from a Windows file keeps its ``\\r``, and a token with a line break can never
    be sent in a header: better to say so now than to fail (and quote the token) on every call. A
    ``multiline`` secret (a PEM key) keeps its line breaks, written as ``\\n`` whatever the file used.

    Raises:
        SetupError: the value holds control characters (named, never the value itself).
    """
    cleaned = value.strip()
    if multiline:
        cleaned = cleaned.replace("\r\n", "\n").replace("\r", "\n")
    bad = [ch for ch in control_characters(cleaned) if not (multiline and ch == "\\n")]
    if bad:
        raise SetupError(f"the {label} contains control characters ({', '.join(bad)})",
                         hint="copy the value again without line breaks or tabs")
    return cleaned


def _clean_setting(conn: Connector, key: str, value: str) -> str | None:
    """The problem with one non-secret setting value, or None."""
    spec = next(s for s in conn.settings if s.key == key)
    if control_characters(value):
        return f"'{key}' contains control characters"
    if spec.choices and value not in spec.choices:
        return f"'{key}' must be one of {', '.join(spec.choices)}"
    if spec.pattern and not re.fullmatch(spec.pattern, value):
        return f"'{key}' is not valid ('{visible(value)}'; expected {spec.help_en or spec.label_en})"
    return None


_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_LOOPBACK = ("127.0.0.1", "localhost", "::1")
_HOST_PART = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?(?::[0-9]{1,5})?")


def _expand(url: str, conn: Connector, settings: dict[str, str]) -> str:
    """Put known ``{setting}`` values into an address; nothing else in it is interpreted.

    Raises:
        SetupError: a placeholder is not a setting of the connector, a setting that is part of the
            address is not a host name (it could add a path or user info), or braces are left over.
    """
    declared = {s.key: s for s in conn.settings if not s.secret}
    whole = _PLACEHOLDER.fullmatch(url) is not None  # the setting is the address itself (an on-premise server)

    def value(match: re.Match[str]) -> str:
        key = match.group(1)
        spec = declared.get(key)
        if spec is None:
            raise SetupError(f"the address uses '{{{key}}}', which is not a setting of {conn.key}")
        if key not in settings:
            raise SetupError(f"the address needs the setting '{key}'")
        given = settings[key].strip()
        if not (spec.pattern or whole or _HOST_PART.fullmatch(given)):
            # Part of an address: a host name (and port) only, never a path, query or user info.
            raise SetupError(f"the setting '{key}' must be a host name such as api.example.com, "
                             f"not '{visible(given)}'")
        return given

    expanded = _PLACEHOLDER.sub(value, url)
    if "{" in expanded or "}" in expanded:
        raise SetupError(f"the address '{visible(url)}' contains braces that are not a {{setting}}")
    return expanded


def host_matches(host: str, patterns: tuple[str, ...]) -> bool:
    """Whether ``host`` is one of ``patterns`` (``*.example.com`` matches one label before it)."""
    host = host.lower().rstrip(".")
    for pattern in patterns:
        if pattern.startswith("*."):
            head, _dot, rest = host.partition(".")
            if head and rest == pattern[2:].lower() and "." not in head:
                return True
        elif host == pattern.lower():
            return True
    return False


def foreign_host(conn: Connector, url: str) -> str | None:
    """The host of ``url`` when it is neither the vendor's (``Connector.hosts``), loopback nor the
    sandbox; None otherwise."""
    if url.startswith(SANDBOX_SCHEME) or not conn.hosts:
        return None
    host = urlsplit(url).hostname or ""
    if host in _LOOPBACK or host_matches(host, conn.hosts):
        return None
    return host


def _check_address(name: str, conn: Connector, url: str, *, allow_host: bool) -> None:
    """https:// anywhere the vendor lives; http:// only on loopback; other hosts only when allowed."""
    if url.startswith(SANDBOX_SCHEME):
        return
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as exc:
        raise SetupError(f"'{visible(url)}' is not a valid address ({exc})", where=f"account {name}") from None
    if control_characters(url) or " " in url or not host or parts.scheme not in ("http", "https"):
        raise SetupError(f"base URL '{visible(url)}' must be an https:// address", where=f"account {name}")
    if parts.scheme == "http" and host not in _LOOPBACK:
        raise SetupError(f"base URL '{visible(url)}' is not encrypted: use https:// (http:// is only for "
                         "servers on this computer: 127.0.0.1, localhost)", where=f"account {name}")
    if parts.username or parts.password:
        raise SetupError("a base URL cannot carry a user name or password", where=f"account {name}",
                         hint="give credentials as the account's secrets")
    if not allow_host and foreign_host(conn, url):
        raise SetupError(f"'{host}' is not a {conn.name_en} address (expected {', '.join(conn.hosts)})",
                         where=f"account {name}",
                         hint="if this really is your own server or proxy, allow it explicitly (--allow-host, or "
                              "“This address is my own server” in the app)")


def add_account(name: str, connector_key: str, *, base_url: str | None = None,
                settings: dict[str, str] | None = None, secret_values: dict[str, str] | None = None,
                replace: bool = False, display_name: str | None = None, sandbox: bool = False,
                allow_host: bool = False) -> AccountInfo:
    """Create (or, with ``replace``, update) an account after validating every setting.

    Secrets are stored before the row is written, so a refusing keychain leaves nothing behind; a
    new account that then cannot be written loses its secrets again.

    Args:
        name: the ASCII key (letters, digits, ``-``, ``_``, ``.``); "" derives one from ``display_name``.
        connector_key: the app.
        base_url: the vendor's address (default: the connector's), or ``sandbox://<app>``.
        settings: non-secret settings by key.
        secret_values: secrets by key (to the keychain only); surrounding spaces are stripped.
        replace: update the account of that name instead of refusing it.
        display_name: what the user calls the account, in any language (default: the key).
        sandbox: connect to the app's built-in sandbox (demo data, no credentials); ``base_url``,
            settings and secrets given are then ignored.
        allow_host: accept an address outside the connector's known hosts (on-premise, proxies).

    Raises:
        SetupError: bad name, unknown connector, unknown/missing/invalid settings, a secret with
            control characters, an unsafe address, a changed address without the secret again, the
            name is taken, or the keychain refused the secrets.
    """
    display = (display_name or "").strip()
    if not name and display:
        name = suggest_key(display, connector_key)
    if not NAME.match(name):
        raise SetupError(f"'{visible(name)}' is not a valid account name",
                         hint="use letters, digits, '-', '_' or '.', up to 63 characters")
    if len(display) > 200:
        raise SetupError("the display name is longer than 200 characters", where=f"account {name}")
    if invisible_characters(display):
        raise SetupError(f"the display name contains invisible or direction-changing characters "
                         f"({', '.join(invisible_characters(display))})", where=f"account {name}")
    conn = connector(connector_key)
    if sandbox:
        if conn.sandbox is None:
            raise SetupError(f"{conn.name_en} has no built-in sandbox", where=f"account {name}")
        base_url, settings, secret_values = SANDBOX_SCHEME + conn.sandbox.app, {}, {}
    settings = {k: str(v).strip() for k, v in (settings or {}).items()}
    declared = {s.key: s for s in conn.settings}
    # Tokens a browser sign-in stores (refresh_token…) are kept for connectors that have one; any other
    # secret the connector does not declare is a mistake worth naming, not something to drop silently.
    signed_in = {"refresh_token", "access_token"} if conn.oauth is not None else set()
    unknown = sorted(k for k in (secret_values or {}) if k not in declared and k not in signed_in)
    if unknown:
        raise SetupError(f"{conn.name_en} has no secret named {', '.join(repr(k) for k in unknown)}",
                         where=f"account {name}", hint="known: " + ", ".join(
                             k for k, s in declared.items() if s.secret))
    secret_values = {k: clean_secret(f"secret '{k}'", v, multiline=k in declared and declared[k].multiline)
                     for k, v in (secret_values or {}).items() if v and v.strip()}
    problems: list[str] = []
    for key in settings:
        spec = declared.get(key)
        if spec is None or spec.secret:
            near = registry.suggest(key, [k for k, s in declared.items() if not s.secret])
            why = "is a secret: give it through the prompt or ORDERSYNC_SECRET_" + key.upper() if spec else \
                "is not a setting of " + conn.key + (f" (did you mean '{near}'?)" if near else "")
            problems.append(f"'{visible(key)}' {why}")
        else:
            problem = _clean_setting(conn, key, settings[key])
            if problem:
                problems.append(problem)
    sandboxed = (base_url or "").startswith(SANDBOX_SCHEME)
    chosen = {**{s.key: s.default for s in conn.settings if s.default is not None}, **settings}
    for spec in conn.settings:
        if spec.secret or spec.key in settings:
            continue
        if sandboxed and conn.sandbox and spec.key in conn.sandbox.settings:
            settings[spec.key] = sandbox_setting(conn.sandbox.settings[spec.key])
        elif spec.default is not None:
            settings[spec.key] = spec.default
        elif spec.required and spec.applies(chosen):  # shown_when: required only for the chosen sign-in
            problems.append(f"setting '{spec.key}' ({spec.label_en}) is required")
    with db.session() as s:
        row = s.scalar(select(Account).where(Account.name == name))
        old_url = None if row is None else row.base_url
    if not sandboxed and old_url is None:  # a new account needs its secrets (an existing one keeps them)
        problems += [f"secret '{spec.key}' ({spec.label_en}) is required" for spec in conn.settings
                     if spec.secret and spec.required and spec.applies(chosen) and spec.key not in secret_values]
    if problems:
        raise SetupError("; ".join(problems), where=f"account {name}")
    url = (base_url or conn.base_url).strip()
    if not sandboxed and (url or conn.uses_http):
        try:
            url = _expand(url, conn, settings)
        except SetupError as exc:
            raise SetupError(exc.what, where=f"account {name}") from None
        _check_address(name, conn, url, allow_host=allow_host)
    if old_url is not None and not replace:
        raise SetupError(f"an account named '{name}' already exists", hint="choose another name")
    moved = old_url is not None and _host_of(old_url) != _host_of(url)
    if not sandboxed and moved:
        missing = [spec for spec in conn.settings
                   if spec.secret and spec.required and spec.applies(chosen) and spec.key not in secret_values]
        if moved and not missing and not secret_values:  # only optional secrets: at least one, anew
            missing = [spec for spec in conn.settings if spec.secret and spec.applies(chosen)][:1]
        if missing:  # the stored secret was given for the old host: never send it to the new one unasked
            what = ", ".join(f"'{spec.key}' ({spec.label_en})" for spec in missing)
            raise SetupError(f"the address changes from {_host_of(old_url or '')} to {_host_of(url)}, so "
                             f"secret {what} is required again", where=f"account {name}",
                             hint="give it again (prompt or ORDERSYNC_SECRET_<NAME>)")
    stored = _store_secrets(name, secret_values)
    try:
        with db.session() as s:
            row = s.scalar(select(Account).where(Account.name == name))
            if row is None:
                row = Account(name=name, connector=conn.key, base_url=url, settings=settings)
                s.add(row)
            row.connector, row.base_url, row.settings = conn.key, url, settings
            row.display_name = display or row.display_name or None
            row.status, row.status_message = "untested", None
    except Exception:
        stored.rollback()
        raise
    if moved:  # secrets of the old host that were not given again are not kept for the new one
        secrets.delete_secrets(name, [st.key for st in conn.settings if st.secret and st.key not in secret_values]
                               + ["access_token_expires_at", "client_token", "client_token_expires_at"])
    auth.forget(name)  # new settings or secrets: the account's shared sign-in starts afresh
    return get_account(name)


def sandbox_setting(value: str) -> str:
    """A connector's sandbox setting with ``{sandbox_dir}`` filled in (file connectors' demo folders)."""
    return value.replace("{sandbox_dir}", str(paths.sandbox_dir()))


@dataclass
class _StoredSecrets:
    """Secrets written for one save, and how to put the previous values back."""

    account: str
    previous: dict[str, str | None] = field(default_factory=dict)

    def rollback(self) -> None:
        for key, value in self.previous.items():
            try:
                if value is None:
                    secrets.delete_secrets(self.account, [key])
                else:
                    secrets.set_secret(self.account, key, value)
            except OrderSyncError:
                continue  # best effort: the row was not written, so nothing refers to these values


def _store_secrets(account: str, values: dict[str, str]) -> _StoredSecrets:
    """Write secrets (all or none: a refusal part-way restores what was written)."""
    done = _StoredSecrets(account)
    try:
        for key, value in values.items():
            done.previous[key] = secrets.get_secret(account, key)
            secrets.set_secret(account, key, value)
    except OrderSyncError:
        done.rollback()
        raise
    return done


def _host_of(url: str) -> str:
    if url.startswith(SANDBOX_SCHEME):
        return url
    try:
        parts = urlsplit(url)
        return f"{parts.scheme}://{(parts.hostname or '').lower()}:{parts.port or ''}"
    except ValueError:
        return url


def _info(row: Account) -> AccountInfo:
    return AccountInfo(row.name, row.connector, row.base_url, dict(row.settings), row.status, row.status_message,
                       row.display_name or "")


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
    """Delete an account's secrets, then the account (recipes bound to it stop until re-bound).

    Raises:
        SetupError: unknown account, or the keychain refused (the account is then kept, so nothing
            is left half-removed).
    """
    info = get_account(name)
    conn = connector(info.connector)
    if not info.sandbox:  # sandbox accounts keep nothing in the keychain
        derived = ["access_token", "access_token_expires_at", "refresh_token", "client_token",
                   "client_token_expires_at"]  # tokens a sign-in stored (Salesforce declares neither as a setting)
        secrets.delete_secrets(name, list(dict.fromkeys([st.key for st in conn.settings if st.secret] + derived)))
    with db.session() as s:
        row = s.scalar(select(Account).where(Account.name == name))
        if row is not None:
            s.delete(row)
        s.execute(delete(AccountState).where(AccountState.account == name))
    auth.forget(name)


def set_status(name: str, status: str, message: str | None = None) -> None:
    """Record what the last contact with the vendor showed (one of :data:`STATUSES`)."""
    if status not in STATUSES:
        raise ValueError(f"unknown account status {status!r}")
    with db.session() as s:
        row = s.scalar(select(Account).where(Account.name == name))
        if row is not None:
            row.status, row.status_message = status, message


def mark_working(names: Iterable[str]) -> None:
    """A run got through with these accounts: an "untested" or "attention" status becomes "ok" (one statement:
    every run ends here, and most find nothing to change)."""
    with db.session() as s:
        s.execute(update(Account).where(Account.name.in_(sorted(set(names))),
                                        Account.status.in_(("untested", "attention")))
                  .values(status="ok", status_message=None))


def get_state(account: str, key: str) -> str | None:
    """A non-secret fact kept for an account (a discovered gateway, an ``instance_url``, TLS trust)."""
    with db.session() as s:
        row = s.get(AccountState, (account, key))
        return row.value if row else None


def set_state(account: str, key: str, value: str | None) -> None:
    """Keep (or, with None, forget) a non-secret fact of an account; shared by every process."""
    with db.session() as s:
        row = s.get(AccountState, (account, key))
        if value is None:
            if row is not None:
                s.delete(row)
        elif row is None:
            s.add(AccountState(account=account, key=key, value=value))
        else:
            row.value, row.updated_at = value, utcnow()


def set_tls(account: str, *, ca_bundle: str | None = None, pinned_pem: str | None = None) -> None:
    """Trust an on-premise server's certificate for one account: a CA bundle file, or exactly one pinned
    certificate (never "verify off"). Both None goes back to the system's trust store."""
    get_account(account)
    set_state(account, TLS_CA_BUNDLE, ca_bundle)
    set_state(account, TLS_PINNED_PEM, pinned_pem)
    auth.forget(account)


# Sandbox accounts keep nothing in the keychain; the tokens their emulators issue (which open only those
# emulators) are kept as account state, so every process reuses them (Fxiaoke's token endpoint allows ten a minute).
SANDBOX_TOKEN = "sandbox-token:"  # noqa: S105 - a state-key prefix, not a password


def account_config(name: str) -> AccountConfig:
    """The runtime configuration of an account, secrets read lazily from the keychain, state from the database."""
    info = get_account(name)

    def state(key: str) -> str | None:
        return get_state(name, key)

    def save_state(key: str, value: str | None) -> None:
        set_state(name, key, value)

    locks = str(paths.home() / "locks")

    def reserve(limit: RateLimit, calls: int) -> tuple[int, float]:
        return budgets.reserve(db.session, name, limit.family, limit.requests, limit.per_seconds, calls,
                               now=time.time(), hold=limit.per_seconds * PERMIT_HOLD_SHARE)

    def pause_shared(limit: RateLimit, seconds: float) -> None:
        budgets.pause(db.session, name, limit.family, limit.per_seconds, seconds, now=time.time())

    if info.base_url.startswith(SANDBOX_SCHEME):
        box = connector(info.connector).sandbox
        values = dict(box.credentials) if box else {}
        return AccountConfig(name=name, connector=info.connector, base_url=sandbox.resolve(info.base_url),
                             settings=info.settings, state=state, save_state=save_state, lock_dir=locks,
                             reserve=reserve, pause_shared=pause_shared,
                             secret=lambda key: values.get(key) or get_state(name, SANDBOX_TOKEN + key),
                             save_secret=lambda key, value: set_state(name, SANDBOX_TOKEN + key, value))
    ca_bundle, pinned = get_state(name, TLS_CA_BUNDLE), get_state(name, TLS_PINNED_PEM)
    return AccountConfig(
        name=name, connector=info.connector, base_url=info.base_url, settings=info.settings,
        secret=lambda key: secrets.get_secret(name, key),
        save_secret=lambda key, value: secrets.set_secret(name, key, value),
        state=state, save_state=save_state, tls=TlsSettings(ca_bundle, pinned) if ca_bundle or pinned else None,
        lock_dir=locks, reserve=reserve, pause_shared=pause_shared,
    )


def client(name: str) -> ApiClient:
    """An API client for the account (shares the account's rate budget with every other user)."""
    config = account_config(name)
    return ApiClient(connector(config.connector), config)


def test_account(name: str) -> str:
    """Call the vendor with the account's credentials; returns what the vendor said about it.

    The status follows the answer: ``ok`` (and recipes paused for this account resume), or
    ``reconnect`` when the vendor refused the credentials, ``attention`` for any other failure.

    Raises:
        OrderSyncError: the test failed (the status was updated first).
    """
    try:
        with client(name) as api:
            conn = api.connector
            result = conn.test_connection(api)
    except OrderSyncError as exc:
        set_status(name, "reconnect" if isinstance(exc, AuthError) else "attention", exc.render())
        raise
    set_status(name, "ok")
    from ordersync_app.services import recipes  # recipes imports this module

    recipes.resume_after_reconnect(name)
    return result


def usage() -> dict[str, list[str]]:
    """Account key → titles of the recipes bound to it (one query, for lists)."""
    from ordersync_app.services import recipes  # recipes imports this module

    out: dict[str, list[str]] = defaultdict(list)
    for recipe in recipes.list_recipes():
        for account in dict.fromkeys(recipe.bindings.values()):
            out[account].append(recipe.title)
    return dict(out)
