"""Batch writes and reads for CRM object APIs of HubSpot's v3 shape, with each answer mapped back to its write.

Why it is in the SDK: the hard part of a batch is not sending it but telling, for every write, what
happened to it. ``POST {objects}/batch/{update|upsert|create}`` answers 200 with ``results`` or 207 with
``results`` *and* ``errors``; a result names its write by ``objectWriteTraceId`` or by the matched
property's value, an error names its inputs only through the values in its ``context``. This module
does that mapping once (one pass over the answer) and never claims success for a write an error may
concern. HubSpot is its first user; any CRM answering the same shape can declare its actions with it.

The shape (HubSpot ``…/Deals/Rollouts/424/v3/deals.json`` @ fea35957, ``…/Line Items/…/v3/lineItems.json``
@ 78a8b80f [V]): inputs ``{id, idProperty, properties, objectWriteTraceId}`` (creates: ``{properties,
associations, objectWriteTraceId}``), results ``{id, properties, updatedAt, new}``, errors ``{message,
category, context: {name: [values]}}``; property values travel as strings.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ordersync_app.connectors.sdk.batch import distinct_rounds
from ordersync_app.connectors.sdk.cursor import canonical_instant, parse_instant
from ordersync_app.connectors.sdk.spec import Deliver, ReadCurrent, Write, WriteResult

if TYPE_CHECKING:
    from ordersync_app.connectors.sdk.http import ApiClient

BATCH_MAX = 100  # inputs per batch call (HubSpot: API-FACTS-DETAIL §1 [S]; the emulator refuses more)
# Extra keys of one input beyond its properties (e.g. a create's ``associations``); raising ValueError
# rejects that write with the error's text and sends the others.
Extras = Callable[[Write], dict[str, Any]]
# Adds values that are not properties of the object (its associations) to objects read by id.
MoreValues = Callable[["ApiClient", list[dict[str, Any]]], None]


def strings(values: dict[str, Any], *, skip: tuple[str, ...] = ()) -> dict[str, str]:
    """Property values as the API takes them: text; None clears (``""``); booleans lowercase; lists and
    objects as JSON. Keys in ``skip`` are the action's own (not properties) and are left out."""
    def one(value: Any) -> str:
        if value is None or isinstance(value, bool):
            return "" if value is None else str(value).lower()
        return json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else str(value)
    return {key: one(value) for key, value in values.items() if key not in skip}


def fold(value: Any) -> str:
    """A matched value as compared with the vendor's echo of it (case-insensitive, as unique properties are)."""
    return str(value).casefold()


def stamp(result: dict[str, Any]) -> str | None:
    """The object's ``updatedAt`` after the write, as canonical UTC text (None when absent or unreadable)."""
    try:
        return canonical_instant(parse_instant(str(result["updatedAt"])))
    except (KeyError, ValueError):
        return None


def refusals(answer: dict[str, Any], names: dict[str, str] | list[tuple[str, str]]
             ) -> tuple[dict[str, str], list[str]]:
    """The writes a 207 answer's ``errors`` refuse, and the errors that name none of them.

    An error names its inputs only through values in its ``context`` (``{"ids": ["5012"]}``), so
    ``names`` maps each value a write is known by (its matched value, its reference) to the write's
    reference; a value several writes share refuses them all.

    Returns:
        ``({ref: message}, [messages of errors that name no write])``.
    """
    by_value: dict[str, list[str]] = {}
    for value, ref in names.items() if isinstance(names, dict) else names:
        by_value.setdefault(fold(value), []).append(ref)
    failed: dict[str, str] = {}
    loose: list[str] = []
    for err in answer.get("errors") or []:
        named = {str(v) for vs in (err.get("context") or {}).values() if isinstance(vs, list) for v in vs}
        hits = [ref for n in named for ref in by_value.get(fold(n), [])]
        message = f"{err.get('message') or 'the vendor refused this record'} [{err.get('category')}]"
        failed.update(dict.fromkeys(hits, message))
        loose += [] if hits else [message]
    return failed, loose


