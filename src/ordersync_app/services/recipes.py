"""Recipes: validate, import (binding roles to local accounts), version, export, enable, remove."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, select, update

from ordersync_app.connectors.sdk import registry
from ordersync_app.domain.errors import RecipeError, SetupError
from ordersync_app.recipes import load
from ordersync_app.recipes.model import Recipe as RecipeModel
from ordersync_app.services import accounts, timing
from ordersync_app.storage import db
from ordersync_app.storage.tables import (
    Cursor,
    Execution,
    Recipe,
    RecipeVersion,
    Run,
    SourceCursor,
    WebhookDelivery,
    utcnow,
)

SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")


@dataclass
class RecipeInfo:
    """A recipe as listed to users."""

    name: str
    title: str
    enabled: bool
    dry_run: bool
    version: int
    bindings: dict[str, str]
    trigger: str
    every_seconds: int
    paused_reason: str | None = None
    last_run: dict[str, Any] | None = None
    failed: int = 0
    cursor: str | None = None
    document: dict[str, Any] = field(default_factory=dict)
    schedule: dict[str, str] | None = None  # {cron, timezone} of a scheduled trigger (then every_seconds is unused)
    next_run_at: str | None = None  # a scheduled trigger's next fire time, ISO 8601 in its zone
    notes: list[str] = field(default_factory=list)  # what the last import/save wants the user to know

    def as_dict(self, *, with_document: bool = False) -> dict[str, Any]:
        """JSON-ready view."""
        data = dict(self.__dict__)
        if not with_document:
            data.pop("document")
        return data


def validate_file(path: Path) -> RecipeModel:
    """Load and validate a recipe file (raises ``RecipeInvalid`` listing every problem)."""
    return load.load_file(path)


def review(recipe: RecipeModel, bindings: dict[str, str] | None = None) -> list[str]:
    """What is allowed but deserves a second look: writes over data the target owns without field modes,
    and two roles bound to one account (the recipe then reads what it writes: only the echo guard stops a
    loop). Shown by ``recipe validate``, import and the builder."""
    notes = [str(p) for p in load.warnings_for(recipe)]
    shared: dict[str, list[str]] = {}
    for role, account in (bindings or {}).items():
        shared.setdefault(account, []).append(role)
    for account, roles in shared.items():
        if len(roles) > 1:
            notes.append(f"roles {' and '.join(sorted(roles))} are both bound to the account '{account}': the "
                         "recipe reads what it writes; OrderSync skips its own echoes, but check this is meant")
    return notes


def slugify(text: str) -> str:
    """A readable local recipe name from a title: Chinese in pinyin, the rest in lower case.

    ``Shopify 订单发货 → HubSpot`` becomes ``shopify-ding-dan-fa-huo-hubspot``, so two Chinese titles
    do not both become ``recipe``; other scripts fall back to ``recipe`` (see :func:`free_name`).
    """
    from pypinyin import lazy_pinyin

    spelled = "-".join(lazy_pinyin(text[:200]))
    slug = re.sub(r"[^a-z0-9]+", "-", spelled.lower()).strip("-")[:60].strip("-")
    return slug or "recipe"


def free_name(base: str) -> str:
    """``base``, or ``base-2``, ``base-3``… : the first name no recipe has yet."""
    with db.session() as s:
        taken = {n for (n,) in s.execute(select(Recipe.name).where(Recipe.name.like(f"{base[:56]}%")))}
    if base not in taken:
        return base
    return next(f"{base[:56]}-{n}" for n in range(2, len(taken) + 3) if f"{base[:56]}-{n}" not in taken)


def initial_cursor(recipe: RecipeModel, *, now: datetime | None = None) -> str | None:
    """Where polling starts for a new recipe: ``now``, ``everything`` (None) or a date."""
    start = str(recipe.trigger.start)
    if start == "everything":
        return None
    if start == "now":
        moment = now or datetime.now(UTC)
    else:
        moment = datetime.fromisoformat(start)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
    # Whole seconds, rounded down: vendors stamp changes to the second (Shopify's updatedAt), and a
    # closed start at the truncated second re-reads at most a second of changes (de-duplicated).
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def trigger_fingerprint(recipe: RecipeModel, bindings: dict[str, str]) -> str:
    """What a stored cursor belongs to: the trigger's account, connector, event, parameters and start.

    A recipe version whose fingerprint differs reads another source (or the same one differently), so
    its cursor starts again from the recipe's ``start``.
    """
    trigger = recipe.trigger
    blob = json.dumps([bindings.get(trigger.account), recipe.accounts.get(trigger.account), trigger.event,
                       trigger.params, trigger.start], sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True)
class TriggerChange:
    """What saving a new version does to where the recipe reads from (shown before saving)."""

    resets: bool
    new_source: bool
    message_en: str = ""
    message_zh: str = ""


def trigger_change(name: str, recipe: RecipeModel, bindings: dict[str, str]) -> TriggerChange:
    """Whether saving ``recipe`` as a new version of ``name`` resets its cursor, and how to say so."""
    with db.session() as s:
        row = s.scalar(select(Recipe).where(Recipe.name == name))
        if row is None:
            return TriggerChange(resets=False, new_source=False)
        cursor = s.get(Cursor, row.id)
        document = _current(s, row).document
        old_bindings = dict(_current(s, row).bindings)
    old = _model(document)
    # Cursors stored before fingerprints existed belong to the version they were read with.
    before = (cursor.fingerprint if cursor else None) or trigger_fingerprint(old, old_bindings)
    if before == trigger_fingerprint(recipe, bindings):
        return TriggerChange(resets=False, new_source=False)
    new_source = (old_bindings.get(old.trigger.account), old.accounts.get(old.trigger.account)) != \
        (bindings.get(recipe.trigger.account), recipe.accounts.get(recipe.trigger.account))
    start = {"now": ("from now on", "从现在开始"), "everything": ("from the beginning", "从头开始")}.get(
        recipe.trigger.start, (f"from {recipe.trigger.start}", f"从 {recipe.trigger.start} 开始"))
    return TriggerChange(
        resets=True, new_source=new_source,
        message_en=f"The trigger changed, so this recipe starts reading again {start[0]}."
                   + (" Failed records of the old trigger are set aside." if new_source else ""),
        message_zh=f"触发条件已更改，此配方将{start[1]}重新读取。"
                   + ("旧触发条件下的失败记录将被搁置。" if new_source else ""))


def _model(document: dict[str, Any]) -> RecipeModel:
    """A stored document back into the model (documents were validated when saved)."""
    return load.load_text(json.dumps(document, ensure_ascii=False), source="stored recipe")


def _check_bindings(recipe: RecipeModel, bindings: dict[str, str]) -> None:
    problems = []
    for role, connector_key in recipe.accounts.items():
        account_name = bindings.get(role)
        if not account_name:
            problems.append(f"role '{role}' ({connector_key}) is not bound: add --bind {role}=ACCOUNT")
            continue
        info = accounts.get_account(account_name)
        if info.connector != connector_key:
            problems.append(f"role '{role}' needs a {connector_key} account, but '{account_name}' is {info.connector}")
    for role in bindings:
        if role not in recipe.accounts:
            near = registry.suggest(role, list(recipe.accounts))
            problems.append(f"the recipe has no role '{role}'" + (f" (did you mean '{near}'?)" if near else ""))
    if problems:
        raise SetupError("; ".join(problems), where="bindings")
    timing.check_poll_budget(recipe, bindings)  # the bound account's own rate budgets (its plan)
    _check_custom_fields(recipe, bindings)


def _check_custom_fields(recipe: RecipeModel, bindings: dict[str, str]) -> None:
    """Fields a recipe maps beyond an action's declared ones must exist in the bound account (custom
    properties such as ``monthly_spend``). Checked against what the account lists when it can be reached;
    otherwise the vendor's own answer decides at run time."""
    from ordersync_app.services import builder  # builder's field discovery sits above this module

    problems = []
    for index, step in enumerate(recipe.steps):
        action = step.action
        if action is None:
            continue
        spec = accounts.connector(recipe.accounts[action.account]).action(action.action)
        declared = {f.key for f in spec.fields} if spec else set()
        custom = [key for key in action.fields if key not in declared]
        if not custom or spec is None or not spec.open_fields:
            continue
        found = {f.key for f in builder.account_fields(bindings[action.account], action.action)}
        if found == declared:  # the account could not be read (or lists nothing more): the vendor decides later
            continue
        for key in custom:
            if key not in found:
                near = registry.suggest(key, sorted(found - declared))
                problems.append(f"steps[{index}].action.fields: '{key}' is not a property of account "
                                f"'{bindings[action.account]}'" + (f" (did you mean '{near}'?)" if near else ""))
    if problems:
        raise SetupError("; ".join(problems), where="fields", hint="create the property in the app first, or map "
                         "another field")


