"""Webhook deliveries: verify, store durably, then let the recipes that listen run now.

``ordersync worker --listen`` (and the app, when set up) answers ``POST /hooks/<account>/<topic>`` through
:func:`receive`. The order matters for "nothing lost, nothing forged": the signature is checked first
(nothing is stored for an unsigned, forged or replayed delivery), the delivery is committed to the inbox
next, and only then does the vendor get its 200 — a worker killed after that commit loses nothing, as the
next run reads the inbox. Records from the inbox go through the same engine, ledger and de-duplication
as polled ones, so a change that arrives both ways is processed once.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ordersync_app.connectors.sdk.webhooks import WebhookRefused, verify
from ordersync_app.domain.errors import SetupError
from ordersync_app.services import accounts, recipes
from ordersync_app.storage import db
from ordersync_app.storage.tables import WebhookDelivery, utcnow

log = logging.getLogger(__name__)
MAX_BODY = 5_000_000


@dataclass(frozen=True)
class Outcome:
    """What the listener answers: an HTTP status and a short reason (never a secret)."""

    status: int
    reason: str
    recipes: tuple[str, ...] = ()  # recipes that should run now


def _listening(account: str, topic: str) -> tuple[Any, list[str]]:
    """The webhook declaration of ``topic`` on the account's connector and the recipes it triggers."""
    info = accounts.get_account(account)
    conn = accounts.connector(info.connector)
    declared = None
    names = []
    for trigger in conn.triggers:
        if trigger.webhook is not None and topic in trigger.webhook.topics:
            declared = trigger.webhook
            names += [r.name for r in recipes.list_recipes()
                      if r.enabled and r.bindings.get(r.trigger.split(".")[0]) == account
                      and r.trigger.split(".")[1] == trigger.key]
    return declared, names


_CACHE_SECONDS = 30.0
_cache: dict[tuple[str, str], tuple[float, Any, list[str], str | None]] = {}
_cache_lock = threading.Lock()


def _route(account: str, topic: str) -> tuple[Any, list[str], str | None]:
    """(declaration, recipes, secret) of a topic, kept for half a minute: reading the keychain (an encrypted
    file on servers) and the recipe list for every delivery would make a burst of webhooks queue up.
    A changed secret or a newly enabled recipe is seen within that time."""
    now = time.monotonic()
    with _cache_lock:
        hit = _cache.get((account, topic))
    if hit is not None and hit[0] > now:
        return hit[1], hit[2], hit[3]
    declared, names = _listening(account, topic)
    secret = accounts.account_config(account).secret(declared.secret) if declared is not None else None
    with _cache_lock:
        _cache[(account, topic)] = (now + _CACHE_SECONDS, declared, names, secret)
    return declared, names, secret


def forget_cached() -> None:
    """Drop what :func:`_route` keeps (tests, and after an account or recipe changes in this process)."""
    with _cache_lock:
        _cache.clear()


def receive(account: str, topic: str, headers: Mapping[str, str], body: bytes, *, method: str, uri: str
            ) -> Outcome:
    """Verify one delivery and store it; the answer to give the vendor.

    404 for an unknown account or topic, 401 for an unsigned or forged delivery (or HubSpot's older than
    5 minutes), 413 for an oversized body, 200 once stored — and 200 for a delivery id stored before, with
    nothing stored again: vendors retry until they get a 2xx (Shopify drops subscriptions that keep failing
    [V: shopify.dev "Troubleshooting webhooks"]), and a worker killed after its commit never sent the first.
    """
    if len(body) > MAX_BODY:
        return Outcome(413, "the delivery is too large")
    try:
        declared, names, secret = _route(account, topic)
    except SetupError:
        return Outcome(404, "no such account")
    if declared is None:
        return Outcome(404, f"the account's connector has no webhook for {topic!r}")
    if not secret:
        return Outcome(401, "the account has no webhook secret stored")
    try:
        delivery = verify(declared.scheme, secret, headers, body, method=method, uri=uri)
    except WebhookRefused as refused:
        log.warning("refused a webhook for %s/%s: %s", account, topic, refused.reason)
        return Outcome(refused.status, refused.reason)
    try:
        payload = json.loads(body.decode("utf-8")) if body else None
    except (UnicodeDecodeError, ValueError):
        return Outcome(400, "the delivery is not JSON")
    try:
        with db.session() as s:
            s.add(WebhookDelivery(account=account, event=topic, delivery_id=delivery[:100], payload=payload))
    except IntegrityError:  # a vendor's retry of a delivery whose 200 got lost, or a captured one replayed
        return Outcome(200, "received before: nothing stored again")
    return Outcome(200, "stored", tuple(names))


