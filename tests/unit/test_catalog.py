"""Every transform and filter operator of the catalogue, paths and templates, and their errors."""

from __future__ import annotations

from typing import Any

import pytest

from ordersync_app.domain.errors import RecordRejected
from ordersync_app.recipes.catalog import FILTER_OPS, TRANSFORMS, MappingError, evaluate, finalize, matches
from ordersync_app.recipes.model import FilterStep, Mapping
from ordersync_app.recipes.paths import (
    MISSING,
    PathError,
    format_path,
    get_path,
    parse_path,
    parse_template,
    resolve,
)

RECORD: dict[str, Any] = {
    "id": 5003,
    "name": "#1003",
    "email": "  Olivia.Smith3@Example.com ",
    "note": "",
    "tags": ["vip", "wholesale"],
    "total": "59.70",
    "createdAt": "2026-09-01T09:51:00Z",
    "customer": {"firstName": "olivia", "lastName": "smith", "email": "olivia@example.com"},
    "lineItems": [{"sku": "CER-01", "quantity": 2, "price": "38.00"}, {"sku": "TEA-LJ", "quantity": 1}],
    "shippingAddress": {"city": "杭州市", "countryCode": "CN"},
    "nothing": None,
}
LOOKUPS: dict[str, Any] = {"deal": {"id": "9001", "dealstage": "processed"}, "gone": None}


def run(transforms: list[Any], value: Any = MISSING, *, source: str | None = None) -> Any:
    """Evaluate a mapping with the given transforms on a constant value or a record path."""
    data: dict[str, Any] = {"transforms": transforms}
    if source is not None:
        data["source"] = source
    else:
        data["value"] = value
    return evaluate(Mapping.model_validate(data), RECORD, LOOKUPS, field="target")


def fails(transforms: list[Any], value: Any) -> MappingError:
    with pytest.raises(MappingError) as exc:
        run(transforms, value)
    return exc.value


# ------------------------------------------------------------------------------------ paths


def test_parse_and_format_paths() -> None:
    assert parse_path("lineItems[0].sku") == ("lineItems", 0, "sku")
    assert parse_path("a[1][2].b") == ("a", 1, 2, "b")
    assert parse_path("客户.城市") == ("客户", "城市")
    assert format_path(("lineItems", 0, "sku")) == "lineItems[0].sku"
    for bad in ["", "a..b", "a[x]", "a.[0]", " a", "a[0", "a{b}", "x" * 501]:
        with pytest.raises(PathError):
            parse_path(bad)


def test_get_path_and_missing() -> None:
    assert get_path(RECORD, "customer.email") == "olivia@example.com"
    assert get_path(RECORD, "lineItems[1].sku") == "TEA-LJ"
    assert get_path(RECORD, "lineItems[5].sku") is MISSING
    assert get_path(RECORD, "customer.phone") is MISSING
    assert get_path(RECORD, "name.first") is MISSING  # keys never walk into text
    assert get_path(RECORD, "customer[0]") is MISSING  # indexes only walk into lists
    assert get_path(RECORD, "nothing") is None
    assert not MISSING
    assert repr(MISSING) == "MISSING"


def test_resolve_reads_lookups() -> None:
    assert resolve("steps.deal.id", RECORD, LOOKUPS) == "9001"
    assert resolve("steps.deal", RECORD, LOOKUPS) == LOOKUPS["deal"]
    assert resolve("steps.gone.id", RECORD, LOOKUPS) is MISSING
    assert resolve("steps.unknown.id", RECORD, LOOKUPS) is MISSING
    assert resolve("id", RECORD, LOOKUPS) == 5003


def test_templates() -> None:
    assert parse_template("Hi {name}!") == (("Hi ", "name"), ("!", None))
    assert parse_template("{{x}} {a.b}") == (("{x} ", "a.b"),)
    for bad in ["{", "}", "{}", "{a", "a}", "{a b.}", "{a{b}"]:
        with pytest.raises(PathError):
            parse_template(bad)
    mapping = Mapping(template="Shipped {name} to {shippingAddress.city} ({customer.phone}) {{ok}} "
                               "{lineItems[0].quantity} {tags} {steps.deal.dealstage}")
    assert evaluate(mapping, RECORD, LOOKUPS) == (
        'Shipped #1003 to 杭州市 () {ok} 2 ["vip","wholesale"] processed')


