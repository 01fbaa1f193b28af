"""Alert settings, state and delivery: what ``ordersync alerts …``, the GUI and the end of every run call.

Where things live:

* The database (tables ``alert_settings`` and ``alert_deliveries``): non-secret settings per sink, the
  app-wide choice of sinks and digest period, per-recipe overrides, the policy state of each recipe (so a
  restart does not re-alert) and the last deliveries (successes and failures, for the settings page and
  ``alerts show``). Every worker and desktop app attached to one team database sees the same settings and
  the same state, so a failing recipe is announced once, not once per machine. Each change is one
  transaction that first takes the ``lock`` row, so two processes never overwrite each other's edits.
* The keychain (``secrets.store``, account ``alerts:<kind>``): webhook URLs (their token is the
  credential), the DingTalk signing secret and the SMTP password. Never the database. A worker on another
  machine needs the channel's secret in its own keychain (``ordersync alerts set KIND`` there).
* ``<home>/alerts.json`` was the store before the database: a file found there is imported once (entries
  already in the database win; deliveries are appended) and renamed ``alerts.json.imported``.

:func:`observe_run` never raises: an alert that cannot be sent must not turn a run into an error.
"""

from __future__ import annotations

import copy
import json
import logging
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ordersync_app import paths
from ordersync_app.alerts.dingtalk import DingTalkSink
from ordersync_app.alerts.email import SECURITY_MODES, EmailSink
from ordersync_app.alerts.policy import DEFAULT_DIGEST_SECONDS, AlertPolicy, Outcome, RecipeState, sample_alert
from ordersync_app.alerts.sinks import Alert, AlertSink, check_webhook_url, registered_sinks
from ordersync_app.alerts.sla import SlaPolicy, SlaReading, SlaState
from ordersync_app.alerts.wecom import WeComSink
from ordersync_app.connectors.sdk.registry import suggest
from ordersync_app.domain.errors import OrderSyncError, SetupError
from ordersync_app.domain.records import RunSummary
from ordersync_app.domain.redact import clip, mask
from ordersync_app.secrets import store
from ordersync_app.services.accounts import clean_secret
from ordersync_app.services.stats import find_recipe
from ordersync_app.storage import db
from ordersync_app.storage.tables import AlertDelivery, AlertSetting, Execution, Recipe, utcnow

log = logging.getLogger(__name__)

KINDS = ("dingtalk", "wecom", "email")
NAMES = {"dingtalk": "DingTalk robot", "wecom": "WeCom robot", "email": "e-mail", "desktop": "desktop notification"}
EXTRA_SINKS = ("desktop",)  # registered by the GUI at run time
MAX_DELIVERIES = 100


@dataclass(frozen=True)
class SinkSpec:
    """The settings a sink kind takes; ``secrets`` go to the keychain only."""

    settings: tuple[str, ...]
    secrets: tuple[str, ...]
    required: tuple[str, ...]


SPECS: dict[str, SinkSpec] = {
    "dingtalk": SinkSpec(("keyword", "at_mobiles", "at_all", "timeout"), ("webhook", "sign_secret"), ("webhook",)),
    "wecom": SinkSpec(("mentioned_mobiles", "timeout"), ("webhook",), ("webhook",)),
    "email": SinkSpec(("host", "port", "security", "username", "sender", "recipients", "timeout", "ca_file"),
                      ("password",), ("host", "sender", "recipients")),
}
SECRET_LABELS = {
    "webhook": "Webhook URL (copied from the robot's settings)",
    "sign_secret": "Signing secret, SEC… (加签; leave empty if the robot does not sign)",
    "password": "Mail password or authorisation code (leave empty if the server needs no login)",
}
_LISTS = ("at_mobiles", "mentioned_mobiles", "recipients")

_lock = threading.RLock()
_clock = time.time


# -- storage ---------------------------------------------------------------------------------
_SECTIONS = {"sink": "sinks", "recipe": "recipes", "state": "state", "sla": "sla"}


def config_path() -> Path:
    """``<home>/alerts.json``: where alerts were kept before the database (imported on first use)."""
    return paths.home() / "alerts.json"