def import_recipe(source: Path | str, bindings: dict[str, str], *, name: str | None = None,
                  enable: bool = False, replace: bool = False, start: str | None = None,
                  dry_run: bool | None = None) -> RecipeInfo:
    """Import a recipe file (or text) bound to local accounts; a re-import adds a version.

    Args:
        source: the file, or its text.
        bindings: role → local account.
        name: the local name (default: made from the recipe's name).
        enable: switch it on.
        replace: add a version when the name is taken (else refuse).
        start: where a new recipe starts reading (``now``, ``everything`` or an ISO date), overriding the
            file's ``trigger.start`` — the import wizard and the first-run guide ask the user.
        dry_run: set dry run on or off (default: the file's ``options.dry_run``).

    Raises:
        RecipeInvalid: the file has problems (all listed), or ``start`` is not a start point.
        SetupError: bindings are missing or wrong, or the name is taken (without ``replace``).
    """
    recipe = load.load_file(source) if isinstance(source, Path) else load.load_text(source)
    if start is not None:
        document = recipe.to_document()
        document["trigger"]["start"] = start
        recipe = load.load_document(document, source="import")
    local = name or slugify(recipe.name)
    notes: list[str] = []
    if dry_run is None and exists(local) and replace:
        # A new version keeps running as it did unless the file says otherwise: a pilot file turns dry run on,
        # a go-live file (dry_run: false) turns it off; a file that says nothing keeps the current mode.
        if "dry_run" in recipe.options.model_fields_set:
            dry_run = recipe.options.dry_run
            notes.append(f"dry run {'on' if dry_run else 'off (live)'}, as the file says")
        else:
            current = get_recipe(local).dry_run
            notes.append(f"kept the current mode ({'dry run' if current else 'live'}): the file does not set "
                         "options.dry_run")
    info = save_recipe(recipe, bindings, name=local, enable=enable, replace=replace, dry_run=dry_run)
    info.notes = notes + review(recipe, bindings)
    return info


