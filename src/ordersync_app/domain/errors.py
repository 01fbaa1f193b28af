"""The one error tree of OrderSync, classified by *who must act*.

::

    OrderSyncError
     ├── RecipeError          the recipe file is wrong        → the user edits the recipe
     ├── SetupError           settings/credentials are wrong  → the user fixes the account
     │    └── AuthError       the vendor refused our credentials → "reconnect"
     ├── DeliveryError        one record could not be delivered
     │    ├── TransientError  timeout, reset, 429, 5xx        → retry with backoff
     │    │    └── LimitReached  a quota is spent (a daily limit) → records wait for the window
     │    └── RecordRejected  the vendor refused this record  → failed queue, one-click re-send
     └── BugError             an invariant broke              → crash report, never retried silently
          └── ConnectorError  the vendor's answers break what the connector declares (unsorted
                              pages, a repeated page token): the cursor stays, the run stops

Every error carries structured fields (``what``, ``where``, ``hint``, ``vendor_message``) that the
CLI and GUI render. Messages are built from already-masked text: callers pass secrets through
:func:`ordersync_app.domain.redact.mask` before they reach an error.
"""

from __future__ import annotations


class OrderSyncError(Exception):
    """Root of every error OrderSync raises on purpose."""

    def __init__(
        self,
        what: str,
        *,
        where: str | None = None,
        hint: str | None = None,
        vendor_message: str | None = None,
    ) -> None:
        self.what = what
        self.where = where
        self.hint = hint
        self.vendor_message = vendor_message
        super().__init__(self.render())

    def render(self) -> str:
        """One readable sentence (plus the fix), as shown to the user."""
        text = f"{self.where}: {self.what}" if self.where else self.what
        if self.vendor_message and self.vendor_message not in text:
            text += f" (vendor says: {self.vendor_message})"
        if self.hint:
            text += f" — {self.hint}"
        return text


class RecipeError(OrderSyncError):
    """The recipe file is wrong; the user must edit it."""


class SetupError(OrderSyncError):
    """An account, setting or local environment is wrong; the user must fix the setup."""


class AuthError(SetupError):
    """The vendor refused our credentials; the account must be reconnected."""

    def __init__(self, what: str, *, account: str | None = None, **kwargs: str | None) -> None:
        self.account = account
        super().__init__(what, **kwargs)


class DeliveryError(OrderSyncError):
    """One record (or one batch) could not be delivered."""


class TransientError(DeliveryError):
    """Timeout, reset, 429 or 5xx: worth another attempt later."""

    def __init__(self, what: str, *, retry_after: float | None = None, **kwargs: str | None) -> None:
        self.retry_after = retry_after
        super().__init__(what, **kwargs)


class LimitReached(TransientError):
    """A vendor quota is spent for longer than a run may wait (Salesforce's daily API allocation): the
    records stay queued until ``retry_after`` seconds have passed, and the user is told once."""


class RecordRejected(DeliveryError):
    """The vendor refused this record; it goes to the failed queue with the vendor's message."""


class BugError(OrderSyncError):
    """An internal invariant broke; reported, never retried silently."""


class ConnectorError(BugError):
    """The vendor's answers break what the connector declares (a repeated page token, records out of
    the declared order, a missing cursor field). The cursor stays where it was; nothing is skipped."""


class Stopped(OrderSyncError):
    """The run was asked to stop (quit, SIGTERM, the Stop button): it ends at the next safe point."""