def _default() -> dict[str, Any]:
    return {"version": 1, "app": {"enabled": True, "sinks": None, "digest_minutes": DEFAULT_DIGEST_SECONDS / 60},
            "sinks": {}, "recipes": {}, "state": {}, "sla": {}, "deliveries": []}


def _read(s: Session, recipe: str | None = None) -> dict[str, Any]:
    """Settings and state as one dict (the shape the rest of this module works on); no deliveries. With
    ``recipe``: the app's settings and channels, and only that recipe's own entries."""
    cfg = _default()
    query = select(AlertSetting.section, AlertSetting.name, AlertSetting.value).where(AlertSetting.section != "lock")
    if recipe is not None:
        query = query.where(or_(AlertSetting.section.in_(("app", "sink")), AlertSetting.name == recipe))
    for section, name, value in s.execute(query):
        if section == "app" and isinstance(value, dict):
            cfg["app"].update(value)
        elif section in _SECTIONS and isinstance(value, dict):
            cfg[_SECTIONS[section]][name] = value
    return cfg


def _put(s: Session, section: str, name: str, value: Any) -> None:
    row = s.get(AlertSetting, (section, name))
    if row is None:
        s.add(AlertSetting(section=section, name=name, value=value, updated_at=utcnow()))
    else:
        row.value, row.updated_at = value, utcnow()


def _write(s: Session, before: dict[str, Any], after: dict[str, Any]) -> None:
    """Store what changed between ``before`` and ``after`` (entries of other recipes stay untouched)."""
    if after["app"] != before["app"]:
        _put(s, "app", "", dict(after["app"]))
    for section, key in _SECTIONS.items():
        old, new = before[key], after[key]
        for name in old.keys() - new.keys():
            s.execute(delete(AlertSetting).where(AlertSetting.section == section, AlertSetting.name == name))
        for name, value in new.items():
            if old.get(name) != value:
                _put(s, section, name, copy.deepcopy(value))
    s.flush()


def _add_deliveries(s: Session, records: Iterable[Mapping[str, Any]]) -> None:
    """Append delivery records, keeping the latest :data:`MAX_DELIVERIES`."""
    for r in records:
        s.add(AlertDelivery(at=str(r.get("at") or ""), recipe=str(r.get("recipe") or ""), kind=str(r.get("kind")),
                            sink=str(r.get("sink")), ok=bool(r.get("ok")), error=r.get("error")))
    s.flush()
    floor = s.scalar(select(AlertDelivery.id).order_by(AlertDelivery.id.desc()).offset(MAX_DELIVERIES).limit(1))
    if floor is not None:
        s.execute(delete(AlertDelivery).where(AlertDelivery.id <= floor))


def _deliveries(limit: int) -> list[dict[str, Any]]:
    with db.session() as s:
        rows = s.execute(select(AlertDelivery).order_by(AlertDelivery.id.desc()).limit(limit)).scalars().all()
    return [{"at": r.at, "recipe": r.recipe, "kind": r.kind, "sink": r.sink, "ok": r.ok, "error": r.error}
            for r in reversed(rows)]


def _import_file(s: Session) -> tuple[Path, Path] | None:
    """Import ``alerts.json`` (from before the database) into the database, entries already there winning,
    and rename it; returns (old, new) path so a failed commit can put the file back."""
    path = config_path()
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text("utf-8"))
        if not isinstance(data, dict):
            raise ValueError("not an object")
    except (OSError, ValueError) as exc:
        log.warning("alerts: %s is unreadable (%s); left as it is, not imported", path, type(exc).__name__)
        return None
    have = {(sec, name) for sec, name in s.execute(select(AlertSetting.section, AlertSetting.name))}
    app = data.get("app")
    if isinstance(app, dict) and ("app", "") not in have:
        _put(s, "app", "", {**_default()["app"], **app})
    for section, key in _SECTIONS.items():
        entries = data.get(key)
        for name, value in (entries.items() if isinstance(entries, dict) else ()):
            if isinstance(value, dict) and (section, str(name)) not in have:
                _put(s, section, str(name), value)
    records = data.get("deliveries")
    _add_deliveries(s, [r for r in records if isinstance(r, dict)] if isinstance(records, list) else [])
    target = path.with_name(path.name + ".imported")
    if target.exists():
        target = path.with_name(f"{path.name}.imported.{int(time.time())}")
    path.replace(target)
    log.info("alerts: imported %s into the database (kept as %s)", path, target.name)
    return path, target