def exists(name: str) -> bool:
    """Whether a recipe of that name is stored (the import wizard warns before adding a version)."""
    with db.session() as s:
        return s.scalar(select(Recipe.id).where(Recipe.name == name)) is not None


def save_recipe(recipe: RecipeModel, bindings: dict[str, str], *, name: str, enable: bool = False,
                replace: bool = True, enabled: bool | None = None, dry_run: bool | None = None) -> RecipeInfo:
    """Store a validated recipe as a new version (the builder and import both land here), in one transaction.

    Args:
        recipe: the validated recipe.
        bindings: role → local account.
        name: the local name.
        enable: switch it on (an enabled recipe stays on).
        replace: add a version when the name is taken (else refuse).
        enabled: set the switch exactly (on or off; the builder's checkbox), overriding ``enable``.
        dry_run: set dry run exactly (default: the file's ``options.dry_run`` for a new recipe, else unchanged).
    """
    if not SLUG.match(name):
        raise SetupError(f"'{name}' is not a valid recipe name", hint="use a-z, 0-9, '-' and '_'")
    _check_bindings(recipe, bindings)
    document = recipe.to_document()
    change = trigger_change(name, recipe, bindings)
    fingerprint = trigger_fingerprint(recipe, bindings)
    with db.session() as s:
        row = s.scalar(select(Recipe).where(Recipe.name == name))
        if row is not None and not replace:
            raise SetupError(f"a recipe named '{name}' already exists",
                             hint="pass --name NEW to import it beside, or --replace to add a new version")
        if row is None:
            row = Recipe(name=name, title=recipe.name, version=0, dry_run=bool(recipe.options.dry_run))
            s.add(row)
            s.flush()
            s.add(Cursor(recipe_id=row.id, value=initial_cursor(recipe), fingerprint=fingerprint,
                         inbox_id=_newest_delivery(s)))
        elif change.resets:
            _reset_cursor(s, row.id, recipe, fingerprint, set_aside=change.new_source)
        _source_cursors(s, row.id, recipe)  # a role added to also_from starts where the recipe starts
        row.version += 1
        row.title = recipe.name
        row.enabled = enabled if enabled is not None else (row.enabled or enable)
        if row.enabled:
            row.paused_reason = None if enabled else row.paused_reason
        if dry_run is not None:
            row.dry_run = dry_run
        s.add(RecipeVersion(recipe_id=row.id, version=row.version, document=document, bindings=dict(bindings)))
    return get_recipe(name)


