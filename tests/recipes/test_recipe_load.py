"""Loading recipe files: valid files load and round-trip, invalid ones report every problem once.

The table below pairs each file in ``invalid/`` with *all* the problems it must produce
(location plus a fragment of the message or hint), so both a missing and an extra problem fail.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
import yaml
from tests.recipes.conftest import connectors_for

from ordersync_app.connectors.sdk.spec import Connector
from ordersync_app.domain.errors import RecipeError
from ordersync_app.recipes import load_document, load_file, load_text
from ordersync_app.recipes.load import MAX_BYTES, Problem, RecipeInvalid
from ordersync_app.recipes.model import Mapping, Recipe

HERE = Path(__file__).parent
VALID = sorted((HERE / "valid").glob("*.y*ml")) + sorted((HERE / "valid").glob("*.json"))
TEMPLATES = sorted((HERE.parent.parent / "recipes").glob("*.yaml"))

# (file, [(location, fragment of "message — hint"), ...]) — every problem the file must give.
INVALID: list[tuple[str, list[tuple[str, str]]]] = [
    ("unknown-transform.yaml", [("steps[0].action.fields.dealstage.transforms[0]",
                                 "unknown transform 'lookup_tabel' — did you mean 'lookup_table'?")]),
    ("unknown-op.yaml", [("steps[0].filter.conditions[0].op", "unknown operator 'equal' — did you mean 'equals'?")]),
    ("unknown-event.yaml", [("trigger.event", "no trigger 'order_fullfilled' — did you mean 'order_fulfilled'?")]),
    ("unknown-action.yaml", [("steps[0].action.action", "HubSpot has no action 'update_deals' — did you mean "
                                                        "'update_deal'?")]),
    ("missing-version.yaml", [("version", "required, but missing — add `version: 2`")]),
    ("unknown-connector.yaml", [("accounts.crm", "unknown connector 'hubspto' — did you mean 'hubspot'?")]),
    ("undeclared-role.yaml", [("steps[0].action.account", "role 'hubspot' is not declared in accounts")]),
    ("unknown-target-field.yaml", [("steps[0].action.fields.deal_stage",
                                    "no field 'deal_stage' — did you mean 'dealstage'?")]),
    ("missing-required-field.yaml", [("steps[0].action.fields", "'upsert_contact' needs the field 'email'")]),
    ("unknown-key.yaml", [("trigger.evry", "unknown key 'evry' — did you mean 'every'?")]),
    ("bad-every.yaml", [("trigger.every", "between 10s and 24h")]),
    ("bad-schedule.yaml", [
        ("trigger.schedule.cron", "'0 2 1 *' has 4 fields; a cron schedule has 5: minute hour day-of-month month "
                                  "day-of-week — e.g. 0 2 1 * * = 02:00 on the 1st of every month"),
        ("trigger.schedule.timezone", "unknown time zone 'Asia/Shangai' — did you mean 'Asia/Shanghai'?"),
    ]),
    ("schedule-conflicts.yaml", [
        ("trigger", "either `every` (polling) or `schedule` (cron times), not both — remove `every`"),
        ("options.sla.p95_seconds", "a scheduled trigger reads records that changed any time before its run"),
    ]),
    ("schedule-weekday-and-day.yaml", [
        ("trigger.schedule.cron", "restricts both the day of the month (1-7) and the day of the week (mon); classic "
                                  "cron runs when either matches"),
    ]),
    ("bad-sla.yaml", [
        ("options.sla.success", "a success target of 0.995 % is almost no target at all — targets are in percent: "
                                "did you mean 99.5?"),
        ("options.sla.p95_seconds", "a p95 target is a number of seconds above 0 and at most a week, got -3"),
        ("options.sla.window_days", "less than or equal to 90"),
    ]),
    ("sla-slower-than-polling.yaml", [
        ("options.sla.p95_seconds", "a p95 of 30 s cannot be met when the trigger is polled every 5m: a change can "
                                    "wait up to 300 s before it is even read — poll more often (every: 15s)"),
    ]),
    ("bad-start.yaml", [("trigger.start", "has no time zone")]),
    ("yaml-syntax.yaml", [("line 7:8", "YAML syntax error")]),
    ("duplicate-key.yaml", [("line 17:5", "duplicate key 'fields'")]),
    ("newer-version.yaml", [("version", "made by a newer OrderSync (format version 3; this app reads up to 2) "
                                        "— update the app")]),
    ("bad-version.yaml", [("version", "must be a whole number")]),
    ("not-a-recipe.yaml", [("format", "not an OrderSync recipe")]),
    ("mapping-scalar.yaml", [("steps[0].action.fields.dealstage", "{value: 'shipped'} for a constant")]),
    ("bad-template.yaml", [("steps[0].action.fields.dealstage.template", "unclosed '{' at character 7")]),
    ("action-writes-to-trigger.yaml", [("steps[0].action.account", "may not write to 'shop', an account the "
                                                                   "trigger reads from")]),
    ("two-target-roles.yaml", [("steps[1].action.account", "must write to one account: steps[0] writes to "
                                                           "'crm', this one to 'shop2'")]),
    ("lookup-defined-later.yaml", [("steps[0].action.match.source", "which comes after this one (it is "
                                                                    "steps[1]) — move that step before this one")]),
    ("lookup-unknown-name.yaml", [("steps[1].action.match.source", "no step has `id: dael` — did you "
                                                                   "mean 'deal'?")]),
    ("duplicate-lookup-name.yaml", [("steps[1].id", "'deal' is already used by steps[0]")]),
    ("bad-transform-args.yaml", [
        ("steps[0].action.fields.description.transforms[0].truncate.length", "greater than or equal to 1"),
        ("steps[0].action.fields.description.transforms[1].round.digits", "whole number, got the text 'two'"),
        ("steps[0].action.fields.description.transforms[2].replace.nw", "unknown key 'nw' — did you mean 'new'?"),
        ("steps[0].action.fields.description.transforms[3].format_datetime.format", "%I is not supported"),
        ("steps[0].action.fields.description.transforms[3].format_datetime.tz",
         "'Asia/Shangai' is not a known time zone — did you mean 'Asia/Shanghai'?"),
    ]),
    ("unknown-params.yaml", [
        ("trigger.params.since_id", "unknown parameter 'since_id' for trigger 'order_fulfilled' — trigger "
                                    "'order_fulfilled' takes no parameters"),
        ("steps[0].action.params.id_propery", "unknown parameter 'id_propery' for action 'update_deal' — did you "
                                              "mean 'id_property'?"),
    ]),
    ("lookup-problems.yaml", [
        ("steps[0].lookup.lookup", "HubSpot has no lookup 'find_deals' — did you mean 'find_deal'?"),
        ("steps[1].lookup.params", "lookup 'find_deal' needs the parameter 'property'"),
    ]),
    ("step-with-two-kinds.yaml", [
        ("steps[0]", "exactly one of filter, lookup, action or aggregate (found filter and action)"),
        ("steps[1]", "exactly one of filter, lookup, action or aggregate"),
    ]),
    ("filter-values.yaml", [
        ("steps[0].filter.match", "'some' is not allowed here; use all or any"),
        ("steps[0].filter.conditions[0]", "'in' needs a list of values"),
        ("steps[0].filter.conditions[1]", "'exists' takes no value"),
        ("steps[0].filter.conditions[2]", "'yesterday' is neither"),
        ("steps[0].filter.conditions[3]", "'equals' needs a `value`"),
        ("steps[0].filter.conditions[4].field", "'lineItems[x].sku' is not a valid path"),
    ]),
    ("wrong-types.yaml", [
        ("name", "expected text, got the number 123"),
        ("accounts", "expected a mapping"),
        ("trigger", "expected a mapping (key: value lines), got the text 'order_fulfilled'"),
        ("steps", "expected a list"),
        ("options.dry_run", "expected true or false, got the text 'maybe'"),
        ("options.on_error", "'retry' is not allowed here; use continue or stop"),
    ]),
    ("missing-keys.yaml", [("name", "required, but missing"), ("accounts", "required, but missing"),
                           ("trigger", "required, but missing"), ("steps", "required, but missing")]),
    ("no-action.yaml", [("steps", "needs at least one action step")]),
    ("match-rules.yaml", [
        ("steps[0].action", "action 'update_deal' needs `match`"),
        ("steps[1].action.match", "exactly one of source, value or template (or list or object) "
                                  "(found source and value)"),
    ]),
    ("billion-laughs.yaml", [("line 1:1", "expands to more than 100000 values")]),
    ("deep-nesting.yaml", [("line 3:70", "nested more than 64 levels deep")]),
    ("python-tag.yaml", [("line 3:7", "the tag !!python/object/apply:os.system is not allowed")]),
    ("binary.bin", [("", "not UTF-8 text")]),
    ("empty.yaml", [("", "the recipe is empty")]),
    ("list-document.yaml", [("", "a recipe is a mapping of keys")]),
]


def _problems(exc: pytest.ExceptionInfo[RecipeInvalid]) -> list[Problem]:
    return exc.value.problems


def test_invalid_table_covers_every_file() -> None:
    on_disk = {p.name for p in (HERE / "invalid").iterdir()}
    assert on_disk == {name for name, _ in INVALID}


@pytest.mark.parametrize(("name", "expected"), INVALID, ids=[name for name, _ in INVALID])
def test_invalid_file_reports_every_problem(name: str, expected: list[tuple[str, str]],
                                            fakes: dict[str, Connector]) -> None:
    with pytest.raises(RecipeInvalid) as exc:
        load_file(HERE / "invalid" / name, connectors=fakes)
    problems = _problems(exc)
    rendered = [(p.location, str(p)) for p in problems]
    for location, fragment in expected:
        assert any(loc == location and fragment in text for loc, text in rendered), (
            f"missing {location}: …{fragment}… in {rendered}")
    assert len(problems) == len(expected), rendered
    assert isinstance(exc.value, RecipeError)
    assert name in str(exc.value)  # the header names the file


def test_problem_renders_location_message_and_hint() -> None:
    problem = Problem("steps[2].action.fields.dealstage.transforms[0]", "unknown transform 'lookup_tabel'",
                      "did you mean 'lookup_table'?")
    assert str(problem) == ("steps[2].action.fields.dealstage.transforms[0]: unknown transform 'lookup_tabel' "
                            "— did you mean 'lookup_table'?")
    assert str(Problem("", "the recipe is empty")) == "the recipe is empty"


def test_problems_carry_lines_and_come_in_file_order(fakes: dict[str, Connector]) -> None:
    with pytest.raises(RecipeInvalid) as exc:
        load_file(HERE / "invalid" / "filter-values.yaml", connectors=fakes)
    lines = [p.line for p in _problems(exc)]
    assert lines == sorted(lines) == [12, 14, 15, 16, 17, 18]
    assert "(line 14)" in str(exc.value)


@pytest.mark.parametrize("path", VALID + TEMPLATES, ids=lambda p: p.name)
def test_valid_file_loads_and_round_trips(path: Path, fakes: dict[str, Connector]) -> None:
    fakes = connectors_for(path, fakes)
    recipe = load_file(path, connectors=fakes)
    text = recipe.to_yaml()
    again = load_text(text, connectors=fakes)
    assert again == recipe
    assert again.to_yaml() == text
    assert load_document(json.loads(json.dumps(recipe.to_document())), connectors=fakes) == recipe


def test_defaults_of_a_minimal_recipe(fakes: dict[str, Connector]) -> None:
    recipe = load_file(HERE / "valid" / "minimal.yaml", connectors=fakes)
    assert recipe.trigger.every == "5m"
    assert recipe.trigger.every_seconds == 300
    assert recipe.trigger.start == "now"
    assert recipe.trigger.start_at is None
    assert recipe.options.dry_run is False
    assert recipe.options.on_error == "continue"
    assert recipe.steps[0].kind == "action"
    assert recipe.to_document()["options"] == {"dry_run": False, "on_error": "continue"}


def test_start_and_every_forms(fakes: dict[str, Connector]) -> None:
    recipe = load_file(HERE / "valid" / "lookup-and-template.yaml", connectors=fakes)
    assert recipe.trigger.every_seconds == 7200
    start = recipe.trigger.start_at
    assert start is not None
    assert start.isoformat() == "2026-09-01T08:00:00+08:00"
    dated = load_file(HERE / "valid" / "every-operator.yaml", connectors=fakes).trigger.start_at
    assert dated is not None
    assert dated.isoformat() == "2026-09-01T00:00:00+00:00"


def test_yaml_pitfalls_stay_text(fakes: dict[str, Connector]) -> None:
    recipe = load_file(HERE / "valid" / "yaml-pitfalls.yaml", connectors=fakes)
    action = recipe.steps[0].action
    assert action is not None
    table_call = action.fields["city"].transforms[0]
    assert table_call.args.table == {  # type: ignore[attr-defined]
        "NO": "Norway", "yes": "Yes-land", "on": "On-land", "1": "one", "true": "True-land",
        "1.5": "one and a half"}
    assert table_call.args.default == "01234"  # type: ignore[attr-defined]
    assert action.fields["phone"].value == "1:30"
    assert action.fields["firstname"].value == "2026-09-01"
    assert action.fields["lastname"].value == "0x1F"


def test_lookup_step_and_references(fakes: dict[str, Connector]) -> None:
    recipe = load_file(HERE / "valid" / "lookup-and-template.yaml", connectors=fakes)
    lookup = recipe.steps[0].lookup
    assert lookup is not None
    assert recipe.steps[0].id == "deal"  # a version 1 file's `as` is the step's id in version 2
    assert lookup.if_missing == "skip"
    assert recipe.steps[2].body.match.paths() == ["steps.deal.id"]  # type: ignore[union-attr]
    assert recipe.to_document()["steps"][0]["id"] == "deal"
    assert "as" not in recipe.to_document()["steps"][0]["lookup"]


def test_json_with_tabs_is_accepted(fakes: dict[str, Connector]) -> None:
    recipe = load_file(HERE / "valid" / "json-form.json", connectors=fakes)
    assert recipe.trigger.params == {"shop_id": 10086}
    action = recipe.steps[1].action
    assert action is not None
    assert action.fields["description"].kind == "value"
    assert action.fields["description"].value is None


def test_json_duplicate_keys_are_reported(fakes: dict[str, Connector]) -> None:
    with pytest.raises(RecipeInvalid) as exc:
        load_text('{"format": "ordersync-recipe", "format": "x"}', connectors=fakes)
    assert "duplicate key 'format'" in str(exc.value)


def test_utf8_bom_and_utf16_are_read(fakes: dict[str, Connector]) -> None:
    text = (HERE / "valid" / "minimal.yaml").read_text("utf-8").replace("Minimal", "最小的配方")
    from_bom = load_text(b"\xef\xbb\xbf" + text.encode("utf-8"), connectors=fakes)
    from_utf16 = load_text(text.encode("utf-16"), connectors=fakes)
    assert from_bom.name == from_utf16.name == "最小的配方"


def test_huge_input_is_one_clear_problem(tmp_path: Path, fakes: dict[str, Connector]) -> None:
    big = "# " + "x" * MAX_BYTES + "\n"
    with pytest.raises(RecipeInvalid) as exc:
        load_text(big, connectors=fakes)
    assert [p.message for p in _problems(exc)] == [
        f"the file is too large ({MAX_BYTES + 3:,} bytes; a recipe is at most {MAX_BYTES:,})"]
    path = tmp_path / "big.yaml"
    path.write_text(big)
    with pytest.raises(RecipeInvalid, match="too large"):
        load_file(path, connectors=fakes)


def test_unreadable_file_is_a_problem(tmp_path: Path, fakes: dict[str, Connector]) -> None:
    with pytest.raises(RecipeInvalid) as exc:
        load_file(tmp_path / "nope.yaml", connectors=fakes)
    assert "cannot read the file" in str(exc.value)


def test_deep_json_nesting_is_a_problem(fakes: dict[str, Connector]) -> None:
    with pytest.raises(RecipeInvalid, match="nested"):
        load_text("{" + '"a":[' * 50_000, connectors=fakes)
    with pytest.raises(RecipeInvalid, match="nested"):
        load_text("[" * 100_000, connectors=fakes)
    deep: Any = "x"
    for _ in range(80):
        deep = [deep]
    with pytest.raises(RecipeInvalid, match="nested more than 64"):
        load_document({"format": "ordersync-recipe", "version": 1, "name": deep}, connectors=fakes)


def test_self_referencing_alias_is_refused(fakes: dict[str, Connector]) -> None:
    with pytest.raises(RecipeInvalid, match="expands to more than"):
        load_text("format: ordersync-recipe\nname: &a [*a]\n", connectors=fakes)


def test_too_many_aliases(fakes: dict[str, Connector]) -> None:
    text = "format: ordersync-recipe\nx: &a 1\ny: [" + ", ".join(["*a"] * 60) + "]\n"
    with pytest.raises(RecipeInvalid, match="more than 50 aliases"):
        load_text(text, connectors=fakes)


def test_migrated_or_current_document_is_not_modified(fakes: dict[str, Connector]) -> None:
    doc = yaml.safe_load((HERE / "valid" / "minimal.yaml").read_text("utf-8"))
    before = json.dumps(doc, sort_keys=True)
    load_document(doc, connectors=fakes)
    assert json.dumps(doc, sort_keys=True) == before


def test_programmatic_recipe_round_trips(fakes: dict[str, Connector]) -> None:
    recipe = Recipe.model_validate({
        "name": "Built in the editor",
        "accounts": {"shop": "shopify", "crm": "hubspot"},
        "trigger": {"account": "shop", "event": "order_created"},
        "steps": [{"action": {"account": "crm", "action": "upsert_contact",
                              "match": Mapping(source="email"),
                              "fields": {"email": Mapping(source="email", transforms=["trim"], mode="create_only")}}}],
    })
    document = recipe.to_document()
    assert document["format"] == "ordersync-recipe"
    assert document["version"] == 2
    assert document["steps"][0]["action"]["fields"]["email"] == {"source": "email", "transforms": ["trim"],
                                                                 "mode": "create_only"}
    assert load_text(recipe.to_yaml(), connectors=fakes) == recipe


# ----------------------------------------------------------------------------- fuzz-ish


def _random_value(rng: random.Random, depth: int = 0) -> Any:
    pick = rng.random()
    if depth > 4 or pick < 0.35:
        return rng.choice([None, True, 0, -1, 3.5, "", "x", "steps.deal.id", "{name", "trim", "equals",
                           "ordersync-recipe", "5m", "now", [], {}, "lookup_table", "shopify", "crm"])
    if pick < 0.6:
        return [_random_value(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    keys = ["format", "version", "name", "accounts", "trigger", "steps", "options", "filter", "lookup",
            "action", "account", "event", "fields", "source", "value", "template", "transforms", "as",
            "params", "match", "conditions", "op", "field", "every", "start", "table", "default", "x"]
    return {rng.choice(keys): _random_value(rng, depth + 1) for _ in range(rng.randint(0, 4))}


def _mutations(base: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    doc = json.loads(json.dumps(base))
    for _ in range(rng.randint(1, 3)):
        target: Any = doc
        for _ in range(rng.randint(0, 4)):
            if isinstance(target, dict) and target:
                key = rng.choice(list(target))
                if isinstance(target[key], dict | list) and target[key]:
                    target = target[key]
            elif isinstance(target, list) and target:
                item = rng.choice(target)
                if isinstance(item, dict | list) and item:
                    target = item
        if isinstance(target, dict) and target:
            key = rng.choice(list(target))
            if rng.random() < 0.2:
                del target[key]
            else:
                target[key] = _random_value(rng)
        elif isinstance(target, list) and target:
            target[rng.randrange(len(target))] = _random_value(rng)
    return doc


def _outcome(load: Any, *args: Any, **kwargs: Any) -> str:
    """``valid`` or ``invalid``; any exception other than RecipeInvalid fails the test."""
    try:
        load(*args, **kwargs)
    except RecipeInvalid as exc:
        problems = exc.problems
    else:
        return "valid"
    assert problems
    assert all(isinstance(p.message, str) and p.message for p in problems)
    return "invalid"


def test_random_structures_never_raise_anything_else(fakes: dict[str, Connector]) -> None:
    rng = random.Random(20260901)
    source = next((t for t in TEMPLATES if connectors_for(t, fakes) is fakes), VALID[0])  # a template the fakes cover
    base = load_file(source, connectors=fakes).to_document()
    outcomes: set[str] = set()
    for _ in range(400):
        doc = _mutations(base, rng)
        outcomes.add(_outcome(load_document, doc, connectors=fakes))
        outcomes.add(_outcome(load_text, yaml.safe_dump(doc, allow_unicode=True), connectors=fakes))
    for _ in range(200):
        outcomes.add(_outcome(load_document, _random_value(rng), connectors=fakes))
    assert outcomes == {"valid", "invalid"}


def test_random_bytes_never_raise_anything_else(fakes: dict[str, Connector]) -> None:
    rng = random.Random(7)
    source = (HERE / "valid" / "every-transform.yaml").read_bytes()
    alphabet = b"{}[]:-,&*!|>'\"#%@`\n\t ab01.\\\x00\xff"
    outcomes: set[str] = set()
    for i in range(400):
        if i % 2:
            data = bytes(rng.randrange(256) for _ in range(rng.randint(0, 200)))
        else:  # a real recipe with a few bytes changed: mostly near-valid YAML
            buf = bytearray(source)
            for _ in range(rng.randint(1, 6)):
                buf[rng.randrange(len(buf))] = rng.choice(alphabet)
            data = bytes(buf)
        outcomes.add(_outcome(load_text, data, connectors=fakes))
    assert "invalid" in outcomes


def test_a_create_that_cannot_be_checked_after_a_lost_answer_is_refused(fakes: dict[str, Connector]) -> None:
    text = """\
format: ordersync-recipe
version: 1
name: Notes
accounts: {shop: shopify, crm: hubspot}
trigger: {account: shop, event: order_updated}
steps:
  - action: {account: crm, action: append_note, fields: {note: {source: name}}}
"""
    with pytest.raises(RecipeInvalid) as caught:
        load_text(text, connectors=fakes)
    [problem] = caught.value.problems
    assert problem.location == "steps[0].action.action"
    assert "could create duplicates" in problem.message and problem.hint