@contextmanager
def _edit(recipe: str | None = None) -> Iterator[dict[str, Any]]:
    """Settings and state to change in place; stored in one transaction that holds the ``lock`` row (every
    other process's edit waits), after importing an old ``alerts.json``.

    With ``recipe`` (a run's or a measurement's bookkeeping): only that recipe's entries, under that recipe's
    own lock row — every run ends here, and a thousand recipes on a team database must not queue behind one
    row, nor each read every other recipe's state.
    """
    if recipe is not None and not config_path().is_file():
        with db.session() as s:
            lock = {"section": "lock", "name": recipe, "value": None, "updated_at": utcnow()}
            insert = postgresql.insert if s.get_bind().dialect.name == "postgresql" else sqlite.insert
            s.execute(insert(AlertSetting).values(**lock).on_conflict_do_nothing(index_elements=["section", "name"]))
            s.execute(update(AlertSetting).where(AlertSetting.section == "lock", AlertSetting.name == recipe)
                      .values(updated_at=utcnow()))
            cfg = _read(s, recipe)
            before = copy.deepcopy(cfg)
            yield cfg
            _write(s, before, cfg)
            if cfg["deliveries"]:
                _add_deliveries(s, cfg["deliveries"])
        return
    with _lock:
        moved: tuple[Path, Path] | None = None
        try:
            with db.session() as s:
                s.execute(update(AlertSetting).where(AlertSetting.section == "lock", AlertSetting.name == "")
                          .values(updated_at=utcnow()))
                moved = _import_file(s)
                cfg = _read(s)
                before = copy.deepcopy(cfg)
                yield cfg
                _write(s, before, cfg)
                if cfg["deliveries"]:
                    _add_deliveries(s, cfg["deliveries"])
        except BaseException:
            if moved is not None:
                moved[1].replace(moved[0])
            raise


def _load() -> dict[str, Any]:
    """Settings and state as they are now (read only)."""
    if config_path().is_file():
        with _edit() as cfg:
            return copy.deepcopy(cfg)
    with db.session() as s:
        return _read(s)


def _account(kind: str) -> str:
    return f"alerts:{kind}"


def _check_kind(kind: str) -> SinkSpec:
    spec = SPECS.get(kind)
    if spec is None:
        near = suggest(kind, list(KINDS))
        raise SetupError(f"unknown alert channel '{kind}'",
                         hint=f"did you mean '{near}'?" if near else f"use one of: {', '.join(KINDS)}")
    return spec


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off", ""):
        return False
    raise SetupError(f"'{value}' is not yes/no")


def _normalise(key: str, value: Any) -> Any:
    """A setting from the CLI (text) or the GUI (typed) in its stored form."""
    if key in _LISTS:
        items = value if isinstance(value, (list, tuple)) else str(value).replace(";", ",").split(",")
        return [str(v).strip() for v in items if str(v).strip()]
    if key == "port":
        try:
            port = int(value)
        except (TypeError, ValueError):
            port = 0
        if not 0 < port < 65536:
            raise SetupError(f"port '{value}' is not a port number")
        return port
    if key == "timeout":
        try:
            seconds = float(value)
        except (TypeError, ValueError):
            seconds = 0.0
        if seconds <= 0:
            raise SetupError(f"timeout '{value}' is not a number of seconds")
        return seconds
    if key == "at_all":
        return _bool(value)
    if key == "security":
        text = str(value).strip().lower()
        if text not in SECURITY_MODES:
            raise SetupError(f"unknown e-mail security '{value}'", hint="use starttls (587), ssl (465) or none")
        return text
    return str(value).strip()


