"""Web edge: the HTML blueprint (search page, results fragment, turn permalinks, conference pages)."""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import urlsplit

from flask import Blueprint, Flask, current_app, render_template, request
from markupsafe import Markup, escape

from ..config import SearchSettings
from ..insights import analytics
from ..models import FACET_TABLE, FACETS, PUBLISHERS, SearchPage, SearchRequest, is_dated
from . import get_service, insights
from .params import has_filters, parse_search_args, request_to_query, toggle_filter

bp = Blueprint("views", __name__)

FACET_TITLES = {f.name: f.title for f in FACET_TABLE}
FACET_VISIBLE = 8          # facet values shown before "more"
PAGE_WINDOW = 2            # page links either side of the current page


def _limits():
    return current_app.config["SEARCHSVC_SETTINGS"].search


def _search_context() -> dict:
    """Run the search named by the query string; shared by the full page and the fragment."""
    limits = _limits()
    req = parse_search_args(request.args, limits)
    page = get_service().search(req)
    return {"req": req, "page": page, "nav": SearchNav(req, page, limits), **insights.results_context(req, page)}


@bp.get("/")
def search():
    return render_template("search.html", **_search_context())


@bp.get("/results")
def results_fragment():
    """The facet sidebar and result list only; the page's script swaps them in without a reload."""
    return render_template("_results.html", **_search_context())


@bp.get("/turns/<turn_id>")
def turn(turn_id: str):
    service = get_service()
    record = service.get_turn(turn_id)
    conference = service.get_conference(record.conference_id)
    pos = next((i for i, t in enumerate(conference.turns) if t.id == record.id), None)
    before = conference.turns[pos - 1] if pos else None
    after = conference.turns[pos + 1] if pos is not None and pos + 1 < len(conference.turns) else None
    similar = analytics.similar_questions(service, record.id)
    return render_template("turn.html", turn=record, conference=conference, before=before, after=after, similar=similar)


@bp.get("/conferences/<conference_id>")
def conference(conference_id: str):
    return render_template("conference.html", conference=get_service().get_conference(conference_id))


class SearchNav:
    """URLs for links that change one part of the current search (facet toggles, chips, pages)."""

    def __init__(self, req: SearchRequest, page: SearchPage, limits: SearchSettings):
        self.req, self.page, self.default_per_page = req, page, limits.per_page
        # Pages past the depth limit would be refused, so they are never linked.
        self.last_page = max(1, min(page.pages, limits.max_page_depth // max(1, req.per_page)))

    def url(self, **changes) -> str:
        query = request_to_query(self.req, self.default_per_page, **changes)
        return "/?" + query if query else "/"

    def page_url(self, number: int) -> str:
        return self.url(page=number)

    def toggle_url(self, facet: str, value: str) -> str:
        query = request_to_query(toggle_filter(self.req, facet, value), self.default_per_page)
        return "/?" + query if query else "/"

    def label(self, facet: str, value: str) -> str:
        for fv in self.page.facets.get(facet, ()):
            if fv.value == value:
                return fv.label or fv.value
        return value

    def chips(self) -> list[dict]:
        """One removable chip per active filter."""
        chips = []
        for facet in FACETS:
            for value in self.req.filter_values(facet):
                value = str(value)
                chips.append({"facet": FACET_TITLES[facet], "text": self.label(facet, value),
                              "url": self.toggle_url(facet, value)})
        if self.req.date_from:
            chips.append({"facet": "From", "text": self.req.date_from.isoformat(),
                          "url": self.url(date_from=None, page=1)})
        if self.req.date_to:
            chips.append({"facet": "To", "text": self.req.date_to.isoformat(), "url": self.url(date_to=None, page=1)})
        return chips

    def clear_url(self) -> str:
        return self.url(**{f.field: () for f in FACET_TABLE}, date_from=None, date_to=None, page=1)

    @property
    def filtered(self) -> bool:
        return has_filters(self.req)

    def page_numbers(self) -> list[int | None]:
        """Page links to show: first, last, and a window around the current page; None marks a gap."""
        last, cur = self.last_page, self.req.page
        wanted = sorted({1, last, *range(max(1, cur - PAGE_WINDOW), min(last, cur + PAGE_WINDOW) + 1)})
        out: list[int | None] = []
        for n in wanted:
            if out and n - out[-1] > 1:
                out.append(None)
            out.append(n)
        return out

    def facet_groups(self):
        """(name, title, shown values, more values) for each facet with values, in FACETS order."""
        for name in FACETS:
            values = list(self.page.facets.get(name, ()))
            if not values:
                continue
            # Selected values always stay visible.
            shown = values[:FACET_VISIBLE] + [v for v in values[FACET_VISIBLE:] if v.selected]
            more = [v for v in values[FACET_VISIBLE:] if not v.selected]
            yield name, FACET_TITLES[name], shown, more


# ---- template helpers ---------------------------------------------------------------

_PARA_RE = re.compile(r"\n\s*\n")


def paragraphs(text: str) -> Markup:
    """Plain text -> escaped <p> paragraphs (blank lines separate paragraphs)."""
    parts = [p.strip() for p in _PARA_RE.split(text or "") if p.strip()]
    return Markup("\n").join(Markup("<p>%s</p>") % p for p in parts)


def safe_url(url: str) -> str:
    """The URL if it is http(s), else '' (never a javascript: or data: link)."""
    try:
        scheme = urlsplit(url or "").scheme.lower()
    except ValueError:
        return ""
    return url if scheme in ("http", "https") else ""


def long_date(value) -> str:
    if isinstance(value, date):
        return f"{value.day} {value:%B %Y}" if is_dated(value) else "undated"
    return str(value or "")


def time_tag(value: date) -> Markup:
    """<time datetime=...>3 March 2021</time>, or a plain 'undated' for a document that gives no date."""
    if not is_dated(value):
        return Markup('<span class="undated" title="The transcript gives no date">undated</span>')
    return Markup('<time datetime="{}">{}</time>').format(value.isoformat(), long_date(value))


def shorten(text: str, limit: int = 240) -> str:
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut + " …"


def who(outlet: str, speakers, roles=()) -> Markup:
    """'outlet → speaker (role), speaker' (escaped); parts left out when unknown."""
    names = ", ".join(speaker_names(speakers, roles))
    if outlet and names:
        return Markup('%s <span class="arrow" aria-label="to">→</span> %s') % (outlet, names)
    return escape(outlet or names)


def speaker_names(speakers, roles=()) -> list[str]:
    """Each speaker as 'Name (Role)' where the role is known."""
    roles = tuple(roles or ()) + ("",) * len(speakers or ())
    return [f"{name} ({role})" if role else name for name, role in zip(speakers or (), roles)]


def publisher(source_format: str) -> str:
    """Who published a transcript format ('' when unknown; the source file path is never shown)."""
    return PUBLISHERS.get(source_format, "")


def register_template_helpers(app: Flask) -> None:
    app.jinja_env.filters.update(paragraphs=paragraphs, safe_url=safe_url, long_date=long_date, time_tag=time_tag,
                                 shorten=shorten, publisher=publisher)
    app.jinja_env.globals.update(who=who, facet_titles=FACET_TITLES, speaker_names=speaker_names)
    app.jinja_env.tests["dated"] = is_dated
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