def test_source_value_and_missing() -> None:
    assert evaluate(Mapping(source="id"), RECORD, {}) == 5003
    assert evaluate(Mapping(source="customer.phone"), RECORD, {}) is None
    assert evaluate(Mapping(value={"a": [1, "b"]}), RECORD, {}) == {"a": [1, "b"]}
    assert evaluate(Mapping(value=None), RECORD, {}) is None
    assert Mapping(source="id").kind == "source"
    assert Mapping(value=None).kind == "value"
    assert Mapping(template="{id}").paths() == ["id"]


# ------------------------------------------------------------------------------- text


@pytest.mark.parametrize(("transforms", "value", "expected"), [
    (["trim"], "  a b  ", "a b"),
    (["upper"], "straße", "STRASSE"),
    (["lower"], "ÀB", "àb"),
    (["title"], "olivia smith", "Olivia Smith"),
    ([{"prefix": "ORD-"}], 5003, "ORD-5003"),
    ([{"prefix": {"text": "#"}}], "1", "#1"),
    ([{"suffix": " (web)"}], "x", "x (web)"),
    ([{"replace": {"old": "-", "new": "/"}}], "2026-09-01", "2026/09/01"),
    ([{"replace": {"old": " "}}], "a b c", "abc"),
    ([{"truncate": 3}], "龙井茶礼盒", "龙井茶"),
    ([{"truncate": {"length": 10}}], "short", "short"),
    ([{"split": {"sep": ","}}], "Portland, OR", "Portland"),
    ([{"split": {"sep": ", ", "index": -1}}], "Portland, OR", "OR"),
    ([{"split": {"sep": ",", "index": 5}}], "a,b", None),
    ([{"join": " / "}], ["a", None, "", 3, True], "a / 3 / true"),
    (["join"], ["a", "b"], "a, b"),
    (["join"], "not a list", "not a list"),
    (["to_text"], 12.0, "12"),
    (["to_text"], 0.1, "0.1"),
    (["to_text"], False, "false"),
    (["to_text"], {"a": [1]}, '{"a":[1]}'),
    (["to_text"], "x", "x"),
    (["trim"], 42, "42"),
])
def test_text_transforms(transforms: list[Any], value: Any, expected: Any) -> None:
    assert run(transforms, value) == expected


def test_text_transforms_refuse_lists() -> None:
    error = fails(["upper"], ["a"])
    assert error.transform == "upper"
    assert error.field == "target"
    assert "expects text, got a list" in error.render()
    assert "field 'target', upper" in error.render()
    assert isinstance(error, RecordRejected)


def test_missing_passes_through_most_transforms() -> None:
    for name, spec in TRANSFORMS.items():
        if spec.passes_missing:
            transform: Any = name if not spec.needs_args else {
                "prefix": {"prefix": "x"}, "suffix": {"suffix": "x"}, "replace": {"replace": {"old": "a"}},
                "truncate": {"truncate": 3},
                "split": {"split": {"sep": ","}}, "multiply": {"multiply": 2}, "add": {"add": 1},
                "format_datetime": {"format_datetime": {"format": "%Y", "tz": "UTC"}},
                "to_date": {"to_date": "UTC"}, "to_iso": {"to_iso": "UTC"}}[name]
            assert run([transform], source="customer.phone") is None, name
            assert run([transform], None) is None, name


# ----------------------------------------------------------------------------- numbers


@pytest.mark.parametrize(("transforms", "value", "expected"), [
    (["to_number"], "38.00", 38),
    (["to_number"], " 59.7 ", 59.7),
    (["to_number"], "-1e3", -1000),
    (["to_number"], 7, 7),
    (["to_integer"], "12", 12),
    (["to_integer"], 12.0, 12),
    ([{"round": 2}], "2.675", 2.68),  # half up on the decimal text (float round() gives 2.67)
    (["round"], 2.5, 3),
    ([{"round": {"digits": 1}}], -0.25, -0.3),
    ([{"multiply": 3}], "19.90", 59.7),  # exact decimals: not 59.699999999999996
    ([{"multiply": {"by": 0.1}}], 3, 0.3),
    ([{"add": 0.2}], 0.1, 0.3),
    ([{"add": {"amount": -5}}], "5", 0),
    (["to_number", {"multiply": 1.13}, {"round": 2}], "38.00", 42.94),
])
def test_number_transforms(transforms: list[Any], value: Any, expected: Any) -> None:
    result = run(transforms, value)
    assert result == expected
    assert type(result) is type(expected)


