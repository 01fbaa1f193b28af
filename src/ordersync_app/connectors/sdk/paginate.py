"""Paginators: how a vendor's list answers say "there is more", as small declarations.

Each paginator is a frozen declaration; :meth:`begin` makes the mutable state of one read, which
follows dlt's three steps (``rest_client/paginators.py``): the state gives the paging parameters of
the next request (``params``/``url``), reads the answer (``advance``), and says whether another page
exists. The read driver (:mod:`.read`) refuses a repeated page token, as Meltano's
``BaseAPIPaginator.advance`` does, and restarts sorted reads by key (keyset restart) so that a
record changing while pages are read cannot shift another one past the cursor.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from ordersync_app.connectors.sdk.paths import dig

_LINK = re.compile(r'<([^>]+)>\s*;\s*rel="?([^";]+)"?')


class PagingState(Protocol):
    """The paging state of one read (see the module docstring)."""

    url: str | None  # a full or relative URL to request instead of the declared path

    def params(self) -> dict[str, Any]:
        """Paging parameters of the next request (merged into the request's parameters)."""
        ...

    def token(self) -> Any:
        """What identifies the next page (the loop check compares it)."""
        ...

    def advance(self, response: httpx.Response, body: Any, items: list[Any]) -> bool:
        """Read an answer; True when another page follows."""
        ...


class Paginator(Protocol):
    """A paging declaration (frozen); ``begin`` makes a fresh state."""

    def begin(self, size: int) -> PagingState:
        """The state of a new read with pages of ``size`` items."""
        ...

    def page_size(self, wanted: int) -> int:
        """The page size to ask for: ``wanted`` within the vendor's maximum."""
        ...


class _State:
    url: str | None = None

    def __init__(self, params: dict[str, Any]) -> None:
        self._params = params

    def params(self) -> dict[str, Any]:
        return dict(self._params)

    def token(self) -> Any:
        return self.url or tuple(sorted(self._params.items()))


@dataclass(frozen=True)
class PageNumber:
    """``page=1,2,3…`` (``start`` for zero-based vendors), with the size in ``size_param``.

    There is another page while the page is full, or as the vendor says: a total-pages header
    (WooCommerce ``X-WP-TotalPages``), a total-pages field, or a has-next field.
    """

    param: str = "page"
    start: int = 1
    size_param: str | None = None
    max_size: int = 100
    total_pages_header: str | None = None
    total_pages_path: str | None = None
    has_next_path: str | None = None

    def page_size(self, wanted: int) -> int:
        return max(1, min(wanted, self.max_size))

    def begin(self, size: int) -> PagingState:
        spec = self

        class State(_State):
            def __init__(self) -> None:
                self.page = spec.start
                super().__init__(self._current())

            def _current(self) -> dict[str, Any]:
                return {spec.param: self.page, **({spec.size_param: size} if spec.size_param else {})}

            def advance(self, response: httpx.Response, body: Any, items: list[Any]) -> bool:
                more = len(items) >= size
                if spec.total_pages_header and response.headers.get(spec.total_pages_header, "").isdigit():
                    more = self.page - spec.start + 1 < int(response.headers[spec.total_pages_header])
                elif spec.total_pages_path and isinstance(dig(body, spec.total_pages_path), int):
                    more = self.page - spec.start + 1 < int(dig(body, spec.total_pages_path))
                elif spec.has_next_path:
                    more = bool(dig(body, spec.has_next_path))
                self.page += 1
                self._params = self._current()
                return more and bool(items)

        return State()


@dataclass(frozen=True)
class Offset:
    """``offset=0,100,200…`` with ``limit``; more while the page is full or below a total field."""

    param: str = "offset"
    limit_param: str = "limit"
    max_size: int = 100
    total_path: str | None = None

    def page_size(self, wanted: int) -> int:
        return max(1, min(wanted, self.max_size))

    def begin(self, size: int) -> PagingState:
        spec = self

        class State(_State):
            def __init__(self) -> None:
                self.offset = 0
                super().__init__({spec.param: 0, spec.limit_param: size})

            def advance(self, response: httpx.Response, body: Any, items: list[Any]) -> bool:
                del response
                self.offset += len(items)
                self._params = {spec.param: self.offset, spec.limit_param: size}
                total = dig(body, spec.total_path) if spec.total_path else None
                if isinstance(total, int) and not isinstance(total, bool):
                    return bool(items) and self.offset < total
                return len(items) >= size

        return State()


@dataclass(frozen=True)
class NextToken:
    """An opaque token from the answer (``paging.next.after``) sent back in ``param``.

    ``has_more_path`` names a boolean the vendor sends beside it (GraphQL ``pageInfo.hasNextPage``).
    """

    token_path: str
    param: str
    size_param: str | None = None
    max_size: int = 100
    has_more_path: str | None = None

    def page_size(self, wanted: int) -> int:
        return max(1, min(wanted, self.max_size))

    def begin(self, size: int) -> PagingState:
        spec = self

        class State(_State):
            def __init__(self) -> None:
                super().__init__({spec.size_param: size} if spec.size_param else {})

            def advance(self, response: httpx.Response, body: Any, items: list[Any]) -> bool:
                del response
                token = dig(body, spec.token_path)
                more = bool(token)  # an empty page with a token goes on; a repeated token is refused
                if spec.has_more_path is not None:
                    more = more and bool(dig(body, spec.has_more_path))
                self._params = {**({spec.size_param: size} if spec.size_param else {}),
                                **({spec.param: token} if more else {})}
                return more

        return State()


@dataclass(frozen=True)
class LinkHeader:
    """RFC 8288 ``Link: <…>; rel="next"`` (WooCommerce, GitHub-style APIs)."""

    size_param: str | None = None
    max_size: int = 100
    rel: str = "next"

    def page_size(self, wanted: int) -> int:
        return max(1, min(wanted, self.max_size))

    def begin(self, size: int) -> PagingState:
        spec = self

        class State(_State):
            def __init__(self) -> None:
                super().__init__({spec.size_param: size} if spec.size_param else {})

            def advance(self, response: httpx.Response, body: Any, items: list[Any]) -> bool:
                del body
                links = {rel: url for url, rel in _LINK.findall(response.headers.get("Link", ""))}
                self.url = links.get(spec.rel)
                return bool(self.url) and bool(items)

        return State()


@dataclass(frozen=True)
class NextUrl:
    """A next-page URL inside the answer (Salesforce ``nextRecordsUrl``; ``done_path`` ends it).

    ``size_param`` names the parameter that carries the page size on the first request (the next
    URL carries everything itself); a ``Request.encode`` hook may move it into a header.
    """

    url_path: str
    done_path: str | None = None
    max_size: int = 2000
    size_param: str | None = None

    def page_size(self, wanted: int) -> int:
        return max(1, min(wanted, self.max_size))

    def begin(self, size: int) -> PagingState:
        spec = self

        class State(_State):
            def __init__(self) -> None:
                super().__init__({spec.size_param: size} if spec.size_param else {})

            def advance(self, response: httpx.Response, body: Any, items: list[Any]) -> bool:
                del response, items
                nxt = dig(body, spec.url_path)
                done = bool(dig(body, spec.done_path)) if spec.done_path else False
                self.url = str(nxt) if nxt and not done else None
                return self.url is not None

        return State()


@dataclass(frozen=True)
class SinglePage:
    """The vendor answers everything at once (small reference lists)."""

    max_size: int = 10_000

    def page_size(self, wanted: int) -> int:
        return max(1, min(wanted, self.max_size))

    def begin(self, size: int) -> PagingState:
        del size

        class State(_State):
            def __init__(self) -> None:
                super().__init__({})

            def advance(self, response: httpx.Response, body: Any, items: list[Any]) -> bool:
                return False

        return State()
