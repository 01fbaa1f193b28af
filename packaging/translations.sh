#!/usr/bin/env bash
# Refresh the translation source from the code, then compile it (run after changing UI strings;
# new strings appear as "unfinished" in the .ts until translated, e.g. with pyside6-linguist).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${VENV_BIN:-.venv/bin}
"$BIN/pyside6-lupdate" $(find src/ordersync_app/gui -name '*.py' | sort) \
  -ts resources/i18n/ordersync_zh_CN.ts -target-language zh_CN -no-obsolete
"$BIN/pyside6-lrelease" resources/i18n/ordersync_zh_CN.ts -qm resources/i18n/ordersync_zh_CN.qm
