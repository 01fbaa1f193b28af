"""Associations between CRM records as an action: link record A to record B once, and tell whether they are.

Why it is in the SDK: an association is not a property of either record, so the batch writer's
property comparison cannot check it; reading one back means paging through everything a record is
linked to. The shape is HubSpot's associations v4 (``PublicApiSpecs/CRM/Associations/Rollouts/130902/v4/
associations.json`` @ 89a281c1, read, not copied [V]):

* ``POST {base}/{from}/{to}/batch/associate/default`` with ``{"inputs": [{"from": {"id"}, "to": {"id"}}]}``
  creates the default (unlabelled) association and answers ``results: [{from, to, associationSpec}]``;
  refusals come as ``errors`` naming ids in their ``context`` (its exact form for missing records is [U]).
* ``POST {base}/{from}/{to}/batch/read`` with ``{"inputs": [{"id", "after"?}]}`` answers, per record,
  ``{from: {id}, to: [{toObjectId, associationTypes}], paging?: {next: {after}}}`` (200, or 207 with
  ``errors`` for records that do not exist).

The write is KEYED: a pair that is already associated stays as it is, so a repeat changes nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from ordersync_app.connectors.sdk.crm_batch import refusals
from ordersync_app.connectors.sdk.spec import Deliver, ReadCurrent, Write, WriteResult

if TYPE_CHECKING:
    from ordersync_app.connectors.sdk.http import ApiClient

# Records per batch call. [U] HubSpot's own cap for v4 association batches is not in our sources; 100 is
# what its v3 batch APIs take, and stays inside any larger cap.
ASSOCIATION_BATCH = 100


def pair_path(base: str, write: Write | None, default_from: str, default_to: str) -> str:
    """``{base}/{from}/{to}`` for a write's ``from_object``/``to_object`` params (or the defaults)."""
    params = write.params if write else {}
    kinds = (params.get("from_object") or default_from, params.get("to_object") or default_to)
    return f"{base}/" + "/".join(quote(str(kind), safe="") for kind in kinds)


def associated(client: ApiClient, path: str, ids: list[str], wanted: dict[str, set[str]] | None = None
               ) -> dict[str, list[str]]:
    """The ids each record is associated with, through ``{path}/batch/read``.

    Each record's paging is followed to its end, or only until every id in ``wanted[record]`` was seen.
    Ids that are not numbers are skipped (CRM record ids are; such a record cannot exist).
    """
    found: dict[str, list[str]] = {}
    todo: list[dict[str, str]] = [{"id": i} for i in dict.fromkeys(ids) if i.isdigit()]
    while todo:
        body = client.json("POST", f"{path}/batch/read", json={"inputs": todo[:ASSOCIATION_BATCH]})
        todo = todo[ASSOCIATION_BATCH:]
        for r in body.get("results") or []:
            source = str((r.get("from") or {}).get("id"))
            found.setdefault(source, []).extend(str(t.get("toObjectId")) for t in r.get("to") or [])
            after = ((r.get("paging") or {}).get("next") or {}).get("after")
            if after and not (wanted and wanted.get(source, set()) <= set(found[source])):
                todo.append({"id": source, "after": str(after)})
    return found


def associator(base: str, default_from: str, default_to: str, *, to_field: str = "to_id") -> Deliver:
    """Deliver default associations: a write's ``match`` is the record to link, ``properties[to_field]`` the
    record it is linked to; ``from_object``/``to_object`` params name their object types."""
    def deliver(client: ApiClient, writes: list[Write]) -> list[WriteResult]:
        pairs = {w.ref: (str(w.match or ""), str(w.properties.get(to_field) or "")) for w in writes}
        bad = {ref for ref, (a, b) in pairs.items() if not (a.isdigit() and b.isdigit())}
        todo = [w for w in writes if w.ref not in bad]
        inputs = [{"from": {"id": pairs[w.ref][0]}, "to": {"id": pairs[w.ref][1]}} for w in todo]
        answer = client.json("POST", f"{pair_path(base, writes[0], default_from, default_to)}/batch/associate/"
                             "default", json={"inputs": inputs}, write=True) if todo else {}
        failed, loose = refusals(answer, [(v, w.ref) for w in todo for v in pairs[w.ref]])
        done = {(str(r["from"]["id"]), str(r["to"]["id"])) for r in answer.get("results") or []}

        def result(w: Write) -> WriteResult:
            pair = pairs[w.ref]
            if w.ref in bad:
                return WriteResult(w.ref, "rejected", message=f"both records need a numeric id (got {pair})")
            if w.ref in failed or (loose and pair not in done and pair[::-1] not in done):
                return WriteResult(w.ref, "rejected", message=failed.get(w.ref) or loose[0])
            return WriteResult(w.ref, "ok", target_id=f"{pair[0]}-{pair[1]}")
        return [result(w) for w in writes]
    return deliver


def association_reader(base: str, default_from: str, default_to: str, *, to_field: str = "to_id") -> ReadCurrent:
    """``{to_field: id}`` where the association exists; None where it does not (or a record is missing)."""
    def read(client: ApiClient, writes: list[Write]) -> list[dict[str, Any] | None]:
        wanted: dict[str, set[str]] = {}
        for w in writes:
            wanted.setdefault(str(w.match), set()).add(str(w.properties.get(to_field)))
        path = pair_path(base, writes[0] if writes else None, default_from, default_to)
        found = associated(client, path, list(wanted), wanted)
        return [{to_field: str(w.properties.get(to_field))}
                if str(w.properties.get(to_field)) in found.get(str(w.match), []) else None for w in writes]
    return read
