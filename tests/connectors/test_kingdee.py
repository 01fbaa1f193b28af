"""Kingdee (金蝶云星空) connector against its emulator over loopback: the SDK-2.0 signature against golden values
from Kingdee's own SDK, the session cookie (reused across runs, renewed once when lost mid-read), the rate-limit
and error answers inside HTTP 200, find-by-number saves, and no duplicate bill when a save's answer is lost."""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from ordersync_app.connectors.kingdee import CONNECTOR, QUERY, SAVE, query_data, signed_headers
from ordersync_app.connectors.sdk import auth
from ordersync_app.connectors.sdk.http import ApiClient, RateLimiter, RetryPolicy
from ordersync_app.connectors.sdk.spec import AccountConfig, RateLimit, TriggerContext, Write
from ordersync_app.domain.errors import AuthError, RecordRejected, SetupError
from ordersync_app.engine import runner
from ordersync_app.sandbox._server import Request, SandboxServer
from ordersync_app.sandbox.kingdee import KingdeeSandbox
from ordersync_app.services import accounts, recipes, runs

assert CONNECTOR.sandbox is not None
SETTINGS, SECRETS = dict(CONNECTOR.sandbox.settings), dict(CONNECTOR.sandbox.credentials)
ORDERS, SAVE_ORDER = CONNECTOR.trigger("sales_order_updated"), CONNECTOR.action("save_sales_order")
_names = itertools.count()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[SandboxServer]:
    running = SandboxServer([KingdeeSandbox(tmp_path / "kingdee.db")]).start()
    httpx.post(f"{running.root}/_sandbox/kingdee/seed/40").raise_for_status()
    yield running
    running.stop()


def account(server: SandboxServer, keychain: dict[str, str] | None = None, name: str | None = None,
            **settings: str) -> AccountConfig:
    """A sandbox account whose keychain is ``keychain`` (a dict standing in for the OS keychain)."""
    store = keychain if keychain is not None else {}
    store.update({k: v for k, v in SECRETS.items() if k not in store})
    return AccountConfig(name=name or f"kd-{next(_names)}", connector="kingdee", base_url=server.url("kingdee"),
                         settings={**SETTINGS, **settings}, secret=store.get, save_secret=store.__setitem__)


def client(config: AccountConfig) -> ApiClient:
    return ApiClient(CONNECTOR, config, limiter=RateLimiter(RateLimit(1000, 1.0)),
                     retry=RetryPolicy(max_attempts=3, base_delay=0.01, max_delay=0.02))


def logins(server: SandboxServer) -> int:
    return int(httpx.get(f"{server.root}/_sandbox/kingdee/counters").json().get("call", {}).get("POST login", 0))


def read_all(api: ApiClient, size: int = 7, since: str = "2026-09-01T00:00:00Z") -> list[Any]:
    assert ORDERS is not None
    return [r for page in ORDERS.read(api, TriggerContext(params={}, since=since, page_size=size)) for r in page]


# Golden values: computed with Kingdee's official SDK, kingdee.cdp.webapi.sdk 8.2.0 from PyPI (MIT), unpacked
# outside the repository and run in a throwaway venv with `requests` installed:
#   sdk = K3CloudApiSdk(server); sdk.InitConfig(acct, user, app_id, app_secret, server, lcid=lcid, org_num=org)
#   with unittest.mock.patch("time.time", return_value=float(t)):
#       h = sdk.BuildHeader(server + service + ".common.kdsvc")
# with server = "https://erp.example.com/k3cloud/"; the values below are h's, verbatim (no code of the SDK is here).
@pytest.mark.parametrize(("case", "golden"), [
    (("224233_Q8CLx4/k1uC3/mIA3L5LQ4oqzORsxlwr", "b2a7c3d8e9f04a1b8c6d5e4f3a2b1c0d", "66c3712248af25", "ordersync",
      2052, 100, "/k3cloud/Kingdee.BOS.WebApi.ServicesStub.DynamicFormService.ExecuteBillQuery.common.kdsvc",
      1767225600),
     {"X-Api-ClientID": "224233", "x-api-timestamp": "1767225600", "x-api-nonce": "1767225600",
      "X-Api-Signature": "MjFiNzA3OGY2MDA2NjIyZmExZTlmMDgxNGIxMWY5ZTY2ZmQ2MTEwYzdlYzZhOTA1Nzg0YjJjYzYyM2Q5ZGM5Mg==",
      "X-Kd-Appdata": "NjZjMzcxMjI0OGFmMjUsb3JkZXJzeW5jLDIwNTIsMTAw",
      "X-Kd-Signature": "OWQ4YjcyMmQ0MDgxMjRlMzNlZWY3ZTk5MjkyMDMyY2NkOGU2YzZkODIxM2Q2MjVmZTg3OTBjYmRjODRlODg2MQ=="}),
    (("301777_MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0", "s3cr3t", "5f8d2a", "演示用户", 1033, 0,
      "/k3cloud/Kingdee.BOS.WebApi.ServicesStub.DynamicFormService.BatchSave.common.kdsvc", 1700000000),
     {"X-Api-ClientID": "301777", "x-api-timestamp": "1700000000", "x-api-nonce": "1700000000",
      "X-Api-Signature": "MWIzZmEwM2M5NDdmYTUwOTY2MDkwMzU1NWI5NjM1YjY3OTFkNDY2ZTFiMmY2OGVhYTQ0ZWFiYTVjMmZiMjlmMQ==",
      "X-Kd-Appdata": "NWY4ZDJhLOa8lOekuueUqOaItywxMDMzLDA=",
      "X-Kd-Signature": "MzE2M2E1M2U4NDA1N2ZhNDI0ZDg3MzYyNmQxZjVmM2UzOTlmMTVhYTQ5MDQ0MWUyMjM1OTE2NDQ0M2E5MzAyZA=="}),
])
def test_signed_headers_match_the_official_sdk(case: tuple[Any, ...], golden: dict[str, str]) -> None:
    headers = signed_headers(*case)
    assert {k: headers[k] for k in golden} == golden
    assert headers["X-Api-Auth-Version"] == "2.0"
    assert headers["x-api-signheaders"] == "x-api-timestamp,x-api-nonce"


