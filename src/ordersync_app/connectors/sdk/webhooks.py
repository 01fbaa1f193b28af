"""Webhook declarations and signature checks: instant triggers that a vendor pushes instead of being polled.

A connector declares, per trigger, the vendor topics that announce its records (:class:`Webhook`) and how
deliveries are signed. A delivery is trusted only after its signature checks out against the account's
secret — nothing is stored before — and a delivery seen before (its id) or too old (HubSpot's timestamp)
is refused as a replay. Verified deliveries become records through the same trigger declaration as a
poll, so a record arriving both ways is processed once.

Signature schemes (each cited where it is implemented):

* ``shopify``: ``X-Shopify-Hmac-Sha256`` = base64(HMAC-SHA256(app secret, raw body)) [V: shopify.dev
  "Verify webhooks"]; delivery id ``X-Shopify-Webhook-Id`` [V].
* ``woocommerce``: ``X-WC-Webhook-Signature`` = base64(HMAC-SHA256(webhook secret, raw body)) [V:
  woocommerce-rest-api-docs ``_webhooks.md``]; delivery id ``X-WC-Webhook-Delivery-ID`` [V].
* ``hubspot_v3``: ``X-HubSpot-Signature-v3`` = base64(HMAC-SHA256(client secret, method + URI + body +
  timestamp)), timestamp in ``X-HubSpot-Request-Timestamp`` (ms), older than 5 minutes refused [V:
  developers.hubspot.com changelog "version 3 of webhook signatures"].
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

MAX_AGE_SECONDS = 300  # HubSpot: reject requests whose timestamp is older than 5 minutes [V]


class WebhookRefused(Exception):
    """A delivery that must not be trusted (bad or missing signature, too old); ``status`` is the answer."""

    def __init__(self, reason: str, status: int = 401) -> None:
        super().__init__(reason)
        self.reason, self.status = reason, status


def _hmac_b64(secret: str, message: bytes) -> str:
    return base64.b64encode(hmac.new(secret.encode("utf-8"), message, hashlib.sha256).digest()).decode("ascii")


def sign(scheme: str, secret: str, body: bytes, *, method: str = "POST", uri: str = "",
         timestamp: str = "") -> str:
    """The signature a vendor puts on a delivery (the sandbox apps sign with this; tests forge with it)."""
    if scheme in ("shopify", "woocommerce"):
        return _hmac_b64(secret, body)
    if scheme == "hubspot_v3":
        return _hmac_b64(secret, method.encode() + uri.encode() + body + timestamp.encode())
    raise ValueError(f"unknown webhook signature scheme {scheme!r}")


SIGNATURE_HEADERS = {"shopify": "x-shopify-hmac-sha256", "woocommerce": "x-wc-webhook-signature",
                     "hubspot_v3": "x-hubspot-signature-v3"}
DELIVERY_HEADERS = {"shopify": "x-shopify-webhook-id", "woocommerce": "x-wc-webhook-delivery-id"}


def verify(scheme: str, secret: str, headers: Mapping[str, str], body: bytes, *, method: str, uri: str,
           now: float | None = None) -> str:
    """Check a delivery's signature; returns its delivery id (the vendor's, else a digest of the signature).

    Raises:
        WebhookRefused: unsigned, wrongly signed, or too old.
    """
    lower = {k.lower(): v for k, v in headers.items()}
    given = lower.get(SIGNATURE_HEADERS[scheme], "")
    if not given:
        raise WebhookRefused("the delivery carries no signature")
    timestamp = lower.get("x-hubspot-request-timestamp", "") if scheme == "hubspot_v3" else ""
    if scheme == "hubspot_v3":
        if not timestamp.isdigit():
            raise WebhookRefused("the delivery carries no timestamp")
        age = (now if now is not None else time.time()) - int(timestamp) / 1000
        if age > MAX_AGE_SECONDS:
            raise WebhookRefused(f"the delivery is {int(age)} s old (more than {MAX_AGE_SECONDS} s): a replay?")
    expected = sign(scheme, secret, body, method=method, uri=uri, timestamp=timestamp)
    if not hmac.compare_digest(given.encode(), expected.encode()):
        raise WebhookRefused("the signature does not match")
    return lower.get(DELIVERY_HEADERS.get(scheme, ""), "") or hashlib.sha256(given.encode()).hexdigest()[:40]


@dataclass(frozen=True)
class Webhook:
    """How a vendor pushes a trigger's records.

    A delivery either *is* the record (``items``: the body in the same shape as the API's items — WooCommerce)
    or announces which records changed (``keys``), which are then read through the API (``fetch``) so the
    record and its version are exactly what a poll would see (Shopify's webhook bodies are REST-shaped, the
    trigger reads GraphQL; HubSpot sends event lists).

    Attributes:
        scheme: the signature scheme (``shopify``, ``woocommerce``, ``hubspot_v3``).
        secret: the account secret that signs deliveries (``client_secret``, ``webhook_secret``).
        topics: the vendor topics that announce this trigger's records (``orders/fulfilled``).
        items: a delivery's body → the vendor items the trigger's declaration reads.
        keys: a delivery's body → the keys of the records it announces; with ``fetch``.
        fetch: reads the current items of those keys through the API (an ``ApiClient``).
        register: subscribes a callback URL for a topic through the vendor's API; returns the vendor's id.
    """

    scheme: str
    secret: str
    topics: tuple[str, ...]
    items: Callable[[Any], list[dict[str, Any]]] | None = None
    keys: Callable[[Any], list[str]] | None = None
    fetch: Callable[[Any, list[str]], list[dict[str, Any]]] | None = None
    register: Callable[[Any, str, str], str] | None = field(default=None, compare=False)
