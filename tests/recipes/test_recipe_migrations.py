"""The migration framework, exercised with a fixture step that exists only in this test."""

from __future__ import annotations

import types
from pathlib import Path
from typing import Any

import pytest
import yaml

from ordersync_app.recipes import migrations
from ordersync_app.recipes.migrations import (
    CURRENT_VERSION,
    MigrationError,
    registered_steps,
    rename_keys,
    upgrade,
)

HERE = Path(__file__).parent / "migrations"


def _read(name: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((HERE / name).read_text("utf-8"))
    return data


def _fixture_migrate(doc: dict[str, Any]) -> dict[str, Any]:
    trigger = doc["trigger"]
    from ordersync_app.recipes.model import parse_every

    trigger["every_seconds"] = parse_every(trigger.pop("every", "5m"))
    return doc


# A step module as the framework sees one: FROM, an optional RENAMED table and migrate().
FIXTURE_STEP = types.SimpleNamespace(FROM=1, RENAMED={"steps[*].action.fields": "set"}, migrate=_fixture_migrate)


def test_fixture_step_turns_before_into_after() -> None:
    before = _read("v1-before.yaml")
    original = yaml.safe_dump(before)
    after = upgrade(before, steps={1: FIXTURE_STEP}, target=2)
    assert after == _read("v2-after.yaml")
    assert yaml.safe_dump(before) == original  # the input document is left alone


def test_current_version_needs_no_step() -> None:
    doc = {"version": CURRENT_VERSION, "steps": []}
    assert upgrade(doc) is doc
    assert CURRENT_VERSION == 2
    assert migrations.STEP_MODULES == ("v1_to_v2",)
    assert set(registered_steps()) == {1}


def test_v1_to_v2_moves_a_lookups_name_to_its_step_id() -> None:
    before = _read("v1_to_v2-before.yaml")
    after = upgrade(before)
    assert after == _read("v1_to_v2-after.yaml")
    assert list(after["steps"][0]) == ["id", "lookup"]  # the id comes first, as version 2 writes it
    assert before["version"] == 1 and "as" in before["steps"][0]["lookup"]  # the input is left alone


def test_every_v1_template_and_corpus_file_still_loads_after_the_upgrade(fakes: Any) -> None:
    from tests.recipes.conftest import connectors_for

    from ordersync_app.recipes.load import load_file

    root = Path(__file__).parents[2]
    files = [*sorted((root / "recipes").glob("*.yaml")), *sorted((HERE.parent / "valid").glob("*.y*ml"))]
    upgraded = 0
    for path in files:
        raw = yaml.safe_load(path.read_text("utf-8"))
        if raw.get("version") == 1:
            upgraded += 1
        assert load_file(path, connectors=connectors_for(path, fakes)).version == CURRENT_VERSION, path
    assert upgraded >= 10  # the corpus holds real version 1 files


@pytest.mark.parametrize(("version", "fragment"), [
    (None, "must be a whole number"),
    ("1", "must be a whole number"),
    (True, "must be a whole number"),
    (0, "must be a whole number"),
    (3, "made by a newer OrderSync (format version 3; this app reads up to 2)"),
])
def test_bad_versions(version: object, fragment: str) -> None:
    with pytest.raises(MigrationError, match=fragment.replace("(", r"\(").replace(")", r"\)")):
        upgrade({"version": version}, steps={1: FIXTURE_STEP}, target=2)


def test_missing_step_is_reported() -> None:
    with pytest.raises(MigrationError, match="no upgrade from format version 1"):
        upgrade({"version": 1}, steps={}, target=2)


def test_a_failing_step_is_reported() -> None:
    with pytest.raises(MigrationError, match="upgrading from format version 1 failed"):
        upgrade({"version": 1}, steps={1: FIXTURE_STEP}, target=2)  # no trigger: KeyError inside


def test_steps_chain_and_set_the_version() -> None:
    seen: list[int] = []

    def step(n: int) -> types.SimpleNamespace:
        def migrate(doc: dict[str, Any]) -> dict[str, Any]:
            seen.append(doc["version"])
            return {**doc, f"v{n + 1}": True}
        return types.SimpleNamespace(FROM=n, migrate=migrate)

    result = upgrade({"version": 1}, steps={1: step(1), 2: step(2), 3: step(3)}, target=4)
    assert seen == [1, 2, 3]
    assert result == {"version": 4, "v2": True, "v3": True, "v4": True}


def test_a_step_must_return_a_document() -> None:
    bad = types.SimpleNamespace(FROM=1, migrate=lambda _doc: None)
    with pytest.raises(MigrationError, match="did not give a document"):
        upgrade({"version": 1}, steps={1: bad}, target=2)


def test_rename_keys_walks_lists_and_keeps_existing_keys() -> None:
    doc: dict[str, Any] = {"steps": [{"action": {"fields": 1}}, {"action": {"fields": 2, "set": 3}}, "x"],
                           "options": {"on_fail": "stop"}}
    rename_keys(doc, {"steps[*].action.fields": "set", "options.on_fail": "on_error", "nowhere.x": "y"})
    assert doc == {"steps": [{"action": {"set": 1}}, {"action": {"fields": 2, "set": 3}}, "x"],
                   "options": {"on_error": "stop"}}
    with pytest.raises(MigrationError, match="bad rename path"):
        rename_keys(doc, {"a..b": "c"})


def test_load_reports_migration_problems_as_recipe_problems(fakes: Any) -> None:
    from ordersync_app.recipes.load import RecipeInvalid, load_text

    text = (HERE / "v2-after.yaml").read_text("utf-8").replace("version: 2", "version: 3")
    with pytest.raises(RecipeInvalid) as exc:
        load_text(text, connectors=fakes)
    assert [str(p) for p in exc.value.problems] == [
        "version: this recipe was made by a newer OrderSync (format version 3; this app reads up to 2) "
        "— update the app"]
