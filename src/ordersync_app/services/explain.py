"""Errors in plain words, in English and Chinese: what happened, why, what to do, and which fix to offer.

Why this exists: the HTTP layer and the engine classify every failure by *who must act*
(:mod:`ordersync_app.domain.errors`) and keep the vendor's own answer, which is written for developers —
HubSpot's ``Property values were not valid: [{"isValid": false, "message": "\\u5df2\\u53d1\\u8d27 was not
one of the allowed options…", "error": "INVALID_OPTION", "name": "dealstage"}]`` is a correct report and
useless to a shop owner. This module turns a classified error, or the text stored for a failed record, a
run or an account, into an :class:`Explanation`: a short *what*, a *why* naming the field and the offending
value (Chinese shown as Chinese: ``\\uXXXX`` escapes are decoded), a *what to do*, the id of the button the
GUI offers (``pick_valid_stage``, ``reconnect_account``, ``open_recipe_field``…) and the raw answer for a
folded "Details".

Known vendor errors are **data**, not code: ``known_errors.json`` beside this module lists, per connector,
the patterns that recognise an error, the patterns that pull out the field and value, and the sentences in
both languages (each entry cites its vendor source). The first matching entry wins; when none matches, a
sentence chosen by the error's class (record refused, account, outage, recipe, bug) is used, so every error
gets an explanation. No Qt: the GUI and the CLI both call :func:`explain`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from ordersync_app.connectors.sdk import registry
from ordersync_app.domain.errors import (
    AuthError,
    BugError,
    OrderSyncError,
    RecipeError,
    RecordRejected,
    SetupError,
    TransientError,
)
from ordersync_app.domain.redact import mask

__all__ = ["Explanation", "Text", "decode_escapes", "explain", "known_errors"]

_ESCAPES = re.compile(r"(?:\\u[0-9a-fA-F]{4})+")
_CJK = r"\u3000-\u303f\u4e00-\u9fff\uff00-\uffef"
_CJK_GAP = re.compile(rf"(?<=[{_CJK}])\s+(?=[{_CJK}“”])|(?<=[“”])\s+(?=[{_CJK}])")


@dataclass(frozen=True)
class Text:
    """One sentence in both languages."""

    en: str
    zh: str

    def pick(self, lang: str) -> str:
        """The sentence for ``lang`` (``zh_CN`` → Chinese; anything else → English)."""
        return self.zh if lang.startswith("zh") and self.zh else self.en


@dataclass(frozen=True)
class Explanation:
    """An error told to a shop owner.

    Attributes:
        key: the table entry that recognised it (``hubspot.invalid_option``) or ``generic.<kind>``.
        who: who must act: ``recipe``, ``data``, ``account``, ``vendor`` (wait) or ``app`` (OrderSync).
        what: what happened, one short line.
        why: the cause, naming the field and the offending value when known.
        todo: what to do about it.
        action: the id of the fix the GUI offers (``pick_valid_stage``, ``reconnect_account``,
            ``open_recipe_field``, ``open_recipe``, ``unlock_keychain``, ``resend``, ``wait``, ``open_log``), or None.
        field: the target field concerned (``dealstage``; ``match`` for the value a record is found by).
        value: the offending value, decoded (``已发货``).
        options: the values the vendor accepts, when it said so.
        details: the raw answer (masked, escapes decoded) for a folded "Details" section.
    """

    key: str
    who: str
    what: Text
    why: Text
    todo: Text
    action: str | None = None
    field: str | None = None
    value: str | None = None
    options: tuple[str, ...] = ()
    details: str = ""

    @property
    def group(self) -> str:
        """Errors with the same group have the same cause and the same fix (one line in the failed queue)."""
        return "|".join((self.key, self.field or "", self.value or ""))

    def render(self, lang: str) -> str:
        """What, why and what to do as one paragraph."""
        if lang.startswith("zh"):
            return f"{self.what.zh}。{self.why.zh}{self.todo.zh}"
        return f"{self.what.en}. {self.why.en} {self.todo.en}"


@dataclass(frozen=True)
class _Entry:
    key: str
    connectors: tuple[str, ...]
    when: tuple[re.Pattern[str], ...]
    extract: tuple[re.Pattern[str], ...]
    needs: tuple[str, ...]
    who: str
    action: str | None
    action_by_field: dict[str, str]
    field: str | None
    what: Text
    why: Text
    todo: Text
    source: str = ""


def _text(data: dict[str, str]) -> Text:
    return Text(data["en"], data["zh"])


@cache
def known_errors() -> tuple[_Entry, ...]:
    """The table of known errors (``known_errors.json``), compiled once."""
    data = json.loads(resources.files("ordersync_app.services").joinpath("known_errors.json").read_text("utf-8"))
    entries = []
    for item in data["errors"]:
        entries.append(_Entry(
            key=item["key"], connectors=tuple(item.get("connectors", ())),
            when=tuple(re.compile(p, re.IGNORECASE) for p in item["when"]),
            extract=tuple(re.compile(p, re.IGNORECASE) for p in item.get("extract", ())),
            needs=tuple(item.get("needs", ())), who=item["who"], action=item.get("action"),
            action_by_field=dict(item.get("action_by_field", {})), field=item.get("field"),
            what=_text(item["what"]), why=_text(item["why"]), todo=_text(item["todo"]),
            source=item.get("source", ""),
        ))
    return tuple(entries)


def decode_escapes(text: str) -> str:
    r"""Turn ``\u5df2\u53d1\u8d27`` (JSON escapes left in a vendor message) into ``已发货``."""
    def one(match: re.Match[str]) -> str:
        try:
            return str(json.loads(f'"{match.group(0)}"'))
        except ValueError:
            return match.group(0)
    return _ESCAPES.sub(one, text)


_GENERIC: dict[str, tuple[str, str | None, Text, Text, Text]] = {
    "record": ("data", "resend", Text("{app} refused this record", "{app} 拒绝了这条记录"),
               Text("{app} gave a reason OrderSync does not know yet (see Details).",
                    "{app} 给出了 OrderSync 尚不认识的原因（见“详细信息”）。"),
               Text("Fix the recipe or the data in {app}, then re-send the record.",
                    "修改流程或 {app} 中的数据，然后重新发送这条记录。")),
    "account": ("account", "reconnect_account", Text("The account needs attention", "账户需要处理"),
                Text("{app} or this computer refused to use the account's settings (see Details).",
                     "{app} 或这台电脑无法使用该账户的设置（见“详细信息”）。"),
                Text("Check the account's settings and reconnect it.", "检查账户设置并重新连接。")),
    "vendor": ("vendor", "wait", Text("{app} could not be reached for now", "暂时无法连接 {app}"),
               Text("The connection or {app} had a temporary problem.", "网络或 {app} 出现了临时问题。"),
               Text("Nothing to do: OrderSync retries by itself and nothing is skipped.",
                    "无需操作：OrderSync 会自动重试，不会漏掉任何记录。")),
    "recipe": ("recipe", "open_recipe", Text("The recipe has a problem", "流程有问题"),
               Text("A step of the recipe cannot be carried out as written (see Details).",
                    "流程中的某一步无法按现有设置执行（见“详细信息”）。"),
               Text("Open the recipe, correct the step and save.", "打开流程，改正这一步并保存。")),
    "app": ("app", "open_log", Text("OrderSync ran into a problem of its own", "OrderSync 自身出现了问题"),
            Text("Something unexpected happened inside OrderSync; nothing was skipped.",
                 "OrderSync 内部发生了意外情况；没有漏掉任何记录。"),
            Text("Send the log file to support.", "把日志文件发给技术支持。")),
}


def _kind_of(error: OrderSyncError | None, hint: str | None) -> str:
    if isinstance(error, TransientError):
        return "vendor"
    if isinstance(error, AuthError | SetupError):
        return "account"
    if isinstance(error, RecipeError):
        return "recipe"
    if isinstance(error, BugError):
        return "app"
    if isinstance(error, RecordRejected):
        return "record"
    return hint if hint in _GENERIC else "record"


def _connector_in(text: str, hint: str | None) -> str | None:
    """The connector the error is about: the caller's hint, else a vendor named in the text."""
    if hint:
        return hint
    for key, conn in registry.all_connectors().items():
        if conn.name_en in text or conn.name_zh in text:
            return key
    return None


