"""The CSV/Excel folder end to end through the real ``ordersync`` command, into the HubSpot sandbox.

One folder receives what an in-house system exports: a GBK CSV of Chinese customers with one malformed
row, an XLSX of 10,000 customers, and a CSV still being written. The run is SIGKILLed mid-file and run
again; then a second export of the workbook arrives with one row edited, and the third file is finished.
Exactly the new and changed rows reach HubSpot, each once; the bad row waits in the failed queue with
its file and line.
"""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import httpx
import openpyxl
import pytest
from tests.e2e.helpers import cli_env, counters, ordersync, serve_sandbox, start

TEMPLATE = Path(__file__).parents[2] / "recipes" / "excel-export-to-hubspot-contacts.yaml"
HEADER = ["email", "firstname", "lastname", "phone", "city"]
BIG = 10_000
CHINESE = 300
OLD = time.time() - 3600


def workbook(path: Path, rows: list[list[str]]) -> None:
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    book.save(path)
    os.utime(path, (OLD, OLD))


def big_rows() -> list[list[str]]:
    return [[f"buyer{i}@example.com", f"First{i}", f"Last{i}", f"+1 503 555 {i:05d}", "Portland"]
            for i in range(1, BIG + 1)]


def chinese_csv(path: Path) -> None:
    lines = [",".join(HEADER)]
    for i in range(1, CHINESE + 1):
        lines.append(f"kehu{i}@example.cn,芳{i},王,+86 138 0000 {i:04d},杭州市")
    lines[151] = "kehu151@example.cn,芳151,王,+86 138 0000 0151,杭州市,多余的一列"  # line 152: one value too many
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("gbk"))
    os.utime(path, (OLD, OLD))


def contact_writes(url: str) -> dict[str, int]:
    return counters(url, "hubspot").get("contact_writes", {})


def run_json(home: Path, env: dict[str, str]) -> dict:
    done = ordersync(home, "run", "contacts", "--json", env=env, timeout=600)
    assert done.returncode in (0, 1), done.stderr  # 1: the run has a failed record (the malformed row)
    return json.loads(done.stdout)


@pytest.mark.slow
def test_exports_deliver_new_and_changed_rows_once_through_a_kill(tmp_path: Path) -> None:
    home, exports = tmp_path / "home", tmp_path / "exports"
    exports.mkdir()
    env = cli_env(home, ORDERSYNC_HTTP_TIMEOUT="3")  # a claimed write can be checked 8 s after it was sent
    server, url = serve_sandbox(home, "--hubspot-limit", "0")
    try:
        chinese_csv(exports / "客户导出-2026-11-01.csv")
        workbook(exports / "customers-2026-11-01.xlsx", big_rows())
        writing = exports / "customers-2026-11-01-late.csv"  # the system is still writing this one
        writing.write_text(",".join(HEADER) + "\nlate1@example.com,Late,One,,Oslo\n", "utf-8")
        for args in (("files", "--connector", "csv_folder", "--set", f"folder={exports}", "--set", "key_column=email",
                      "--set", "settle_seconds=600"),
                     ("crm", "--connector", "hubspot", "--base-url", "sandbox://hubspot")):
            made = ordersync(home, "account", "add", *args, env=env)
            assert made.returncode == 0, made.stderr
        imported = ordersync(home, "recipe", "import", str(TEMPLATE), "--bind", "files=files", "--bind", "crm=crm",
                             "--name", "contacts", env=env)
        assert imported.returncode == 0, imported.stderr
        httpx.post(f"{url}/_sandbox/hubspot/reset-counters", timeout=10).raise_for_status()

        proc = start(home, "run", "contacts", "--json", env=env)  # killed once a few thousand rows landed
        deadline = time.monotonic() + 600
        while len(contact_writes(url)) < 2_000 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)  # polling the sandbox's counters (a readiness condition), not a fixed wait
        assert proc.poll() is None, "the run finished before it could be killed"
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=60)
        landed = len(contact_writes(url))
        assert 2_000 <= landed < BIG + CHINESE - 1

        first = run_json(home, env)  # the killed run may already have failed the bad row: not counted again
        assert first["failed"] in (0, 1) and first["succeeded"] > 0
        deadline = time.monotonic() + 300
        while first["retrying"] and time.monotonic() < deadline:
            # Rows the killed run had claimed are checked in HubSpot once their write can no longer land
            # (the HTTP timeout plus a margin after it was sent): run again until none waits.
            first = run_json(home, env)
        assert first["retrying"] == 0
        writes = contact_writes(url)
        assert len(writes) == BIG + CHINESE - 1, "every good row of the first export, the late file still waits"
        assert set(writes.values()) == {1}, "a row was written twice across the kill"
        failed = json.loads(ordersync(home, "history", "contacts", "--failed", "--json", env=env).stdout)
        assert len(failed) == 1
        assert "客户导出-2026-11-01.csv, line 152: 6 values where the header has 5 columns" in failed[0]["error"]

        # The second export: the same workbook with one row edited; the late file is complete now.
        rows = big_rows()
        rows[4_999][2] = "Lastname-Changed"
        workbook(exports / "customers-2026-11-02.xlsx", rows)
        os.utime(writing, (OLD, OLD))
        second = run_json(home, env)
        assert (second["succeeded"], second["failed"]) == (2, 0), second  # the edited row and the late file's row
        writes = contact_writes(url)
        assert len(writes) == BIG + CHINESE and sorted(writes.values()).count(2) == 1
        assert set(writes.values()) == {1, 2}

        third = run_json(home, env)
        assert third["succeeded"] == third["writes"] == third["seen"] == 0
        assert counters(url, "hubspot").get("contact_writes") == writes
        contact = httpx.post(f"{url}/hubspot/crm/v3/objects/contacts/search",
                             headers={"Authorization": "Bearer sandbox-hubspot-token"},
                             json={"filterGroups": [{"filters": [{"propertyName": "email", "operator": "EQ",
                                                                  "value": "buyer5000@example.com"}]}],
                                   "properties": ["lastname"], "limit": 1, "after": "0", "sorts": []},
                             timeout=30).json()
        assert contact["results"][0]["properties"]["lastname"] == "Lastname-Changed"
    finally:
        server.terminate()
        server.communicate(timeout=30)
