#!/usr/bin/env bash
# Build the one-folder desktop app with PyInstaller and check it starts (offscreen screenshot).
#   pip install -e '.[package]'   # pyinstaller
#   packaging/build.sh            # → dist/OrderSync/
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
packaging/translations.sh
# the icon files PyInstaller embeds, drawn by the app's own painter
QT_QPA_PLATFORM=offscreen "$PY" - <<'PYEOF'
from PySide6.QtWidgets import QApplication
app = QApplication([])
from ordersync_app.gui import icons
pix = icons.app_pixmap(256)
assert pix.save("resources/icons/ordersync.png") and pix.save("resources/icons/ordersync.ico")
PYEOF
"$PY" -m PyInstaller --noconfirm --distpath dist --workpath build/pyinstaller packaging/ordersync.spec
# smoke test: the frozen app renders a page offscreen and exits 0
HOME_DIR=$(mktemp -d)
ORDERSYNC_HOME=$HOME_DIR QT_QPA_PLATFORM=offscreen dist/OrderSync/OrderSync gui --screenshot "$HOME_DIR/smoke.png" --page home
test -s "$HOME_DIR/smoke.png" && echo "dist/OrderSync built and starts"
