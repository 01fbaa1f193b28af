#!/usr/bin/env bash
# Render every page in English and Simplified Chinese into docs/screenshots/ from a demo data
# directory (sandbox apps, the demo recipe, a contact recipe and a few failed records).
# Needs a CJK font for the Chinese shots: apt-get install fonts-noto-cjk
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
export QT_QPA_PLATFORM=offscreen
export ORDERSYNC_HOME=$(mktemp -d)/home
trap 'rm -rf "$(dirname "$ORDERSYNC_HOME")"' EXIT
"$PY" - <<'PYEOF'
from pathlib import Path
from ordersync_app.services import demo, recipes, runs, sandbox
demo.run_demo(orders=12)
text = Path("recipes/shopify-order-to-hubspot-contact.yaml").read_text("utf-8")
recipes.import_recipe(text.replace("start: now", "start: everything"), {"shop": "demo-shop", "crm": "demo-crm"},
                      name="new-buyers", enable=True)
runs.run_recipe("new-buyers")
broken = Path("recipes/shopify-fulfilled-to-hubspot-deal-stage.yaml").read_text("utf-8")
broken = broken.replace("start: now", "start: everything").replace("FULFILLED: shipped", "FULFILLED: sent")
recipes.import_recipe(broken, {"shop": "demo-shop", "crm": "demo-crm"}, name="shipped-stage", enable=True)
sandbox.fulfil(3)
runs.run_recipe("shipped-stage")
sandbox.stop_in_process()
PYEOF
for lang in en zh_CN; do
  for page in home recipes builder:demo accounts activity templates settings; do
    name=${page%%:*}
    "$PY" -m ordersync_app gui --screenshot "docs/screenshots/${name}-${lang}.png" --page "$page" --lang "$lang"
  done
  "$PY" -m ordersync_app gui --screenshot "docs/screenshots/add-account-salesforce-${lang}.png" \
    --page add-account:salesforce --lang "$lang"
  "$PY" -m ordersync_app gui --screenshot "docs/screenshots/add-account-salesforce-jwt-${lang}.png" \
    --page add-account:salesforce:auth_mode=jwt --lang "$lang"
done
ls -1 docs/screenshots
