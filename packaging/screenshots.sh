#!/usr/bin/env bash
# Render the app in English and Simplified Chinese into docs/screenshots/, at the default size (fits a
# 1366×768 laptop) and at 1024×600: every page from a demo data directory (sandbox apps, the demo recipe, a
# contact recipe and a recipe whose stage HubSpot refuses, so Activity shows a grouped problem; the demo
# recipe and the refused one with service-level targets, so Home shows one met and one missed), the failed
# queue's fix, the Add-account dialog for HubSpot (private app, OAuth) and the first-run guide from an
# empty data directory. Needs a CJK font for the Chinese shots: apt-get install fonts-noto-cjk
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
export QT_QPA_PLATFORM=offscreen
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export ORDERSYNC_HOME=$WORK/demo
"$PY" - <<'PYEOF'
from pathlib import Path
import yaml
from ordersync_app.services import demo, recipes, runs, sandbox


def with_targets(text: str) -> str:
    """The recipe polled every 10 s with service-level targets (Home shows them beside the figures)."""
    doc = yaml.safe_load(text)
    doc["trigger"]["every"] = "10s"
    doc.setdefault("options", {})["sla"] = {"success": 99.5, "p95_seconds": 30}
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)


demo.run_demo(orders=12)
text = Path("recipes/shopify-order-to-hubspot-contact.yaml").read_text("utf-8")
recipes.import_recipe(text, {"shop": "demo-shop", "crm": "demo-crm"}, name="new-buyers", enable=True,
                      start="everything")
runs.run_recipe("new-buyers")
broken = Path("recipes/shopify-fulfilled-to-hubspot-deal-stage.yaml").read_text("utf-8")
broken = with_targets(broken.replace("FULFILLED: shipped", "FULFILLED: 已发货"))
recipes.import_recipe(broken, {"shop": "demo-shop", "crm": "demo-crm"}, name="shipped-stage", enable=True,
                      start="everything")
sandbox.fulfil(3)
runs.run_recipe("shipped-stage")
demo_text = with_targets(Path("recipes/shopify-fulfilled-to-hubspot-deal-stage.yaml").read_text("utf-8"))
recipes.import_recipe(demo_text, {"shop": "demo-shop", "crm": "demo-crm"}, name="demo", replace=True)
sandbox.fulfil(4)  # shipped after the demo: Home shows how fast they reached the CRM
runs.run_recipe("demo")
sandbox.stop_in_process()
PYEOF
shot() {  # shot NAME PAGE LANG SIZE [HOME]
  local home=${5:-$WORK/demo}
  ORDERSYNC_HOME=$home "$PY" -m ordersync_app gui --screenshot "docs/screenshots/$1.png" --page "$2" --lang "$3" \
    --size "$4" 2>&1 | grep -v "propagateSizeHints" || true
  test -s "docs/screenshots/$1.png"
}
for lang in en zh_CN; do
  for size in 1180x680 1024x600; do
    suffix=$([ "$size" = 1024x600 ] && echo "-1024x600" || echo "")
    for page in home recipes builder:demo accounts activity:failed templates settings fix \
                account:hubspot:private_app account:hubspot:oauth; do
      name=${page%%:*}; [ "$page" = activity:failed ] && page=failed
      case $page in account:hubspot:private_app) name=account-private-app;; account:hubspot:oauth) name=account-oauth;; esac
      shot "$name-$lang$suffix" "$page" "$lang" "$size"
    done
    shot "guide-$lang$suffix" guide "$lang" "$size" "$WORK/empty-$lang$size"
    shot "guide-preview-$lang$suffix" guide:preview "$lang" "$size" "$WORK/guide-$lang$size"
  done
  shot "account-salesforce-oauth-$lang" account:salesforce:oauth "$lang" 1180x680
  shot "account-salesforce-jwt-$lang" account:salesforce:jwt "$lang" 1180x680
done
ls -1 docs/screenshots