@pytest.mark.parametrize("mode", ["app_secret", "password", "signed"])
def test_every_sign_in_method_reads_sales_orders(server: SandboxServer, mode: str) -> None:
    with client(account(server, sign_in=mode)) as api:
        records = read_all(api)
    assert len(records) == 40
    assert records[0].payload["FBillNo"] == "XSDD000001"
    assert records[0].payload["FCustId"] == {"FNumber": "CUST7001", "FName": records[0].payload["FCustId"]["FName"]}
    assert logins(server) == (0 if mode == "signed" else 1)


def test_session_is_reused_across_runs_and_renewed_once_when_lost_mid_read(server: SandboxServer) -> None:
    keychain: dict[str, str] = {}
    name = f"kd-session-{next(_names)}"
    with client(account(server, keychain, name)) as api:
        pages = ORDERS.read(api, TriggerContext(params={}, since="2026-09-01T00:00:00Z", page_size=5))
        first = next(pages)
        server.apps["kingdee"].expire_sessions()  # the server's session timeout passes mid-run
        rest = [r for page in pages for r in page]
    assert len(first) + len(rest) == 40
    assert logins(server) == 2  # signed in, then once more after "会话信息已丢失"
    assert keychain["kingdee_session"].startswith("kdservice-sessionid=")
    auth.forget(name)  # a new process: only the keychain is shared
    with client(account(server, keychain, name)) as api:
        assert len(read_all(api)) == 40
    assert logins(server) == 2, "a stored, unexpired session is reused, not bought again"


def test_refused_sign_in_is_an_auth_error_in_plain_words(server: SandboxServer) -> None:
    keychain = {"app_secret": "not-the-secret"}
    with client(account(server, keychain)) as api, pytest.raises(AuthError) as caught:
        CONNECTOR.test_connection(api)
    assert "Kingdee refused the sign-in" in caught.value.render()
    assert "应用ID或应用密钥错误" in caught.value.render()
    assert "not-the-secret" not in caught.value.render()


def test_rate_limit_answer_inside_http_200_is_retried(server: SandboxServer) -> None:
    app = server.apps["kingdee"]
    with client(account(server)) as api:
        read_all(api)
        server.faults.once("kingdee", app.throttled(None))
        assert len(read_all(api)) == 40
        assert api.stats.retries == 1
    decision = api.decide(httpx.Response(200, json=app.throttled(None).body))
    assert decision.message is not None and "限制了 WebAPI 调用频率" in decision.message
    assert "调用频率已超出限制" in decision.message  # the vendor's own words follow the plain ones


def test_an_error_inside_http_200_rejects_the_query_with_both_languages(server: SandboxServer) -> None:
    with client(account(server)) as api, pytest.raises(RecordRejected) as caught:
        api.json("POST", QUERY, json=query_data("SAL_SaleOrder", ("FID", "FNoSuchField"), [], order="FID"))
    text = caught.value.render()
    assert "Kingdee refused the query / 金蝶拒绝了此查询" in text and "FNoSuchField" in text


def test_missing_query_permission_is_said_in_plain_words(server: SandboxServer) -> None:
    app = server.apps["kingdee"]
    with client(account(server)) as api:
        assert CONNECTOR.test_connection(api) == "Kingdee: signed in; sales orders: readable; customers: readable"
        app.denied.add("SAL_SaleOrder")
        assert "sales orders: none visible" in CONNECTOR.test_connection(api)
        app.denied.add("ORG_Organizations")
        with pytest.raises(SetupError, match="may not query data"):
            CONNECTOR.test_connection(api)


