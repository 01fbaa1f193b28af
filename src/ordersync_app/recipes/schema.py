"""The JSON Schema of recipe files, generated from the pydantic models so it can never drift.

Editors (VS Code's YAML extension, for example) use it for completion and checks while users
edit recipes by hand. ``python -m ordersync_app.recipes.schema > resources/recipe.schema.json``
writes the committed copy; a test asserts that copy is up to date.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from ordersync_app.recipes.migrations import CURRENT_VERSION
from ordersync_app.recipes.model import Recipe

__all__ = ["SCHEMA_ID", "json_schema", "main"]

# A URN rather than a made-up web address: the schema is shipped with the app, not served.
SCHEMA_ID = f"urn:ordersync:schema:recipe:v{CURRENT_VERSION}"


def json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the current recipe format."""
    schema = Recipe.model_json_schema(by_alias=True, mode="validation")
    required = schema.setdefault("required", [])
    for key in ("format", "version"):
        if key not in required:
            required.insert(0 if key == "format" else 1, key)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "OrderSync recipe",
        "description": f"An OrderSync recipe file, format version {CURRENT_VERSION}.",
        **{k: v for k, v in schema.items() if k not in ("title", "description")},
    }


def render() -> str:
    """The schema as the committed file's text."""
    return json.dumps(json_schema(), indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def main() -> int:
    """Write the schema to standard output (as UTF-8 bytes, whatever the console's code page)."""
    sys.stdout.buffer.write(render().encode("utf-8"))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