def batch_writer(path: str, op: str, default_property: str | None, *, extras: Extras | None = None,
                 skip: tuple[str, ...] = ()) -> Deliver:
    """Deliver through ``{path}/batch/{op}`` (``update``, ``upsert`` or ``create``).

    Args:
        path: the object collection, e.g. ``/crm/v3/objects/0-3``.
        op: the batch operation; a create names no existing object and sends ``associations``.
        default_property: the unique property writes are matched on (a write's ``id_property`` param
            overrides it); None matches on the vendor's object id.
        extras: more keys for each input (a create's associations).
        skip: write values that are the action's own, not properties of the object.
    """
    creates = op == "create"

    def send(client: ApiClient, inputs: list[tuple[Write, dict[str, Any]]], prop: str | None
             ) -> dict[str, WriteResult]:
        """One call for writes to distinct objects; each write's result from the 200/207 answer."""
        todo, out = [w for w, _more in inputs], {}
        key = {"id": "", **({"idProperty": prop} if prop else {})}
        body = {"inputs": [{**({"associations": []} if creates else {**key, "id": str(w.match)}), **more,
                            "properties": strings(w.properties, skip=skip), "objectWriteTraceId": w.ref}
                           for w, more in inputs]}
        answer = client.json("POST", f"{path}/batch/{op}", json=body, write=True)
        by_trace, by_value = {}, {}
        for r in answer.get("results") or []:
            by_trace[r.get("objectWriteTraceId")] = r
            by_value[fold((r.get("properties") or {}).get(prop or "hs_object_id", r.get("id")))] = r
        failed, loose = refusals(answer, {v: w.ref for w in todo for v in (str(w.match), w.ref)})
        for w in todo:
            found = by_trace.get(w.ref) or by_value.get(fold(w.match))
            if w.ref in failed or (found is None and loose):  # never claim success for an unattributed error
                out[w.ref] = WriteResult(w.ref, "rejected", message=failed.get(w.ref) or loose[0])
                continue
            created = bool(found and (creates or found.get("new")))
            out[w.ref] = WriteResult(w.ref, "ok", target_id=str(found["id"]) if found else None,
                                     message="created" if created else None, created=created,
                                     stamp=stamp(found) if found else None)
        return out

    def deliver(client: ApiClient, writes: list[Write]) -> list[WriteResult]:
        out = {w.ref: WriteResult(w.ref, "rejected", message="no value to match on") for w in writes if not w.match}
        inputs: list[tuple[Write, dict[str, Any]]] = []
        for w in (w for w in writes if w.ref not in out):
            try:
                more = extras(w) if extras else {}
            except ValueError as exc:
                out[w.ref] = WriteResult(w.ref, "rejected", message=str(exc))
                continue
            inputs.append((w, more))
        prop = (inputs[0][0].params.get("id_property") if inputs else None) or default_property
        # Two writes to one object in one call are refused (duplicate ids): they go in consecutive calls, in order.
        for group in distinct_rounds(inputs, key=lambda pair: fold(pair[0].match)):
            out.update(send(client, group, prop))
        return [out[w.ref] for w in writes]
    return deliver


def batch_reader(path: str, default_property: str | None, *, more: MoreValues | None = None,
                 skip: tuple[str, ...] = ()) -> ReadCurrent:
    """Current values of the written properties through ``{path}/batch/read`` (by the unique property if
    any); a write whose object is missing reads as None. ``more`` adds values that are not properties
    (``skip``), such as the object an item is associated with."""
    def read(client: ApiClient, writes: list[Write]) -> list[dict[str, Any] | None]:
        found: dict[str, dict[str, Any]] = {}
        prop = (writes[0].params.get("id_property") if writes else None) or default_property
        for start in range(0, len(writes), BATCH_MAX):
            chunk = [w for w in writes[start:start + BATCH_MAX] if w.match]
            names = sorted({k for w in chunk for k in w.properties if k not in skip} | ({prop} if prop else set()))
            body = {"inputs": [{"id": str(w.match)} for w in chunk], "properties": names,
                    "propertiesWithHistory": [], **({"idProperty": prop} if prop else {})}
            for r in (client.json("POST", f"{path}/batch/read", json=body) if chunk else {}).get("results") or []:
                values = {**(r.get("properties") or {}), "id": str(r.get("id"))}
                found[fold(values.get(prop) if prop else r.get("id"))] = values
        if more and found:
            more(client, list(found.values()))
        return [{k: found[m].get(k) for k in w.properties} if (m := fold(w.match)) in found else None
                for w in writes]
    return read