def _write(number: str, **values: Any) -> Write:
    return Write(ref=f"r-{number}-{next(_names)}", match=number, properties={"FCustId.FNumber": "CUST7001", **values})


def test_save_finds_by_number_then_updates_and_refuses_a_bill_per_index(server: SandboxServer) -> None:
    assert SAVE_ORDER is not None
    with client(account(server)) as api:
        first = SAVE_ORDER.deliver(api, [_write("OS-1", FNote="first"), _write("OS-2"),
                                         Write(ref="bad", match="OS-3", properties={"FNote": "no customer"})])
        assert [r.status for r in first] == ["ok", "ok", "rejected"]
        assert first[0].message == "created" and "客户" in (first[2].message or "")
        again = SAVE_ORDER.deliver(api, [_write("OS-1", FNote="second"), _write("OS-1", FNote="twin")])
        assert [r.status for r in again] == ["ok", "transient"]  # one save per bill per batch
        assert again[0].target_id == first[0].target_id and again[0].message is None
        current = SAVE_ORDER.read_current(api, [_write("OS-1", FNote="x"), _write("OS-404")])
    assert current == [{"FCustId.FNumber": "CUST7001", "FNote": "second"}, None]
    bills = server.apps["kingdee"].db.execute("SELECT count(*) FROM kd_bills WHERE number = 'OS-1'").fetchone()
    assert bills == (1,)


RECIPE = """format: ordersync-recipe
version: 1
name: Jushuitan order to Kingdee sales order
accounts: {oms: jushuitan, erp: kingdee}
trigger: {account: oms, event: order_updated, every: 5m, start: "2026-09-01T00:00:00Z"}
steps:
  - action:
      account: erp
      action: save_sales_order
      match: {template: "JST-{so_id}"}
      fields:
        FCustId.FNumber: {value: RETAIL}
        FNote: {template: "聚水潭 {so_id}"}
options: {dry_run: false, on_error: continue}
"""


def test_a_lost_save_answer_creates_no_second_bill(home: Path, sandbox: SandboxServer,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The first BatchSave is applied but its answer never arrives: the engine reads the bills by number before
    anything is sent again, finds them, and no bill exists twice."""
    monkeypatch.setenv("ORDERSYNC_HTTP_TIMEOUT", "1")  # the engine waits timeout + 5 s before it verifies
    monkeypatch.setattr(runner, "RETRY_SCHEDULE", (1, 1, 2, 2, 3))  # as ORDERSYNC_RETRY_SCHEDULE does for drills
    box = accounts.connector("jushuitan").sandbox
    assert box is not None
    accounts.add_account("oms", "jushuitan", base_url=sandbox.url("jushuitan"), settings=dict(box.settings),
                         secret_values=dict(box.credentials))
    accounts.add_account("erp", "kingdee", base_url=sandbox.url("kingdee"), settings=SETTINGS,
                         secret_values={"app_secret": SECRETS["app_secret"]})
    recipes.import_recipe(RECIPE, {"oms": "oms", "erp": "erp"}, name="orders-to-erp")
    dropped: list[str] = []

    def drop_first_save(request: Request, app: str) -> str | None:
        if app == "kingdee" and request.path == SAVE and not dropped:
            dropped.append(request.path)
            return "drop-after"  # applied by the emulator, the connection cut before the answer
        return None
    sandbox.faults.hook = drop_first_save
    first = runs.run_recipe("orders-to-erp")
    # A run's first chunk is 20 records (the circuit breaker's probe): that batch's answer was lost, the
    # next batch's (the other 40) arrived.
    assert dropped and (first.seen, first.retrying, first.writes) == (60, 20, 40)
    deadline = time.monotonic() + 60
    while runs.history("orders-to-erp", status="retrying") and time.monotonic() < deadline:
        runs.run_recipe("orders-to-erp")  # not due yet: nothing happens until the settle time has passed
        time.sleep(0.5)
    assert [h for h in runs.history("orders-to-erp", limit=200) if h.status != "succeeded"] == []
    app = sandbox.apps["kingdee"]
    numbers = [n for (n,) in app.db.execute("SELECT number FROM kd_bills WHERE form = 'SAL_SaleOrder' AND "
                                            "number LIKE 'JST-%'")]
    assert len(numbers) == len(set(numbers)) == 60
    writes = httpx.get(f"{sandbox.root}/_sandbox/kingdee/counters").json()["sales_order_writes"]
    assert {k: v for k, v in writes.items() if k.startswith("JST-")} == dict.fromkeys(numbers, 1)
