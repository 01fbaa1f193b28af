"""What a run did, in plain words and both languages — a dry run as a preview, a 0-record run with its reason.

Why: "succeeded — 0 moved" after the first dry run reads like a failure, and "10 moved" after a dry run
reads like something was written. A shop owner needs "Dry run: 10 deals would move to their new stage;
nothing was written" and "Nothing to do yet: the start point is 'from now on', so only orders changed
after 09:30 count". The counts come from the run's :class:`RunSummary`; the reason for an empty run from
the recipe's start point and cursor.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ordersync_app.domain.records import RunSummary
from ordersync_app.services.explain import Text

__all__ = ["describe_run", "object_noun"]

# What each action writes, to count it in words ("3 deals"); unknown actions count "records".
_NOUNS: dict[str, Text] = {
    "update_deal": Text("deal(s)", "个交易"), "upsert_deal": Text("deal(s)", "个交易"),
    "update_deal_by_id": Text("deal(s)", "个交易"), "upsert_contact": Text("contact(s)", "个联系人"),
    "add_order_tags": Text("order(s)", "个订单"),
}
_RECORDS = Text("record(s)", "条记录")


def object_noun(document: dict[str, Any]) -> Text:
    """What the recipe's (first) action writes: ``deal(s)`` / ``个交易``."""
    for step in document.get("steps") or []:
        body = step.get("action") if isinstance(step, dict) else None
        if isinstance(body, dict):
            return _NOUNS.get(str(body.get("action")), _RECORDS)
    return _RECORDS


def _plural(count: int, noun: Text) -> str:
    word = noun.en.replace("(s)", "" if count == 1 else "s")
    return f"{count:,} {word}"


def _local(value: str | None) -> str:
    if not value:
        return "—"
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def describe_run(summary: RunSummary, document: dict[str, Any], cursor: str | None = None) -> Text:
    """One or two sentences on what a run did (or would do, for a dry run), and why when it did nothing.

    Args:
        summary: the run's counts.
        document: the recipe document (its action and trigger start point).
        cursor: the recipe's stored cursor (where reading continues), when known.
    """
    noun = object_noun(document)
    start = str((document.get("trigger") or {}).get("start", "now"))
    if summary.status in ("error", "interrupted"):
        return Text("The run stopped before it finished; nothing was skipped.",
                    "运行未完成就停止了；没有漏掉任何记录。")
    if summary.tripped:
        return Text(f"Paused: the first {summary.failed:,} records all failed the same way, so the run stopped "
                    "instead of failing the rest. Fix the recipe (Activity shows the reason and the fix), then "
                    "switch it on and re-send the failed records; the others have not been read yet.",
                    f"已暂停：前 {summary.failed:,} 条记录都以同样的原因失败，运行已停止，没有让其余记录继续失败。"
                    "请先修正流程（“活动”页显示原因和修正方法），然后重新开启并重新发送失败的记录；其余记录尚未读取。")
    if summary.status == "stopped":
        return Text("Stopped on request; what was read so far is stored, the rest is read when the recipe runs again.",
                    "已按要求停止；已读取的部分已保存，其余部分会在流程再次运行时读取。")
    if summary.seen == 0:
        if start == "now":
            return Text(
                f"Nothing to do yet: the start point is “from now on”, so only changes after {_local(cursor)} count. "
                "When the next order changes, it will show here.",
                f"暂时没有要处理的：起点是“从现在开始”，只有 {_local(cursor)} 之后的变化才算。"
                "下一个订单变化后会显示在这里。")
        return Text(f"Nothing new since the last check (reading from {_local(cursor)}).",
                    f"自上次检查以来没有新的变化（从 {_local(cursor)} 开始读取）。")
    handled = summary.seen - summary.duplicates
    parts_en: list[str] = []
    parts_zh: list[str] = []
    if summary.dry_run:
        changing = sum(1 for p in summary.previews if p.get("changes"))
        same = sum(1 for p in summary.previews if not p.get("changes"))
        parts_en.append(f"Dry run: {_plural(changing, noun)} would change; nothing was written.")
        parts_zh.append(f"试运行：将有 {changing:,} {noun.zh}发生变化；没有写入任何数据。")
        if same:
            parts_en.append(f"{_plural(same, noun)} already have these values.")
            parts_zh.append(f"{same:,} {noun.zh}已经是这些值。")
    else:
        parts_en.append(f"Updated {_plural(summary.succeeded, noun)}.")
        parts_zh.append(f"已更新 {summary.succeeded:,} {noun.zh}。")
        if summary.unchanged:
            parts_en.append(f"{_plural(summary.unchanged, noun)} already had these values.")
            parts_zh.append(f"{summary.unchanged:,} {noun.zh}原本就是这些值。")
    if summary.filtered:
        parts_en.append(f"{summary.filtered:,} left out by the filter.")
        parts_zh.append(f"{summary.filtered:,} 条被过滤条件排除。")
    if summary.failed:
        parts_en.append(f"{summary.failed:,} failed (see Activity).")
        parts_zh.append(f"{summary.failed:,} 条失败（见“活动”页）。")
    if summary.retrying:
        parts_en.append(f"{summary.retrying:,} will be retried.")
        parts_zh.append(f"{summary.retrying:,} 条稍后重试。")
    if handled == 0:
        return Text(f"All {summary.seen:,} changes were handled before; each change is sent once.",
                    f"这 {summary.seen:,} 个变化之前都已处理过；每个变化只发送一次。")
    return Text(" ".join(parts_en), "".join(parts_zh))
