"""What ``GET /healthz`` of a worker reports: the database answers, the leases this process holds, and
each recipe's last successful run — enough for a load balancer or a monitoring check to act on."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError

from ordersync_app.domain.errors import SetupError
from ordersync_app.services import webhooks
from ordersync_app.storage import db, leases
from ordersync_app.storage.tables import Recipe, RecipeLease, Run


def health() -> tuple[bool, dict[str, Any]]:
    """(healthy, details): unhealthy when the database cannot be reached.

    Details: ``database`` (``ok``), ``process`` (this worker's lease-holder id), ``leases_held`` and ``leases``
    (the recipes this worker is running now), ``last_success`` (recipe → when its last successful run ended)
    and ``webhooks`` (last delivery per topic).
    """
    try:
        with db.session() as s:
            s.execute(text("SELECT 1"))
            held = sorted(s.scalars(select(Recipe.name).join(RecipeLease, RecipeLease.recipe_id == Recipe.id)
                                    .where(RecipeLease.holder == leases.HOLDER)))
            last = dict(s.execute(select(Recipe.name, func.max(Run.finished_at)).join(Run, Run.recipe_id == Recipe.id)
                                  .where(Run.status == "succeeded").group_by(Recipe.name)).all())
    except SetupError:  # the engine could not even be created (or migrated)
        return False, {"database": "unreachable (cannot open the database)"}
    except SQLAlchemyError as exc:
        return False, {"database": f"unreachable ({type(exc).__name__})"}
    return True, {"database": "ok", "process": leases.HOLDER, "leases_held": len(held), "leases": held,
                  "last_success": {name: at.isoformat() for name, at in sorted(last.items()) if at},
                  "webhooks": webhooks.status()}
