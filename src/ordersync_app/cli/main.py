"""``ordersync``: the command line. Errors are one sentence on stderr with the fix, never a traceback.

Exit codes: 0 ok; 1 a run had failed records; 2 a setup or recipe error; 3 an internal error
(details in the log file); 130 interrupted.
"""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import signal
import sys
import threading
from pathlib import Path

from ordersync_app import __version__, logs, paths
from ordersync_app.cli import render
from ordersync_app.domain.errors import BugError, OrderSyncError, SetupError, TransientError

log = logging.getLogger(__name__)


def _pairs(values: list[str] | None, flag: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in values or []:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise SetupError(f"{flag} expects KEY=VALUE, got '{item}'")
        out[key.strip()] = value
    return out


# -- commands ---------------------------------------------------------------------------------
def cmd_demo(args: argparse.Namespace) -> int:
    from ordersync_app.services import demo

    result = demo.run_demo(args.orders)
    data = result.summary.as_dict()
    if args.json:
        render.emit_json(result.as_dict())
    else:
        print(f"Sandbox apps running at {result.sandbox_url} (Shopify and HubSpot emulators, no accounts needed)")
        if result.set_up:
            print("Set up: accounts demo-shop (Shopify sandbox) and demo-crm (HubSpot sandbox), "
                  "recipe 'demo' (Shopify order fulfilled → HubSpot deal stage)")
            print(f"Warehouse fulfilled {len(result.fulfilled)} orders in the sandbox shop")
        print()
        print("Demo summary")
        print(f"  orders seen:    {data['seen']}")
        print(f"  deals moved:    {data['succeeded']}  (HubSpot writes: {data['writes']})")
        print(f"  filtered out:   {data['filtered']}")
        print(f"  failed:         {data['failed'] + data['retrying']}")
        print(f"  time:           {result.seconds:.2f} s")
        if not data["seen"]:
            print("\nNothing new to do: every fulfilled order is already synced.\n"
                  "Fulfil more with `ordersync sandbox fulfil --count 10`, then run `ordersync demo` again.")
    return 0 if data["status"] == "succeeded" else 1


def cmd_sandbox(args: argparse.Namespace) -> int:
    from ordersync_app.services import sandbox

    if args.sandbox_cmd == "fulfil":
        names = sandbox.fulfil(args.count)
        print(f"Fulfilled {len(names)} orders: {', '.join(names) if names else 'no open orders left'}")
        return 0
    server = sandbox.serve(args.port, faults=args.faults,
                           hubspot_limit=None if args.hubspot_limit == 0 else args.hubspot_limit,
                           shopify_plan=args.shopify_plan, hubspot_search_limit=args.hubspot_search_limit)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    server.start()
    print("Sandbox apps serving on loopback (Ctrl+C to stop):")
    for app in server.apps:
        print(f"  {app:10} {server.url(app)}")
    print(f"  counters   {server.root}/_sandbox/<app>/counters")
    sys.stdout.flush()
    try:
        stop.wait()
    finally:
        sandbox.unannounce()
        server.stop()
    return 0


def cmd_connectors(args: argparse.Namespace) -> int:
    from ordersync_app.connectors.sdk import registry

    if getattr(args, "connectors_cmd", None) == "add":
        return _add_connector_file(args)
    if getattr(args, "connectors_cmd", None) == "export":
        from ordersync_app.services import connectors

        target = connectors.export_file(args.key, Path(args.output or f"{args.key}.connector.yaml"))
        print(f"Exported the connector file '{args.key}' to {target} (it holds no keys; share it like a recipe).")
        return 0
    if getattr(args, "connectors_cmd", None) == "remove":
        from ordersync_app.services import connectors

        connectors.remove_file(args.key)
        print(f"Removed the connector file '{args.key}'.")
        return 0
    out = []
    for c in registry.all_connectors().values():
        out.append({
            "key": c.key, "name": c.name_en, "name_zh": c.name_zh, "owns": c.owns.value,
            "settings": [{"key": s.key, "label": s.label_en, "secret": s.secret, "required": s.required}
                         for s in c.settings],
            "triggers": [{"key": t.key, "label": t.label_en, "fields": [f.key for f in t.fields],
                          "instant": t.webhook is not None} for t in c.triggers],
            "actions": [{"key": a.key, "label": a.label_en, "batch_max": a.batch_max,
                         "fields": [{"key": f.key, "required": f.required} for f in a.fields]} for a in c.actions],
            "lookups": [{"key": lk.key, "label": lk.label_en} for lk in c.lookups],
        })
    if args.json:
        render.emit_json(out)
        return 0
    for c in out:
        print(f"{c['key']} — {c['name']} / {c['name_zh']} (owns {c['owns']})")
        for t in c["triggers"]:
            print(f"  trigger {t['key']}: {t['label']}  [fields: {', '.join(t['fields'][:8])}"
                  f"{'…' if len(t['fields']) > 8 else ''}]")
        for a in c["actions"]:
            req = [f["key"] + ("*" if f["required"] else "") for f in a["fields"]]
            print(f"  action  {a['key']}: {a['label']}  (batch ≤ {a['batch_max']}) [fields: {', '.join(req[:8])}]")
        for lk in c["lookups"]:
            print(f"  lookup  {lk['key']}: {lk['label']}")
    for name, problem in registry.problems().items():
        render.error(f"{name} was not loaded: {problem}")
    return 0


def _add_connector_file(args: argparse.Namespace) -> int:
    """``ordersync connectors add FILE``: validate, test (with --base-url, or the file's sandbox), register."""
    from ordersync_app.connectors.sdk import files
    from ordersync_app.services import connectors

    source = Path(args.file)
    if not source.is_file():
        raise SetupError(f"there is no file {args.file}", hint="give the path of a connector file (.yaml or .json)")
    doc = files.parse_text(source.read_bytes(), source=source.name)
    secrets: dict[str, str] = {}
    for setting in doc.settings:
        if setting.secret:
            value = os.environ.get(f"ORDERSYNC_SECRET_{setting.key.upper()}")
            if value is None and sys.stdin.isatty() and args.base_url:
                value = getpass.getpass(f"{setting.label.en} ({setting.key}): ")
            if value:
                secrets[setting.key] = value.strip()
    added = connectors.add_file(source, base_url=args.base_url, settings=_pairs(args.set, "--set"),
                                secrets=secrets, replace=args.replace)
    print(f"Added connector '{added.key}' ({added.name}) from {args.file}.")
    if added.tested:
        print(f"  tested: {added.tested}")
    else:
        print("  not tested: give --base-url (and its keys) to try it against your system")
    print(f"  add an account with: ordersync account add NAME --connector {added.key} --base-url URL")
    return 0


def _read_secrets(connector_key: str, settings: dict[str, str]) -> dict[str, str]:
    """Secrets come from ORDERSYNC_SECRET_<NAME> or a no-echo prompt, never from argv."""
    from ordersync_app.services import accounts

    values: dict[str, str] = {}
    conn = accounts.connector(connector_key)
    chosen = {**{s.key: s.default for s in conn.settings if s.default is not None}, **settings}
    for spec in conn.settings:
        if not spec.secret or not spec.applies(chosen):  # not asked for the chosen sign-in
            continue
        env = os.environ.get(f"ORDERSYNC_SECRET_{spec.key.upper()}")
        if env:
            values[spec.key] = env
        elif sys.stdin.isatty():
            typed = getpass.getpass(f"{spec.label_en} ({spec.key}){'' if spec.required else ' [optional]'}: ")
            if typed:
                values[spec.key] = typed
    return values


def cmd_account(args: argparse.Namespace) -> int:
    from ordersync_app.services import accounts, recipes

    if args.account_cmd == "add":
        settings = _pairs(args.set, "--set")
        sandboxed = (args.base_url or "").startswith("sandbox://")
        secret_values = {} if sandboxed else _read_secrets(args.connector, settings)
        info = accounts.add_account(args.name, args.connector, base_url=args.base_url, settings=settings,
                                    secret_values=secret_values, replace=args.replace, allow_host=args.allow_host)
        foreign = accounts.foreign_host(accounts.connector(info.connector), info.base_url)
        if foreign:
            render.warning(f"account '{info.name}' sends its credentials to {foreign}, which is not a known "
                           f"{accounts.connector(info.connector).name_en} host (allowed with --allow-host)")
        print(f"Account '{info.name}' ({info.connector}) saved; secrets are in the keychain. "
              f"Check it with: ordersync account test {info.name}")
    elif args.account_cmd == "list":
        items = accounts.list_accounts()
        if args.json:
            render.emit_json([a.as_dict() for a in items])
        elif not items:
            print("No accounts yet. Add one: ordersync account add NAME --connector ID")
        else:
            render.table([[a.name, a.connector, a.base_url, a.status] for a in items],
                         ["NAME", "CONNECTOR", "BASE URL", "STATUS"])
    elif args.account_cmd == "test":
        print(f"OK: {accounts.test_account(args.name)}")
    elif args.account_cmd == "tls":
        return _account_tls(args)
    elif args.account_cmd == "remove":
        users = recipes.recipes_using(args.name)
        accounts.remove_account(args.name)
        print(f"Removed account '{args.name}' and its secrets."
              + (f" Recipes that used it: {', '.join(users)}" if users else ""))
    return 0


def _account_tls(args: argparse.Namespace) -> int:
    """``ordersync account tls NAME``: trust an on-premise server's certificate for this account only."""
    from ordersync_app.connectors.sdk.http import fetch_certificate
    from ordersync_app.services import accounts

    if args.reset:
        accounts.set_tls(args.name)
        print(f"Account '{args.name}' trusts the system's certificate authorities again.")
        return 0
    if args.ca_bundle:
        bundle = Path(args.ca_bundle).resolve()
        if not bundle.is_file():
            raise SetupError(f"there is no file {args.ca_bundle}", hint="give the CA bundle (.pem) of your server")
        accounts.set_tls(args.name, ca_bundle=str(bundle))
        print(f"Account '{args.name}' trusts the certificates signed by {bundle}.")
        return 0
    info = accounts.get_account(args.name)
    pem, print_ = fetch_certificate(info.base_url)
    print(f"warning: {info.base_url} presents a certificate with SHA-256 fingerprint\n  {print_}\n"
          "Pin it only if this is your own server and the fingerprint matches what your IT team gave you.")
    agreed = args.yes or (sys.stdin.isatty() and
                          input("Trust exactly this certificate for this account? [y/N] ").strip().lower() == "y")
    if not agreed:
        print("Nothing changed.")
        return 2
    accounts.set_tls(args.name, pinned_pem=pem)
    print(f"Account '{args.name}' trusts exactly this certificate (pinned).")
    return 0


def cmd_recipe(args: argparse.Namespace) -> int:
    from ordersync_app.services import recipes

    sub = args.recipe_cmd
    if sub == "validate":
        model = recipes.validate_file(Path(args.file))
        print(f"{args.file}: valid — '{model.name}' ({len(model.steps)} steps, roles: "
              f"{', '.join(f'{r}={c}' for r, c in model.accounts.items())})")
        for note in recipes.review(model):
            print(f"  warning: {note}")
    elif sub == "import":
        info = recipes.import_recipe(Path(args.file), _pairs(args.bind, "--bind"), name=args.name,
                                     enable=args.enable, replace=args.replace, start=args.start)
        print(f"Imported recipe '{info.name}' (version {info.version}, "
              f"{'enabled' if info.enabled else 'disabled — enable with: ordersync recipe enable ' + info.name})")
        for note in info.notes:
            print(f"  note: {note}")
    elif sub == "list":
        items = recipes.list_recipes()
        if args.json:
            render.emit_json([r.as_dict() for r in items])
        elif not items:
            print("No recipes yet. Import one: ordersync recipe import FILE --bind ROLE=ACCOUNT")
        else:
            render.table([[r.name, r.title[:40], "on" if r.enabled else "off", "yes" if r.dry_run else "no",
                           (r.last_run or {}).get("status", "-"), str(r.failed), r.paused_reason or ""]
                          for r in items], ["NAME", "TITLE", "ENABLED", "DRY RUN", "LAST RUN", "FAILED", "PAUSED"])
    elif sub == "show":
        info = recipes.get_recipe(args.name)
        if args.json:
            render.emit_json(info.as_dict(with_document=True))
        else:
            print(f"{info.name}: {info.title} (version {info.version}, {'enabled' if info.enabled else 'disabled'}"
                  f"{', dry run' if info.dry_run else ''})")
            print(f"  accounts: {', '.join(f'{r}={a}' for r, a in info.bindings.items())}")
            if info.schedule:
                print(f"  trigger:  {info.trigger}, read in full at each time of the schedule "
                      f"{info.schedule['cron']} ({info.schedule['timezone']})")
                print(f"  next run: {(info.next_run_at or 'never').replace('T', ' ')}"
                      f"{' (' + info.schedule['timezone'] + ')' if info.next_run_at else ''}")
                print("  schedule: a time missed while nothing ran (sleep, downtime) runs once as soon as OrderSync "
                      "runs again; a repeated run within one period does not redo what that period did")
            else:
                print(f"  trigger:  {info.trigger} every {info.every_seconds} s; cursor {info.cursor or '(start)'}")
                print("  schedule: missed runs (sleep, downtime) are coalesced into one that runs as soon as "
                      "possible, up to 1 h late; nothing is lost either way: each run reads from the cursor")
            print(f"  failed records waiting: {info.failed}")
            print(recipes.export_recipe(args.name))
    elif sub == "export":
        text = recipes.export_recipe(args.name)
        if args.output:
            paths.write_private(Path(args.output), text)
            print(f"Exported '{args.name}' to {args.output} (no accounts, hosts or secrets).")
        else:
            sys.stdout.write(text)
    elif sub in ("enable", "disable"):
        info = recipes.set_enabled(args.name, enabled=sub == "enable")
        print(f"Recipe '{info.name}' {'enabled' if info.enabled else 'disabled'}.")
    elif sub == "dry-run":
        info = recipes.set_dry_run(args.name, dry_run=args.mode == "on")
        print(f"Recipe '{info.name}': dry run {'on' if info.dry_run else 'off (live; cursor kept)'}.")
    elif sub == "remove":
        recipes.remove_recipe(args.name)
        print(f"Removed recipe '{args.name}' and its history.")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from ordersync_app.services import runs

    # A run already going elsewhere (the app's scheduler, a worker) usually ends within seconds: wait a little.
    summary = runs.run_recipe(args.recipe, dry_run=True if args.dry_run else None, wait=10.0)
    data = summary.as_dict()
    render.emit_json(data) if args.json else render.run_summary(data)
    return 0 if summary.status in ("succeeded", "stopped") else 1


def cmd_history(args: argparse.Namespace) -> int:
    from ordersync_app.services import runs

    items = runs.history(args.recipe, failed_only=args.failed, limit=args.limit)
    if args.json:
        render.emit_json([i.as_dict(detail=True) for i in items])
    elif not items:
        print("No failed records." if args.failed else "No records processed yet.")
    else:
        render.table([[str(i.id), i.recipe, i.record_key, i.status, str(i.attempts),
                       (i.error or "")[:70] + (f" (next {i.next_attempt_at[:19]})" if i.next_attempt_at else "")]
                      for i in items], ["ID", "RECIPE", "RECORD", "STATUS", "TRIES", "ERROR"])
    return 0


def cmd_inspect(args: argparse.Namespace) -> int:
    from ordersync_app.services import runs

    item = runs.execution(args.id)
    if args.json:
        render.emit_json(item.as_dict(detail=True))
        return 0
    print(f"Record {item.record_key} (version {item.record_version}) of recipe '{item.recipe}': {item.status}")
    retry_at = f"; next attempt at {item.next_attempt_at}" if item.next_attempt_at else ""
    print(f"  attempts: {item.attempts}{retry_at}")
    if item.error:
        print(f"  error: {item.error}")
    for step in item.steps:
        detail = {k: v for k, v in step.items() if k not in ("step", "kind", "status")}
        print(f"  step {step['step']} {step['kind']}: {step['status']} {render.compact(detail)}")
    print("  payload: " + render.compact(item.payload, limit=2000))
    return 0


def cmd_retry(args: argparse.Namespace) -> int:
    from ordersync_app.services import runs

    summaries = runs.retry([int(i) for i in args.items] or None, all_failed=args.all_failed)
    for summary in summaries:
        render.run_summary(summary.as_dict())
    if not summaries:
        print("No failed records to re-send.")
    return 0 if all(s.status == "succeeded" for s in summaries) else 1


def cmd_skip(args: argparse.Namespace) -> int:
    from ordersync_app.services import runs

    print(f"Skipped {runs.skip([int(i) for i in args.items], args.reason)} record(s).")
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    from ordersync_app.scheduler import worker

    listen = None
    if args.listen:
        host, _, port = args.listen.rpartition(":")
        if not port.isdigit() or not host:
            raise SetupError(f"--listen expects HOST:PORT, got '{args.listen}'", hint="e.g. --listen 0.0.0.0:8800")
        listen = (host, int(port))
    if args.public_url and not listen:
        raise SetupError("--public-url needs --listen", hint="e.g. --listen 0.0.0.0:8800 --public-url https://hooks.example.com")
    return worker.run_forever(poll_seconds=args.refresh, listen=listen, public_url=args.public_url)


def cmd_webhooks(args: argparse.Namespace) -> int:
    from ordersync_app.services import webhooks

    if args.webhooks_cmd == "register":
        done = webhooks.register(args.account, args.url)
        if args.json:
            render.emit_json([{"topic": topic, "id": vendor_id} for topic, vendor_id in done])
        for topic, vendor_id in done if not args.json else ():
            print(f"{topic}: subscribed ({vendor_id}) → {args.url.rstrip('/')}/hooks/{args.account}/{topic}")
        return 0
    report = webhooks.status(quiet_hours=args.quiet_hours)
    if args.json:
        render.emit_json(report)
        return 0
    if not report:
        print("No enabled recipe uses an instant (webhook) trigger.")
    for account, info in report.items():
        for topic, last in info["last"].items():
            note = "  ← quiet: polling still reconciles, check the subscription" if topic in info["quiet"] else ""
            print(f"{account} {topic}: last delivery {last or 'never'}{note}")
    return 1 if any(info["quiet"] for info in report.values()) else 0


def cmd_gui(args: argparse.Namespace) -> int:
    headless = sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY") or os.environ.get("QT_QPA_PLATFORM"))
    if headless and args.screenshot:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"  # a screenshot needs no screen
    elif headless:
        raise SetupError("this machine has no screen (DISPLAY and WAYLAND_DISPLAY are unset), so the window "
                         "cannot open", hint="on a server run recipes with `ordersync worker`; see `ordersync --help`")
    try:
        from ordersync_app.gui import app as gui_app
    except ImportError as exc:
        raise SetupError(f"the desktop app cannot start: {exc}",
                         hint="install the Qt libraries (PySide6) or use the CLI") from exc
    return int(gui_app.main(args))


def _is_broken_pipe(exc: BaseException | None) -> bool:
    while exc is not None:
        if isinstance(exc, BrokenPipeError):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def _stdout_closed() -> int:
    """``ordersync stats | head``: the reader left, which is not an error. Python would complain
    again when it flushes stdout at exit, so stdout is pointed at /dev/null first."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every sub-command."""
    p = argparse.ArgumentParser(prog="ordersync", description="Keep your order system and CRM in sync.")
    p.add_argument("--version", action="version", version=f"OrderSync {__version__}")
    sub = p.add_subparsers(dest="command")

    d = sub.add_parser("demo", help="run the demo recipe on the built-in sandbox apps")
    d.add_argument("--orders", type=int, default=20, help="orders the sandbox warehouse fulfils (default 20)")
    d.add_argument("--json", action="store_true")
    d.set_defaults(func=cmd_demo)

    s = sub.add_parser("sandbox", help="the built-in sandbox apps").add_subparsers(dest="sandbox_cmd", required=True)
    serve = s.add_parser("serve", help="serve the sandbox apps until stopped")
    serve.add_argument("--port", type=int, default=8765)
    serve.add_argument("--faults", metavar="KIND=RATE,…",
                       help="inject faults: 429, 503, lost, timeout, reset (e.g. 429=0.3,lost=0.05)")
    serve.add_argument("--hubspot-limit", type=int, default=100,
                       help="HubSpot requests per 10-second window (0 = unlimited; default 100, Starter)")
    serve.add_argument("--hubspot-search-limit", type=int, default=None,
                       help="HubSpot CRM searches per second (0 = unlimited; default 5 when --hubspot-limit is on)")
    serve.add_argument("--shopify-plan", choices=["standard", "advanced", "plus", "unmetered"], default="plus",
                       help="the sandbox shop's GraphQL cost budget (default plus: 1,000 points/s)")
    fulfil = s.add_parser("fulfil", help="fulfil open sandbox orders, as a warehouse would")
    fulfil.add_argument("--count", type=int, default=10)
    for x in (serve, fulfil):
        x.set_defaults(func=cmd_sandbox)

    c = sub.add_parser("connectors", help="list connectors; add an in-house system from a connector file")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_connectors)
    cs = c.add_subparsers(dest="connectors_cmd")
    cadd = cs.add_parser("add", help="validate, test and register a connector file (YAML/JSON)")
    cadd.add_argument("file")
    cadd.add_argument("--base-url", help="the system's address to test against (sandbox://rest for the sandbox)")
    cadd.add_argument("--set", action="append", metavar="KEY=VALUE", help="a non-secret setting for the test")
    cadd.add_argument("--replace", action="store_true", help="update a file added before")
    cadd.add_argument("--json", action="store_true")
    cex = cs.add_parser("export", help="copy an added connector file to share it (it holds no keys)")
    cex.add_argument("key")
    cex.add_argument("-o", "--output", help="file to write (default: KEY.connector.yaml)")
    cex.add_argument("--json", action="store_true")
    crm = cs.add_parser("remove", help="unregister a connector file")
    crm.add_argument("key")
    crm.add_argument("--json", action="store_true")

    a = sub.add_parser("account", help="manage accounts").add_subparsers(dest="account_cmd", required=True)
    add = a.add_parser("add", help="add an account (secrets are prompted or read from ORDERSYNC_SECRET_<NAME>)")
    add.add_argument("name")
    add.add_argument("--connector", required=True)
    add.add_argument("--base-url", help="override the API address (sandbox://<app>, private deployments)")
    add.add_argument("--set", action="append", metavar="KEY=VALUE", help="a non-secret setting")
    add.add_argument("--replace", action="store_true", help="update an existing account")
    add.add_argument("--allow-host", action="store_true",
                     help="accept a base URL outside the vendor's known hosts (on-premise servers, proxies)")
    lst = a.add_parser("list")
    lst.add_argument("--json", action="store_true")
    for name in ("test", "remove"):
        a.add_parser(name).add_argument("name")
    tls = a.add_parser("tls", help="trust an on-premise server's certificate for one account")
    tls.add_argument("name")
    how = tls.add_mutually_exclusive_group(required=True)
    how.add_argument("--ca-bundle", metavar="FILE", help="trust certificates signed by this CA bundle (.pem)")
    how.add_argument("--pin", action="store_true", help="show the server's certificate and trust exactly it")
    how.add_argument("--reset", action="store_true", help="trust the system's certificate authorities again")
    tls.add_argument("--yes", action="store_true", help="pin without asking (after checking the fingerprint)")
    for x in a.choices.values():
        x.set_defaults(func=cmd_account)

    r = sub.add_parser("recipe", help="manage recipes").add_subparsers(dest="recipe_cmd", required=True)
    r.add_parser("validate", help="check a recipe file and list every problem").add_argument("file")
    imp = r.add_parser("import", help="import a recipe file, binding its roles to accounts")
    imp.add_argument("file")
    imp.add_argument("--bind", action="append", metavar="ROLE=ACCOUNT")
    imp.add_argument("--name", help="local name (default: from the recipe's title)")
    imp.add_argument("--enable", action="store_true")
    imp.add_argument("--replace", action="store_true", help="add a new version of an existing recipe")
    imp.add_argument("--start", metavar="now|everything|DATE",
                     help="where a new recipe starts reading (overrides the file's trigger.start)")
    rl = r.add_parser("list")
    rl.add_argument("--json", action="store_true")
    show = r.add_parser("show")
    show.add_argument("name")
    show.add_argument("--json", action="store_true")
    exp = r.add_parser("export", help="write a shareable file (no accounts, hosts or secrets)")
    exp.add_argument("name")
    exp.add_argument("-o", "--output")
    for name in ("enable", "disable", "remove"):
        r.add_parser(name).add_argument("name")
    dr = r.add_parser("dry-run", help="switch dry run on or off")
    dr.add_argument("name")
    dr.add_argument("mode", choices=["on", "off"])
    for x in r.choices.values():
        x.set_defaults(func=cmd_recipe)

    run = sub.add_parser("run", help="run a recipe once now")
    run.add_argument("recipe")
    run.add_argument("--dry-run", action="store_true", help="show what would be written, write nothing")
    run.add_argument("--json", action="store_true")
    run.set_defaults(func=cmd_run)

    h = sub.add_parser("history", help="record outcomes, newest first")
    h.add_argument("recipe", nargs="?")
    h.add_argument("--failed", action="store_true", help="only the failed-records queue")
    h.add_argument("--limit", type=int, default=50)
    h.add_argument("--json", action="store_true")
    h.set_defaults(func=cmd_history)

    ins = sub.add_parser("inspect", help="one record's payload, steps (request/response) and error")
    ins.add_argument("id", type=int)
    ins.add_argument("--json", action="store_true")
    ins.set_defaults(func=cmd_inspect)

    rt = sub.add_parser("retry", help="re-send failed records")
    rt.add_argument("items", nargs="*")
    rt.add_argument("--all-failed", action="store_true")
    rt.set_defaults(func=cmd_retry)

    sk = sub.add_parser("skip", help="take failed records out of the queue")
    sk.add_argument("items", nargs="+")
    sk.add_argument("--reason", required=True)
    sk.set_defaults(func=cmd_skip)

    w = sub.add_parser("worker", help="run enabled recipes on their schedules until stopped (headless)")
    w.add_argument("--refresh", type=float, default=30.0, help="seconds between re-reading enabled recipes")
    w.add_argument("--listen", metavar="HOST:PORT",
                   help="also receive vendor webhooks at http://HOST:PORT/hooks/<account>/<topic> (and /healthz)")
    w.add_argument("--public-url", help="the listener's address as vendors reach it, when behind a proxy "
                                        "(HubSpot signs the address it calls)")
    w.add_argument("--log-format", choices=["text", "json"],
                   help="json: one JSON object per line (time, level, logger, message, recipe, run_id) in the log "
                        "file and on stderr, for journald or a container's log collector "
                        "(default: ORDERSYNC_LOG_FORMAT, else text)")
    w.set_defaults(func=cmd_worker)

    wh = sub.add_parser("webhooks", help="instant triggers: subscribe the listener, see what arrives")
    whs = wh.add_subparsers(dest="webhooks_cmd", required=True)
    whr = whs.add_parser("register", help="subscribe the listener to the topics an account's recipes use")
    whr.add_argument("account")
    whr.add_argument("--url", required=True, help="the listener's address as the vendor reaches it")
    whr.add_argument("--json", action="store_true")
    wst = whs.add_parser("status", help="last delivery per topic; exit 1 when one went quiet")
    wst.add_argument("--quiet-hours", type=float, default=24.0)
    wst.add_argument("--json", action="store_true")
    wh.set_defaults(func=cmd_webhooks)

    g = sub.add_parser("gui", help="open the desktop app")
    g.add_argument("--screenshot", metavar="FILE", help="render a page offscreen to PNG and exit")
    g.add_argument("--page", default="home")
    g.add_argument("--lang", choices=["zh_CN", "en"])
    g.add_argument("--size", default="1180x680", help="window size for --screenshot, WIDTHxHEIGHT")
    g.set_defaults(func=cmd_gui)

    from ordersync_app.cli import ops

    ops.register(sub)  # stats, audit, alerts
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``ordersync`` command."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        args = parser.parse_args(["gui"])
    try:
        try:
            logs.setup(fmt=getattr(args, "log_format", None))
            return int(args.func(args))
        finally:
            sys.stdout.flush()  # a closed pipe shows up here, inside the handler below
    except BrokenPipeError:
        return _stdout_closed()
    except BugError as exc:
        log.error("internal error: %s", exc.render(), exc_info=exc.__cause__ or exc)
        render.error(f"internal error: {exc.render()} — details are in {paths.home() / 'logs' / 'ordersync.log'}")
        return 3
    except OrderSyncError as exc:
        problems = getattr(exc, "problems", None)
        if problems:
            render.error(f"{len(problems)} problem(s) found:")
            for problem in problems:
                print(f"  {problem}", file=sys.stderr)
        else:
            render.error(exc.render())
        log.warning("command failed: %s", exc.render())
        return 1 if isinstance(exc, TransientError) else 2
    except KeyboardInterrupt:
        render.error("interrupted")
        return 130
    except Exception as exc:
        if _is_broken_pipe(exc):
            return _stdout_closed()
        log.exception("internal error")
        render.error(f"internal error — details are in {paths.home() / 'logs' / 'ordersync.log'}")
        return 3