@pytest.mark.parametrize(("transforms", "value", "fragment"), [
    (["to_number"], "1,234.50", "expects a number, got text '1,234.50'"),
    (["to_number"], "abc", "no thousands separators"),
    (["to_number"], True, "expects a number, got true/false"),
    (["to_number"], [1], "expects a number, got a list"),
    (["to_integer"], "12.5", "'12.5' is not a whole number — add `round` before `to_integer`"),
    ([{"multiply": 2}], "x", "expects a number"),
    ([{"round": 2}], float("inf"), "finite"),
])
def test_number_errors(transforms: list[Any], value: Any, fragment: str) -> None:
    assert fragment in fails(transforms, value).render()


# ------------------------------------------------------------------------------ date/time


@pytest.mark.parametrize(("transforms", "value", "expected"), [
    (["to_datetime"], "2026-09-01T08:00:00Z", "2026-09-01T08:00:00Z"),
    (["to_datetime"], "2026-09-01T16:00:00+08:00", "2026-09-01T16:00:00+08:00"),
    (["to_datetime"], "2026-09-01 08:00", "2026-09-01T08:00:00Z"),
    ([{"to_datetime": "Asia/Shanghai"}], "2026-09-01 16:00:00", "2026-09-01T16:00:00+08:00"),
    ([{"to_datetime": {"tz": "Asia/Shanghai"}}], "2026/9/1 16:00:05", "2026-09-01T16:00:05+08:00"),
    ([{"to_datetime": "Asia/Shanghai"}], "2026/09/01", "2026-09-01T00:00:00+08:00"),
    (["to_datetime"], "2026.09.01 08:00:00.5 +0530", "2026-09-01T08:00:00.500000+05:30"),
    (["to_datetime"], "Tue, 01 Sep 2026 08:00:00 +0000", "2026-09-01T08:00:00Z"),
    (["to_datetime"], 1788220800, "2026-09-01T00:00:00Z"),
    (["to_datetime"], "1788220800000", "2026-09-01T00:00:00Z"),
    (["to_datetime"], 1788220800123, "2026-09-01T00:00:00.123000Z"),
    # DST: the same wall-clock time has a different offset in summer and winter.
    ([{"to_datetime": "America/New_York"}], "2026-07-01 12:00", "2026-07-01T12:00:00-04:00"),
    ([{"to_datetime": "America/New_York"}], "2026-01-15 12:00", "2026-01-15T12:00:00-05:00"),
    ([{"format_datetime": {"format": "%Y-%m-%d %H:%M:%S %z %Z", "tz": "Asia/Shanghai"}}],
     "2026-09-01T20:30:00Z", "2026-09-02 04:30:00 +0800 CST"),
    ([{"format_datetime": {"format": "%a %d %b %Y, day %j, 100%%", "tz": "UTC"}}],
     "2026-09-01T08:00:00Z", "Tue 01 Sep 2026, day 244, 100%"),
    ([{"format_datetime": {"format": "%H:%M %Z", "tz": "America/New_York"}}], "2026-07-01T16:00:00Z",
     "12:00 EDT"),
    ([{"format_datetime": {"format": "%H:%M %Z", "tz": "America/New_York"}}], "2026-01-15T17:00:00Z",
     "12:00 EST"),
    # 2026-03-08 is the spring-forward day: 06:30Z is 01:30 EST, 07:30Z is 03:30 EDT.
    ([{"format_datetime": {"format": "%H:%M%z", "tz": "America/New_York"}}], "2026-03-08T06:30:00Z",
     "01:30-0500"),
    ([{"format_datetime": {"format": "%H:%M%z", "tz": "America/New_York"}}], "2026-03-08T07:30:00Z",
     "03:30-0400"),
    ([{"to_datetime": "Asia/Shanghai"}, {"format_datetime": {"format": "%Y-%m-%dT%H:%M", "tz": "UTC"}}],
     "2026-09-01 07:00:00", "2026-08-31T23:00"),
    ([{"to_date": "Asia/Shanghai"}], "2026-09-01T17:00:00Z", "2026-09-02"),
    ([{"to_iso": "Asia/Shanghai"}], "2026-09-01T08:00:00Z", "2026-09-01T16:00:00+08:00"),
    ([{"to_iso": "UTC"}], "2026-09-01T16:00:00+08:00", "2026-09-01T08:00:00+00:00"),
    ([{"to_date": {"tz": "America/New_York"}}], "2026-09-01T03:00:00Z", "2026-08-31"),
    ([{"to_date": "America/New_York"}], "2026-09-01", "2026-09-01"),  # a date stays that date
    ([{"to_datetime": "Asia/Shanghai"}, {"to_date": "Asia/Shanghai"}], "2026-09-01 00:30", "2026-09-01"),
    (["to_epoch_ms"], "2026-09-01T00:00:00Z", 1788220800000),
    (["to_epoch_ms"], "2026-09-01T08:00:00+08:00", 1788220800000),
    ([{"to_datetime": "Asia/Shanghai"}, "to_epoch_ms"], "2026-09-01 08:00", 1788220800000),
    (["to_epoch_ms"], "2026-09-01", 1788220800000),
])
def test_datetime_transforms(transforms: list[Any], value: Any, expected: Any) -> None:
    assert run(transforms, value) == expected


