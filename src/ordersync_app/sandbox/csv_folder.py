"""The CSV/Excel folder connector's sandbox: a folder of demo exports, not a server.

``csv_folder`` has no API, so its "emulator" is a folder beside the sandbox state files
(``<sandbox dir>/csv_folder``) holding what a shop's system would export: the demo customers as an
Excel workbook (``customers.xlsx``) and, for the customers with Chinese names, a GBK-encoded CSV
(``customers-cn.csv``) as Chinese Excel saves it. A sandbox account's folder setting points here
(``{sandbox_dir}`` in the connector's sandbox settings). ``touch`` writes a later export in which one
row changed, the way a re-export would. No HTTP route is served.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ordersync_app.connectors.sdk import sheets
from ordersync_app.sandbox import demo_data
from ordersync_app.sandbox._server import SandboxApp

HEADER = ["email", "firstname", "lastname", "phone", "city", "country", "order_no", "total", "note"]


def customer_row(i: int) -> dict[str, Any]:
    """Demo customer ``i`` (the buyer of demo order ``i``) as an export row."""
    order = demo_data.demo_order(i)
    customer, ship = order["customer"], order["shippingAddress"]
    return {"email": customer["email"], "firstname": customer["firstName"], "lastname": customer["lastName"],
            "phone": f"+86 138 0000 {i:04d}" if i % 5 == 0 else f"+1 503 555 {i:04d}", "city": ship["city"],
            "country": ship["countryCode"], "order_no": order["name"], "total": order["total"], "note": ""}


class CsvFolderSandbox(SandboxApp):
    """Writes the demo export files; the connector reads them from disk."""

    name = "csv_folder"

    def setup(self) -> None:
        self.folder = self.db_path.parent / "csv_folder"
        self.folder.mkdir(parents=True, exist_ok=True)

    def seed(self, orders: int) -> None:
        rows = [customer_row(i) for i in range(1, orders + 1)]
        self._write(self.folder / "customers.xlsx", [r for i, r in enumerate(rows, 1) if i % 5], "utf-8-sig")
        self._write(self.folder / "customers-cn.csv", [r for i, r in enumerate(rows, 1) if not i % 5], "gb18030")

    @staticmethod
    def _write(path: Path, rows: list[dict[str, Any]], encoding: str) -> None:
        if path.exists():
            have = [r.values for r in sheets.read_table(path).rows]
            if have == [{k: sheets.cell_text(v) for k, v in r.items()} for r in rows]:
                return  # unchanged: keep the file (and its time) as it is
        sheets.write_table(path, HEADER, rows, encoding=encoding)

    def touch(self, key: str) -> bool:
        """Export the customer with this email again, with a changed note, in a new file."""
        found = re.search(r"(\d+)@", key)
        number = int(found.group(1)) if found else 0
        if not number or demo_data.demo_order(number)["customer"]["email"] != key:
            return False
        edits = sorted(self.folder.glob("changes-*.csv"))
        row = customer_row(number) | {"note": f"edited {len(edits) + 1}"}
        sheets.write_table(self.folder / f"changes-{len(edits) + 1:04d}.csv", HEADER, [row])
        return True


App = CsvFolderSandbox
