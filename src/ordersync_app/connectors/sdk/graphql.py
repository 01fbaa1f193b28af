"""GraphQL over HTTP for connectors: documents kept as data, one call, errors inside HTTP 200, nested lists paged.

Why it is in the SDK: a GraphQL API answers HTTP 200 for most failures (``{"errors": [...]}`` with
``extensions.code``), refuses a mutation's input in the payload's ``userErrors``, and caps what one
query may cost, so a list nested in a page (an order's line items) must be read on in follow-up
queries. These are properties of GraphQL as vendors serve it (the spec's response format, Relay
connections), not of one vendor; the vendor states only its codes and documents.

Documents live in a ``.graphql`` file beside the connector (:func:`operations`): the contract tests
validate every document sent against the vendor's published schema.
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
import threading
import time
from collections.abc import Callable, Collection, Iterator
from importlib import resources
from typing import TYPE_CHECKING, Any

from graphql import FragmentDefinitionNode, OperationDefinitionNode, parse, print_ast

from ordersync_app.connectors.sdk.cursor import canonical_instant, parse_instant
from ordersync_app.connectors.sdk.paginate import NextToken
from ordersync_app.connectors.sdk.paths import dig
from ordersync_app.connectors.sdk.read import fill_path
from ordersync_app.connectors.sdk.rules import parsed_json
from ordersync_app.connectors.sdk.spec import Classify, Encode, Trigger, Verdict, WriteResult
from ordersync_app.domain.errors import ConnectorError

if TYPE_CHECKING:
    import httpx

    from ordersync_app.connectors.sdk.http import ApiClient
    from ordersync_app.connectors.sdk.spec import TriggerContext
    from ordersync_app.domain.records import Record


def operations(package: str, filename: str) -> dict[str, str]:
    """The named operations of a ``.graphql`` data file beside a connector (see :func:`operations_in`)."""
    return operations_in(resources.files(package).joinpath(filename).read_text("utf-8"), filename)


def operations_in(text: str, where: str = "document") -> dict[str, str]:
    """The named operations of a GraphQL text, each as its own document with the fragments it spreads.

    Raises:
        ValueError: an operation has no name, or a name is used twice.
    """
    document = parse(text)
    fragments = {d.name.value: print_ast(d) for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    found: dict[str, str] = {}
    for node in document.definitions:
        if isinstance(node, OperationDefinitionNode):
            name = node.name.value if node.name else ""
            if not name or name in found:
                raise ValueError(f"{where}: every operation needs its own name ({name or 'unnamed'})")
            printed = print_ast(node)
            used: list[str] = []
            while more := [f for f in fragments if f"...{f}" in printed and f not in used]:
                used += more
                printed += "".join(fragments[f] for f in more)
            found[name] = "\n\n".join([print_ast(node), *(fragments[f] for f in used)])
    return found


def errors_of(response: httpx.Response) -> Any:
    """The ``errors`` member of a JSON answer (a list, or a vendor's object or text), or None."""
    with contextlib.suppress(ValueError):
        body = parsed_json(response)
        return body.get("errors") if isinstance(body, dict) else None
    return None


def classifier(*, retry: Collection[str], setup: Collection[str]) -> Classify:
    """Errors inside HTTP 200 by ``extensions.code``: ``retry`` codes are retried, ``setup`` codes mean the
    account lacks access, any other error refuses the request (the record)."""
    def classify(response: httpx.Response) -> Verdict | None:
        errors = errors_of(response) if response.status_code == 200 else None
        if not errors:
            return None
        codes = {(e.get("extensions") or {}).get("code") for e in errors if isinstance(e, dict)} \
            if isinstance(errors, list) else set()
        if codes & set(retry):
            return Verdict.RETRY
        return Verdict.SETUP if codes & set(setup) else Verdict.REJECT
    return classify


def error_message(response: httpx.Response) -> str:
    """The vendor's words: every error's message, or an error object's fields, or the body."""
    errors = errors_of(response)
    if isinstance(errors, list):
        return "; ".join(str(e.get("message", e)) if isinstance(e, dict) else str(e) for e in errors)
    if isinstance(errors, dict):  # {"query": "Required parameter missing or invalid"}
        return "; ".join(f"{k}: {v}" for k, v in errors.items())
    return str(errors or response.text)


_COST = re.compile(rb'"(requestedQueryCost|actualQueryCost|maximumAvailable|currentlyAvailable|restoreRate)"'
                   rb'\s*:\s*(-?[\d.]+|null)')


class CostPacer:
    """Paces an account's GraphQL calls by the cost the vendor reports (``extensions.cost``: Shopify's
    ``requestedQueryCost``, ``actualQueryCost`` and ``throttleStatus`` — https://shopify.dev/docs/apps/build/
    apis/graphql-admin/rate-limits [V]) instead of a fixed request rate.

    The bucket is known from the latest answer (maximum, points available, restore rate per second) and
    refilled in between by the clock. A query may start when the bucket holds its *requested* cost (the
    vendor checks that, then refunds the difference to the actual cost); the cost of a document (and page
    size) is learnt from its previous answer, so only the first call of a kind goes unpaced. The expected
    actual cost is reserved at once, so parallel callers wait for their own points. Until the first answer
    nothing is known and nothing waits (the bucket starts full); a THROTTLED answer carries the status too,
    so its retry waits exactly for the points it lacks.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._bucket: tuple[float, float, float, float] | None = None  # maximum, available, restore/s, at
        self._requested: dict[Any, float] = {}
        self._actual: dict[Any, float] = {}

    @staticmethod
    def _kind(body: Any) -> Any:
        """A request's kind for cost purposes: its document and page size."""
        if not isinstance(body, dict) or not isinstance(body.get("query"), str):
            return None
        variables = body.get("variables") or {}
        return hash(body["query"]), variables.get("first") if isinstance(variables, dict) else None

    def before(self, body: Any) -> float:
        kind = self._kind(body)
        with self._lock:
            if self._bucket is None or kind is None:
                return 0.0
            maximum, available, restore, at = self._bucket
            now = self._clock()
            have = min(maximum, available + (now - at) * restore)
            need = min(self._requested.get(kind, 0.0), maximum)
            delay = max(0.0, (need - have) / restore) if restore > 0 else 0.0
            spend = self._actual.get(kind, need)
            # At now + delay the bucket holds ``need``; the call takes ``spend`` of it from then on.
            self._bucket = (maximum, have + delay * restore - spend, restore, now + delay)
            return delay

    def after(self, body: Any, response: httpx.Response) -> None:
        tail = response.content[-2048:]  # extensions come last: no second parse of a whole page
        found = {name.decode(): value for name, value in _COST.findall(tail)}
        if "currentlyAvailable" not in found:
            return
        try:
            maximum, available = float(found["maximumAvailable"]), float(found["currentlyAvailable"])
            restore = float(found["restoreRate"])
        except (KeyError, ValueError):
            return
        kind = self._kind(body)
        with self._lock:
            self._bucket = (maximum, available, restore, self._clock())
            if kind is not None and found.get("requestedQueryCost", b"null") != b"null":
                self._requested[kind] = float(found["requestedQueryCost"])
            if kind is not None and found.get("actualQueryCost", b"null") != b"null":
                self._actual[kind] = float(found["actualQueryCost"])


def run(client: ApiClient, path: str, document: str, variables: dict[str, Any] | None = None, *,
        write: bool = False) -> dict[str, Any]:
    """One operation; its ``data`` (errors were turned into exceptions by the client's rules). ``path`` may hold
    ``{setting}`` placeholders (``/admin/api/{api_version}/graphql.json``), filled from the account."""
    body = client.json("POST", fill_path(path, client), json={"query": document, "variables": variables or {}},
                       write=write)
    return dict((body or {}).get("data") or {})


def user_errors(payload: dict[str, Any] | None) -> str:
    """A mutation payload's ``userErrors`` as one message ("" when there are none)."""
    return "; ".join(str(e.get("message")) for e in (payload or {}).get("userErrors") or [])


def outcome(ref: str, payload: dict[str, Any] | None, node: str, *, created: bool = False,
            missing: str = "not found") -> WriteResult:
    """A mutation payload as one write's result: its ``userErrors`` (or no ``node``) refuse the write; otherwise
    the node's id (``legacyResourceId``, else the last part of its global id) and its ``updatedAt`` as the stamp."""
    found = (payload or {}).get(node)
    if refused := user_errors(payload) or ("" if found else missing):
        return WriteResult(ref, "rejected", message=refused)
    assert found is not None
    target = found.get("legacyResourceId") or str(found.get("id", "")).rsplit("/", 1)[-1]
    stamp = canonical_instant(parse_instant(str(found["updatedAt"]))) if found.get("updatedAt") else None
    return WriteResult(ref, "ok", target_id=str(target), created=created, message="created" if created else None,
                       stamp=stamp)


def rest_of(client: ApiClient, path: str, document: str, variables: dict[str, Any], connection: str,
            page_info: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The nodes of a nested connection after its first page (``page_info`` from that page), by running
    ``document`` with ``after`` until ``hasNextPage`` is false; ``connection`` is the path to the
    connection in the answer's data (``order.lineItems``).

    Raises:
        ConnectorError: the vendor repeats a cursor (it would loop).
    """
    nodes: list[dict[str, Any]] = []
    seen: set[str] = set()
    while page_info and page_info.get("hasNextPage"):
        after = str(page_info.get("endCursor") or "")
        if not after or after in seen:
            raise ConnectorError(f"the vendor repeated the page cursor {after!r} of {connection}")
        seen.add(after)
        found = dig(run(client, path, document, {**variables, "after": after}), connection) or {}
        nodes += found.get("nodes") or []
        page_info = found.get("pageInfo")
    return nodes


def search_window(document: str, field: str, sort: str, extra: str = "") -> Encode:
    """A declarative trigger's page as the variables of a connection read with a search string: ``<field>:>='<since>'``
    (closed start) and ``<field>:<'<until>'`` joined with ``extra`` (Shopify's search syntax,
    https://shopify.dev/docs/api/usage/search-syntax [V]), ``first``/``after`` and ``sortKey``."""
    def encode(p: dict[str, Any]) -> dict[str, Any]:
        terms = [f"{field}:{op}'{p[k]}'" for op, k in ((">=", "since"), ("<", "until")) if p.get(k)]
        return {"json": {"query": document, "variables": {
            "first": p["first"], "after": p.get("after"), "sortKey": sort,
            "query": " ".join([*terms, extra]).strip() or None}}}
    return encode


def relay_pages(connection: str, size: int) -> NextToken:
    """Relay paging of a top-level connection: ``first``/``after``, ``data.<connection>.pageInfo``."""
    return NextToken(f"data.{connection}.pageInfo.endCursor", "after", size_param="first", max_size=size,
                     has_more_path=f"data.{connection}.pageInfo.hasNextPage")


def completed(trigger: Trigger, finish: Callable[[ApiClient, dict[str, Any]], None]) -> Trigger:
    """The trigger with ``finish(client, payload)`` run on each record read, before its page is passed on:
    for what a page could not hold (a nested connection cut short by the query cost cap)."""
    read = trigger.fetch
    assert read is not None  # set by Trigger.__post_init__

    def fetch(client: ApiClient, context: TriggerContext) -> Iterator[list[Record]]:
        for page in read(client, context):
            for record in page:
                finish(client, record.payload)
            yield page
    return dataclasses.replace(trigger, fetch=fetch)