@pytest.mark.parametrize(("value", "fragment"), [
    ("yesterday", "cannot read 'yesterday' as a date/time — use ISO 8601"),
    ("2026-02-30 10:00", "not a valid date/time"),
    (True, "expects a date/time, got true/false"),
    (1e300, "out of range"),
])
def test_datetime_errors(value: Any, fragment: str) -> None:
    error = fails(["to_datetime"], value)
    assert fragment in error.render()
    assert error.transform == "to_datetime"


# ---------------------------------------------------------------------------------- other


def test_default_required_and_lookup_table() -> None:
    assert run([{"default": "n/a"}], "") == "n/a"
    assert run([{"default": {"value": 0}}], source="customer.phone") == 0
    assert run([{"default": "n/a"}], []) == "n/a"
    assert run([{"default": "n/a"}], "x") == "x"
    assert run(["required"], "x") == "x"
    assert "required but it is empty" in fails(["required"], "").render()
    assert "required but it is missing" in fails(["required"], None).render()
    table = {"lookup_table": {"table": {"FULFILLED": "shipped", "1": "one", "true": "yes", "": "blank"}}}
    assert run([table], "FULFILLED") == "shipped"
    assert run([table], 1) == "one"
    assert run([table], True) == "yes"
    assert run([table], None) == "blank"
    with_default = {"lookup_table": {"table": {"A": 1}, "default": None}}
    assert run([with_default], "B") is None
    error = fails([{"lookup_table": {"table": {"FULFILLED": "shipped", "PARTIAL": "processed"}}}], "DELIVERED")
    assert "no entry for 'DELIVERED' in the table (known: FULFILLED, PARTIAL)" in error.render()
    assert error.value == "DELIVERED"
    assert error.transform == "lookup_table"


def test_error_messages_shorten_and_mask_values() -> None:
    error = fails(["to_number"], "x" * 200)
    assert len(error.what) < 150
    assert "…" in error.what
    from ordersync_app.domain.redact import register_secret

    register_secret("sk_live_1234567890")
    assert "sk_live" not in fails(["to_number"], "token sk_live_1234567890").render()


def test_finalize() -> None:
    from datetime import UTC, date, datetime
    from decimal import Decimal

    assert finalize(MISSING) is None
    assert finalize(datetime(2026, 9, 1, tzinfo=UTC)) == "2026-09-01T00:00:00Z"
    assert finalize(date(2026, 9, 1)) == "2026-09-01"
    assert finalize(Decimal("2.50")) == 2.5
    assert finalize([Decimal(1), {"a": Decimal("0.5")}]) == [1, {"a": 0.5}]


def test_catalogue_metadata_is_complete() -> None:
    assert set(TRANSFORMS) == {
        "trim", "upper", "lower", "title", "prefix", "suffix", "replace", "truncate", "split", "join", "to_text",
        "to_number", "to_integer", "round", "multiply", "add", "to_datetime", "format_datetime", "to_date",
        "to_iso", "to_epoch_ms", "default", "lookup_table", "required"}
    assert set(FILTER_OPS) == {
        "equals", "not_equals", "in", "not_in", "contains", "not_contains", "starts_with", "ends_with",
        "gt", "gte", "lt", "lte", "exists", "not_exists", "is_empty", "not_empty"}
    for spec in TRANSFORMS.values():
        assert all((spec.label_en, spec.label_zh, spec.description_en, spec.description_zh)), spec.name
        assert spec.group in {"text", "number", "datetime", "other"}
    for op in FILTER_OPS.values():
        assert all((op.label_en, op.label_zh, op.description_en, op.description_zh)), op.name
        assert op.value in {"none", "any", "list", "text", "ordered"}
    assert TRANSFORMS["replace"].needs_args
    assert not TRANSFORMS["to_datetime"].needs_args
    assert TRANSFORMS["to_datetime"].takes_args


