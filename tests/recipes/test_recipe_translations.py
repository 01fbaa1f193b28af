"""Recipe files may carry their name and description in other languages (shown in that UI)."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.recipes.conftest import connectors_for

from ordersync_app.connectors.sdk.spec import Connector
from ordersync_app.recipes import load

TEMPLATES = sorted((Path(__file__).parents[2] / "recipes").glob("*.yaml"))


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
def test_every_template_has_a_chinese_title_and_round_trips(path: Path, fakes: dict[str, Connector]) -> None:
    template_connectors = connectors_for(path, fakes)
    recipe = load.load_file(path, connectors=template_connectors)
    assert recipe.title("zh_CN") != recipe.name
    assert recipe.summary("zh_CN")
    assert recipe.title("en") == recipe.name  # no English translation: the name itself
    assert load.load_text(recipe.to_yaml(), connectors=template_connectors) == recipe


def test_bad_language_code_is_located() -> None:
    text = (TEMPLATES[0].read_text("utf-8").split("translations:")[0]
            + "translations:\n  chinese:\n    name: 订单\n")
    with pytest.raises(load.RecipeInvalid) as err:
        load.load_text(text)
    assert any(p.location.startswith("translations") for p in err.value.problems), err.value.problems