# -- configuration ----------------------------------------------------------------------------
def configure_sink(kind: str, settings: Mapping[str, Any] | None = None,
                   secrets: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Save a channel's settings (merged into the saved ones; an empty value removes a setting)
    and its secrets (keychain; an empty value keeps the stored one).

    Returns:
        The channel as :func:`show` describes it.

    Raises:
        SetupError: unknown channel or setting, a secret passed as a setting, a bad value, or a
            required value missing.
    """
    spec = _check_kind(kind)
    secrets = {k: clean_secret(f"{NAMES.get(kind, kind)} secret '{k}'", v) if v else v
               for k, v in (secrets or {}).items()}
    updates: dict[str, Any] = {}
    for key, value in (settings or {}).items():
        if key in spec.secrets:
            raise SetupError(f"'{key}' is a secret and is never given as a setting",
                             hint=f"type it when asked, or set ORDERSYNC_SECRET_{key.upper()}")
        if key not in spec.settings:
            near = suggest(key, list(spec.settings))
            raise SetupError(f"the {NAMES[kind]} has no setting '{key}'",
                             hint=f"did you mean '{near}'?" if near else f"settings: {', '.join(spec.settings)}")
        updates[key] = None if value in (None, "") else _normalise(key, value)
    for key, value in (secrets or {}).items():
        if key not in spec.secrets:
            raise SetupError(f"the {NAMES[kind]} has no secret '{key}'", hint=f"secrets: {', '.join(spec.secrets)}")
        if key == "webhook" and value:
            check_webhook_url(value, NAMES[kind])
    with _edit() as cfg:
        entry = cfg["sinks"].setdefault(kind, {"settings": {}})
        merged = {k: v for k, v in {**entry.get("settings", {}), **updates}.items() if v is not None}
        stored = {k: v for k, v in (secrets or {}).items() if v}
        missing = [k for k in spec.required
                   if k not in merged and k not in stored and not store.get_secret(_account(kind), k)]
        if missing:
            raise SetupError(f"the {NAMES[kind]} needs {', '.join(missing)}",
                             hint="secrets are asked for (or read from ORDERSYNC_SECRET_<NAME>); "
                                  "other values: --set KEY=VALUE")
        _build(kind, merged, {**_secrets(kind), **stored})  # refuses unusable combinations early
        for key, value in stored.items():
            store.set_secret(_account(kind), key, value)
        entry["settings"] = merged
        entry["configured_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        return _describe_sink(cfg, kind)


def remove_sink(kind: str) -> None:
    """Forget a channel's settings and delete its secrets from the keychain."""
    spec = _check_kind(kind)
    with _edit() as cfg:
        cfg["sinks"].pop(kind, None)
    store.delete_secrets(_account(kind), list(spec.secrets))


def _sink_names(names: Iterable[str] | None) -> list[str] | None:
    if names is None:
        return None
    out = []
    for name in names:
        name = name.strip()
        if not name:
            continue
        if name not in KINDS and name not in EXTRA_SINKS and name not in registered_sinks():
            near = suggest(name, [*KINDS, *EXTRA_SINKS])
            raise SetupError(f"unknown alert channel '{name}'",
                             hint=f"did you mean '{near}'?" if near else f"use: {', '.join([*KINDS, *EXTRA_SINKS])}")
        out.append(name)
    return out


def configure_app(*, enabled: bool | None = None, sinks: Iterable[str] | None = None, all_sinks: bool = False,
                  digest_minutes: float | None = None) -> dict[str, Any]:
    """App-wide choices: alerts on/off, which channels (``all_sinks``: every configured one, the
    default) and the digest period in minutes."""
    with _edit() as cfg:
        app = cfg["app"]
        if enabled is not None:
            app["enabled"] = enabled
        if all_sinks:
            app["sinks"] = None
        elif sinks is not None:
            app["sinks"] = _sink_names(sinks)
        if digest_minutes is not None:
            if digest_minutes < 0:
                raise SetupError("the digest period cannot be negative")
            app["digest_minutes"] = float(digest_minutes)
        return dict(app)


def configure_recipe(recipe: str, *, enabled: bool | None = None, sinks: Iterable[str] | None = None,
                     inherit: bool = False) -> dict[str, Any]:
    """Per-recipe override: alerts on/off and which channels; ``inherit`` drops the override."""
    with db.session() as s:
        find_recipe(s, recipe)
    with _edit() as cfg:
        if inherit:
            cfg["recipes"].pop(recipe, None)
        else:
            entry = cfg["recipes"].setdefault(recipe, {"enabled": None, "sinks": None})
            if enabled is not None:
                entry["enabled"] = enabled
            if sinks is not None:
                entry["sinks"] = _sink_names(sinks) or None
        return dict(cfg["recipes"].get(recipe) or {"enabled": None, "sinks": None})


def _secrets(kind: str) -> dict[str, str]:
    out = {}
    for key in SPECS[kind].secrets:
        value = store.get_secret(_account(kind), key)
        if value:
            out[key] = value
    return out


def _build(kind: str, settings: Mapping[str, Any], secrets: Mapping[str, str]) -> AlertSink:
    timeout = float(settings.get("timeout") or (20.0 if kind == "email" else 10.0))
    if kind == "dingtalk":
        return DingTalkSink(secrets.get("webhook", ""), secret=secrets.get("sign_secret"),
                            keyword=settings.get("keyword"), at_mobiles=settings.get("at_mobiles", []),
                            at_all=bool(settings.get("at_all", False)), timeout=timeout)
    if kind == "wecom":
        return WeComSink(secrets.get("webhook", ""), mentioned_mobiles=settings.get("mentioned_mobiles", []),
                         timeout=timeout)
    return EmailSink(str(settings.get("host", "")), sender=str(settings.get("sender", "")),
                     recipients=settings.get("recipients", []), port=settings.get("port"),
                     security=str(settings.get("security", "starttls")), username=settings.get("username"),
                     password=secrets.get("password"), timeout=timeout, ca_file=settings.get("ca_file"))


def build_sink(name: str) -> AlertSink:
    """The sink called ``name``: a registered one (desktop) or a configured channel.

    Raises:
        SetupError: the channel is unknown or not configured.
    """
    registered = registered_sinks()
    if name in registered:
        return registered[name]
    if name in EXTRA_SINKS:
        raise SetupError(f"the {NAMES[name]} exists only while the desktop app runs")
    _check_kind(name)
    entry = _load()["sinks"].get(name)
    if not entry:
        raise SetupError(f"the {NAMES[name]} alert is not set up", hint=f"ordersync alerts set {name} --set …")
    return _build(name, entry.get("settings", {}), _secrets(name))


# -- views ------------------------------------------------------------------------------------
def _iso(ts: float | None) -> str | None:
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="seconds") if ts else None


