"""Alerts stage: the alerts' domain errors (part of the one tree under SearchsvcError)."""

from __future__ import annotations

from ..errors import SearchsvcError


class AlertError(SearchsvcError):
    """Base of the alerts' errors."""


class AlertInputError(AlertError):
    """A bad alert: unknown filter, malformed address or URL, no query and no filter (HTTP 400)."""


class AlertStoreError(AlertError):
    """The alerts database cannot be opened, read or written; names the file."""


class AlertStoreFullError(AlertStoreError):
    """SQLite said "database or disk is full": nothing was marked delivered, the next run retries."""


class AlertsBusyError(AlertError):
    """Another `alerts run` holds the delivery lock."""


class DeliveryError(AlertError):
    """The SMTP server or webhook did not accept a message; the turns stay queued for the next run."""
