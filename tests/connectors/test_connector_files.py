"""Connector files: an in-house order system described as data, validated with every problem located,
added with ``ordersync connectors add`` and used by a recipe end to end against the generic REST app."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import httpx
import pytest
from tests.e2e.helpers import cli_env, ordersync, serve_sandbox

from ordersync_app.connectors.sdk import files

EXAMPLE = Path(__file__).parents[2] / "resources" / "examples" / "inhouse-oms.connector.yaml"
SCHEMA = Path(__file__).parents[2] / "resources" / "connector.schema.json"


def test_committed_schema_is_up_to_date() -> None:
    assert SCHEMA.read_text("utf-8") == files.render_schema(), \
        "regenerate with: python -m ordersync_app.connectors.sdk.files > resources/connector.schema.json"


@pytest.mark.parametrize(("change", "expected"), [
    (("key: inhouse_oms", "key: In House"), "key: String should match pattern"),
    (("kind: api_key", "kind: oauth1"), "auth.kind: Input should be"),
    (("secret: api_key}", "secret: apikey}"), "auth refers to the setting 'apikey'"),
    (("kind: offset, param", "kind: sideways, param"), "triggers.0.paginator.kind"),
    (("records: data", "records: data..x"), "triggers.0.records: 'data..x' is not a path"),
    (("path: \"/orders/{match}\", body: json", "path: \"/orders\", body: json"), "with {match}"),
    (("{status: 422, verdict: reject", "{status: 422, verdict: explode"), "errors.0.verdict"),
    (("zh_CN: 自有订单系统}", "zh_CN: 自有订单系统, evil: true}"), "name.evil: Extra inputs are not permitted"),
    (("format: ordersync-connector", "format: ordersync-recipe"), "format: Input should be 'ordersync-connector'"),
])
def test_bad_files_name_every_problem(change: tuple[str, str], expected: str) -> None:
    text = EXAMPLE.read_text("utf-8")
    assert change[0] in text
    with pytest.raises(files.ConnectorFileInvalid) as caught:
        files.parse_text(text.replace(change[0], change[1], 1), source="x.yaml")
    assert any(expected in problem for problem in caught.value.problems), caught.value.problems


@pytest.mark.parametrize("text", ["", "- a list", "a: &x [1]\nb: *x", "{", b"\xff\xfe\x00", "x" * 300_000])
def test_unreadable_files_are_refused_with_a_reason(text: str | bytes) -> None:
    with pytest.raises(files.ConnectorFileInvalid) as caught:
        files.parse_text(text, source="x.yaml")
    assert caught.value.problems


RECIPE = textwrap.dedent("""\
    format: ordersync-recipe
    version: 1
    name: In-house OMS shipped → HubSpot deal stage
    accounts: {oms: inhouse_oms, crm: hubspot}
    trigger: {account: oms, event: order_updated, every: 1m, start: everything}
    steps:
      - filter: {conditions: [{field: status, op: equals, value: shipped}]}
      - action:
          account: crm
          action: update_deal
          match: {source: shop_order_id}
          params: {id_property: shopify_order_id}
          fields:
            dealstage: {value: shipped}
            tracking_number: {source: tracking_no}
    """)


def test_added_with_the_cli_and_used_by_a_recipe_end_to_end(tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = cli_env(home)
    server, url = serve_sandbox(home)
    try:
        added = ordersync(home, "connectors", "add", str(EXAMPLE), env=env)
        assert added.returncode == 0, added.stderr
        assert "tested: Our order system: Order created or changed readable" in added.stdout
        listed = ordersync(home, "connectors", "--json", env=env)
        assert "inhouse_oms" in {c["key"] for c in json.loads(listed.stdout)}
        again = ordersync(home, "connectors", "add", str(EXAMPLE), env=env)
        assert again.returncode == 2 and "already added" in again.stderr
        shared = tmp_path / "shared.yaml"
        exported = ordersync(home, "connectors", "export", "inhouse_oms", "-o", str(shared), env=env)
        assert exported.returncode == 0, exported.stderr
        assert files.parse_text(shared.read_bytes()) == files.parse_text(EXAMPLE.read_bytes())
        missing = ordersync(home, "connectors", "export", "no_such_app", env=env)
        assert missing.returncode == 2 and "no connector file with the key 'no_such_app'" in missing.stderr

        for name, connector in (("oms", "inhouse_oms"), ("crm", "hubspot")):
            made = ordersync(home, "account", "add", name, "--connector", connector, "--base-url",
                             f"sandbox://{'rest' if connector == 'inhouse_oms' else connector}", env=env)
            assert made.returncode == 0, made.stderr
        recipe = tmp_path / "inhouse.yaml"
        recipe.write_text(RECIPE, "utf-8")
        imported = ordersync(home, "recipe", "import", str(recipe), "--bind", "oms=oms", "--bind", "crm=crm",
                             "--name", "inhouse", env=env)
        assert imported.returncode == 0, imported.stderr
        httpx.post(f"{url}/_sandbox/hubspot/reset-counters").raise_for_status()

        run = ordersync(home, "run", "inhouse", "--json", env=env)
        assert run.returncode == 0, run.stderr
        summary = json.loads(run.stdout)
        assert (summary["seen"], summary["succeeded"], summary["filtered"]) == (60, 10, 50)  # orders 1-10 shipped
        writes = httpx.get(f"{url}/_sandbox/hubspot/counters").json()["deal_writes"]
        assert len(writes) == 10 and set(writes.values()) == {1}

        rerun = json.loads(ordersync(home, "run", "inhouse", "--json", env=env).stdout)
        assert rerun["succeeded"] == rerun["writes"] == 0
    finally:
        server.terminate()
        server.communicate(timeout=30)