def _field_label(connector: str | None, name: str | None, lang: str) -> str:
    """A target field's label (``Deal stage`` / ``交易阶段``) from the connector's declarations."""
    if not name:
        return ""
    if name == "match":
        return "匹配值" if lang == "zh" else "the value to match on"
    conn = registry.get(connector) if connector else None
    for action in conn.actions if conn else ():
        for spec in action.fields:
            if spec.key == name:
                return (spec.label_zh or spec.label) if lang == "zh" else spec.label
    return name


def _app_name(connector: str | None, lang: str) -> str:
    conn = registry.get(connector) if connector else None
    if conn is None:
        return "对方应用" if lang == "zh" else "the other app"
    return conn.name_zh if lang == "zh" else conn.name_en


def _fill(text: Text, values: dict[str, str], connector: str | None) -> Text:
    def one(template: str, lang: str) -> str:
        fields = {"app": _app_name(connector, lang), "field_label": _field_label(connector, values.get("field"), lang),
                  **{k: v for k, v in values.items() if k != "field_label"}}
        fields.setdefault("value", "")
        fields.setdefault("options", "—")
        fields.setdefault("field", "")
        out = template.format(**fields)
        if lang == "zh":
            out = _CJK_GAP.sub("", out)
        elif out[:1].islower():
            out = out[:1].upper() + out[1:]
        return out
    return Text(one(text.en, "en"), one(text.zh, "zh"))


