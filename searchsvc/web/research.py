"""Web edge: the research blueprint: trends (/trends, /api/trends, /trends.csv), concordance (/concordance,
/api/concordance, /concordance.csv) and citations of a turn (/api/turns/<id>/cite, the turn page's box)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, render_template, request, url_for
from flask.blueprints import BlueprintSetupState
from pydantic import Field

from .. import serialize
from ..config import Settings
from ..errors import QueryError
from ..insights import cite
from ..insights import concordance as conc
from ..insights import trends as tr
from ..models import SearchRequest
from ..search.parameters import Query, QueryFields, Whole, filter_fields, many, parse_query, query_help, query_text
from ..serialize import one_of
from . import get_service
from .contract import endpoint, json_response
from .params import request_to_args, request_to_query
from .trend_chart import trend_chart

bp = Blueprint("research", __name__)

CONCORDANCE_PER_PAGE = 50
CONCORDANCE_MAX_PER_PAGE = 500
CONCORDANCE_MAX_PAGE = 10**6
MEASURES = ("count", "per_1000")
CITE_FORMATS = {"text": "text/plain", "bibtex": "application/x-bibtex",
                "csl": "application/vnd.citationstyles.csl+json"}
_FILENAME_RE = re.compile(r"[^A-Za-z0-9]+")


def _settings() -> Settings:
    found: Settings = current_app.config["SEARCHSVC_SETTINGS"]
    return found


# ---- the parameters (built on the search parameters of search/parameters.py) ----------------------

def trends_fields(settings: Settings) -> dict[str, Any]:
    """/api/trends, /trends.csv: up to MAX_SERIES queries under one set of filters."""
    lim = settings.search
    return {
        "q": many(query_text(lim), tr.MAX_SERIES, query_help(lim, empty=(
            f"Repeat for several series (at most {tr.MAX_SERIES}); each is counted alone. Without q: no series "
            "(an empty result)."))),
        **filter_fields(settings),
        "interval": (one_of(tr.INTERVALS), Field("auto", description=(
            "Period of the points; auto: by the span of the matching turns."))),
    }


def trends_page_fields(settings: Settings) -> dict[str, Any]:
    return {**trends_fields(settings), "measure": (one_of(MEASURES), Field("count", description="What to chart."))}


def concordance_fields(settings: Settings) -> dict[str, Any]:
    """/api/concordance, /concordance.csv, /concordance."""
    lim = settings.search
    return {
        "q": (query_text(lim), Field("", description=query_help(lim, empty="Without q: no lines (an empty result)."))),
        **filter_fields(settings),
        "sort": (one_of(conc.SORTS), Field("date", description=(
            "Order of lines: date (newest first), or alphabetically by the words left or right of the match."))),
        "width": (Whole, Field(conc.DEFAULT_WIDTH, ge=1, le=conc.MAX_WIDTH, description="Words shown each side.")),
        "page": (Whole, Field(1, ge=1, le=CONCORDANCE_MAX_PAGE, description="Page of lines.")),
        "per_page": (Whole, Field(CONCORDANCE_PER_PAGE, ge=1, le=CONCORDANCE_MAX_PER_PAGE,
                                  description="Lines per page.")),
    }


def cite_fields(settings: Settings) -> dict[str, Any]:
    """/api/turns/<id>/cite."""
    return {"format": (one_of(("json", *CITE_FORMATS)), Field("json", description=(
        "json: every form as below; text (text/plain), bibtex (application/x-bibtex) or csl "
        "(application/vnd.citationstyles.csl+json, a list of one item): that form alone.")))}


def _query(fields: QueryFields) -> Query:
    return parse_query(fields, request.args, _settings())


def search_url(req: SearchRequest, **changes: Any) -> str:
    changes.setdefault("page", 1)
    query = request_to_query(req, _settings().search.per_page, **changes)
    return url_for("views.search") + ("?" + query if query else "")


def _csv(rows: Iterable[Sequence[Any]], filename: str) -> Response:
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    resp = Response(out.getvalue(), mimetype="text/csv")
    resp.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return resp


def _cell(value: Any) -> Any:
    """Text a spreadsheet will not run as a formula (a leading ' before = + - @), as the search export does."""
    return "'" + value if isinstance(value, str) and value.startswith(("=", "+", "-", "@", "\t", "\r")) else value


def _filename(kind: str, words: str) -> str:
    slug = _FILENAME_RE.sub("-", words).strip("-")[:40].lower()
    return f"{kind}-{slug}.csv" if slug else f"{kind}.csv"


# ---- trends ------------------------------------------------------------------------------------

def _trends(query: Query) -> tr.Trends:
    return tr.trends(get_service(), query.search_request(), list(query.q), query.interval)


@endpoint(bp, "/api/trends", "Several queries (q repeated, up to 6) counted per period, raw and per 1,000 turns",
          query=trends_fields, response=serialize.Trends, errors=(400, 503))
def api_trends(query: Query) -> Response:
    if not query.q:                            # nothing to chart: an empty chart, like an empty search
        return json_response(serialize.Trends, {"interval": query.interval, "series": []})
    return json_response(serialize.Trends, _trends(query))


@bp.get("/trends.csv")
def trends_csv() -> Response:
    query = _query(trends_fields)
    found = _trends(query)
    return _csv(tr.trends_csv_rows(found), _filename("trends", " ".join(query.q)))


@bp.get("/trends")
def trends_page() -> str:
    query = _query(trends_page_fields)
    filters, queries, interval, measure = query.search_request(), list(query.q), query.interval, query.measure
    found = _trends(query) if queries else None
    base_args = [(k, v) for k, v in request.args.items(multi=True) if k != "measure"]

    def with_measure(m: str) -> str:
        return url_for("research.trends_page") + "?" + _encode(base_args + [("measure", m)])

    chart = trend_chart(found, measure, lambda q, p: search_url(filters, q=q, date_from=p.date_from,
                                                                 date_to=p.date_to)) if found else None
    return render_template(
        "trends.html", filters=filters, queries=queries, interval=interval, measure=measure, trends=found,
        chart=chart, intervals=tr.INTERVALS, max_series=tr.MAX_SERIES,
        measure_urls={m: with_measure(m) for m in MEASURES},
        csv_url=url_for("research.trends_csv") + "?" + _encode(base_args),
        json_url=url_for("research.api_trends") + "?" + _encode(base_args),
        series_url=lambda q: search_url(filters, q=q),
        hidden=_hidden_filters(filters),
    )


def _encode(pairs: Sequence[tuple[str, str]]) -> str:
    return urlencode(pairs)


def _hidden_filters(req: SearchRequest) -> list[tuple[str, str]]:
    """The filters a page form keeps without showing a field for them (facet values)."""
    keep = {"speaker", "outlet", "conference", "year"}
    return [(k, v) for k, v in request_to_args(req, _settings().search.per_page) if k in keep]


# ---- concordance -----------------------------------------------------------------------------

def _concordance(query: Query) -> conc.Concordance:
    return conc.concordance(get_service(), query.search_request(), _settings().search, query.width, query.sort,
                            query.page, query.per_page)


@endpoint(bp, "/api/concordance", "Every occurrence of the query in context (keyword in context)",
          query=concordance_fields, response=serialize.Concordance, errors=(400, 503))
def api_concordance(query: Query) -> Response:
    if not query.q:                            # nothing to look for: no lines, like an empty search
        return json_response(serialize.Concordance, {
            "total_turns": 0, "total_lines": 0, "lines": [], "page": query.page, "per_page": query.per_page,
            "sort": query.sort, "width": query.width, "turns_read": 0, "truncated": False})
    return json_response(serialize.Concordance, _concordance(query))


@bp.get("/concordance.csv")
def concordance_csv() -> Response:
    query = _query(concordance_fields)
    req = query.search_request()
    if not req.q:
        raise QueryError("give a query (q=...) to see its occurrences in context")
    lines, _total, _read = conc.all_lines(get_service(), req, _settings().search, query.width, query.sort)
    return _csv(conc.csv_rows(lines), _filename("concordance", req.q))


@bp.get("/concordance")
def concordance_page() -> str:
    query = _query(concordance_fields)
    req, sort, width, page, per_page = query.search_request(), query.sort, query.width, query.page, query.per_page
    found = _concordance(query) if req.q else None
    args = [(k, v) for k, v in request.args.items(multi=True) if k not in ("page", "sort")]

    def url(**changes: Any) -> str:
        pairs = [(k, v) for k, v in args if k not in changes] + [(k, str(v)) for k, v in changes.items()]
        return url_for("research.concordance_page") + "?" + _encode(pairs)

    pages = max(1, -(-found.total_lines // per_page)) if found else 1
    return render_template(
        "concordance.html", req=req, sort=sort, width=width, found=found, page=page, pages=pages,
        sort_url=lambda s: url(sort=s), page_url=lambda p: url(sort=sort, page=p),
        csv_url=url_for("research.concordance_csv") + "?" + _encode(args + [("sort", sort)]),
        json_url=url_for("research.api_concordance") + "?" + _encode(args + [("sort", sort)]),
        turn_url=lambda tid: url_for("views.turn", turn_id=tid), sorts=conc.SORTS, hidden=_hidden_filters(req),
        search_link=search_url(req),
    )


# ---- citations --------------------------------------------------------------------------------

def citation_for(turn_id: str) -> cite.Citation:
    """The citation of a turn (the turn page's box and /api/turns/<id>/cite)."""
    service = get_service()
    record = service.get_turn(turn_id)
    roles = {name: role for name, role in zip(record.speakers, record.roles) if role}
    permalink = url_for("views.turn", turn_id=record.id, _external=True)
    return cite.cite_turn(record, permalink, roles, accessed=date.today())


@bp.record_once
def _template_globals(state: BlueprintSetupState) -> None:
    state.app.jinja_env.globals["citation_for"] = citation_for


@endpoint(bp, "/api/turns/<turn_id>/cite", "How to cite a turn: plain text (Chicago), BibTeX and CSL-JSON",
          query=cite_fields, response=serialize.Citation, errors=(400, 404, 503), path={"turn_id": "Turn id"},
          media={media: f"format={fmt}" for fmt, media in CITE_FORMATS.items()})
def api_cite(turn_id: str, query: Query) -> Response:
    fmt = query.format
    found = citation_for(turn_id)
    if fmt == "json":
        return json_response(serialize.Citation, found)
    if fmt == "csl":
        return Response(current_app.json.dumps([found.csl]), mimetype=CITE_FORMATS[fmt])
    body = found.text + "\n" if fmt == "text" else found.bibtex
    return Response(body, mimetype=CITE_FORMATS[fmt] + "; charset=utf-8")