def _source_cursors(s: Any, recipe_id: int, recipe: RecipeModel) -> None:
    """Each further role of the trigger (``also_from``) starts where the recipe starts."""
    for role in recipe.trigger.also_from:
        if s.get(SourceCursor, (recipe_id, role)) is None:
            s.add(SourceCursor(recipe_id=recipe_id, role=role, value=initial_cursor(recipe)))


def _newest_delivery(s: Any) -> int:
    """Webhook deliveries up to now belong to the trigger's start (its first poll reads from there)."""
    return int(s.scalar(select(func.max(WebhookDelivery.id))) or 0)


def _reset_cursor(s: Any, recipe_id: int, recipe: RecipeModel, fingerprint: str, *, set_aside: bool) -> None:
    """Start the recipe's trigger again from its ``start``; with a new source, failed and retrying records
    of the old one are set aside (skipped, with the reason) instead of being re-sent through the new mapping."""
    cursor = s.get(Cursor, recipe_id)
    if cursor is None:
        s.add(Cursor(recipe_id=recipe_id, value=initial_cursor(recipe), fingerprint=fingerprint,
                     inbox_id=_newest_delivery(s)))
    else:
        cursor.value, cursor.fingerprint, cursor.polled_at = initial_cursor(recipe), fingerprint, None
        cursor.inbox_id = _newest_delivery(s)
    s.execute(delete(SourceCursor).where(SourceCursor.recipe_id == recipe_id))
    _source_cursors(s, recipe_id, recipe)
    if set_aside:
        s.execute(update(Execution).where(Execution.recipe_id == recipe_id,
                                          Execution.status.in_(("failed", "retrying")))
                  .values(status="skipped", error="skipped: the recipe's trigger changed to another app or account",
                          next_attempt_at=None, updated_at=utcnow()))


def _row(s: Any, name: str) -> Recipe:
    row = s.scalar(select(Recipe).where(Recipe.name == name))
    if row is None:
        known = [n for (n,) in s.execute(select(Recipe.name))]
        near = registry.suggest(name, known)
        raise SetupError(f"no recipe named '{name}'",
                         hint=f"did you mean '{near}'?" if near else "see: ordersync recipe list")
    return row


def _current(s: Any, row: Recipe) -> RecipeVersion:
    version = s.scalar(select(RecipeVersion).where(RecipeVersion.recipe_id == row.id,
                                                   RecipeVersion.version == row.version))
    if version is None:
        raise RecipeError(f"recipe '{row.name}' has no stored version {row.version}")
    return version


def _info(s: Any, row: Recipe) -> RecipeInfo:
    return _infos(s, [row])[0]


_models: dict[str, RecipeModel] = {}  # canonical document text → its model (stored documents never change)


def _cached_model(document: dict[str, Any]) -> RecipeModel:
    """The model of a stored document, parsed once per process: the worker's refresh and the Recipes page list
    every recipe, and re-validating a thousand documents each time cost more than the rest of the listing."""
    key = json.dumps(document, sort_keys=True, ensure_ascii=False)
    model = _models.get(key)
    if model is None:
        if len(_models) >= 4096:
            _models.clear()
        model = _models[key] = _model(document)
    return model