def _describe_sink(cfg: dict[str, Any], kind: str) -> dict[str, Any]:
    entry = cfg["sinks"].get(kind)
    if not entry:
        return {"kind": kind, "name": NAMES[kind], "configured": False}
    stored = _secrets(kind)
    return {"kind": kind, "name": NAMES[kind], "configured": True, "settings": dict(entry.get("settings", {})),
            "secrets": {k: ("stored in keychain" if k in stored else "not set") for k in SPECS[kind].secrets},
            "configured_at": entry.get("configured_at")}


def show() -> dict[str, Any]:
    """Everything about alerts, without secrets: channels, app and recipe choices, each recipe's
    state and the latest deliveries."""
    cfg = _load()
    return {
        "stored_in": "database",
        "app": dict(cfg["app"]),
        "sinks": {kind: _describe_sink(cfg, kind) for kind in KINDS},
        "registered": sorted(registered_sinks()),
        "recipes": dict(cfg["recipes"]),
        "state": {name: {"failing": st.failing, "announced": st.announced, "since": _iso(st.since),
                         "last_alert_at": _iso(st.last_alert_at), "failed_since_last_alert": st.pending_failed}
                  for name, st in ((n, RecipeState.from_dict(d)) for n, d in cfg["state"].items())},
        "sla": {name: {"breached": st.breached, "announced": st.announced, "since": _iso(st.since),
                       "missed": list(st.missed)}
                for name, st in ((n, SlaState.from_dict(d)) for n, d in cfg["sla"].items())},
        "deliveries": _deliveries(20),
    }


