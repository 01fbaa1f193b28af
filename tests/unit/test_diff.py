"""Current-vs-intended comparison shared by dry runs, crash verification and the builder."""

from __future__ import annotations

from ordersync_app.engine.diff import already_applied, changes, same_value


def test_vendors_echoing_text_count_as_the_same_value() -> None:
    assert same_value("72.50", 72.5)
    assert same_value(None, "")
    assert not same_value("shipped", "processed")
    assert not same_value("7", "7.1")


def test_changes_lists_only_fields_that_differ() -> None:
    current = {"dealstage": "processed", "amount": "72.50"}
    assert changes(current, {"dealstage": "shipped", "amount": 72.5}) == [
        {"field": "dealstage", "current": "processed", "new": "shipped"}]
    assert changes(None, {"dealstage": "shipped"}) == [{"field": "dealstage", "current": None, "new": "shipped"}]


def test_already_applied_needs_an_existing_target_with_every_value() -> None:
    assert already_applied({"dealstage": "shipped"}, {"dealstage": "shipped"})
    assert not already_applied(None, {"dealstage": "shipped"})
    assert not already_applied({"dealstage": "processed"}, {"dealstage": "shipped"})
