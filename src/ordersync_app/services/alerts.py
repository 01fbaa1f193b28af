"""Alert settings, state and delivery: what ``ordersync alerts …``, the GUI and the end of every run call.

Where things live:

* ``<home>/alerts.json``: non-secret settings per sink, the app-wide choice of sinks and digest
  period, per-recipe overrides, the policy state of each recipe (so a restart does not re-alert)
  and the last deliveries (successes and failures, for the settings page and ``alerts show``).
* The keychain (``secrets.store``, account ``alerts:<kind>``): webhook URLs (their token is the
  credential), the DingTalk signing secret and the SMTP password. Never the JSON file.

:func:`observe_run` never raises: an alert that cannot be sent must not turn a run into an error.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

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
from ordersync_app.storage.tables import Execution, Recipe

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


# -- the JSON file ----------------------------------------------------------------------------
def config_path() -> Path:
    """``<home>/alerts.json``."""
    return paths.home() / "alerts.json"


def _default() -> dict[str, Any]:
    return {"version": 1, "app": {"enabled": True, "sinks": None, "digest_minutes": DEFAULT_DIGEST_SECONDS / 60},
            "sinks": {}, "recipes": {}, "state": {}, "sla": {}, "deliveries": []}


def _load() -> dict[str, Any]:
    path = config_path()
    cfg = _default()
    if not path.exists():
        return cfg
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        log.warning("alerts: %s is unreadable (%s); starting from defaults", path, type(exc).__name__)
        return cfg
    if isinstance(data, dict):
        for key, value in data.items():
            if key == "app" and isinstance(value, dict):
                cfg["app"].update(value)
            elif key in cfg and isinstance(value, type(cfg[key])):
                cfg[key] = value
    return cfg


def _save(cfg: dict[str, Any]) -> None:
    """Write atomically (a crash never leaves half a file)."""
    path = config_path()
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    paths.write_private(tmp, json.dumps(cfg, ensure_ascii=False, indent=2, sort_keys=True))
    tmp.replace(path)


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
    with _lock:
        cfg = _load()
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
        _save(cfg)
        return _describe_sink(cfg, kind)


def remove_sink(kind: str) -> None:
    """Forget a channel's settings and delete its secrets from the keychain."""
    spec = _check_kind(kind)
    with _lock:
        cfg = _load()
        cfg["sinks"].pop(kind, None)
        _save(cfg)
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
    with _lock:
        cfg = _load()
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
        _save(cfg)
        return dict(app)


def configure_recipe(recipe: str, *, enabled: bool | None = None, sinks: Iterable[str] | None = None,
                     inherit: bool = False) -> dict[str, Any]:
    """Per-recipe override: alerts on/off and which channels; ``inherit`` drops the override."""
    with db.session() as s:
        find_recipe(s, recipe)
    with _lock:
        cfg = _load()
        if inherit:
            cfg["recipes"].pop(recipe, None)
        else:
            entry = cfg["recipes"].setdefault(recipe, {"enabled": None, "sinks": None})
            if enabled is not None:
                entry["enabled"] = enabled
            if sinks is not None:
                entry["sinks"] = _sink_names(sinks) or None
        _save(cfg)
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
    with _lock:
        cfg = _load()
    return {
        "file": str(config_path()),
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
        "deliveries": list(cfg["deliveries"][-20:]),
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
    with _lock:
        cfg = _load()
        state = RecipeState.from_dict(cfg["state"].get(recipe))
        if not names or any(r["ok"] for r in records):
            _policy(cfg).delivered(state, alert)
        cfg["state"][recipe] = state.to_dict()
        cfg["deliveries"] = (cfg["deliveries"] + records)[-MAX_DELIVERIES:]
        _save(cfg)


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
        with _lock:
            cfg = _load()
            state = RecipeState.from_dict(cfg["state"].get(recipe_name))
            queued = _queued(recipe_name) if state.failing and outcome.healthy else None
            alert = _policy(cfg).observe(state, recipe_name, outcome, queued=queued)
            cfg["state"][recipe_name] = state.to_dict()
            _save(cfg)
            names = _targets(cfg, recipe_name)
        if alert is None:
            return []
        _send(recipe_name, alert, names)
        return [alert]
    except Exception:  # alerts must never break a run
        log.exception("alerts: could not observe run %s of %s", getattr(summary, "run_id", "?"), recipe_name)
        return []


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
        with _lock:
            cfg = _load()
            state = SlaState.from_dict(cfg["sla"].get(recipe_name))
            alert = policy.observe(state, recipe_name, reading)
            if state == SlaState():
                cfg["sla"].pop(recipe_name, None)
            else:
                cfg["sla"][recipe_name] = state.to_dict()
            _save(cfg)
            names = _targets(cfg, recipe_name)
        if alert is None:
            return []
        records = _deliver(alert, names)
        with _lock:
            cfg = _load()
            state = SlaState.from_dict(cfg["sla"].get(recipe_name))
            if state.breached and (not names or any(r["ok"] for r in records)):
                policy.delivered(state, alert)
                cfg["sla"][recipe_name] = state.to_dict()
            cfg["deliveries"] = (cfg["deliveries"] + records)[-MAX_DELIVERIES:]
            _save(cfg)
        return [alert]
    except Exception:  # alerts must never break a run
        log.exception("alerts: could not observe the service level of %s", recipe_name)
        return []


def flush_digests() -> list[Alert]:
    """Send digests that are due for recipes still failing, even when no run finished since
    (for a timer in the scheduler; runs call :func:`observe_run`). Never raises."""
    sent: list[Alert] = []
    try:
        with _lock:
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
        with _lock:
            cfg = _load()
            cfg["deliveries"] = (cfg["deliveries"] + [record])[-MAX_DELIVERIES:]
            _save(cfg)
    return f"test alert sent through the {NAMES.get(kind, kind)}"
