"""A stand-in warehouse: it ships the oldest open orders of a Shopify store, as a real one would.

Why: the ``order_fulfilled`` trigger needs orders to become fulfilled while a demo or a test runs.
A real warehouse or 3PL app does that through Shopify's public Admin API. This helper makes the same
documented calls over HTTP and never touches the sandbox's database:

1. ``orders(query: "fulfillment_status:unshipped", sortKey: CREATED_AT)`` with each order's
   ``fulfillmentOrders`` (https://shopify.dev/docs/api/admin-graphql/latest/queries/orders);
2. ``fulfillmentCreate(fulfillment: {lineItemsByFulfillmentOrder: [{fulfillmentOrderId}], trackingInfo})``.
   With no line items listed, it fulfils the whole fulfillment order
   (https://shopify.dev/docs/api/admin-graphql/2025-01/mutations/fulfillmentCreate).

So it works against the emulator (``sandbox.url("shopify")``) and against a real development store
(``https://<shop>.myshopify.com`` with that store's token).
"""

from __future__ import annotations

import time
from typing import Any

import httpx

from ordersync_app.sandbox.shopify import ACCESS_TOKEN

API_VERSION = "2025-10"
OPEN_ORDERS = """query OpenOrders($first: Int!) {
  orders(first: $first, sortKey: CREATED_AT, query: "fulfillment_status:unshipped") {
    nodes { id legacyResourceId name fulfillmentOrders(first: 5) { nodes { id status } } }
  }
}"""
FULFIL = """mutation Fulfil($fulfillment: FulfillmentInput!) {
  fulfillmentCreate(fulfillment: $fulfillment) {
    fulfillment { id status trackingInfo(first: 1) { number company } }
    userErrors { field message }
  }
}"""
_FULFILLABLE = ("OPEN", "IN_PROGRESS")


class WarehouseError(RuntimeError):
    """Shopify refused a call of the warehouse helper."""


def fulfil_orders(base_url: str, count: int, *, access_token: str = ACCESS_TOKEN,
                  api_version: str = API_VERSION, carrier: str = "UPS", timeout: float = 10.0) -> list[str]:
    """Ship the ``count`` oldest unfulfilled orders (fewer if fewer are open).

    Args:
        base_url: the shop's root URL (the sandbox app URL, or ``https://<shop>.myshopify.com``).
        count: how many orders to fulfil.
        access_token: the Admin API token (default: the sandbox's public demo token).
        api_version: the Admin API version in the path.
        carrier: the tracking company written on each fulfillment.
        timeout: seconds per HTTP call.

    Returns:
        The names (``#1011``…) of the orders fulfilled, oldest first.

    Raises:
        WarehouseError: Shopify answered with an HTTP error, GraphQL errors or userErrors.
    """
    shipped: list[str] = []
    path = f"/admin/api/{api_version}/graphql.json"
    with httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout,
                      headers={"X-Shopify-Access-Token": access_token}) as http:
        while len(shipped) < count:
            orders = _call(http, path, OPEN_ORDERS, {"first": min(count - len(shipped), 50)})["orders"]["nodes"]
            progress = False
            for order in orders:
                fo_ids = [fo["id"] for fo in order["fulfillmentOrders"]["nodes"] if fo["status"] in _FULFILLABLE]
                if not fo_ids:  # e.g. on hold: a warehouse cannot ship it
                    continue
                result = _call(http, path, FULFIL, {"fulfillment": {
                    "lineItemsByFulfillmentOrder": [{"fulfillmentOrderId": fo_id} for fo_id in fo_ids],
                    "trackingInfo": {"number": f"1ZWH{order['legacyResourceId']:0>10}", "company": carrier},
                    "notifyCustomer": False}})["fulfillmentCreate"]
                if result["userErrors"]:
                    raise WarehouseError(f"fulfilling {order['name']} failed: "
                                         + "; ".join(e["message"] for e in result["userErrors"]))
                shipped.append(order["name"])
                progress = True
            if not progress:  # nothing (more) that can be shipped
                break
    return shipped


def _call(http: httpx.Client, path: str, query: str, variables: dict[str, Any], attempts: int = 10) -> dict[str, Any]:
    """One GraphQL call; waits out THROTTLED for as long as ``throttleStatus`` says it takes."""
    for _ in range(attempts):
        response = http.post(path, json={"query": query, "variables": variables})
        if response.status_code != 200:
            raise WarehouseError(f"Shopify answered HTTP {response.status_code}: {response.text[:200]}")
        body = response.json()
        errors = body.get("errors") or []
        if not any((e.get("extensions") or {}).get("code") == "THROTTLED" for e in errors):
            if errors:
                raise WarehouseError("; ".join(str(e.get("message")) for e in errors))
            return dict(body["data"])
        cost = body["extensions"]["cost"]
        status = cost["throttleStatus"]
        time.sleep(max(0.05, (cost["requestedQueryCost"] - status["currentlyAvailable"]) / status["restoreRate"]))
    raise WarehouseError(f"Shopify kept throttling after {attempts} attempts")