# ---------------------------------------------------------------------------------- filters


def check(op: str, field: str, value: Any = MISSING) -> bool:
    condition: dict[str, Any] = {"field": field, "op": op}
    if value is not MISSING:
        condition["value"] = value
    step = FilterStep.model_validate({"conditions": [condition]})
    return matches(step, RECORD, LOOKUPS)


@pytest.mark.parametrize(("op", "field", "value", "expected"), [
    ("equals", "id", 5003, True),
    ("equals", "id", "5003", True),  # "5003" and 5003 are the same to users
    ("equals", "name", "#1003", True),
    ("equals", "name", "#1004", False),
    ("equals", "missing", None, True),
    ("equals", "missing", "x", False),
    ("equals", "total", "59.7", False),  # two texts compare as text
    ("equals", "lineItems[0].quantity", 2.0, True),
    ("equals", "lineItems[0].quantity", True, False),
    ("not_equals", "name", "#1004", True),
    ("not_equals", "missing", "x", True),
    ("in", "shippingAddress.countryCode", ["US", "CN"], True),
    ("in", "id", [1, "5003"], True),
    ("in", "missing", ["x"], False),
    ("not_in", "shippingAddress.countryCode", ["US", "CA"], True),
    ("not_in", "missing", ["x"], True),
    ("contains", "tags", "vip", True),
    ("contains", "tags", "vi", False),  # list items are matched whole
    ("contains", "email", "Example.com", True),
    ("contains", "customer", "email", True),
    ("contains", "id", 50, True),
    ("contains", "missing", "x", False),
    ("not_contains", "email", "test", True),
    ("not_contains", "missing", "x", True),
    ("starts_with", "name", "#10", True),
    ("starts_with", "id", "50", True),
    ("starts_with", "missing", "x", False),
    ("ends_with", "customer.email", "@example.com", True),
    ("ends_with", "missing", "x", False),
    ("gt", "total", 50, True),
    ("gt", "total", "59.70", False),
    ("gte", "total", 59.7, True),
    ("lt", "lineItems[0].quantity", 3, True),
    ("lte", "lineItems[0].quantity", 1, False),
    ("gt", "missing", 1, False),
    ("gt", "createdAt", "2026-09-01T17:50:00+08:00", True),  # instants, not text
    ("lt", "createdAt", "2026-09-01T17:52:00+08:00", True),
    ("gte", "createdAt", "2026-09-01", True),
    ("lte", "createdAt", "2026-09-01T09:51:00Z", True),
    ("exists", "nothing", MISSING, False),
    ("exists", "note", MISSING, True),
    ("not_exists", "missing", MISSING, True),
    ("is_empty", "note", MISSING, True),
    ("is_empty", "missing", MISSING, True),
    ("is_empty", "tags", MISSING, False),
    ("not_empty", "tags", MISSING, True),
    ("not_empty", "nothing", MISSING, False),
    ("equals", "steps.deal.dealstage", "processed", True),
    ("exists", "steps.gone.id", MISSING, False),
])
def test_filter_operators(op: str, field: str, value: Any, expected: bool) -> None:
    assert check(op, field, value) is expected


def test_match_all_and_any() -> None:
    conditions = [{"field": "id", "op": "equals", "value": 5003}, {"field": "id", "op": "equals", "value": 1}]
    assert not matches(FilterStep.model_validate({"conditions": conditions}), RECORD, {})
    assert matches(FilterStep.model_validate({"match": "any", "conditions": conditions}), RECORD, {})


def test_filter_on_a_value_that_cannot_compare_rejects_the_record() -> None:
    with pytest.raises(MappingError) as exc:
        check("gt", "name", 5)
    assert "filter condition 1 (name gt): expects a number, got text '#1003'" in exc.value.render()
    with pytest.raises(MappingError, match="expects a date/time"):
        check("gt", "id", "2026-09-01T00:00:00Z")
