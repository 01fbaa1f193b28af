"""Build hook: the wheel carries the app's data folders inside the package, so ``pip install .`` works.

``resources/`` (translations, icons, JSON Schemas, examples) and ``recipes/`` (the shipped templates) live
at the top of the repository, where translators, the README and the CLI's examples point; setuptools'
package data only reaches files inside the package. This copies them into ``ordersync_app/resources`` and
``ordersync_app/templates`` of the build, where :mod:`ordersync_app.paths` finds them in an installed app.
Everything else about the build is declared in ``pyproject.toml``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
DATA = {"resources": "ordersync_app/resources", "recipes": "ordersync_app/templates"}
SKIP_SUFFIXES = {".ts"}  # translation sources: the compiled .qm is what runs


class BuildWithData(build_py):
    """``build_py`` plus the data folders."""

    def run(self) -> None:
        super().run()
        for source, target in DATA.items():
            folder = ROOT / source
            for path in sorted(folder.rglob("*")) if folder.is_dir() else []:
                if path.is_file() and path.suffix not in SKIP_SUFFIXES:
                    out = Path(self.build_lib) / target / path.relative_to(folder)
                    out.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(path, out)


setup(cmdclass={"build_py": BuildWithData})
