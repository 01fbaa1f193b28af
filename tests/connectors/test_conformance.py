"""The conformance suite: every registered connector is checked here automatically, against its
sandbox app over loopback (Meltano's ``get_tap_test_class`` habit)."""

from __future__ import annotations

import importlib
import inspect
from itertools import islice

import pytest

from ordersync_app.connectors.sdk import registry
from ordersync_app.connectors.sdk.http import ApiClient, RetryPolicy
from ordersync_app.connectors.sdk.spec import AccountConfig, Connector, TriggerContext, Write
from ordersync_app.domain.errors import AuthError, SetupError
from ordersync_app.sandbox.apps import sandbox_account

CONNECTORS = list(registry.all_connectors().values())
IDS = [c.key for c in CONNECTORS]
FAST = RetryPolicy(max_attempts=2, base_delay=0.01, max_delay=0.02)


def client_for(connector: Connector, sandbox, *, wrong_secrets: bool = False) -> ApiClient:
    account = sandbox_account(connector.key, sandbox.url(connector.sandbox or connector.key),
                              name=f"conf-{connector.key}-{wrong_secrets}")
    if wrong_secrets:
        account = AccountConfig(name=account.name, connector=account.connector, base_url=account.base_url,
                                settings=account.settings, secret=lambda key: f"wrong-{key}-value")
    return ApiClient(connector, account, retry=FAST)


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
    assert connector.rate_limit.requests > 0 and connector.rate_limit.per_seconds > 0


@pytest.mark.parametrize("connector", CONNECTORS, ids=IDS)
def test_module_stays_small(connector: Connector) -> None:
    module = importlib.import_module(f"ordersync_app.connectors.{connector.key}")
    lines = len(inspect.getsource(module).splitlines())
    assert lines <= 260, f"{connector.key}.py has {lines} lines; move shared code into the SDK"


@pytest.mark.parametrize("connector", CONNECTORS, ids=IDS)
def test_connection_works_and_bad_credentials_say_so(connector: Connector, sandbox) -> None:
    with client_for(connector, sandbox) as client:
        assert connector.test_connection(client)
    with client_for(connector, sandbox, wrong_secrets=True) as client, pytest.raises((AuthError, SetupError)):
        connector.test_connection(client)


@pytest.mark.parametrize("connector", CONNECTORS, ids=IDS)
def test_triggers_page_to_the_end_sorted_with_closed_start(connector: Connector, sandbox) -> None:
    for trigger in connector.triggers:
        with client_for(connector, sandbox) as client:
            pages = list(islice(trigger.fetch(client, TriggerContext(params={}, since=None, page_size=7)), 200))
            records = [r for page in pages for r in page]
            assert len(pages) < 200, f"{trigger.key}: paging did not end"
            values = [r.cursor_value for r in records]
            assert values == sorted(values), f"{trigger.key}: records not sorted by cursor"
            assert all(isinstance(r.key, str) and r.key and r.version for r in records)
            if records:
                last = records[-1]
                again = [r for page in trigger.fetch(
                    client, TriggerContext(params={}, since=last.cursor_value, page_size=7)) for r in page]
                assert (last.key, last.version) in {(r.key, r.version) for r in again}, \
                    f"{trigger.key}: a closed start must include records at the cursor"


@pytest.mark.parametrize("connector", CONNECTORS, ids=IDS)
def test_read_current_answers_one_entry_per_write(connector: Connector, sandbox) -> None:
    for action in connector.actions:
        with client_for(connector, sandbox) as client:
            writes = [Write(ref="r1", match="no-such-object-1", properties={f.key: "x" for f in action.fields[:1]})]
            try:
                current = action.read_current(client, writes)
            except SetupError:
                continue
            assert len(current) == 1