def _extract(entry: _Entry, text: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for pattern in entry.extract:
        match = pattern.search(text)
        if match:
            for name, value in match.groupdict().items():
                if value is not None and name not in found:
                    found[name] = value.strip()
    return found


def explain(error: OrderSyncError | str | None, *, connector: str | None = None,
            kind: str | None = None) -> Explanation:
    """Explain an error (an exception, or the text stored for a record, run or account).

    Args:
        error: the classified error, or its stored text (``Execution.error``, ``Run.error``…).
        connector: the connector the failing call went to (``hubspot``), when the caller knows it;
            entries of other connectors are then not considered.
        kind: for stored text, what failed: ``record``, ``account``, ``vendor``, ``recipe`` or ``app``
            (picks the fallback sentence when no known error matches).

    Returns:
        The explanation; never raises.
    """
    exc = error if isinstance(error, OrderSyncError) else None
    raw = (exc.render() if exc is not None else str(error or "")).strip()
    raw = re.sub(r"\s+—\s+(reconnect the account: )?ordersync .*$", "", raw)  # CLI hints never reach the GUI
    details = mask(decode_escapes(raw))
    searched = details + (" " + decode_escapes(exc.vendor_message) if exc is not None and exc.vendor_message else "")
    about = _connector_in(searched, connector)
    for entry in known_errors():
        if entry.connectors and about is not None and about not in entry.connectors:
            continue
        if not any(p.search(searched) for p in entry.when):
            continue
        values = _extract(entry, searched)
        if any(not values.get(need) for need in entry.needs):
            continue
        if entry.field and "field" not in values:
            values["field"] = entry.field
        options = tuple(o.strip() for o in values.get("options", "").split(",") if o.strip())
        if options:
            values["options"] = ", ".join(options)
        target = values.get("field")
        action = entry.action_by_field.get(target or "", entry.action)
        return Explanation(
            key=entry.key, who=entry.who, what=_fill(entry.what, values, about), why=_fill(entry.why, values, about),
            todo=_fill(entry.todo, values, about), action=action, field=target, value=values.get("value"),
            options=options, details=details)
    generic = _kind_of(exc, kind)
    who, action, what, why, todo = _GENERIC[generic]
    return Explanation(key=f"generic.{generic}", who=who, what=_fill(what, {}, about), why=_fill(why, {}, about),
                       todo=_fill(todo, {}, about), action=action, details=details)
