"""The conformance suite: every registered connector is checked here automatically, against its
sandbox app over loopback (Meltano's ``get_tap_test_class`` habit). Adding a connector adds its rows.

Beyond "it pages to the end", each trigger must survive what real sources do: a record changing while
the pages are read, a vendor repeating an answer, 429s with and without ``Retry-After`` and the vendor's
own "slow down" answer, and a replay from a stored cursor.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Iterator
from itertools import count, islice
from pathlib import Path

import pytest

from ordersync_app.connectors.sdk import files, registry
from ordersync_app.connectors.sdk.cursor import CursorCodec
from ordersync_app.connectors.sdk.http import ApiClient, RateLimiter, RetryPolicy
from ordersync_app.connectors.sdk.spec import AccountConfig, Connector, RateLimit, Trigger, TriggerContext, Write
from ordersync_app.domain.errors import AuthError, ConnectorError, SetupError
from ordersync_app.domain.records import Record
from ordersync_app.sandbox._server import Response, SandboxApp, SandboxServer
from ordersync_app.sandbox.apps import app_classes, sandbox_account
from ordersync_app.sandbox.demo_data import BASE_TIME

# Connector files (in-house systems as data) are held to the same rules: one per paging style.
FILES = [*sorted((Path(__file__).parent / "files").glob("*.yaml")),
         Path(__file__).parents[2] / "resources" / "examples" / "inhouse-oms.connector.yaml"]
CONNECTORS = [*(c for c in registry.all_connectors().values() if c.sandbox is not None),
              *(files.load_connector(path) for path in FILES)]
IDS = [c.key for c in CONNECTORS]
TRIGGERS = [(c, t) for c in CONNECTORS for t in c.triggers]
TRIGGER_IDS = [f"{c.key}.{t.key}" for c, t in TRIGGERS]
# Connectors over local files (``uses_http=False``) have no credentials and no HTTP answers to repeat or
# throttle: those checks apply to HTTP connectors only (file connectors have their own tests of the same
# risks: a file changed or still being written while read, a malformed row).
HTTP = [c for c in CONNECTORS if c.uses_http]
HTTP_TRIGGERS = [(c, t) for c, t in TRIGGERS if c.uses_http]
HTTP_TRIGGER_IDS = [f"{c.key}.{t.key}" for c, t in HTTP_TRIGGERS]
# Where the sandboxes' demo data begins: a read "from the beginning" of a vendor that has no such query
# (Jushuitan reads the last 7 days) starts here instead.
DEMO_START = f"{BASE_TIME:%Y-%m-%dT%H:%M:%SZ}"
FAST = RetryPolicy(max_attempts=3, base_delay=0.01, max_delay=0.02, max_retry_after=2.0)
_names = count()


@pytest.fixture
def sandbox(connector: Connector, tmp_path: Path) -> Iterator[SandboxServer]:
    """Only the connector's own emulator, seeded with the 60 demo orders (every app for each test costs minutes)."""
    assert connector.sandbox is not None
    app = app_classes()[connector.sandbox.app].create(tmp_path / f"{connector.sandbox.app}.db", hubspot_limit=None)
    with app.lock:
        app.db.execute("BEGIN IMMEDIATE")
        app.seed(60)
        app.db.execute("COMMIT")
    server = SandboxServer([app]).start()
    yield server
    server.stop()


def client_for(connector: Connector, sandbox: SandboxServer, *, wrong_secrets: bool = False) -> ApiClient:
    assert connector.sandbox is not None
    account = sandbox_account(connector, sandbox.url(connector.sandbox.app),
                              name=f"conf-{connector.key}-{next(_names)}",
                              data_dir=app_of(connector, sandbox).db_path.parent)
    if wrong_secrets:
        account = AccountConfig(name=account.name, connector=account.connector, base_url=account.base_url,
                                settings=account.settings, secret=lambda key: f"wrong-{key}-value")
    app_of(connector, sandbox)  # notes where its demo data begins
    client = ApiClient(connector, account, retry=FAST)
    client.limiters = [RateLimiter(RateLimit(10_000, 1.0))]  # the emulators do not meter: no pacing needed
    return client


