"""The recipe loader refuses what would be silently wrong or unbounded, and transforms have bounded
cost on hostile values (issue 9, defects 4 and 9)."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml
from tests.e2e.helpers import DEMO_TEMPLATE

from ordersync_app.recipes import catalog, load
from ordersync_app.recipes.catalog import MappingError
from ordersync_app.recipes.load import RecipeInvalid
from ordersync_app.recipes.model import Mapping
from ordersync_app.services import recipes

TEMPLATE = DEMO_TEMPLATE.read_text("utf-8")


def _problems(text: str) -> str:
    with pytest.raises(RecipeInvalid) as refused:
        load.load_text(text)
    return "\n".join(str(p) for p in refused.value.problems)


def _with_field(value: str) -> str:
    return TEMPLATE.replace("        description: {template:", f"        amount: {{value: {value}}}\n"
                            "        description: {template:")


# -- 9: numbers are read exactly or refused, never turned into null ---------------------------------
@pytest.mark.parametrize("value", ["1.0e+999", "-1.0e+999", "9" * 5000])
def test_a_number_out_of_range_is_a_problem_never_null(value: str) -> None:
    assert "out of range" in _problems(_with_field(value)) or "digits" in _problems(_with_field(value))


def test_the_same_numbers_in_json_are_problems_and_nan_is_refused() -> None:
    document = json.dumps(yaml.safe_load(TEMPLATE))
    for bad in ("1e999", "NaN", "Infinity", "9" * 5000):
        text = document.replace('"dry_run": false', f'"dry_run": false, "x": {bad}')
        assert "x" in text
        problems = _problems(text)
        assert any(word in problems for word in ("NaN", "Infinity", "out of range", "digits")), problems


def test_a_document_built_in_code_with_infinity_is_refused() -> None:
    document = yaml.safe_load(TEMPLATE)
    document["steps"][1]["action"]["fields"]["amount"] = {"value": float("inf")}
    with pytest.raises(RecipeInvalid, match="problem"):
        load.load_document(document)


def test_a_start_outside_years_1_to_9999_in_utc_is_a_problem_not_a_crash() -> None:
    text = TEMPLATE.replace("start: now", "start: '0001-01-01T00:00:00+14:00'")
    assert "out of range" in _problems(text)
    with pytest.raises(RecipeInvalid):
        recipes.import_recipe(text, {"shop": "shop", "crm": "crm"})


def test_alias_expansion_is_capped_by_bytes() -> None:
    row = "[" + ", ".join(["'" + "x" * 1000 + "'"] * 40) + "]"
    aliases = "\n".join("  - *row" for _ in range(40))
    text = TEMPLATE + f"\nx_anchor: &row {row}\nx_expanded:\n{aliases}\n"
    assert len(text.encode()) < 60_000
    assert "expands to more than 1,000,000 bytes" in _problems(text)


def test_the_number_of_steps_is_capped() -> None:
    document = yaml.safe_load(TEMPLATE)
    document["steps"] = [document["steps"][0]] * 200 + document["steps"][1:]
    with pytest.raises(RecipeInvalid) as refused:
        load.load_document(document)
    assert "200" in refused.value.render()


@pytest.mark.parametrize("name", ["Safe sync \u202eelif.exe", "orders\u200bsync", "\u2066hidden\u2069"])
def test_direction_changing_and_invisible_characters_in_names_are_refused(name: str) -> None:
    text = TEMPLATE.replace("name: Shopify order fulfilled → HubSpot deal stage", f"name: {json.dumps(name)}")
    assert "invisible or direction-changing" in _problems(text)


# -- 4: transforms on hostile values fail the record, quickly and with the field named ---------------
def _mapping(transforms: list[Any]) -> Mapping:
    return Mapping.model_validate({"source": "v", "transforms": transforms})


@pytest.mark.parametrize(("value", "transforms"), [
    ("1e5000", ["to_integer"]),
    ("1e999999", ["to_integer"]),
    ("1e999999", ["to_number"]),
    ("-1e999999", [{"multiply": 3}]),
    ("9" * 10_000, ["to_number"]),
    ("int 10**5000", [{"add": 1}]),
    ("NaN", ["to_number"]),
    ("0001-01-01T00:00:00+14:00", [{"format_datetime": {"format": "%Y", "tz": "UTC"}}]),
    ("9999-12-31T23:59:59Z", [{"to_date": {"tz": "Pacific/Kiritimati"}}]),
    ("0001-01-01T00:00:00+14:00", ["to_epoch_ms"]),
    ("1e999999", ["to_datetime"]),
    ("x" * 10_485_760, ["trim"]),
    ("bad \ud800", ["upper"]),
])
def test_a_hostile_value_is_a_mapping_error_naming_the_field(value: Any, transforms: list[Any]) -> None:
    value = 10**5000 if value == "int 10**5000" else value
    with pytest.raises(MappingError) as refused:
        catalog.evaluate(_mapping(transforms), {"v": value}, {}, field="amount")
    assert refused.value.field == "amount"
    assert len(refused.value.render()) < 1000
