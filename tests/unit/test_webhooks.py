"""Webhook signatures (against independent test vectors), the inbox's refusals, and the listener over HTTP."""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx
import pytest

from ordersync_app.connectors.sdk.webhooks import WebhookRefused, sign, verify
from ordersync_app.sandbox._server import SandboxServer
from ordersync_app.scheduler.listen import Listener
from ordersync_app.services import accounts, recipes, webhooks
from ordersync_app.storage import db
from ordersync_app.storage.tables import WebhookDelivery

DEMO = Path(__file__).parents[2] / "recipes" / "shopify-fulfilled-to-hubspot-deal-stage.yaml"
SECRET = "sandbox-shopify-client-secret"


def test_shopify_and_woocommerce_signatures_match_an_independent_vector() -> None:
    # Test vector of sqlpage's hmac function, "Shopify webhook HMAC validation with base64 output" [S].
    body = b'{"id":1234567890,"email":"customer@example.com","total_price":"123.45"}'
    expected = "QNyObTlKbMx2qDlPF/ZOZcBqg5OgPg+2oky3zldc0Gw="
    assert sign("shopify", "test-webhook-secret", body) == expected
    assert sign("woocommerce", "test-webhook-secret", body) == expected  # the same scheme [V]
    assert verify("shopify", "test-webhook-secret", {"X-Shopify-Hmac-Sha256": expected,
                                                      "X-Shopify-Webhook-Id": "b54557e4"}, body,
                  method="POST", uri="") == "b54557e4"


def test_hubspot_v3_signature_matches_hubspots_own_sdk_vector() -> None:
    # HubSpot/hubspot-api-python tests/spec/utils/test_signature.py::test_get_signature__v3 [S: vendor SDK].
    body = b"{'example_field':'example_value'}"
    assert sign("hubspot_v3", "yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy", body, method="POST",
                uri="https://www.example.com/webhook_uri", timestamp="15000000") == \
        "HPW73RUtKmcYoEDADG0s6MmGFWUzWJKAW07r8RDgcQw="


def test_hubspot_v3_refuses_old_and_unstamped_deliveries() -> None:
    body, uri = b"[]", "https://hooks.example.com/hooks/crm/deal.propertyChange"
    now = time.time()
    fresh = str(int(now * 1000))
    signature = sign("hubspot_v3", "s3cret", body, method="POST", uri=uri, timestamp=fresh)
    headers = {"X-HubSpot-Signature-v3": signature, "X-HubSpot-Request-Timestamp": fresh}
    assert verify("hubspot_v3", "s3cret", headers, body, method="POST", uri=uri, now=now)
    with pytest.raises(WebhookRefused, match="old"):  # HubSpot: older than 5 minutes is refused [V]
        verify("hubspot_v3", "s3cret", headers, body, method="POST", uri=uri, now=now + 301)
    with pytest.raises(WebhookRefused, match="timestamp"):
        verify("hubspot_v3", "s3cret", {"X-HubSpot-Signature-v3": signature}, body, method="POST", uri=uri)
    with pytest.raises(WebhookRefused, match="does not match"):  # signed for another address
        verify("hubspot_v3", "s3cret", headers, body, method="POST", uri=uri + "x", now=now)


@pytest.mark.parametrize("headers", [{}, {"X-Shopify-Hmac-Sha256": "bm90IGl0"}])
def test_unsigned_and_forged_deliveries_are_refused(headers: dict[str, str]) -> None:
    with pytest.raises(WebhookRefused):
        verify("shopify", SECRET, headers, b'{"id": 1}', method="POST", uri="")


@pytest.fixture
def listening(home: Path, sandbox: SandboxServer) -> str:
    """Account ``shop`` (Shopify sandbox, with its client secret) and the demo recipe enabled."""
    del home
    accounts.add_account("shop", "shopify", base_url=sandbox.url("shopify"),
                         settings={"shop": "ordersync-demo"},
                         secret_values={"access_token": "sandbox-shopify-token", "client_secret": SECRET})
    accounts.add_account("crm", "hubspot", base_url=sandbox.url("hubspot"),
                         secret_values={"access_token": "sandbox-hubspot-token"})
    recipes.import_recipe(DEMO, {"shop": "shop", "crm": "crm"}, name="orders", enable=True)
    return "shop"


