"""The CSV/Excel folder connector on real files: encodings, rows and bad rows, files still being written,
the position cursor with its closed start and checkpoints, processed files, and the atomic row writer."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest

from ordersync_app.connectors.csv_folder import CONNECTOR
from ordersync_app.connectors.sdk import folder, sheets
from ordersync_app.connectors.sdk.http import ApiClient
from ordersync_app.connectors.sdk.spec import AccountConfig, TriggerContext, Write, WriteStatus
from ordersync_app.domain.errors import SetupError
from ordersync_app.domain.records import Record

TRIGGER, ACTION = CONNECTOR.triggers[0], CONNECTOR.actions[0]
OLD = time.time() - 3600  # a file written an hour ago is complete


def client(path: Path, **settings: str) -> ApiClient:
    values = {"folder": str(path), "key_column": "email", "settle_seconds": "60", **settings}
    return ApiClient(CONNECTOR, AccountConfig(name="files", connector="csv_folder", base_url="",
                                              settings=values, secret=lambda _k: None))


def write(path: Path, text: str, encoding: str = "utf-8", *, old: bool = True) -> Path:
    path.write_bytes(text.encode(encoding))
    if old:
        os.utime(path, (OLD, OLD))
    return path


def read(api: ApiClient, since: str | None = None, size: int = 100) -> Iterator[list[Record]]:
    return TRIGGER.read(api, TriggerContext(params={}, since=since, page_size=size))


def records(api: ApiClient, since: str | None = None) -> list[Record]:
    return [r for page in read(api, since) for r in page]


@pytest.mark.parametrize(("encoding", "prefix"), [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("gbk", b""),
                                                  ("gb18030", b"")])
def test_encodings_are_recognised(tmp_path: Path, encoding: str, prefix: bytes) -> None:
    text = "email,姓名,城市\r\nwang@example.cn,王芳,杭州市\r\n"
    (tmp_path / "export.csv").write_bytes(prefix + text.encode(encoding))
    os.utime(tmp_path / "export.csv", (OLD, OLD))
    with client(tmp_path) as api:
        (row,) = records(api)
    assert (row.key, row.payload["姓名"], row.payload["城市"]) == ("wang@example.cn", "王芳", "杭州市")
    assert row.payload["_file"] == "export.csv" and row.payload["_line"] == 2 and row.problem is None


def test_text_in_no_known_encoding_is_one_failed_record_naming_the_file(tmp_path: Path) -> None:
    (tmp_path / "bad.csv").write_bytes(b"email,name\na@x.cn,\x80\xff\xfe\n")
    os.utime(tmp_path / "bad.csv", (OLD, OLD))
    with client(tmp_path) as api:
        (row,) = records(api)
    assert row.problem is not None and row.problem.startswith("bad.csv, line 1: ")
    assert "neither UTF-8 nor GBK" in row.problem
    with client(tmp_path, encoding="cp1252") as api:  # the account names the encoding: read
        (row,) = records(api)
    assert row.problem is None and row.payload["name"] == "€ÿþ"


def test_bad_rows_are_records_with_file_and_line_and_the_rest_is_read(tmp_path: Path) -> None:
    write(tmp_path / "orders.csv", "email;name;city\n"
          "a@x.com;Ann;Oslo\n"
          "b@x.com;Bob\n"  # a value missing
          '"c@x.com";"Cy ""the"" Lee";"Rome"\n'
          "\n"  # blank lines are skipped, but still counted
          ";Dee;Pisa\n"  # no key
          'e@x.com;"Eve\nsecond line";Nice\n'
          "f@x.com;Fay;Bonn;extra\n")
    with client(tmp_path) as api:
        got = records(api)
    good = {r.key: r.payload for r in got if r.problem is None}
    assert set(good) == {"a@x.com", "c@x.com", "e@x.com"}
    assert good["c@x.com"]["name"] == 'Cy "the" Lee' and good["e@x.com"]["name"] == "Eve\nsecond line"
    problems = sorted(r.problem for r in got if r.problem)
    assert problems == ["orders.csv, line 3: 2 values where the header has 3 columns",
                        "orders.csv, line 6: no value in the key column 'email'",
                        "orders.csv, line 9: 4 values where the header has 3 columns"]
    assert [r.payload["_line"] for r in got] == [2, 3, 4, 6, 7, 9]  # lines where each record starts


def test_header_without_the_key_column_fails_once(tmp_path: Path) -> None:
    write(tmp_path / "x.csv", "mail,name\na@x.com,Ann\n")
    with client(tmp_path) as api:
        (row,) = records(api)
    assert row.problem == "x.csv, line 1: the header has no key column 'email' (it has: mail, name)"


def xlsx(path: Path, rows: list[list[object]], *, old: bool = True) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    for values in rows:
        sheet.append(values)
    book.save(path)
    if old:
        os.utime(path, (OLD, OLD))
    return path


def test_xlsx_rows_have_excel_row_numbers_and_cells_as_text(tmp_path: Path) -> None:
    xlsx(tmp_path / "c.xlsx", [["email", "total", "when"], ["a@x.com", 12.0, None], [None, None, None],
                               ["b@x.com", 7.5, "2026-11-01"], [None, 3, None]])
    with client(tmp_path) as api:
        got = records(api)
    assert [(r.key, r.payload.get("total"), r.payload["_line"]) for r in got if not r.problem] == \
        [("a@x.com", "12", 2), ("b@x.com", "7.5", 4)]
    assert [r.problem for r in got if r.problem] == ["c.xlsx, line 5: no value in the key column 'email'"]


def test_a_broken_workbook_is_a_failed_record(tmp_path: Path) -> None:
    write(tmp_path / "half.xlsx", "PK\x03\x04 not really")
    with client(tmp_path) as api:
        (row,) = records(api)
    assert row.problem is not None and "half.xlsx, line 1: not a readable Excel" in row.problem


def test_files_being_written_lock_and_partial_files_wait(tmp_path: Path) -> None:
    write(tmp_path / "a.csv", "email\na@x.com\n")
    write(tmp_path / "b.csv.partial", "email\nb@x.com\n")
    write(tmp_path / "~$c.xlsx", "owner")
    xlsx(tmp_path / "c.xlsx", [["email"], ["c@x.com"]])
    with client(tmp_path) as api:
        assert {r.key for r in records(api)} == {"a@x.com"}  # c.xlsx is open in Excel
        (tmp_path / "~$c.xlsx").unlink()
        assert {r.key for r in records(api)} == {"a@x.com", "c@x.com"}
        fresh = write(tmp_path / "d.csv", "email\nd@x.com\n", old=False)  # written just now: still being written
        other = write(tmp_path / "e.csv", "email\ne@x.com\n", old=False)
        assert {r.key for r in records(api)} == {"a@x.com", "c@x.com"}
        assert "d.csv is still being written" in CONNECTOR.test_connection(api)
        os.utime(fresh, (OLD, OLD))  # d.csv finished, but touching it moved it after e.csv, which is still written:
        while fresh.stat().st_ctime <= other.stat().st_ctime:  # the file system's clock ticks coarsely: same tick
            os.utime(fresh, (OLD, OLD))  # is a tie (broken by name), so touch again until the change is later
        assert {r.key for r in records(api)} == {"a@x.com", "c@x.com"}  # reading stops before e.csv
        os.utime(other, (OLD, OLD))
        assert {r.key for r in records(api)} == {"a@x.com", "c@x.com", "d@x.com", "e@x.com"}


def test_position_cursor_is_sorted_closed_and_checkpointed_per_file(tmp_path: Path) -> None:
    write(tmp_path / "one.csv", "email\n" + "".join(f"u{i}@x.com\n" for i in range(5)))
    write(tmp_path / "two.csv", "email\n" + "".join(f"v{i}@x.com\n" for i in range(3)))
    with client(tmp_path) as api:
        pages = list(read(api, size=2))
    got = [r for p in pages for r in p]
    values = [r.cursor_value for r in got]
    assert values == sorted(values) and len(got) == 8
    checkpoints = [p.checkpoint for p in pages if getattr(p, "checkpoint", None)]
    assert [c.rsplit("/", 2)[1:] for c in checkpoints] == [["one.csv", "end"], ["two.csv", "end"]]
    assert values[4] < checkpoints[0] < values[5] and values[7] < checkpoints[1]
    with client(tmp_path) as api:
        again = records(api, since=got[3].cursor_value)
        assert [r.key for r in again] == [r.key for r in got[3:]]  # the record at the cursor is read again
        assert records(api, since=checkpoints[-1]) == []


def test_a_file_read_whole_is_moved_to_processed_only_after_the_cursor_passed_it(tmp_path: Path) -> None:
    write(tmp_path / "one.csv", "email\na@x.com\n")
    with client(tmp_path, move_processed="yes") as api:
        pages = list(read(api))
        end = next(p.checkpoint for p in pages if getattr(p, "checkpoint", None))
        records(api, since=None)
        assert (tmp_path / "one.csv").exists()  # nothing stored yet: never moved
        assert records(api, since=end) == []
    assert not (tmp_path / "one.csv").exists() and (tmp_path / "processed" / "one.csv").exists()


def test_the_folder_must_exist_and_a_key_column_be_named(tmp_path: Path) -> None:
    with client(tmp_path / "missing") as api, pytest.raises(SetupError, match="does not exist"):
        CONNECTOR.test_connection(api)
    with client(tmp_path, key_column="") as api, pytest.raises(SetupError, match="no key column"):
        records(api)


# -- the action --------------------------------------------------------------------------------------
def upsert(api: ApiClient, *writes: tuple[str, dict[str, object]], file: str = "out/orders.csv") -> list[str]:
    batch = [Write(ref=f"r{i}", match=key, properties=props, params={"file": file, "key_column": "order_no"})
             for i, (key, props) in enumerate(writes)]
    return [r.status for r in ACTION.deliver(api, batch)]


def test_rows_are_added_and_updated_by_key_atomically_and_repeats_change_nothing(tmp_path: Path) -> None:
    with client(tmp_path) as api:
        assert upsert(api, ("SO-1", {"status": "shipped"}), ("SO-2", {"status": "new", "total": 72.5})) == ["ok"] * 2
        target = tmp_path / "out" / "orders.csv"
        first = target.read_bytes()
        assert first.startswith(b"\xef\xbb\xbf") and first.decode("utf-8-sig").splitlines() == [
            "order_no,status,total", "SO-1,shipped,", "SO-2,new,72.5"]
        assert upsert(api, ("SO-2", {"status": "new", "total": 72.5})) == ["ok"]
        assert target.read_bytes() == first  # the same write again: the same file
        assert upsert(api, ("SO-1", {"status": "delivered", "note": "备注"})) == ["ok"]
        assert target.read_text("utf-8-sig").splitlines() == [
            "order_no,status,total,note", "SO-1,delivered,,备注", "SO-2,new,72.5,"]
        assert sorted(p.name for p in target.parent.iterdir()) == ["orders.csv", "orders.csv.lock"]
        current = ACTION.read_current(api, [Write("x", "SO-1", {"status": None}, {"file": "out/orders.csv",
                                                                                "key_column": "order_no"}),
                                            Write("y", "SO-9", {"status": None}, {"file": "out/orders.csv",
                                                                                "key_column": "order_no"})])
        assert current == [{"status": "delivered"}, None]


def test_a_gbk_file_stays_gbk_and_an_xlsx_stays_a_workbook(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    write(tmp_path / "in" / "orders.csv", "order_no,状态\nSO-1,新\n", "gbk")
    xlsx(tmp_path / "in" / "orders.xlsx", [["order_no", "status"], ["SO-1", "new"]])
    with client(tmp_path) as api:
        assert upsert(api, ("SO-1", {"状态": "已发货"}), file="in/orders.csv") == ["ok"]
        assert upsert(api, ("SO-2", {"status": "new"}), file="in/orders.xlsx") == ["ok"]
    assert (tmp_path / "in" / "orders.csv").read_bytes().decode("gbk").splitlines() == ["order_no,状态", "SO-1,已发货"]
    rows = list(openpyxl.load_workbook(tmp_path / "in" / "orders.xlsx").active.values)
    assert rows == [("order_no", "status"), ("SO-1", "new"), ("SO-2", "new")]


def test_a_file_with_a_malformed_row_is_not_rewritten_and_paths_stay_inside(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    bad = write(tmp_path / "out" / "orders.csv", "order_no,status\nSO-1,new,extra\n")
    before = bad.read_bytes()
    with client(tmp_path) as api:
        results = ACTION.deliver(api, [Write("r", "SO-1", {"status": "x"}, {"file": "out/orders.csv",
                                                                          "key_column": "order_no"})])
        assert results[0].status == WriteStatus.REJECTED and "line 2" in (results[0].message or "")
        assert bad.read_bytes() == before
        with pytest.raises(SetupError, match="inside the folder"):
            upsert(api, ("SO-1", {"status": "x"}), file="../escape.csv")
        assert upsert(api, (None, {"status": "x"})) == ["rejected"]  # type: ignore[arg-type]


def test_sheets_refuse_duplicate_and_empty_headers() -> None:
    with pytest.raises(sheets.SheetError, match="appears twice"):
        sheets.read_csv(b"a,b,a\n1,2,3\n")
    with pytest.raises(sheets.SheetError, match="column 2 has no name"):
        sheets.read_csv(b"a,,c\n1,2,3\n")
    assert folder.END > "99999999"
