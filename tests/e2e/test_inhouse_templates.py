"""The WooCommerce, Excel-folder and in-house REST templates, each end to end in the sandbox: imported as
shipped, bound to sandbox accounts, run, and run again (nothing is written twice)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ordersync_app import paths
from ordersync_app.connectors.sdk import sheets
from ordersync_app.sandbox.csv_folder import HEADER, customer_row
from ordersync_app.sandbox.rest import API_KEY
from ordersync_app.services import accounts, connectors, recipes, runs, sandbox

ROOT = Path(__file__).parents[2]
TEMPLATES = ROOT / "recipes"
HUBSPOT = {"Authorization": "Bearer sandbox-hubspot-token"}


@pytest.fixture
def crm(home: Path) -> Iterator[str]:
    """A HubSpot sandbox account named ``crm`` (the in-process sandbox stops afterwards)."""
    try:
        accounts.add_account("crm", "hubspot", base_url="sandbox://hubspot")
        yield "crm"
    finally:
        sandbox.stop_in_process()


def counters(app: str) -> dict[str, dict[str, int]]:
    return httpx.get(f"{sandbox.root_url()}/_sandbox/{app}/counters", timeout=10).json()


def reset(app: str) -> None:
    httpx.post(f"{sandbox.root_url()}/_sandbox/{app}/reset-counters", timeout=10).raise_for_status()


def search(kind: str, prop: str, value: str, wanted: list[str]) -> dict[str, str]:
    body = {"filterGroups": [{"filters": [{"propertyName": prop, "operator": "EQ", "value": value}]}],
            "properties": wanted, "limit": 1, "after": "0", "sorts": []}
    found = httpx.post(f"{sandbox.resolve('sandbox://hubspot')}/crm/v3/objects/{kind}/search", json=body,
                       headers=HUBSPOT, timeout=10).json()["results"][0]["properties"]
    return {k: found.get(k) for k in wanted}


def test_woocommerce_completed_moves_the_deal_to_delivered(crm: str) -> None:
    accounts.add_account("shop", "woocommerce", base_url="sandbox://woocommerce")
    recipes.import_recipe(TEMPLATES / "woocommerce-completed-to-hubspot-deal-stage.yaml", {"shop": "shop", "crm": crm},
                          name="woo")  # starts now: the demo orders completed earlier are not sent
    reset("hubspot")
    with httpx.Client(auth=("ck_sandbox_woocommerce", "cs_sandbox_woocommerce"), timeout=10) as http:
        http.post(f"{sandbox.resolve('sandbox://woocommerce')}/orders/batch", json={"update": [
            {"id": 5021, "status": "completed"}, {"id": 5022, "status": "completed"},
            {"id": 5023, "status": "on-hold"}]}).raise_for_status()
    first = runs.run_recipe("woo")
    assert (first.seen, first.succeeded, first.filtered, first.failed) == (3, 2, 1, 0)
    assert [search("0-3", "shopify_order_id", str(i), ["dealstage", "description"]) for i in (5021, 5022)] == [
        {"dealstage": "delivered", "description": f"WooCommerce order {i} completed"} for i in (5021, 5022)]
    again = runs.run_recipe("woo")
    assert again.succeeded == again.writes == 0
    assert set(counters("hubspot")["deal_writes"].values()) == {1} and len(counters("hubspot")["deal_writes"]) == 2


def test_excel_export_folder_keeps_hubspot_contacts_up_to_date(crm: str) -> None:
    accounts.add_account("files", "csv_folder", base_url="sandbox://csv_folder")
    folder = Path(accounts.get_account("files").settings["folder"])
    assert folder == paths.sandbox_dir() / "csv_folder"
    recipes.import_recipe(TEMPLATES / "excel-export-to-hubspot-contacts.yaml", {"files": "files", "crm": crm},
                          name="contacts")
    sandbox.root_url()  # the sandbox starts (and writes its demo exports) before the first run
    reset("hubspot")
    first = runs.run_recipe("contacts")
    assert (first.seen, first.succeeded, first.failed) == (60, 60, 0)  # 48 in the workbook, 12 in the GBK CSV
    assert search("contacts", "email", "customer5@example.cn", ["firstname", "lastname", "phone"]) == {
        "firstname": customer_row(5)["firstname"], "lastname": customer_row(5)["lastname"],
        "phone": "+86 138 0000 0005"}

    changed = customer_row(7) | {"city": "Lisbon"}  # a later export: one row changed, one unchanged, one malformed
    sheets.write_table(folder / "customers-2.csv", HEADER, [changed, customer_row(8)])
    with (folder / "customers-2.csv").open("a", encoding="utf-8") as out:
        out.write("broken@example.com,only,three\r\n")
    second = runs.run_recipe("contacts")
    assert (second.seen, second.succeeded, second.failed) == (2, 1, 1)
    assert search("contacts", "email", changed["email"], ["city"]) == {"city": "Lisbon"}
    (failed,) = runs.history("contacts", failed_only=True)
    assert "customers-2.csv, line 4: 3 values where the header has 9 columns" in (failed.error or "")
    runs.retry([failed.id])  # the row is still broken in the file: it fails again the same way
    assert runs.history("contacts", failed_only=True)[0].error == failed.error
    writes = counters("hubspot")["contact_writes"]
    assert len(writes) == 60 and sorted(writes.values()).count(2) == 1


def test_inhouse_oms_shipped_moves_the_deal_to_shipped(crm: str) -> None:
    connectors.add_file(ROOT / "resources" / "examples" / "inhouse-oms.connector.yaml")
    accounts.add_account("oms", "inhouse_oms", base_url="sandbox://rest")
    recipes.import_recipe(TEMPLATES / "inhouse-oms-shipped-to-hubspot-deal-stage.yaml", {"oms": "oms", "crm": crm},
                          name="inhouse")
    reset("hubspot")
    for n, status in ((31, "shipped"), (32, "shipped"), (33, "new")):
        httpx.patch(f"{sandbox.resolve('sandbox://rest')}/orders/SO-{1000 + n}", headers={"X-Api-Key": API_KEY},
                    json={"status": status, "tracking_no": f"SF{n}"}, timeout=10).raise_for_status()
    first = runs.run_recipe("inhouse")
    assert (first.seen, first.succeeded, first.filtered, first.failed) == (3, 2, 1, 0)
    assert search("0-3", "shopify_order_id", "5031", ["dealstage", "tracking_number"]) == {
        "dealstage": "shipped", "tracking_number": "SF31"}
    again = runs.run_recipe("inhouse")
    assert again.succeeded == again.writes == 0
    assert len(counters("hubspot")["deal_writes"]) == 2