def app_of(connector: Connector, sandbox: SandboxServer) -> SandboxApp:
    assert connector.sandbox is not None
    app = sandbox.apps[connector.sandbox.app]
    if (first := app.earliest()) is not None:
        _EARLIEST[app.name] = first
    return app


_EARLIEST: dict[str, str] = {}


def start(trigger: Trigger) -> str | None:
    """Where a read "from the beginning" starts for a vendor with no such query: the sandbox's first data."""
    if not trigger.cursor.first_read_seconds:
        return None
    owner = next((c for c in CONNECTORS if trigger in c.triggers), None)
    return _EARLIEST.get(owner.sandbox.app if owner and owner.sandbox else "", DEMO_START)


def read(trigger: Trigger, client: ApiClient, since: str | None = None, size: int = 3) -> Iterator[list[Record]]:
    context = TriggerContext(params={}, since=since or start(trigger), page_size=size)
    return (page for page in trigger.read(client, context) if page)


def everything(trigger: Trigger, client: ApiClient, since: str | None = None) -> list[Record]:
    return [r for page in islice(read(trigger, client, since), 500) for r in page]


@pytest.mark.parametrize("connector", CONNECTORS, ids=IDS)
def test_declaration_is_complete(connector: Connector) -> None:
    assert connector.key == connector.key.lower() and connector.key.isidentifier()
    assert connector.name_en and connector.name_zh and connector.sandbox
    keys = [s.key for s in connector.settings]
    assert len(keys) == len(set(keys)), "setting keys must be unique"
    assert all(s.label_en and s.label_zh for s in connector.settings)
    assert connector.triggers or connector.actions
    for group in (connector.triggers, connector.actions, connector.lookups):
        names = [x.key for x in group]
        assert len(names) == len(set(names))
        assert all(x.label_en and x.label_zh for x in group)
    for action in connector.actions:
        assert action.batch_max >= 1 and action.fields
    assert all(limit.requests > 0 and limit.per_seconds > 0 for limit in connector.limits({}))


@pytest.mark.parametrize("connector", [c for c in CONNECTORS if c.key in registry.builtin_modules()],
                         ids=[c.key for c in CONNECTORS if c.key in registry.builtin_modules()])
def test_module_stays_small(connector: Connector) -> None:
    module = importlib.import_module(f"ordersync_app.connectors.{connector.key}")
    lines = len(inspect.getsource(module).splitlines())
    assert lines <= 300, f"{connector.key}.py has {lines} lines; move shared code into the SDK"


@pytest.mark.parametrize("connector", CONNECTORS, ids=IDS)
def test_connection_works(connector: Connector, sandbox: SandboxServer) -> None:
    with client_for(connector, sandbox) as client:
        assert connector.test_connection(client)


@pytest.mark.parametrize("connector", HTTP, ids=[c.key for c in HTTP])
def test_bad_credentials_say_so(connector: Connector, sandbox: SandboxServer) -> None:
    with client_for(connector, sandbox, wrong_secrets=True) as client, pytest.raises((AuthError, SetupError)):
        connector.test_connection(client)


@pytest.mark.parametrize(("connector", "trigger"), TRIGGERS, ids=TRIGGER_IDS)
def test_trigger_pages_to_the_end_in_order_with_a_closed_start(connector: Connector, trigger: Trigger,
                                                               sandbox: SandboxServer) -> None:
    codec = CursorCodec(trigger.cursor)
    with client_for(connector, sandbox) as client:
        pages = list(islice(trigger.read(client, TriggerContext(params={}, since=start(trigger), page_size=7)), 500))
        records = [r for page in pages for r in page]
        assert len(pages) < 500, f"{trigger.key}: paging did not end"
        assert records, f"{trigger.key}: the sandbox should hold records for this trigger"
        assert all(isinstance(r.key, str) and r.key and r.version for r in records)
        assert len({(r.key, r.version) for r in records}) == len(records), "a change was passed on twice"
        if trigger.cursor.sorted:
            values = [codec.order(r.cursor_value) for r in records]
            assert values == sorted(values), f"{trigger.key}: declared sorted, read out of order"
        last = max(records, key=lambda r: codec.order(r.cursor_value))
        again = everything(trigger, client, since=last.cursor_value)
        assert (last.key, last.version) in {(r.key, r.version) for r in again}, \
            f"{trigger.key}: a closed start must include records at the cursor"


