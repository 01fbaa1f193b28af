"""The one read loop behind every declarative trigger: windows, pages, keyset restarts, records.

What a hand-written ``fetch`` used to do in every connector lives here once, tested once:

* **Windows.** A vendor that caps one query's time span (``Cursor.max_window_seconds``) is read
  window by window; each window ends with a checkpoint so the cursor moves through empty history.
* **Keyset restart** (sorted sources). After each page the next request starts again *at the last
  cursor value read* instead of asking for "page N+1". A record that changes while pages are read
  moves to the end of the set and shifts nothing past the cursor; records read twice at the
  boundary are dropped by the engine's ``(key, version)`` de-duplication. When a whole page shares
  one cursor value the paginator's own next page is used for that value (no progress otherwise).
* **Unsorted sources** are read whole (per window) and confirmed by a second pass when they took
  more than one page, since a record leaving the filtered set mid-read shifts the others; the
  cursor moves only at the checkpoint that ends the window.
* **Loop check.** A repeated page token, or a page identical to the one before, is refused
  (:class:`ConnectorError`): the vendor is misbehaving and nothing may be skipped.
* **Closed start** over exclusive vendor parameters: the SDK asks one granularity earlier and drops
  what is earlier than the cursor itself (:meth:`CursorCodec.to_param`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import httpx

from ordersync_app.connectors.sdk.cursor import CursorCodec, CursorError, canonical_instant, parse_instant
from ordersync_app.connectors.sdk.paths import dig
from ordersync_app.connectors.sdk.spec import CursorKind, Fetch, Page, Trigger, TriggerContext
from ordersync_app.domain.errors import ConnectorError
from ordersync_app.domain.records import Record

if TYPE_CHECKING:
    from ordersync_app.connectors.sdk.http import ApiClient

_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")
MAX_CONFIRM_PASSES = 3  # a busy source may change during every pass; after these, the next poll catches up


def fill_path(path: str, client: ApiClient) -> str:
    """A declared path with ``{setting}`` placeholders filled from the account (URL-quoted), falling
    back to the settings' declared defaults (``/admin/api/{api_version}/graphql.json``)."""
    if "{" not in path:
        return path
    defaults = {s.key: s.default for s in client.connector.settings if s.default is not None}

    def value(match: re.Match[str]) -> str:
        found = client.account.settings.get(match.group(1)) or defaults.get(match.group(1))
        if not found:
            raise ConnectorError(f"{client.connector.name_en}: the path {path} needs the setting '{match.group(1)}'")
        return quote(str(found), safe="")

    return _PLACEHOLDER.sub(value, path)


def record_from(trigger: Trigger, item: Mapping[str, Any], *, codec: CursorCodec | None = None,
                where: str | None = None) -> Record:
    """The record a vendor item is, by the trigger's declaration (key, cursor, version, shape) — the same for
    an item read by a poll and one pushed by a webhook, so the engine sees one change once.

    Raises:
        ConnectorError: the item lacks its key or cursor field.
    """
    codec = codec or CursorCodec(trigger.cursor)
    where = where or trigger.key
    try:
        value = codec.canonical(dig(item, trigger.cursor.field))
    except CursorError as exc:
        raise ConnectorError(f"{where}: {exc}", hint="the cursor was not moved") from None
    key = trigger.record_key(item) if callable(trigger.record_key) else dig(item, trigger.record_key)
    if key in (None, ""):
        raise ConnectorError(f"{where}: a record has no '{trigger.record_key}'")
    version: Any = value
    if callable(trigger.version):
        version = trigger.version(item)
    elif trigger.version:
        version = dig(item, trigger.version)
    payload = trigger.shape(item) if trigger.shape else dict(item)
    changed = parse_instant(value) if codec.kind is CursorKind.INSTANT else None
    return Record(key=str(key), version=str(version), cursor_value=value, payload=payload, changed_at=changed)


def declarative_fetch(trigger: Trigger) -> Fetch:
    """The ``fetch`` of a declarative trigger."""
    codec = CursorCodec(trigger.cursor)

    def fetch(client: ApiClient, context: TriggerContext) -> Iterator[list[Record]]:
        return _Read(trigger, codec, client, context).pages()

    return fetch


