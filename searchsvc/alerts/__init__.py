"""Alerts stage: saved searches (alerts), their SQLite store, matching new turns, email and webhook delivery.

May import: config, errors, models, serialize, search (the public SearchService / Snapshot API only). Never
the index writer (index.build), Flask or click: the CLI (cli/alerts.py) and the web API (web/alerts.py) are
the edges that call AlertService.
"""

from .errors import (
    AlertError,
    AlertInputError,
    AlertsBusyError,
    AlertStoreError,
    AlertStoreFullError,
    DeliveryError,
)
from .model import Alert, AlertOutcome, RunReport
from .service import AlertService, NewAlert, TestResult, run_after_index, store_path
from .store import SCHEMA_VERSION, AlertStore

__all__ = [
    "SCHEMA_VERSION", "Alert", "AlertError", "AlertInputError", "AlertOutcome", "AlertService", "AlertStore",
    "AlertStoreError", "AlertStoreFullError", "AlertsBusyError", "DeliveryError", "NewAlert", "RunReport",
    "TestResult", "run_after_index", "store_path",
]
