"""Recipe problems in plain words (English and Chinese), keyed by the step they belong to.

Why: :mod:`ordersync_app.recipes.load` reports every problem of a recipe precisely, for people who edit
the file: ``steps[1].action: action 'update_deal' needs `match` to find its target (…) — add e.g. `match:
{source: <field>}``. The builder and the import wizard must say the same thing without YAML syntax, file
paths or pydantic wording, in the user's language, on the card the problem concerns. This module maps each
message the loader writes (a closed set: the table below) to a sentence in both languages, and splits the
location into the step number and the place inside the step, so the GUI no longer parses locations itself.
An unknown message falls back to a neutral sentence; the loader's own text is kept as ``detail``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ordersync_app.connectors.sdk import registry
from ordersync_app.recipes.budget import POLL_SHARE
from ordersync_app.recipes.load import Problem
from ordersync_app.services.explain import Text

__all__ = ["PlainProblem", "plain_problems", "step_of"]

_STEP = re.compile(r"^steps\[(\d+)\](?:\.(filter|lookup|action))?\.?(.*)$")


@dataclass(frozen=True)
class PlainProblem:
    """One problem, told plainly.

    Attributes:
        step: the step's index in ``steps`` (None for the trigger and the recipe as a whole).
        part: ``trigger``, ``step`` or ``recipe``.
        where: the place inside the step or trigger (``fields.dealstage``, ``match``, ``conditions[0].field``).
        text: the sentence in both languages.
        detail: the loader's own message (for a folded "Details"; never shown instead of ``text``).
    """

    step: int | None
    part: str
    where: str
    text: Text
    detail: str


def step_of(location: str) -> tuple[str, int | None, str]:
    """Split a location: ``steps[2].action.fields.x`` → ``("step", 2, "fields.x")``, ``trigger.event`` →
    ``("trigger", None, "event")``, ``name`` → ``("recipe", None, "name")``."""
    match = _STEP.match(location)
    if match:
        return "step", int(match.group(1)), match.group(3)
    if location.startswith("trigger"):
        return "trigger", None, location.partition(".")[2]
    return "recipe", None, location


Labeller = Callable[[str], Text]
_Rule = tuple[re.Pattern[str], Callable[[re.Match[str], Labeller], Text]]


def _q(value: str) -> str:
    return f"“{value}”"


ZH_UNITS = {"s": "秒", "min": "分钟", "h": "小时"}
_WINDOWS_ZH = {"minute": "每分钟", "hour": "每小时", "day": "每天"}


def _interval_zh(text: str) -> str:
    number, _, unit = text.partition(" ")
    return f"{number} {ZH_UNITS.get(unit, unit)}"


def _poll_budget(m: re.Match[str], _lab: Labeller) -> Text:
    """``every 10 s would use 6 of the 100 requests per minute Jushuitan allows (6 %) …`` in plain words."""
    every, used, budget, window, app, pct = m.groups()
    conn = next((c for c in registry.all_connectors().values() if c.name_en == app), None)
    window_zh = _WINDOWS_ZH.get(window, f"每 {_interval_zh(window)}")
    share = f"{float(POLL_SHARE) * 100:g}"
    return Text(f"Checking every {every} would use {used} of the {budget} requests per {window} that {app} allows "
                f"({pct} %) just to look for changes; at most {share} % may go to that. Pick a longer interval.",
                f"每 {_interval_zh(every)}检查一次，仅查找变化就会用掉{conn.name_zh if conn else app}{window_zh}允许的 "
                f"{budget} 次请求中的 {used} 次（{pct} %）；最多只能占用 {share} %。请选择更长的间隔。")


def _rules() -> list[_Rule]:
    def r(pattern: str, make: Callable[[re.Match[str], Labeller], Text]) -> _Rule:
        return re.compile(pattern), make

    return [
        r(r"^required, but missing$", lambda m, lab: Text("This is required.", "这一项必填。")),
        r(r"^must not be empty$|^the name must not be blank$|must not be empty$",
          lambda m, lab: Text("This must not be empty.", "这一项不能为空。")),
        r(r"^expected (text|a whole number|a number|true or false|a mapping|a list)",
          lambda m, lab: Text("This has the wrong kind of value.", "这一项的值类型不对。")),
        r(r"^unknown key '([^']*)'",
          lambda m, lab: Text(f"The file contains a setting OrderSync does not know: {_q(m.group(1))}.",
                              f"文件中有 OrderSync 不认识的设置：{_q(m.group(1))}。")),
        r(r"^unknown transform '([^']*)'",
          lambda m, lab: Text(f"There is no transform called {_q(m.group(1))}.", f"没有名为{_q(m.group(1))}的转换。")),
        r(r"^a transform is a name",
          lambda m, lab: Text("A transform is written incorrectly.", "某个转换的写法不对。")),
        r(r"is not allowed here; use (.*)$",
          lambda m, lab: Text(f"This value is not allowed here (allowed: {m.group(1)}).",
                              f"这里不允许这个值（允许：{m.group(1)}）。")),
        r(r"^unknown connector '([^']*)'",
          lambda m, lab: Text(f"OrderSync has no app called {_q(m.group(1))}.",
                              f"OrderSync 没有名为{_q(m.group(1))}的应用。")),
        r(r"^role '([^']*)' is not declared",
          lambda m, lab: Text("Pick an account for this step.", "请为这一步选择账户。")),
        r(r"^unknown parameter '([^']*)'",
          lambda m, lab: Text(f"{_q(m.group(1))} is not a setting of this step.",
                              f"{_q(m.group(1))}不是这一步的设置。")),
        r(r"needs the parameter '([^']*)' \((.*)\)$",
          lambda m, lab: Text(f"Fill in {_q(lab(m.group(1)).en or m.group(2))}.",
                              f"请填写{_q(lab(m.group(1)).zh or m.group(2))}。")),
        r(r" has no trigger '([^']*)'",
          lambda m, lab: Text("Pick an event from the list.", "请从列表中选择一个事件。")),
        r(r" has no lookup '([^']*)'",
          lambda m, lab: Text("Pick a lookup from the list.", "请从列表中选择一种查找。")),
        r(r" has no action '([^']*)'",
          lambda m, lab: Text("Pick an action from the list.", "请从列表中选择一个动作。")),
        r(r"reads the lookup '([^']*)', which is not defined before this step",
          lambda m, lab: Text(f"This step uses the result of the lookup {_q(m.group(1))}, which comes later. "
                              "Move the lookup above this step.",
                              f"这一步用到查找{_q(m.group(1))}的结果，但那个查找排在后面。请把查找移到这一步之前。")),
        r(r"reads a lookup named '([^']*)', but no lookup step",
          lambda m, lab: Text(f"No lookup step is called {_q(m.group(1))}.", f"没有名为{_q(m.group(1))}的查找步骤。")),
        r(r"^a recipe needs at least one action step",
          lambda m, lab: Text("Add an action: what should happen in the other app?",
                              "请添加一个动作：在另一个应用里要做什么？")),
        r(r"^all actions of a recipe must write to one account",
          lambda m, lab: Text("All actions of a recipe must write to the same account. Split it into two recipes.",
                              "一个流程的所有动作必须写入同一个账户。请拆成两个流程。")),
        r(r"^an action may not write to '([^']*)', the account the trigger reads from",
          lambda m, lab: Text("An action cannot write back to the account the trigger reads from (this prevents "
                              "endless loops). Pick another app.",
                              "动作不能写回触发器读取的账户（以免循环同步）。请选择另一个应用。")),
        r(r"^the name '([^']*)' is already used by",
          lambda m, lab: Text(f"Another lookup is already called {_q(m.group(1))}; give each its own name.",
                              f"已有查找叫{_q(m.group(1))}；请给每个查找起不同的名字。")),
        r(r"needs `match` to find its target \((.*)\)$",
          lambda m, lab: Text(f"Choose {_q(lab('match').en or m.group(1))}: the field that finds the record to update.",
                              f"请选择{_q(lab('match').zh or m.group(1))}：用哪个字段找到要更新的记录。")),
        r(r"takes no `match`",
          lambda m, lab: Text("This action does not look a record up; remove the match.",
                              "这个动作不需要匹配值，请去掉。")),
        r(r" has no field '([^']*)'",
          lambda m, lab: Text(f"{_q(m.group(1))} is not a field of this action.",
                              f"{_q(m.group(1))}不是这个动作的字段。")),
        r(r" needs the fields? (.*)$",
          lambda m, lab: Text("Fill in the required field(s): " + ", ".join(
              lab(f).en for f in re.findall(r"'([^']*)'", m.group(1))) + ".",
              "请填写必填字段：" + "、".join(lab(f).zh for f in re.findall(r"'([^']*)'", m.group(1))) + "。")),
        r(r"^a step needs exactly one of filter, lookup or action",
          lambda m, lab: Text("A step must be exactly one of: filter, lookup, action.",
                              "每一步只能是过滤、查找或动作之一。")),
        r(r"needs its settings$", lambda m, lab: Text("This step has no settings yet.", "这一步还没有设置。")),
        r(r"is not a valid name$",
          lambda m, lab: Text("Use letters, digits and _ only, starting with a letter.",
                              "只能用字母、数字和 _，并以字母开头。")),
        r(r"^a path must be non-empty", lambda m, lab: Text("Pick a field.", "请选择一个字段。")),
        r(r"is not a valid path|has spaces around a key|a path may be at most",
          lambda m, lab: Text("This field name is not valid; pick one from the list.", "字段名无效，请从列表中选择。")),
        r(r"unmatched '\}'|unclosed '\{'|empty placeholder",
          lambda m, lab: Text("The text has a { or } without its partner; fields are written as {field}.",
                              "文本中的 { 或 } 没有配对；字段要写成 {字段} 的形式。")),
        r(r"^a mapping (is written as|needs exactly one of)|^`(source|template)` must not be empty",
          lambda m, lab: Text("Pick a field, type a fixed value, or write a text with fields.",
                              "请选择字段、填写固定值，或写一段带字段的文本。")),
        r(r"^unknown operator '([^']*)'",
          lambda m, lab: Text(f"There is no comparison called {_q(m.group(1))}.",
                              f"没有名为{_q(m.group(1))}的比较方式。")),
        r(r"is not an interval|interval must be between",
          lambda m, lab: Text("Check every 10 seconds to 24 hours.", "检查间隔须在 10 秒到 24 小时之间。")),
        r(r"^every (.+?) would use (\S+) of the (\S+) requests per (.+?) (\S.*) allows \((\S+) %\) on polling alone",
          _poll_budget),
        r(r"^a trigger has either `every` \(polling\) or `schedule`",
          lambda m, lab: Text("Choose either an interval or a schedule, not both.",
                              "请选择检查间隔或定时计划，不能同时使用。")),
        r(r"^a scheduled trigger reads its event in full",
          lambda m, lab: Text("A scheduled recipe reads everything at each run: start from everything or from a date.",
                              "定时流程每次运行都会完整读取：请从全部或某个日期开始。")),
        r(r"^unknown time zone '([^']*)'",
          lambda m, lab: Text(f"There is no time zone called {_q(m.group(1))}; use a name such as Asia/Shanghai.",
                              f"没有名为{_q(m.group(1))}的时区；请使用 Asia/Shanghai 这样的名称。")),
        r(r"field(s)? '[^']*'|a cron schedule has 5|never runs|restricts both the day of the month|"
          r"is not a day of the week|runs backwards|step that is not",
          lambda m, lab: Text("The schedule is not valid; write five fields, e.g. 0 2 1 * * (02:00 on the 1st of "
                              "every month).", "定时计划无效；请写五个字段，例如 0 2 1 * *（每月 1 日 02:00）。")),
        r(r"success target|p95 target|an SLA needs a target",
          lambda m, lab: Text("Check the service-level targets: success in percent (e.g. 99.5) and p95 in seconds.",
                              "请检查服务水平目标：成功率用百分数（如 99.5），p95 用秒数。")),
        r(r"is not now, everything, or an ISO 8601|has no time zone",
          lambda m, lab: Text("Pick where to start: from now on, everything, or a date.",
                              "请选择从何时开始：从现在开始、全部，或某个日期。")),
        r(r"^expected version|newer|cannot upgrade",
          lambda m, lab: Text("This recipe was made by a newer OrderSync; update the app.",
                              "这个流程由更新版本的 OrderSync 创建；请先更新应用。")),
        r(r"not an OrderSync recipe|^expected `format:|^a recipe is a mapping|^the recipe is empty",
          lambda m, lab: Text("This file is not an OrderSync recipe.", "这个文件不是 OrderSync 流程。")),
        r(r"^YAML syntax error|^YAML error|character YAML does not allow|^the tag ",
          lambda m, lab: Text("The file has a writing mistake (check indentation and quotes).",
                              "文件有格式错误（请检查缩进和引号）。")),
        r(r"not UTF-8|NUL bytes|too large|nested (more than|too deeply)|aliases|expands to more than",
          lambda m, lab: Text("This file cannot be read as a recipe.", "无法把这个文件读取为流程。")),
        r(r"^cannot read the file", lambda m, lab: Text("The file cannot be opened.", "无法打开这个文件。")),
        r(r"^'[^']*' needs a `value`|^'[^']*' needs a list of values",
          lambda m, lab: Text("Type the value(s) to compare with.", "请填写要比较的值。")),
        r(r"^'[^']*' takes no value", lambda m, lab: Text("This comparison takes no value.", "这种比较不需要值。")),
        r(r"^the values? of '[^']*' must be|compares numbers or date/times", lambda m, lab: Text(
            "The value to compare with does not suit this comparison.", "比较的值不适合这种比较方式。")),
    ]


_RULES = _rules()


def _labeller(document: Mapping[str, Any] | None, step: int | None) -> Labeller:
    """Field and parameter labels of the step's connector operation (falls back to the key)."""
    declared: dict[str, Text] = {}
    if document is not None and step is not None:
        steps = document.get("steps") or []
        body: Mapping[str, Any] = {}
        kind = ""
        if 0 <= step < len(steps) and isinstance(steps[step], dict):
            kind = next((k for k in ("action", "lookup") if isinstance(steps[step].get(k), dict)), "")
            body = steps[step].get(kind) or {}
        role = body.get("account")
        accounts = document.get("accounts") or {}
        conn = registry.get(str(accounts.get(role, ""))) if isinstance(accounts, dict) else None
        spec: Any = None
        if conn is not None:
            spec = conn.action(str(body.get("action"))) if kind == "action" else conn.lookup(str(body.get("lookup")))
        for item in (*getattr(spec, "fields", ()), *getattr(spec, "params", ())):
            declared[item.key] = Text(item.label, getattr(item, "label_zh", "") or item.label)
        if spec is not None and getattr(spec, "match", None) is not None:
            declared["match"] = Text(spec.match.label, spec.match.label_zh or spec.match.label)

    def label(key: str) -> Text:
        return declared.get(key, Text(key, key))
    return label


def plain_problems(problems: Iterable[Problem], document: Mapping[str, Any] | None = None) -> list[PlainProblem]:
    """Tell each problem of a recipe plainly, with the step it belongs to.

    Args:
        problems: what :class:`ordersync_app.recipes.load.RecipeInvalid` lists.
        document: the recipe document the problems are about (for field labels), when at hand.

    Returns:
        One :class:`PlainProblem` per problem, in the same order.
    """
    out = []
    for problem in problems:
        part, step, where = step_of(problem.location)
        label = _labeller(document, step)
        text = next((make(m, label) for pattern, make in _RULES if (m := pattern.search(problem.message))),
                    Text("This setting is not valid.", "这项设置无效。"))
        if problem.location.startswith("line "):
            line = problem.line or problem.location.split()[1].split(":")[0]
            text = Text(f"Line {line}: {text.en}", f"第 {line} 行：{text.zh}")
        out.append(PlainProblem(step, part, where, text, str(problem)))
    return out
