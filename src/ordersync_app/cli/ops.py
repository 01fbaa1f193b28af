"""Operations commands: ``ordersync stats``, ``ordersync audit …`` and ``ordersync alerts …``.

Kept apart from ``cli/main.py`` so the parser there stays readable; ``main.build_parser`` calls
:func:`register`. Secrets (webhook URLs, the DingTalk signing secret, the mail password) are read
from ``ORDERSYNC_SECRET_<NAME>`` or a no-echo prompt, never from the command line.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from typing import Any

from ordersync_app.cli import render
from ordersync_app.domain.errors import SetupError

ALERT_KINDS = ("dingtalk", "wecom", "email")  # = services.alerts.KINDS, repeated to keep start-up imports light


def _pairs(values: list[str] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in values or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise SetupError(f"--set expects KEY=VALUE, got '{item}'")
        out[key.strip()] = value
    return out


def _names(text: str | None) -> list[str] | None:
    return None if text is None else [n.strip() for n in text.split(",") if n.strip()]


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f} %"


def _secs(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.1f} s" if value < 120 else f"{value / 60:.1f} min"


def _level(figure: dict[str, Any], unit: str) -> str:
    """``98.7 % (≥ 99.5 %) ✗`` / ``12.3 s (≤ 30 s)`` / ``- (≥ 99.5 %)``; ``-`` when there is no target."""
    target = figure.get("target")
    if target is None:
        return "-"
    value = figure.get("value")
    shown = "-" if value is None else (f"{value:.2f} %" if unit == "%" else _secs(value))
    bound = f"≥ {target:g} %" if unit == "%" else f"≤ {target:g} s"
    return f"{shown} ({bound})" + (" ✗" if figure.get("breached") else "")


# -- stats ------------------------------------------------------------------------------------
def cmd_stats(args: argparse.Namespace) -> int:
    from ordersync_app.services import stats

    data = stats.stats(args.recipe, days=args.days)
    if args.json:
        render.emit_json(data)
        return 0
    print(f"Health over the last {data['days']} day(s), since {data['since'][:16].replace('T', ' ')} UTC")
    if not data["recipes"]:
        print("No recipes yet.")
        return 0
    render.table([[r["recipe"], str(r["runs"]), str(r["succeeded"]), str(r["failed"]), _pct(r["success_rate"]),
                   _secs(r["latency_p50_s"]), _secs(r["latency_p95_s"]), str(r["moved_today"])]
                  for r in data["recipes"]],
                 ["RECIPE", "RUNS", "MOVED", "FAILED", "SUCCESS", "P50", "P95", "TODAY"])
    levels = [r for r in data["recipes"] if r.get("sla")]
    if levels:
        print("\nService level (each recipe's own window; waiting records count against success):")
        render.table([[r["recipe"], f"{r['sla']['window_days']} d", _level(r["sla"]["success"], "%"),
                       _level(r["sla"]["p95_s"], "s"), r["sla"]["state"].upper()] for r in levels],
                     ["RECIPE", "WINDOW", "SUCCESS (TARGET)", "P95 (TARGET)", "STATE"])
    if data["accounts"]:
        print()
        render.table([[name, str(c.get("calls", 0)), str(c.get("throttled", 0)), str(c.get("retries", 0)),
                       str(c.get("usage") or "-")] for name, c in data["accounts"].items()],
                     ["ACCOUNT", "API CALLS", "429s", "RETRIES", "VENDOR QUOTA"])
    daily = data["recipes"][0]["daily"] if args.recipe else data["totals"]["daily"]
    peak = max((d["succeeded"] + d["failed"] for d in daily), default=0)
    if peak:
        print("\nRecords per day (█ moved, ░ failed):")
        for d in daily:
            ok = round(d["succeeded"] / peak * 30)
            bad = round(d["failed"] / peak * 30)
            print(f"  {d['date']}  {'█' * ok}{'░' * bad} {d['succeeded']}" + (f" / {d['failed']} failed"
                                                                            if d["failed"] else ""))
    return 0


# -- audit ------------------------------------------------------------------------------------
def cmd_audit(args: argparse.Namespace) -> int:
    from ordersync_app.services import audit

    if args.audit_cmd == "export":
        count = audit.export_csv(args.file, recipe=args.recipe, since=args.since)
        print(f"Wrote {count} audit entr{'y' if count == 1 else 'ies'} to {args.file} (UTF-8 CSV, opens in Excel).")
        return 0
    items = audit.entries(args.recipe, since=args.since, limit=args.limit)
    if args.json:
        render.emit_json(items)
    elif not items:
        print("No writes recorded yet.")
    else:
        render.table([[i["at"][:19].replace("T", " "), i["recipe"] or "-", i["account"], i["action"], i["record_key"],
                       i["target_id"] or "-", "yes" if i["dry_run"] else "",
                       ", ".join(f"{c['field']}: {c['before']!r} → {c['after']!r}" for c in i["changes"])[:80]]
                      for i in items],
                     ["WHEN (UTC)", "RECIPE", "ACCOUNT", "ACTION", "RECORD", "TARGET", "DRY", "CHANGES"])
    return 0


# -- prune ------------------------------------------------------------------------------------
def cmd_prune(args: argparse.Namespace) -> int:
    import dataclasses

    from ordersync_app.services import retention

    setting = retention.load()
    changed = {k: v for k, v in (("outcomes_days", args.outcomes_days), ("audit_days", args.audit_days),
                                 ("keep_failed", args.keep_failed)) if v is not None}
    setting = retention.checked(dataclasses.asdict(dataclasses.replace(setting, **changed)), "prune")
    if args.save:
        retention.save(setting)
    totals = {} if args.save and not args.now else retention.prune(setting)
    if args.json:
        render.emit_json({"setting": dataclasses.asdict(setting), "deleted": totals})
        return 0
    keep = "kept until resolved" if setting.keep_failed else f"kept {setting.outcomes_days} days like the rest"
    print(f"Retention: outcomes {setting.outcomes_days or 'forever'} days (failed records {keep}), "
          f"audit log {setting.audit_days or 'forever'} days{' (saved)' if args.save else ''}.")
    if totals:
        print("Deleted: " + ", ".join(f"{v} {k}" for k, v in totals.items()) + ".")
    return 0


# -- alerts -----------------------------------------------------------------------------------
def _read_secrets(kind: str) -> dict[str, str]:
    """Secrets from ORDERSYNC_SECRET_<NAME> or a no-echo prompt; empty answers keep stored ones."""
    from ordersync_app.services import alerts

    values: dict[str, str] = {}
    for key in alerts.SPECS[kind].secrets:
        env = os.environ.get(f"ORDERSYNC_SECRET_{key.upper()}")
        if env:
            values[key] = env
        elif sys.stdin.isatty():
            typed = getpass.getpass(f"{alerts.SECRET_LABELS.get(key, key)}: ")
            if typed:
                values[key] = typed.strip()
    return values


def _print_alerts(data: dict[str, Any]) -> None:
    app = data["app"]
    chosen = ", ".join(app["sinks"]) if app.get("sinks") else "every configured channel"
    print(f"Alerts {'on' if app.get('enabled', True) else 'OFF'}: to {chosen}; "
          f"digest at most every {app.get('digest_minutes', 60):g} min while a recipe keeps failing")
    for sink in data["sinks"].values():
        if not sink["configured"]:
            print(f"  {sink['kind']:9} not set up   (ordersync alerts set {sink['kind']} …)")
            continue
        settings = ", ".join(f"{k}={','.join(v) if isinstance(v, list) else v}" for k, v in sink["settings"].items())
        secrets = ", ".join(f"{k}: {v}" for k, v in sink["secrets"].items())
        print(f"  {sink['kind']:9} set up       {settings}{'; ' if settings else ''}{secrets}")
    for name, override in data["recipes"].items():
        state = {None: "inherits", True: "on", False: "off"}[override.get("enabled")]
        print(f"  recipe {name}: {state}" + (f", to {', '.join(override['sinks'])}" if override.get("sinks") else ""))
    failing = {n: s for n, s in data["state"].items() if s["failing"]}
    for name, state in failing.items():
        print(f"  failing: {name} since {state['since']} ({state['failed_since_last_alert']} failed since last alert)")
    for d in data["deliveries"][-5:]:
        outcome = "sent" if d["ok"] else f"NOT sent: {d['error']}"
        print(f"  {d['at'][:19].replace('T', ' ')} {d['kind']} alert {d['recipe'] or ''} → {d['sink']}: {outcome}")


def cmd_alerts(args: argparse.Namespace) -> int:
    from ordersync_app.services import alerts

    sub = args.alerts_cmd
    if sub == "set":
        settings = _pairs(args.set)
        for key in settings:
            if key in alerts.SPECS[args.kind].secrets:
                raise SetupError(f"'{key}' is a secret and is never given on the command line",
                                 hint=f"set ORDERSYNC_SECRET_{key.upper()} or type it when asked")
        info = alerts.configure_sink(args.kind, settings, _read_secrets(args.kind))
        print(f"Saved the {info['name']} alert (secrets in the keychain). Try it: ordersync alerts test {args.kind}")
    elif sub == "test":
        print(f"OK: {alerts.test_sink(args.kind)}")
    elif sub == "remove":
        alerts.remove_sink(args.kind)
        print(f"Removed the {args.kind} alert and its secrets.")
    elif sub == "app":
        enabled = {"on": True, "off": False, None: None}[args.mode]
        sinks = _names(args.sinks)
        app = alerts.configure_app(enabled=enabled, sinks=None if sinks == ["all"] else sinks,
                                   all_sinks=sinks == ["all"], digest_minutes=args.digest_minutes)
        if args.json:
            render.emit_json(app)
        else:
            print(f"Alerts {'on' if app.get('enabled', True) else 'OFF'}; channels: "
                  f"{', '.join(app['sinks']) if app.get('sinks') else 'every configured one'}; "
                  f"digest at most every {app.get('digest_minutes', 60):g} min.")
    elif sub == "recipe":
        enabled = {"on": True, "off": False, "inherit": None, None: None}[args.mode]
        result = alerts.configure_recipe(args.name, enabled=enabled, sinks=_names(args.sinks),
                                         inherit=args.mode == "inherit")
        state = {None: "as the app", True: "on", False: "off"}[result.get("enabled")]
        print(f"Alerts for recipe '{args.name}': {state}; channels: "
              f"{', '.join(result['sinks']) if result.get('sinks') else 'as the app'}.")
    else:
        data = alerts.show()
        render.emit_json(data) if args.json else _print_alerts(data)
    return 0


def register(subparsers: Any) -> None:
    """Add ``stats``, ``prune``, ``audit`` and ``alerts`` to the ``ordersync`` sub-command parsers."""
    st = subparsers.add_parser("stats", help="health figures per recipe: success rate, latency, API calls, 429s")
    st.add_argument("recipe", nargs="?")
    st.add_argument("--days", type=int, default=7, help="window in days (default 7)")
    st.add_argument("--json", action="store_true")
    st.set_defaults(func=cmd_stats)

    pr = subparsers.add_parser("prune", help="delete history older than the retention setting (the worker does it "
                                             "in the background); --save stores new days")
    pr.add_argument("--outcomes-days", type=int, help="record outcomes, settled writes, runs (default 90; 0: forever)")
    pr.add_argument("--audit-days", type=int, help="the audit log (default 365; 0: forever)")
    pr.add_argument("--keep-failed", action=argparse.BooleanOptionalAction, default=None,
                    help="keep failed records until resolved (default: yes)")
    pr.add_argument("--save", action="store_true", help="store these values as the setting (prunes only with --now)")
    pr.add_argument("--now", action="store_true", help="with --save: prune right away too")
    pr.add_argument("--json", action="store_true")
    pr.set_defaults(func=cmd_prune)

    au = subparsers.add_parser("audit", help="every write made to other systems").add_subparsers(
        dest="audit_cmd", required=True)
    exp = au.add_parser("export", help="write the audit log to a CSV file (UTF-8, opens in Excel)")
    exp.add_argument("file")
    lst = au.add_parser("list", help="latest writes, newest first")
    lst.add_argument("--limit", type=int, default=50)
    lst.add_argument("--json", action="store_true")
    for x in (exp, lst):
        x.add_argument("--recipe")
        x.add_argument("--since", help="YYYY-MM-DD, an ISO date-time, or 7d / 12h")
        x.set_defaults(func=cmd_audit)

    al = subparsers.add_parser("alerts", help="DingTalk / WeCom / e-mail alerts when a recipe fails").add_subparsers(
        dest="alerts_cmd", required=True)
    se = al.add_parser("set", help="set up a channel (secrets are prompted or read from ORDERSYNC_SECRET_<NAME>)")
    se.add_argument("kind", choices=ALERT_KINDS)
    se.add_argument("--set", action="append", metavar="KEY=VALUE", help="a non-secret setting (repeatable)")
    for name in ("test", "remove"):
        al.add_parser(name, help=f"{name} a channel").add_argument("kind")
    sh = al.add_parser("show", help="channels, choices, failing recipes and the last deliveries")
    sh.add_argument("--json", action="store_true")
    ap = al.add_parser("app", help="app-wide: on/off, channels, digest period")
    ap.add_argument("mode", nargs="?", choices=["on", "off"])
    ap.add_argument("--sinks", metavar="A,B", help="channels to use, or 'all' (every configured one)")
    ap.add_argument("--digest-minutes", type=float)
    ap.add_argument("--json", action="store_true")
    rc = al.add_parser("recipe", help="per-recipe override: on/off/inherit and channels")
    rc.add_argument("name")
    rc.add_argument("mode", nargs="?", choices=["on", "off", "inherit"])
    rc.add_argument("--sinks", metavar="A,B")
    for x in al.choices.values():
        x.set_defaults(func=cmd_alerts)