# -- delivery ---------------------------------------------------------------------------------
def _targets(cfg: dict[str, Any], recipe: str) -> list[str]:
    """The channels an alert of ``recipe`` goes to (empty when alerts are off for it)."""
    app, override = cfg["app"], cfg["recipes"].get(recipe) or {}
    enabled = override.get("enabled")
    if not (app.get("enabled", True) if enabled is None else enabled):
        return []
    names = override.get("sinks") or app.get("sinks")
    if names is None:
        names = [k for k in KINDS if cfg["sinks"].get(k)] + sorted(registered_sinks())
    return list(dict.fromkeys(names))


def _deliver(alert: Alert, names: list[str]) -> list[dict[str, Any]]:
    """Send to each channel; one record per channel, never raising."""
    records = []
    for name in names:
        record: dict[str, Any] = {"at": datetime.now(UTC).isoformat(timespec="seconds"), "recipe": alert.recipe,
                                  "kind": alert.kind, "sink": name, "ok": True, "error": None}
        try:
            build_sink(name).send(alert)
        except OrderSyncError as exc:
            record.update(ok=False, error=exc.render())
        except Exception as exc:  # noqa: BLE001 - a registered sink's bug must not stop the others
            record.update(ok=False, error=mask(f"internal error in the {name} sink: {type(exc).__name__}: {exc}"))
        if not record["ok"]:
            log.warning("alert '%s' for %s not sent to %s: %s", alert.kind, alert.recipe or "-", name,
                        record["error"])
        records.append(record)
    return records


def _policy(cfg: dict[str, Any]) -> AlertPolicy:
    minutes = cfg["app"].get("digest_minutes")
    seconds = DEFAULT_DIGEST_SECONDS if minutes is None else float(minutes) * 60
    return AlertPolicy(seconds, clock=_clock)


def _send(recipe: str, alert: Alert, names: list[str]) -> None:
    """Deliver, then record the deliveries and (if anyone got it) the policy's bookkeeping."""
    records = _deliver(alert, names)
    with _edit(recipe) as cfg:
        state = RecipeState.from_dict(cfg["state"].get(recipe))
        if not names or any(r["ok"] for r in records):
            _policy(cfg).delivered(state, alert)
        cfg["state"][recipe] = state.to_dict()
        cfg["deliveries"].extend(records)


def _first_error(summary: RunSummary) -> str | None:
    """The first failed record's error of this run, else the run's error: in plain words in both languages
    where the error is a known one (as the Activity page says it), else the vendor's words, escapes decoded."""
    from ordersync_app.services.explain import decode_escapes, explain
    from ordersync_app.services.queue import action_connector
    from ordersync_app.services.recipes import get_recipe

    with db.session() as s:
        text = s.scalar(select(Execution.error).where(
            Execution.run_id == summary.run_id, Execution.status == "failed", Execution.error.is_not(None),
        ).order_by(Execution.id).limit(1)) or summary.error
    if not text:
        return None
    try:
        connector = action_connector(get_recipe(summary.recipe).document)
    except OrderSyncError:  # the recipe went away meanwhile: the words without the app's field labels
        connector = None
    told = explain(text, connector=connector, kind="record")
    if not told.key.startswith("generic."):
        return clip(f"{told.what.en} / {told.what.zh}", 300)
    return clip(decode_escapes(text), 300)


def _queued(recipe: str, status: str = "failed") -> int:
    with db.session() as s:
        return int(s.scalar(select(func.count()).select_from(Execution).join(Recipe, Recipe.id == Execution.recipe_id)
                            .where(Recipe.name == recipe, Execution.status == status)) or 0)


