"""Fuzzing recipe files and vendor answers: never an internal error (exit 3), never a traceback, never
a hang (issue 9, "What it must show"). Examples are derandomised so CI sees the same few dozen cases;
a deadline of 10 s per example is the hang bound."""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.e2e.helpers import DEMO_TEMPLATE

from ordersync_app.cli import main as cli
from ordersync_app.connectors.sdk.http import ApiClient, RateLimiter, RetryPolicy
from ordersync_app.connectors.sdk.spec import RateLimit, TriggerContext, Write
from ordersync_app.domain.errors import OrderSyncError
from ordersync_app.recipes import load
from ordersync_app.services import accounts

FUZZ = settings(max_examples=40, deadline=10_000, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
TEMPLATE: dict[str, Any] = yaml.safe_load(DEMO_TEMPLATE.read_text("utf-8"))

scalars = (st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40)
           | st.sampled_from(["1e999999", "NaN", "0001-01-01T00:00:00+14:00", "\u202e", "{0}", "*a", "&a",
                              "${x}", "%s", "\x00", "9" * 5000]))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(st.text(max_size=12), inner, max_size=4), max_leaves=25)


def _paths(document: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(document, dict):
        for key, value in document.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            found += _paths(value, (*prefix, index))
    return found


PATHS = _paths(TEMPLATE)[1:]


def _replace(document: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    copy = json.loads(json.dumps(document))
    node = copy
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    return copy


@FUZZ
@given(path=st.sampled_from(PATHS), value=values, as_json=st.booleans())
def test_a_mutated_recipe_file_is_valid_or_a_clear_problem(home, tmp_path: Path, capsys, path, value,
                                                           as_json) -> None:
    document = _replace(TEMPLATE, path, value)
    try:
        text = json.dumps(document, ensure_ascii=False) if as_json else yaml.safe_dump(document, allow_unicode=True)
    except (ValueError, UnicodeEncodeError):
        text = json.dumps(document)
    file = tmp_path / "fuzzed.yaml"
    file.write_text(text, "utf-8", errors="surrogatepass")
    code = cli.main(["recipe", "validate", str(file)])
    err = capsys.readouterr().err
    assert code in (0, 2), err
    assert "Traceback" not in err and "internal error" not in err


@FUZZ
@given(st.binary(max_size=400) | st.text(max_size=400).map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_any_bytes_are_a_recipe_or_a_list_of_problems(data: bytes) -> None:
    problems: list[load.Problem] = [load.Problem("", "valid")]
    try:
        load.load_text(data)
    except load.RecipeInvalid as exc:
        problems = exc.problems
    assert problems


# -- vendor answers ---------------------------------------------------------------------------------
class _Answers:
    body: bytes = b"{}"


class _Vendor(BaseHTTPRequestHandler):
    def _answer(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(_Answers.body)))
        self.end_headers()
        self.wfile.write(_Answers.body)

    do_GET = do_POST = do_PATCH = _answer

    def log_message(self, *_args: object) -> None:
        return


@pytest.fixture
def vendor_accounts(home) -> Iterator[dict[str, ApiClient]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Vendor)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    accounts.add_account("crm", "hubspot", base_url=base, secret_values={"access_token": "pat-fuzz-123456"})
    accounts.add_account("shop", "shopify", base_url=base, settings={"shop": "fuzz"},
                         secret_values={"access_token": "shpat_fuzz_123456"})
    accounts.add_account("oms", "jushuitan", base_url=base, settings={"app_key": "k"},
                         secret_values={"app_secret": "s-fuzz-123456", "access_token": "t-fuzz-123456"})
    fast = RetryPolicy(max_attempts=2, base_delay=0.001, max_delay=0.002, max_retry_after=0.01)
    clients = {name: ApiClient(accounts.connector(accounts.get_account(name).connector), accounts.account_config(name),
                               retry=fast, limiter=RateLimiter(RateLimit(10**6, 1.0)), timeout=5.0)
               for name in ("crm", "shop", "oms")}
    for client in clients.values():  # the fuzz is about reading answers, not pacing: no vendor budgets
        client.limiters = [RateLimiter(RateLimit(10**6, 1.0))]
    yield clients
    for client in clients.values():
        client.close()
    server.shutdown()
    server.server_close()


def _exercise(client: ApiClient) -> None:
    """Every hook that reads a vendor answer: test, first pages of each trigger, deliver, read, find."""
    connector = client.connector
    calls: list[Any] = [lambda: connector.test_connection(client)]
    for trigger in connector.triggers:
        context = TriggerContext(params={}, since="2026-01-01T00:00:00Z", page_size=trigger.page_size)
        calls.append(lambda t=trigger, c=context: list(itertools.islice(t.fetch(client, c), 3)))
    write = Write(ref="1:1:1:0", match="1001", properties={"dealstage": "shipped", "tags": ["a"]}, params={})
    for action in connector.actions:
        calls += [lambda a=action: a.deliver(client, [write]), lambda a=action: a.read_current(client, [write])]
    for lookup in connector.lookups:
        calls.append(lambda lk=lookup: lk.find(client, {"value": "1001", "email": "a@b.c"}))
    for call in calls:
        try:
            call()
        except OrderSyncError:
            continue  # a clear, classified error: what the CLI shows as one sentence (exit 1 or 2)


answers = st.one_of(
    values.map(lambda v: {"data": v}), values.map(lambda v: {"results": v, "paging": v}),
    values.map(lambda v: {"code": 0, "data": v}), values.map(lambda v: {"data": {"orders": v, "shop": v}}),
    values,
).map(lambda v: json.dumps(v, allow_nan=True).encode()) | st.binary(max_size=200)


@FUZZ
@given(body=answers)
def test_any_vendor_answer_is_data_or_a_classified_error(vendor_accounts, body: bytes) -> None:
    _Answers.body = body
    for client in vendor_accounts.values():
        _exercise(client)
