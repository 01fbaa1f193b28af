"""Boundaries checked by machine (STYLE habit 2): who may import whom, and what code may never do."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parents[2] / "src" / "ordersync_app"
MODULES = sorted(p for p in PACKAGE.rglob("*.py") if "migrations/versions" not in p.as_posix())


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def _area(path: Path) -> str:
    return path.relative_to(PACKAGE).parts[0].removesuffix(".py")


# Which of our packages each layer must never import (GUI and CLI sit on top of services).
FORBIDDEN = {
    "domain": {"recipes", "connectors", "engine", "storage", "secrets", "services", "scheduler", "gui", "cli"},
    "connectors": {"engine", "storage", "secrets", "services", "scheduler", "gui", "cli"},
    "recipes": {"engine", "storage", "services", "scheduler", "gui", "cli"},
    "engine": {"services", "scheduler", "gui", "cli"},
    "storage": {"engine", "services", "scheduler", "gui", "cli"},
    "services": {"scheduler", "gui", "cli"},
    "scheduler": {"gui", "cli"},
    "sandbox": {"engine", "services", "scheduler", "gui", "cli"},
}


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_layers_and_qt_boundary(path: Path) -> None:
    area = _area(path)
    imports = _imports(path)
    if area != "gui":
        assert not {i for i in imports if i.split(".")[0] == "PySide6"}, "only gui/ may import Qt"
    ours = {i.split(".")[1] for i in imports if i.startswith("ordersync_app.") and i.count(".") >= 1}
    assert not ours & FORBIDDEN.get(area, set()), f"{area} must not import {ours & FORBIDDEN[area]}"
    if path.parent.name == "connectors" and path.stem not in ("__init__",):
        siblings = {i.split(".")[2] for i in imports if i.startswith("ordersync_app.connectors.")}
        assert siblings <= {"sdk"}, "vendor modules do not import each other"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_nothing_is_ever_evaluated(path: Path) -> None:
    tree = ast.parse(path.read_text("utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name):  # the builtins; Qt's app.exec() is a method and fine
                assert func.id not in ("eval", "exec", "compile"), f"{path.name}:{node.lineno} calls {func.id}"
            if isinstance(func, ast.Attribute) and func.attr in ("load", "load_all", "unsafe_load") and \
                    isinstance(func.value, ast.Name) and func.value.id == "yaml":
                raise AssertionError(f"{path.name}:{node.lineno}: yaml.{func.attr} can construct objects")
