"""Recipe files: the format (model), the closed catalogue of transforms and filters, loading with
every problem reported at once, format migrations and the generated JSON Schema."""

from __future__ import annotations

from ordersync_app.recipes.catalog import FILTER_OPS, TRANSFORMS, MappingError, evaluate, matches
from ordersync_app.recipes.load import Problem, RecipeInvalid, load_document, load_file, load_text
from ordersync_app.recipes.migrations import CURRENT_VERSION
from ordersync_app.recipes.model import Recipe

__all__ = [
    "CURRENT_VERSION",
    "FILTER_OPS",
    "TRANSFORMS",
    "MappingError",
    "Problem",
    "Recipe",
    "RecipeInvalid",
    "evaluate",
    "load_document",
    "load_file",
    "load_text",
    "matches",
]