class _Read:
    """One read of a declarative trigger."""

    def __init__(self, trigger: Trigger, codec: CursorCodec, client: ApiClient, context: TriggerContext) -> None:
        self.trigger, self.codec, self.client, self.context = trigger, codec, client, context
        self.cursor = trigger.cursor
        self.where = f"{client.connector.name_en} {trigger.key}"
        assert trigger.request is not None  # declarative triggers have one
        self.request = trigger.request
        paginator = trigger.paginator
        self.size = paginator.page_size(context.page_size or trigger.page_size) if paginator else \
            max(1, context.page_size or trigger.page_size)
        self.keyset = bool(self.cursor.sorted and self.cursor.param and paginator is not None)
        self.last_page: tuple[tuple[str, str], ...] = ()  # keys of the last page with records, across windows
        self.path = fill_path(self.request.path, client)

    # -- windows ----------------------------------------------------------------------------
    def pages(self) -> Iterator[list[Record]]:
        since = self.context.since
        if since is None and self.cursor.first_read_seconds:
            since = canonical_instant(datetime.now(UTC) - timedelta(seconds=self.cursor.first_read_seconds))
        # Bounds are rounded outwards to the vendor's granularity (and an exclusive start moves one step
        # earlier), so a window is cut that much shorter than the vendor's cap.
        span = max(1.0, self.cursor.max_window_seconds - 2 * self.cursor.granularity) \
            if self.cursor.max_window_seconds else 0
        if not span or self.codec.kind is not CursorKind.INSTANT:
            yield from self._window(since, self.context.until, last=True)
            return
        start = parse_instant(since) if since else datetime.now(UTC) - timedelta(seconds=span)
        end = parse_instant(self.context.until) if self.context.until else datetime.now(UTC)
        while True:
            stop = min(start + timedelta(seconds=span), max(end, start))
            last = stop >= end
            hi = canonical_instant(stop)
            # The last window of a read "up to now" keeps everything the vendor returns.
            yield from self._window(canonical_instant(start), hi, last=last, open_end=last and not self.context.until)
            if last:
                return
            start = stop

    def _window(self, lo: str | None, hi: str | None, *, last: bool, open_end: bool = False) -> Iterator[Page]:
        ordered = self.cursor.sorted
        seen: set[tuple[str, str]] = set()
        top: str | None = None
        passes = 0
        while True:
            passes += 1
            pages, fresh, counts = 0, 0, set()
            for page, page_top, count in self._pass(lo, hi, open_end=open_end):
                pages += 1
                counts.add(count)
                if page_top is not None and (top is None or self.codec.order(page_top) > self.codec.order(top)):
                    top = page_top
                kept = Page([r for r in page if (r.key, r.version) not in seen], ordered=ordered,
                            checkpoint=page_top if ordered else None)
                seen.update((r.key, r.version) for r in kept)
                fresh += len(kept)
                if kept or ordered:
                    yield kept
            moved = self.trigger.count_path is None or len(counts) > 1  # the vendor's count changed mid-read
            confirm = not ordered and not self.trigger.stable_order and pages > 1 and moved
            if not confirm or (passes > 1 and not fresh) or passes >= MAX_CONFIRM_PASSES:
                break
        end = top if last or hi is None else hi
        quiet = self.cursor.quiet_windows and not seen and not last  # a later checkpoint covers this window
        if end is not None and not quiet:  # the window is read: the cursor may move to its end
            yield Page([], ordered=ordered, checkpoint=end)

    # -- pages ------------------------------------------------------------------------------
    def _pass(self, lo: str | None, hi: str | None, *, open_end: bool
              ) -> Iterator[tuple[list[Record], str | None, Any]]:
        """Pages of one pass over [lo, hi): (records, highest cursor value in the page, the vendor's count)."""
        paginator = self.trigger.paginator
        state = paginator.begin(self.size) if paginator else None
        start, keyset = lo, self.keyset
        tokens: set[Any] = set()
        previous: tuple[tuple[str, str], ...] | None = None
        restarted = False
        while True:
            self._check_stop()
            token = (start, state.token() if state else None)
            if token in tokens:
                raise ConnectorError(f"{self.where}: the vendor sent the same page token twice ({token[1]!r})",
                                     hint="the cursor was not moved; the next run reads from it again")
            tokens.add(token)
            response, body = self._call(start, hi, state)
            items = self._items(body)
            records = [self._record(item) for item in items]
            raw_top = max((r.cursor_value for r in records), key=self.codec.order, default=None)
            ident = tuple((r.key, r.version) for r in records)
            if previous is not None and ident and ident == previous and not restarted:
                raise ConnectorError(f"{self.where}: the vendor answered the same page twice",
                                     hint="the cursor was not moved; the next run reads from it again")
            previous = ident
            if keyset and restarted and start is not None and records and \
                    self.codec.order(records[0].cursor_value) < self.codec.order(self.codec.shift(
                        start, self.cursor.granularity)):
                raise ConnectorError(f"{self.where}: the vendor answered records from before the requested start "
                                     f"'{self.cursor.param}' (it ignores it, or repeated an answer)",
                                     hint="the cursor was not moved; a source that ignores its start parameter "
                                          "must be declared unsorted")
            more = state.advance(response, body, items) if state else False
            inside = [r for r in records if self._inside(r, lo, hi, open_end=open_end)]
            if ident and not inside and ident == self.last_page:  # the previous window's last page, sent again
                raise ConnectorError(f"{self.where}: the vendor answered the previous window's page again",
                                     hint="the cursor was not moved; the next run reads from it again")
            self.last_page = ident or self.last_page
            kept = [r for r in inside if self._keep(r)]
            yield kept, raw_top, dig(body, self.trigger.count_path) if self.trigger.count_path else None
            if not more:
                return
            restarted = False
            progress = raw_top is not None and (start is None or self.codec.order(raw_top) > self.codec.order(start))
            if keyset and progress:
                assert paginator is not None
                start, state, restarted = raw_top, paginator.begin(self.size), True

    def _call(self, start: str | None, hi: str | None, state: Any) -> tuple[Any, Any]:
        params: dict[str, Any] = dict(self.request.params)
        for declared in self.trigger.params:
            value = self.context.params.get(declared.key, declared.default)
            if declared.send_as and value not in (None, ""):
                params[declared.send_as] = value
        if self.cursor.param and start is not None:
            params[self.cursor.param] = self.codec.to_param(start, start=True)
        if self.cursor.until_param and hi is not None:
            params[self.cursor.until_param] = self.codec.to_param(hi, start=False)
        url = state.url if state is not None else None
        if state is not None:
            params.update(state.params())
        if url:  # a next-page URL carries every parameter itself
            return self.client.call(self.request.method, self._same_host(url), family=self.request.family,
                                    headers=dict(self.request.headers) or None)
        kwargs = self.request.encode(params) if self.request.encode else {
            {"query": "params", "json": "json", "form": "data"}[self.request.body]: params}
        headers = {**self.request.headers, **(kwargs.pop("headers", {}) or {})}  # an envelope may add headers
        return self.client.call(self.request.method, self.path, family=self.request.family,
                                headers=headers or None, **kwargs)

    def _same_host(self, url: str) -> str:
        """A next-page address from the vendor, resolved against the account's; another host is refused,
        since the call would carry the account's credentials there."""
        base = httpx.URL(self.client.account.base_url.rstrip("/") + "/")
        target = base.join(url)
        if (target.scheme, target.host, target.port) != (base.scheme, base.host, base.port):
            raise ConnectorError(f"{self.where}: the vendor's next page is on another host ({target.host})",
                                 hint="OrderSync sends credentials only to the account's own address")
        return str(target)

    def _items(self, body: Any) -> list[Mapping[str, Any]]:
        found = self.trigger.records(body) if callable(self.trigger.records) else dig(body, self.trigger.records)
        if found is None:
            return []
        if not isinstance(found, list) or not all(isinstance(i, dict) for i in found):
            raise ConnectorError(f"{self.where}: the answer has no list of records at "
                                 f"'{self.trigger.records}'", hint="the vendor changed its answer; report it")
        return found

    def _record(self, item: Mapping[str, Any]) -> Record:
        return record_from(self.trigger, item, codec=self.codec, where=self.where)

    def _inside(self, record: Record, lo: str | None, hi: str | None, *, open_end: bool) -> bool:
        """Closed start ``>= lo``; ``< hi`` unless the window is open-ended (a read up to now)."""
        order = self.codec.order(record.cursor_value)
        if lo is not None and order < self.codec.order(lo):
            return False
        return open_end or hi is None or order < self.codec.order(hi)

    def _keep(self, record: Record) -> bool:
        return self.trigger.keep is None or bool(self.trigger.keep(record.payload))

    def _check_stop(self) -> None:
        if self.context.stop is not None and self.context.stop.is_set():
            from ordersync_app.domain.errors import Stopped

            raise Stopped(f"{self.where}: stopped")
