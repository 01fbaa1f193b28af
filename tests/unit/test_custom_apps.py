"""The "Add a custom app" answers → connector file and account values: every sign-in and paging choice makes a
valid file, keys never enter it, and a taken account name stops the save before anything is written."""

from __future__ import annotations

from pathlib import Path

import pytest

from ordersync_app import paths
from ordersync_app.connectors.sdk import files
from ordersync_app.domain.errors import SetupError
from ordersync_app.services import accounts, custom_apps, sandbox
from ordersync_app.services.custom_apps import CustomApp

BASE = {"name_en": "ERP", "base_url": "https://erp.example.com/api", "path": "/orders", "records": "data",
        "cursor_field": "updated_at", "key_field": "id", "fields": ["id", "updated_at", "status"]}


@pytest.mark.parametrize(("auth", "extra", "settings", "secrets"), [
    ("none", {}, {}, {}),
    ("api_key", {"key_in": "query", "key_name": "token", "secret": "k-123"}, {}, {"api_key": "k-123"}),
    ("basic", {"user": "sync", "secret": "pw-123"}, {"username": "sync"}, {"password": "pw-123"}),
    ("bearer", {"secret": "t-123"}, {}, {"token": "t-123"}),
    ("client_credentials", {"user": "client-1", "secret": "cs-123", "token_url": "https://erp.example.com/token"},
     {"client_id": "client-1"}, {"client_secret": "cs-123"}),
])
def test_every_sign_in_makes_a_valid_file_without_its_secret(auth: str, extra: dict[str, str],
                                                             settings: dict[str, str], secrets: dict[str, str]) -> None:
    app = CustomApp(**BASE, auth=auth, **extra)  # type: ignore[arg-type]
    text = custom_apps.connectors.document_text(custom_apps.document(app))
    doc = files.parse_text(text)
    assert doc.auth.kind == auth and doc.base_url == "https://erp.example.com/api" and doc.sandbox is None
    assert custom_apps.account_values(app) == (settings, secrets)
    assert not any(value in text for value in secrets.values())


@pytest.mark.parametrize("paging", custom_apps.PAGING)
def test_every_paging_style_makes_a_valid_file(paging: str) -> None:
    app = CustomApp(**BASE, paging=paging, page_param="cursor", size_param="limit", more_path="next")  # type: ignore[arg-type]
    doc = files.parse_text(custom_apps.connectors.document_text(custom_apps.document(app)))
    assert doc.triggers[0].paginator.kind == paging
    files.build(doc)  # the SDK paginator is built too


def test_a_write_endpoint_and_a_sandbox_address() -> None:
    app = CustomApp(**{**BASE, "base_url": "sandbox://rest"}, auth="api_key", secret="sandbox-rest-key",  # type: ignore[arg-type]
                    write="upsert", write_method="PUT", write_path="/orders/{match}", write_fields=["status", "note"],
                    owns="customers")
    doc = files.parse_text(custom_apps.connectors.document_text(custom_apps.document(app)))
    assert doc.sandbox is not None and doc.sandbox.app == "rest" and doc.base_url == ""
    assert doc.sandbox.credentials == {"api_key": "sandbox-rest-key"}  # the emulator's public demo key
    action = doc.actions[0]
    assert (action.key, action.kind, [f.key for f in action.fields]) == ("update_record", "upsert", ["status", "note"])
    assert doc.triggers[0].key == "record_updated" and doc.owns == "customers"


def test_a_taken_account_name_stops_before_the_file_is_added(home: Path) -> None:
    try:
        accounts.add_account("oms", "hubspot", base_url="sandbox://hubspot")
        app = CustomApp(**{**BASE, "base_url": "sandbox://rest", "path": "/offset/orders"},  # type: ignore[arg-type]
                        auth="api_key", secret="sandbox-rest-key", paging="offset", account="oms")
        with pytest.raises(SetupError, match="already exists"):
            custom_apps.save(app)
        assert not paths.connectors_dir().exists() or not list(paths.connectors_dir().iterdir())
    finally:
        sandbox.stop_in_process()
