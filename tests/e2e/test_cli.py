"""The CLI as users run it: accounts, recipe import/export between homes, runs, secrets kept secret."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import yaml
from tests.e2e.helpers import add_sandbox_accounts, cli_env, import_demo_recipe, ordersync, serve_sandbox

CANARY = "pat-na1-canary0000-secret-ffff"


def test_secret_never_leaves_the_keychain(tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = cli_env(home) | {"ORDERSYNC_SECRET_ACCESS_TOKEN": CANARY}
    added = ordersync(home, "account", "add", "crm", "--connector", "hubspot",
                      "--base-url", "http://127.0.0.1:9", env=env)
    assert added.returncode == 0, added.stderr
    tested = ordersync(home, "account", "test", "crm", env=env)  # nothing listens on port 9
    assert tested.returncode in (1, 2) and tested.stderr.startswith("error:")
    assert "Traceback" not in tested.stderr
    listed = ordersync(home, "account", "list", "--json", env=env)
    assert json.loads(listed.stdout)[0]["name"] == "crm"
    for output in (added, tested, listed):
        assert CANARY not in output.stdout + output.stderr
    for path in home.rglob("*"):
        if path.is_file():
            assert CANARY.encode() not in path.read_bytes(), f"secret found in {path}"
    with sqlite3.connect(home / "ordersync.db") as conn:
        dump = "\n".join(conn.iterdump())
    assert CANARY not in dump


def test_secret_on_the_command_line_is_refused(tmp_path: Path) -> None:
    home = tmp_path / "home"
    result = ordersync(home, "account", "add", "crm", "--connector", "hubspot", "--set", f"access_token={CANARY}")
    assert result.returncode == 2
    assert "is a secret" in result.stderr and CANARY not in result.stderr


def test_unknown_names_get_suggestions(tmp_path: Path) -> None:
    home = tmp_path / "home"
    result = ordersync(home, "account", "add", "crm", "--connector", "hubspt")
    assert result.returncode == 2 and "did you mean 'hubspot'" in result.stderr
    result = ordersync(home, "run", "nope")
    assert result.returncode == 2 and "no recipe named 'nope'" in result.stderr


def test_export_then_import_elsewhere_reproduces_the_recipe(tmp_path: Path) -> None:
    first, second = tmp_path / "one", tmp_path / "two"
    for home in (first, second):
        add_sandbox_accounts(home)
    import_demo_recipe(first, "orders")
    exported = tmp_path / "shared.yaml"
    r = ordersync(first, "recipe", "export", "orders", "-o", str(exported))
    assert r.returncode == 0, r.stderr
    text = exported.read_text("utf-8")
    for forbidden in ("sandbox://", "127.0.0.1", "http", "token", "demo-crm", "secret"):
        assert forbidden not in text.lower(), forbidden
    import_demo_recipe(second, "orders", source=exported)
    shown = [json.loads(ordersync(h, "recipe", "show", "orders", "--json").stdout) for h in (first, second)]
    assert shown[0]["document"] == shown[1]["document"]
    assert yaml.safe_load(text)["name"] == shown[0]["title"]


def test_run_against_a_served_sandbox_and_retry_queue(tmp_path: Path) -> None:
    home = tmp_path / "home"
    server, _url = serve_sandbox(home)
    try:
        add_sandbox_accounts(home)
        assert ordersync(home, "account", "test", "crm").stdout.startswith("OK:")
        import_demo_recipe(home, "orders", "--enable")
        assert ordersync(home, "sandbox", "fulfil", "--count", "4").returncode == 0
        dry = ordersync(home, "run", "orders", "--dry-run", "--json")
        assert dry.returncode == 0, dry.stderr
        preview = json.loads(dry.stdout)
        assert preview["dry_run"] and preview["writes"] == 0 and len(preview["previews"]) == 4
        stages = [(c["current"], c["new"]) for p in preview["previews"] for c in p["changes"]
                  if c["field"] == "dealstage"]
        assert stages == [("processed", "shipped")] * 4
        live = ordersync(home, "run", "orders", "--json")
        assert live.returncode == 0, live.stderr
        assert json.loads(live.stdout)["writes"] == 4  # going live sends exactly what was previewed
        history = json.loads(ordersync(home, "history", "orders", "--json").stdout)
        assert {h["status"] for h in history} == {"succeeded"} and len(history) == 4
    finally:
        server.terminate()
        server.communicate(timeout=30)
