"""Alerts to people when a recipe starts failing, keeps failing or recovers.

``policy`` decides *when* (pure logic, low noise); the sinks decide *where*: DingTalk and WeCom
group robots, SMTP e-mail, and whatever the desktop app registers with :func:`register_sink`.
Configuration, state and delivery live in ``services.alerts``.
"""

from __future__ import annotations

from ordersync_app.alerts.policy import AlertPolicy, Outcome, RecipeState
from ordersync_app.alerts.sinks import Alert, AlertSink, register_sink, registered_sinks, unregister_sink

__all__ = ["Alert", "AlertPolicy", "AlertSink", "Outcome", "RecipeState", "register_sink", "registered_sinks",
           "unregister_sink"]