def _infos(s: Any, rows: list[Recipe]) -> list[RecipeInfo]:
    """``rows`` as listed: set-based, one query per kind of fact whatever the number of recipes."""
    if not rows:
        return []
    ids = [row.id for row in rows]
    versions = {(v.recipe_id, v.version): v for v in s.scalars(
        select(RecipeVersion).where(RecipeVersion.recipe_id.in_(ids)))}
    # each recipe's newest run through the (recipe_id, started_at) index: one short index read per recipe, never
    # a pass over the whole runs table (a thousand one-minute recipes add 1.4 million runs a day)
    newest = select(Run.id).where(Run.recipe_id == Recipe.id).order_by(Run.started_at.desc()).limit(1) \
        .correlate(Recipe).scalar_subquery()
    last_ids = [rid for rid in s.scalars(select(newest).where(Recipe.id.in_(ids))) if rid is not None]
    last_runs = {run.recipe_id: run for run in s.scalars(select(Run).where(Run.id.in_(last_ids)))} if last_ids else {}
    failed = dict(s.execute(select(Execution.recipe_id, func.count()).where(
        Execution.recipe_id.in_(ids), Execution.status == "failed").group_by(Execution.recipe_id)).all())
    cursors = {c.recipe_id: c.value for c in s.scalars(select(Cursor).where(Cursor.recipe_id.in_(ids)))}
    out = []
    for row in rows:
        version = versions.get((row.id, row.version))
        if version is None:
            raise RecipeError(f"recipe '{row.name}' has no stored version {row.version}")
        last = last_runs.get(row.id)
        trigger = version.document.get("trigger", {})
        model = _cached_model(version.document)
        out.append(RecipeInfo(
            name=row.name, title=row.title, enabled=row.enabled, dry_run=row.dry_run, version=row.version,
            bindings=dict(version.bindings), trigger=f"{trigger.get('account')}.{trigger.get('event')}",
            every_seconds=model.trigger.every_seconds, paused_reason=row.paused_reason,
            last_run=None if last is None else {"id": last.id, "status": last.status, "dry_run": last.dry_run,
                                               "started_at": last.started_at.isoformat(), **last.counts},
            failed=int(failed.get(row.id, 0)), cursor=cursors.get(row.id), document=version.document,
            schedule=None if model.trigger.schedule is None else model.trigger.schedule.model_dump(),
            next_run_at=_iso(timing.next_run(model)),
        ))
    return out


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat(timespec="minutes")


def list_recipes() -> list[RecipeInfo]:
    """Every recipe with its last run and failed count."""
    with db.session() as s:
        return _infos(s, list(s.scalars(select(Recipe).order_by(Recipe.name))))


def get_recipe(name: str) -> RecipeInfo:
    """One recipe (SetupError with a suggestion when unknown)."""
    with db.session() as s:
        return _info(s, _row(s, name))


def pushed(recipe: RecipeInfo) -> bool:
    """Whether the recipe's trigger can also arrive by webhook (then polling only reconciles)."""
    role, _, event = recipe.trigger.partition(".")
    account = recipe.bindings.get(role)
    if not account:
        return False
    conn = registry.get(accounts.get_account(account).connector)
    trigger = conn.trigger(event) if conn else None
    return trigger is not None and trigger.webhook is not None


def get_recipe_id(name: str) -> int:
    """The database id of a recipe (SetupError with a suggestion when unknown)."""
    with db.session() as s:
        return _row(s, name).id


def recipe_model(name: str) -> tuple[int, int, RecipeModel, dict[str, str], bool]:
    """(id, version, model, bindings, dry_run) of a recipe's current version, for a run."""
    with db.session() as s:
        row = _row(s, name)
        version = _current(s, row)
        return row.id, row.version, _cached_model(version.document), dict(version.bindings), row.dry_run


def export_recipe(name: str) -> str:
    """The recipe file text: no bindings, accounts, hosts or secrets, ready to share."""
    with db.session() as s:
        document = _current(s, _row(s, name)).document
    return _model(document).to_yaml()


def set_enabled(name: str, *, enabled: bool) -> RecipeInfo:
    """Switch a recipe on (scheduled) or off; enabling clears a pause."""
    with db.session() as s:
        row = _row(s, name)
        row.enabled = enabled
        if enabled:
            row.paused_reason = None
    return get_recipe(name)


def set_dry_run(name: str, *, dry_run: bool) -> RecipeInfo:
    """Dry run on/off. Going live keeps the cursor, so the previewed records are the ones sent."""
    with db.session() as s:
        _row(s, name).dry_run = dry_run
    return get_recipe(name)


def pause(name: str, reason: str) -> None:
    """Stop scheduling a recipe until the user acts (e.g. reconnects an account)."""
    with db.session() as s:
        row = _row(s, name)
        row.paused_reason = reason


def resume_after_reconnect(account: str) -> list[str]:
    """Clear the pause of recipes that stopped because ``account`` was refused; returns their names."""
    resumed = []
    with db.session() as s:
        for row in s.scalars(select(Recipe).where(Recipe.paused_reason.like(f"reconnect account '{account}'%"))):
            row.paused_reason = None
            resumed.append(row.name)
    return resumed


def remove_recipe(name: str) -> None:
    """Delete a recipe with its history."""
    with db.session() as s:
        s.delete(_row(s, name))


def recipes_using(account: str) -> list[str]:
    """Names of the recipes whose current version is bound to ``account``."""
    return [r.name for r in list_recipes() if account in r.bindings.values()]