@pytest.mark.parametrize(("connector", "trigger"), TRIGGERS, ids=TRIGGER_IDS)
def test_replay_from_a_stored_cursor_reads_everything_from_there(connector: Connector, trigger: Trigger,
                                                                  sandbox: SandboxServer) -> None:
    codec = CursorCodec(trigger.cursor)
    with client_for(connector, sandbox) as client:
        records = sorted(everything(trigger, client), key=lambda r: codec.order(r.cursor_value))
        middle = records[len(records) // 2].cursor_value
        replayed = everything(trigger, client, since=middle)
    expected = {(r.key, r.version) for r in records if codec.order(r.cursor_value) >= codec.order(middle)}
    assert {(r.key, r.version) for r in replayed} == expected


@pytest.mark.parametrize(("connector", "trigger"), TRIGGERS, ids=TRIGGER_IDS)
def test_a_record_changed_while_paging_is_still_delivered(connector: Connector, trigger: Trigger,
                                                          sandbox: SandboxServer) -> None:
    """A record that changes between two pages moves in the vendor's order; with offset paging every
    later record shifts by one and the one at the page boundary is never returned. Keyset restarts (sorted
    sources) and confirming passes (unsorted ones) must deliver every record anyway."""
    app = app_of(connector, sandbox)
    with client_for(connector, sandbox) as client:
        before = {r.key for r in everything(trigger, client)}
        assert len(before) > 3, "the sandbox needs more than one page of records for this trigger"
        pages = read(trigger, client)
        first = next(pages)
        assert app.touch(first[0].key)  # a user edits a record already read, while we page
        after = {r.key for r in first} | {r.key for page in pages for r in page}
    assert before <= after, f"records skipped while paging: {sorted(before - after)}"


@pytest.mark.parametrize(("connector", "trigger"), HTTP_TRIGGERS, ids=HTTP_TRIGGER_IDS)
def test_a_repeated_answer_is_refused(connector: Connector, trigger: Trigger, sandbox: SandboxServer) -> None:
    """The vendor (or a proxy) sends the previous page again: the read stops with a ConnectorError rather
    than loop, skip or pass a record on twice."""
    with client_for(connector, sandbox) as client:
        pages = read(trigger, client)
        next(pages)
        sandbox.faults.once(app_of(connector, sandbox).name, "replay")
        with pytest.raises(ConnectorError):
            list(islice(pages, 500))


@pytest.mark.parametrize(("connector", "trigger"), HTTP_TRIGGERS, ids=HTTP_TRIGGER_IDS)
@pytest.mark.parametrize("answer", ["429 with Retry-After", "429 without Retry-After", "the vendor's own"])
def test_throttling_is_retried(connector: Connector, trigger: Trigger, answer: str, sandbox: SandboxServer) -> None:
    app = app_of(connector, sandbox)
    throttled = {"429 with Retry-After": Response(429, {"message": "slow down"}, {"Retry-After": "0"}),
                 "429 without Retry-After": Response(429, {"message": "slow down"}),
                 "the vendor's own": app.throttled(0)}[answer]
    with client_for(connector, sandbox) as client:
        expected = {(r.key, r.version) for r in everything(trigger, client)}
        sandbox.faults.once(app.name, throttled)
        got = {(r.key, r.version) for r in everything(trigger, client)}
        assert got == expected
        assert client.stats.retries >= 1


@pytest.mark.parametrize("connector", CONNECTORS, ids=IDS)
def test_read_current_answers_one_entry_per_write(connector: Connector, sandbox: SandboxServer) -> None:
    for action in connector.actions:
        with client_for(connector, sandbox) as client:
            writes = [Write(ref="r1", match="no-such-object-1", properties={f.key: "x" for f in action.fields[:1]})]
            current = action.read_current(client, writes)
            assert current == [None], f"{action.key}: a missing target must read as None"