def last_received(account: str) -> dict[str, str]:
    """When each topic last delivered for an account (ISO UTC), to tell when webhooks stopped arriving."""
    with db.session() as s:
        rows = s.execute(select(WebhookDelivery.event, func.max(WebhookDelivery.received_at))
                         .where(WebhookDelivery.account == account).group_by(WebhookDelivery.event))
        return {event: at.isoformat() for event, at in rows}


def silent(account: str, topics: tuple[str, ...], *, hours: float = 24.0) -> list[str]:
    """Topics that delivered before but not in the last ``hours`` (webhooks that stopped arriving)."""
    seen = last_received(account)
    cutoff = (utcnow() - timedelta(hours=hours)).isoformat()
    return [t for t in topics if t in seen and seen[t] < cutoff]



def topics_in_use(account: str) -> list[str]:
    """The vendor topics the enabled recipes triggered by ``account`` listen to (sorted)."""
    info = accounts.get_account(account)
    conn = accounts.connector(info.connector)
    wanted: set[str] = set()
    for r in recipes.list_recipes():
        app, _, event = r.trigger.partition(".")
        if r.enabled and r.bindings.get(app) == account:
            trigger = conn.trigger(event)
            if trigger is not None and trigger.webhook is not None:
                wanted.update(trigger.webhook.topics)
    return sorted(wanted)


def register(account: str, public_url: str) -> list[tuple[str, str]]:
    """Subscribe ``<public_url>/hooks/<account>/<topic>`` to every topic the account's enabled recipes use,
    through the vendor's API (idempotent: an existing subscription is kept). Returns (topic, vendor id) pairs.

    Raises:
        SetupError: the connector cannot register webhooks through its API (set them up in the vendor's
            admin with the addresses :func:`callback_urls` gives), or the vendor refused.
    """
    base = public_url.rstrip("/")
    if not base.startswith(("http://", "https://")):
        raise SetupError(f"the listener's public address must start with http:// or https://, not {public_url!r}")
    info = accounts.get_account(account)
    conn = accounts.connector(info.connector)
    topics = topics_in_use(account)
    if not topics:
        raise SetupError(f"no enabled recipe is triggered by '{account}' through a webhook",
                         hint="enable a recipe whose trigger can be instant, then register again")
    registered = []
    with accounts.client(account) as client:
        for topic in topics:
            hook = next(t.webhook for t in conn.triggers if t.webhook is not None and topic in t.webhook.topics)
            if hook.register is None:
                raise SetupError(f"{conn.name_en} webhooks are set up in its own admin, not through its API",
                                 hint="add these addresses there: " + ", ".join(callback_urls(account, base)))
            registered.append((topic, hook.register(client, topic, f"{base}/hooks/{account}/{topic}")))
    return registered


def callback_urls(account: str, public_url: str) -> list[str]:
    """The addresses to give the vendor for the account's topics in use."""
    return [f"{public_url.rstrip('/')}/hooks/{account}/{topic}" for topic in topics_in_use(account)]


def status(*, quiet_hours: float = 24.0) -> dict[str, dict[str, Any]]:
    """Per account with instant triggers in use: each topic's last delivery and the topics gone quiet
    (delivered before, nothing for ``quiet_hours``) — webhooks that stop silently are the common failure,
    which the reconciliation poll covers but the owner should hear about."""
    out: dict[str, dict[str, Any]] = {}
    for info in accounts.list_accounts():
        try:
            topics = topics_in_use(info.name)
        except SetupError:  # a connector that is no longer installed
            continue
        if topics:
            seen = last_received(info.name)
            out[info.name] = {"last": {t: seen.get(t) for t in topics},
                              "quiet": silent(info.name, tuple(topics), hours=quiet_hours)}
    return out