def observe_run(recipe_name: str, summary: RunSummary) -> list[Alert]:
    """Feed a finished run to the alert policy and send what it decides. Never raises.

    Call it once at the end of every run (a second call for the same run id is ignored). Dry runs
    are not observed. Delivery results (including failures) are kept in ``show()["deliveries"]``.

    Returns:
        The alerts this run caused (empty for most runs).
    """
    try:
        if summary.dry_run:
            return []
        outcome = Outcome(run_id=summary.run_id, status=summary.status, failed=summary.failed,
                          error=mask(summary.error) if summary.error else None,
                          first_error=_first_error(summary) if summary.failed or summary.error else None,
                          limited=clip(summary.limited, 300) if summary.limited else None,
                          waiting=_queued(recipe_name, "retrying"))
        with _edit(recipe_name) as cfg:
            state = RecipeState.from_dict(cfg["state"].get(recipe_name))
            queued = _queued(recipe_name) if state.failing and outcome.healthy else None
            alert = _policy(cfg).observe(state, recipe_name, outcome, queued=queued)
            cfg["state"][recipe_name] = state.to_dict()
            names = _targets(cfg, recipe_name)
        if alert is None:
            return []
        _send(recipe_name, alert, names)
        return [alert]
    except Exception:  # alerts must never break a run
        log.exception("alerts: could not observe run %s of %s", getattr(summary, "run_id", "?"), recipe_name)
        return []


def sla_state_kept(recipe_name: str) -> bool:
    """Whether the SLA policy keeps state for the recipe (an open breach to end); read without the lock, as only
    the recipe's own runs (one at a time) change it."""
    with db.session() as s:
        return s.scalar(select(AlertSetting.name).where(AlertSetting.section == "sla",
                                                        AlertSetting.name == recipe_name)) is not None


def observe_sla(recipe_name: str, reading: SlaReading | None) -> list[Alert]:
    """Feed a recipe's service-level measurement (``services.sla``) to the SLA policy and send what it decides:
    one alert when a breach starts, one when every target is met again. Never raises.

    Args:
        recipe_name: the recipe.
        reading: its figures against its targets, or None when it sets no targets (any episode ends quietly).

    Returns:
        The alerts sent (empty for most measurements).
    """
    try:
        policy = SlaPolicy(clock=_clock)
        with _edit(recipe_name) as cfg:
            state = SlaState.from_dict(cfg["sla"].get(recipe_name))
            alert = policy.observe(state, recipe_name, reading)
            if state == SlaState():
                cfg["sla"].pop(recipe_name, None)
            else:
                cfg["sla"][recipe_name] = state.to_dict()
            names = _targets(cfg, recipe_name)
        if alert is None:
            return []
        records = _deliver(alert, names)
        with _edit(recipe_name) as cfg:
            state = SlaState.from_dict(cfg["sla"].get(recipe_name))
            if state.breached and (not names or any(r["ok"] for r in records)):
                policy.delivered(state, alert)
                cfg["sla"][recipe_name] = state.to_dict()
            cfg["deliveries"].extend(records)
        return [alert]
    except Exception:  # alerts must never break a run
        log.exception("alerts: could not observe the service level of %s", recipe_name)
        return []


def flush_digests() -> list[Alert]:
    """Send digests that are due for recipes still failing, even when no run finished since
    (for a timer in the scheduler; runs call :func:`observe_run`). Never raises."""
    sent: list[Alert] = []
    try:
        cfg = _load()
        policy = _policy(cfg)
        due = [(name, policy.due(RecipeState.from_dict(data), name)) for name, data in cfg["state"].items()]
        for name, alert in due:
            if alert is not None:
                _send(name, alert, _targets(cfg, name))
                sent.append(alert)
    except Exception:  # a timer job must never die on an alert
        log.exception("alerts: digest flush failed")
    return sent


def test_sink(kind: str) -> str:
    """Send a test message through one channel (configured or registered).

    Returns:
        A short confirmation.

    Raises:
        SetupError: the channel is not set up or refused the message.
        TransientError: the channel could not be reached.
    """
    sink = build_sink(kind)
    record: dict[str, Any] = {"at": datetime.now(UTC).isoformat(timespec="seconds"), "recipe": "", "kind": "test",
                              "sink": kind, "ok": True, "error": None}
    try:
        sink.send(sample_alert())
    except OrderSyncError as exc:
        record.update(ok=False, error=exc.render())
        raise
    finally:
        with _edit() as cfg:
            cfg["deliveries"].append(record)
    return f"test alert sent through the {NAMES.get(kind, kind)}"