def _delivery(body: bytes, delivery_id: str, secret: str = SECRET) -> dict[str, str]:
    return {"X-Shopify-Hmac-Sha256": sign("shopify", secret, body), "X-Shopify-Webhook-Id": delivery_id,
            "X-Shopify-Topic": "orders/fulfilled"}


def _stored() -> int:
    with db.session() as s:
        return s.query(WebhookDelivery).count()


def test_the_inbox_stores_a_verified_delivery_once_and_refuses_the_rest(listening: str) -> None:
    body = json.dumps({"id": 5011, "name": "#5011"}).encode()
    ok = webhooks.receive(listening, "orders/fulfilled", _delivery(body, "d-1"), body, method="POST", uri="")
    assert (ok.status, ok.recipes) == (200, ("orders",))
    replay = webhooks.receive(listening, "orders/fulfilled", _delivery(body, "d-1"), body, method="POST", uri="")
    forged = webhooks.receive(listening, "orders/fulfilled", _delivery(body, "d-2", "guess"), body,
                              method="POST", uri="")
    unsigned = webhooks.receive(listening, "orders/fulfilled", {"X-Shopify-Webhook-Id": "d-3"}, body,
                                method="POST", uri="")
    wrong_topic = webhooks.receive(listening, "orders/paid", _delivery(body, "d-4"), body, method="POST", uri="")
    nobody = webhooks.receive("nobody", "orders/fulfilled", _delivery(body, "d-5"), body, method="POST", uri="")
    assert [r.status for r in (forged, unsigned, wrong_topic, nobody)] == [401, 401, 404, 404]
    assert (replay.status, replay.reason, replay.recipes) == (200, "received before: nothing stored again", ())
    assert _stored() == 1
    assert webhooks.topics_in_use("shop") == ["orders/fulfilled"]
    assert list(webhooks.status()["shop"]["last"]) == ["orders/fulfilled"]
    assert webhooks.status()["shop"]["quiet"] == []


def test_the_listener_answers_over_http_and_reports_health(listening: str) -> None:
    asked: list[tuple[str, ...]] = []
    listener = Listener("127.0.0.1", 0, on_stored=asked.append).start()
    try:
        body = json.dumps({"id": 5012}).encode()
        url = f"{listener.address}/hooks/{listening}/orders/fulfilled"
        assert httpx.post(url, content=body, headers=_delivery(body, "h-1")).status_code == 200
        again = httpx.post(url, content=body, headers=_delivery(body, "h-1"))
        assert again.status_code == 200 and again.json()["result"].startswith("received before")
        assert httpx.post(url, content=body, headers={"X-Shopify-Hmac-Sha256": "x"}).status_code == 401
        assert httpx.get(url).status_code == 405
        assert httpx.post(f"{listener.address}/elsewhere", content=b"").status_code == 404
        health = httpx.get(f"{listener.address}/healthz")
        assert health.status_code == 200 and health.json()["database"] == "ok"
        assert health.json()["webhooks"]["shop"]["last"]["orders/fulfilled"]
    finally:
        listener.stop()
    assert asked == [("orders",)] and _stored() == 1


def test_registering_subscribes_the_sandbox_shop_once(listening: str, sandbox: SandboxServer) -> None:
    first = webhooks.register(listening, "http://127.0.0.1:9/")
    again = webhooks.register(listening, "http://127.0.0.1:9")
    assert first == again and [topic for topic, _ in first] == ["orders/fulfilled"]
    subs = httpx.get(f"{sandbox.root}/_sandbox/shopify/webhooks").json()["subscriptions"]
    assert [(s["topic"], s["callback"]) for s in subs] == [("orders/fulfilled",
                                                            "http://127.0.0.1:9/hooks/shop/orders/fulfilled")]
    with pytest.raises(Exception, match="http:// or https://"):
        webhooks.register(listening, "ftp://example")
