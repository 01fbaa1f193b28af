"""Response rules as data: how a vendor's answers map to what the HTTP layer does.

Many vendors answer errors inside HTTP 200 (Jushuitan ``code``, Wangdiantong ``status``, Yonyou
``code != "200"``, Kingdee ``IsSuccess: false``); others need one status split by the body
(Salesforce's ``REQUEST_LIMIT_EXCEEDED`` is the daily limit *or* the concurrent-request limit).
A connector states these as :class:`Rule` rows (Airbyte's ``HttpResponseFilter``, dlt's
``response_actions``); the first rule that matches decides, then the connector's ``classify``
hook, then the defaults of :func:`default_decision`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from ordersync_app.connectors.sdk.paths import dig
from ordersync_app.connectors.sdk.spec import Decision, ErrorMessage, Verdict

_PARSED = "_ordersync_json"


def parsed_json(response: httpx.Response) -> Any:
    """``response.json()``, parsed once per response: the rules, a connector's classifier and the caller all
    read the body (a 25-order GraphQL page parsed twice was a tenth of reading it). Treat it as read-only until
    the call returns it. Raises ValueError when the body is not JSON."""
    found = response.__dict__.get(_PARSED, _PARSED)
    if found is _PARSED:
        found = response.__dict__[_PARSED] = response.json()
    return found


def body_of(response: httpx.Response) -> Any:
    """The parsed JSON body, or None when the body is not JSON (an HTML error page)."""
    with contextlib.suppress(ValueError, UnicodeDecodeError):
        return parsed_json(response)
    return None


@dataclass(frozen=True)
class Rule:
    """When an answer matches, do ``verdict``.

    A rule matches when every condition given holds: ``status`` (one or several HTTP statuses),
    the value at ``path`` is one of ``equals`` / is present and not one of ``not_in``, and
    ``contains`` appears in that value (or in the body text when no ``path``).
    ``message`` is the path of the vendor's message; ``wait_seconds`` a long wait (daily limits).
    ``explain`` says what the answer means in plain words, in English and Chinese (a row of the
    vendor's error table); the user then reads both, followed by the vendor's own words.
    """

    verdict: Verdict
    status: int | tuple[int, ...] | None = None
    path: str | None = None
    equals: tuple[Any, ...] = ()
    not_in: tuple[Any, ...] | None = None
    contains: str | None = None
    message: str | None = None
    wait_seconds: float | None = None
    explain: tuple[str, ...] = ()

    def matches(self, response: httpx.Response, body: Any) -> bool:
        """Whether this rule applies to the answer."""
        if self.status is not None:
            wanted = self.status if isinstance(self.status, tuple) else (self.status,)
            if response.status_code not in wanted:
                return False
        value = dig(body, self.path) if self.path else None
        if self.path and (self.equals or self.not_in is not None):
            if value is None:
                return False
            if self.equals and value not in self.equals and str(value) not in map(str, self.equals):
                return False
            if self.not_in is not None and (value in self.not_in or str(value) in map(str, self.not_in)):
                return False
        if self.contains is not None:
            text = str(value) if self.path else response.text
            if self.contains not in text:
                return False
        return True


def on(verdict: Verdict, **conditions: Any) -> Rule:
    """A rule, written as ``on(Verdict.RETRY, path="code", equals=(199, 200))``."""
    for key in ("equals", "not_in"):
        if key in conditions and not isinstance(conditions[key], tuple | type(None)):
            conditions[key] = (conditions[key],)
    return Rule(verdict, **conditions)


def decide(rules: Sequence[Rule], response: httpx.Response) -> Decision | None:
    """The decision of the first matching rule, with its message (None when none matches)."""
    if not rules:
        return None
    body = body_of(response)
    for rule in rules:
        if rule.matches(response, body):
            found = dig(body, rule.message) if rule.message else None
            message = None if found is None else str(found)
            if rule.explain:  # plain words first, then the vendor's own
                plain = " / ".join(rule.explain)
                message = f"{plain} ({message})" if message else plain
            return Decision(rule.verdict, message, rule.wait_seconds)
    return None


def default_decision(response: httpx.Response) -> Decision:
    """The default rules: 2xx ok; 408, 429 and 5xx retry; 401 re-authenticate; 403 and 3xx are the
    account's setup (a redirect names the new address); other 4xx refuse the record."""
    status = response.status_code
    if 200 <= status < 300:
        return Decision(Verdict.OK)
    if status in (408, 429) or status >= 500:
        return Decision(Verdict.RETRY)
    if status == 401:
        return Decision(Verdict.REAUTH)
    if 300 <= status < 400:
        where = response.headers.get("Location")
        return Decision(Verdict.SETUP, f"the server moved (HTTP {status})" + (f" to {where}" if where else "")
                        + ": correct the account's address")
    if status == 403:
        return Decision(Verdict.SETUP)
    return Decision(Verdict.REJECT)


def message_at(*paths: str, tags: tuple[str, ...] = ()) -> ErrorMessage:
    """An ``error_message`` hook reading the first of ``paths`` that is present (then the raw text);
    the first of ``tags`` present adds a code in brackets (``"[VALIDATION_ERROR]"``)."""

    def message(response: httpx.Response) -> str:
        body = body_of(response)
        found = next((str(v) for p in paths if (v := dig(body, p)) not in (None, "")), None)
        code = next((v for t in tags if (v := dig(body, t)) not in (None, "")), None)
        text = found if found is not None else response.text
        return f"{text} [{code}]" if code not in (None, "") else text

    return message


def coded_message(code: str, said: str, plain: Mapping[Any, tuple[str, str]], *,
                  tags: tuple[str, ...] = ()) -> ErrorMessage:
    """An ``error_message`` hook for vendors that answer a code (often inside HTTP 200): our plain words
    for known codes in both languages, then the vendor's own text, the code and ``tags`` such as a trace id.

    ``plain`` maps a code (compared as text, vendors mix ``"310036"`` and ``310036``) to ``(en, zh)``.
    """
    table = {str(k): v for k, v in plain.items()}

    def message(response: httpx.Response) -> str:
        body = body_of(response)
        if not isinstance(body, dict):
            return response.text[:300]
        value, text = body.get(code), str(dig(body, said) or "")
        words = table.get(str(value))
        shown = f"{words[0]} / {words[1]}" + (f" ({text})" if text else "") if words else text or response.text[:300]
        extra = ", ".join(f"{t} {v}" for t in tags if (v := dig(body, t)) not in (None, ""))
        return f"{shown} [{code} {value}" + (f", {extra}]" if extra else "]")

    return message
