"""The committed JSON Schema equals the one generated from the models."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from ordersync_app.recipes.schema import SCHEMA_ID, json_schema, render

SCHEMA_FILE = Path(__file__).parents[2] / "resources" / "recipe.schema.json"


def test_committed_schema_is_up_to_date() -> None:
    assert SCHEMA_FILE.read_text("utf-8") == render(), (
        "regenerate with: python -m ordersync_app.recipes.schema > resources/recipe.schema.json")


def test_schema_shape() -> None:
    schema = json_schema()
    assert schema["$id"] == SCHEMA_ID
    assert schema["title"] == "OrderSync recipe"
    assert schema["required"][:2] == ["format", "version"]
    assert schema["properties"]["version"]["const"] == 2
    assert schema["$id"].endswith(":v2")
    step = schema["$defs"]["Step"]["properties"]
    assert {"id", "filter", "lookup", "action", "aggregate"} <= set(step)  # the v2 step kinds and ids
    assert schema["$defs"]["Mapping"]["properties"]["mode"]["enum"] == ["always", "only_if_empty", "create_only",
                                                                       "never"]
    assert {"for_each", "item_key"} <= set(schema["$defs"]["ActionStep"]["properties"])
    assert "when_changed" in schema["$defs"]["Trigger"]["properties"] and "owns" in schema["properties"]
    transforms = schema["$defs"]["Mapping"]["properties"]["transforms"]["items"]["anyOf"]
    assert "trim" in transforms[0]["enum"]
    assert "replace" not in transforms[0]["enum"]  # needs arguments
    assert set(transforms[1]["properties"]) >= {"lookup_table", "format_datetime", "truncate"}
    json.dumps(schema)  # serialisable


def test_module_prints_the_schema() -> None:
    out = subprocess.run([sys.executable, "-m", "ordersync_app.recipes.schema"], capture_output=True,
                         text=True, check=True, encoding="utf-8").stdout
    assert out == render()
