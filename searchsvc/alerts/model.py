"""Alerts stage: what an alert is (a saved SearchRequest and where to deliver it) and what a run reports."""

from __future__ import annotations

import dataclasses
import typing
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ..models import SearchRequest
from .errors import AlertInputError

CHANNELS = ("email", "webhook")
# SearchRequest fields that are not filters: how a page is shown, not which turns match.
NOT_FILTERS = ("q", "sort", "page", "per_page")


def _filter_fields() -> dict[str, object]:
    hints = typing.get_type_hints(SearchRequest)
    return {f.name: hints[f.name] for f in dataclasses.fields(SearchRequest) if f.name not in NOT_FILTERS}


def filters_of(request: SearchRequest) -> dict[str, Any]:
    """The filters of `request` that differ from the defaults, as JSON values (tuples as lists, dates as ISO)."""
    out: dict[str, Any] = {}
    blank = SearchRequest()
    for name in _filter_fields():
        value = getattr(request, name)
        if value == getattr(blank, name):
            continue
        if isinstance(value, tuple):
            value = [v.isoformat() if isinstance(v, date) else v for v in value]
        elif isinstance(value, date):
            value = value.isoformat()
        out[name] = value
    return out


def _convert(name: str, hint: Any, value: Any) -> Any:
    args = typing.get_args(hint)
    try:
        if typing.get_origin(hint) is tuple:
            item = args[0] if args else str
            values = value if isinstance(value, list | tuple) else [value]
            return tuple(_convert(name, item, v) for v in values)
        if hint is date or date in args:
            return value if isinstance(value, date) else date.fromisoformat(str(value))
        if hint is int:
            if isinstance(value, bool):
                raise ValueError(value)
            return int(value)
        if hint is str:
            if not isinstance(value, str):
                raise ValueError(value)
            return value
    except (TypeError, ValueError):
        raise AlertInputError(f"filter {name!r}: bad value {value!r}") from None
    raise AlertInputError(f"filter {name!r}: cannot be stored")  # pragma: no cover - a new kind of field


def request_of(query: str, filters: dict[str, Any]) -> SearchRequest:
    """The SearchRequest an alert matches with: its query and stored filters (unknown filter names are refused)."""
    known = _filter_fields()
    unknown = sorted(set(filters) - set(known))
    if unknown:
        raise AlertInputError(f"unknown filter(s) {', '.join(unknown)} (known: {', '.join(known)})")
    values = {name: _convert(name, known[name], value) for name, value in filters.items()}
    return SearchRequest(q=query, **values)


@dataclass(frozen=True)
class Alert:
    """A saved search as stored, with how its deliveries stand."""
    id: int
    name: str
    query: str
    filters: dict[str, Any]
    channel: str                 # "email" | "webhook"
    target: str                  # the address or URL
    secret: str = field(repr=False)   # HMAC key of a webhook ("" for email); shown once by `alerts add`
    created_at: str
    checked_mark: int            # the store's registry mark up to which new turns were matched
    last_success_at: str | None
    last_error: str | None
    last_error_at: str | None
    delivered: int               # turns delivered so far
    pending: int                 # turns matched and waiting for delivery

    @property
    def request(self) -> SearchRequest:
        return request_of(self.query, self.filters)

    def public(self) -> dict[str, Any]:
        """The alert as JSON for lists and the API (never the secret)."""
        return {
            "id": self.id, "name": self.name, "query": self.query, "filters": self.filters,
            "channel": self.channel, "target": self.target, "created_at": self.created_at,
            "last_success_at": self.last_success_at, "last_error": self.last_error,
            "last_error_at": self.last_error_at, "delivered": self.delivered, "pending": self.pending,
        }


@dataclass(frozen=True)
class AlertOutcome:
    """What one run did for one alert."""
    alert_id: int
    name: str
    matched: int = 0             # new turns matched and queued in this run
    sent: int = 0                # turns accepted by the server in this run
    batches: int = 0             # messages accepted in this run
    pending: int = 0             # turns still waiting after this run
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class RunReport:
    """What `alerts run` did: the generation it matched against, the turns new to the store, each alert."""
    generation: str | None
    new_turns: int
    outcomes: tuple[AlertOutcome, ...]

    @property
    def failed(self) -> bool:
        return any(o.error for o in self.outcomes)

    @property
    def sent(self) -> int:
        return sum(o.sent for o in self.outcomes)

    def to_dict(self) -> dict[str, Any]:
        return {"generation": self.generation, "new_turns": self.new_turns, "sent": self.sent,
                "failed": self.failed, "alerts": [o.to_dict() for o in self.outcomes]}
