"""Web edge: the research blueprint: trends (/trends, /api/trends, /trends.csv), concordance (/concordance,
/api/concordance, /concordance.csv) and citations of a turn (/api/turns/<id>/cite, the turn page's box)."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, jsonify, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from ..errors import QueryError
from ..insights import cite
from ..insights import concordance as conc
from ..insights import trends as tr
from ..models import SearchRequest
from . import get_service
from .contract import endpoint
from .params import parse_search_args, request_to_args, request_to_query
from .trend_chart import trend_chart

bp = Blueprint("research", __name__)

CONCORDANCE_PER_PAGE = 50
CONCORDANCE_MAX_PER_PAGE = 500
MEASURES = ("count", "per_1000")
CITE_FORMATS = {"text": "text/plain", "bibtex": "application/x-bibtex",
                "csl": "application/vnd.citationstyles.csl+json"}
_FILENAME_RE = re.compile(r"[^A-Za-z0-9]+")


def _settings():
    return current_app.config["SEARCHSVC_SETTINGS"]


def _args_without(*names: str) -> MultiDict:
    args = MultiDict(request.args)
    for name in names:
        args.poplist(name)
    return args


def _choice(name: str, choices, default: str) -> str:
    values = [v.strip() for v in request.args.getlist(name) if v.strip()]
    if len(values) > 1:
        raise QueryError(f"parameter {name!r} given more than once")
    value = values[0] if values else default
    if value not in choices:
        raise QueryError(f"parameter {name!r} must be one of {', '.join(choices)}, got {value[:40]!r}")
    return value


def _int(name: str, default: int, low: int, high: int) -> int:
    values = [v.strip() for v in request.args.getlist(name) if v.strip()]
    if not values:
        return default
    if len(values) > 1 or not values[0].isdigit() or len(values[0]) > 9:
        raise QueryError(f"parameter {name!r} must be one whole number, got {values[-1][:40]!r}")
    value = int(values[0])
    if not low <= value <= high:
        raise QueryError(f"parameter {name!r} must be between {low} and {high}, got {value}")
    return value


def search_url(req: SearchRequest, **changes) -> str:
    changes.setdefault("page", 1)
    query = request_to_query(req, _settings().search.per_page, **changes)
    return url_for("views.search") + ("?" + query if query else "")


def _csv(rows, filename: str) -> Response:
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    resp = Response(out.getvalue(), mimetype="text/csv")
    resp.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return resp


def _cell(value):
    """Text a spreadsheet will not run as a formula (a leading ' before = + - @), as the search export does."""
    return "'" + value if isinstance(value, str) and value.startswith(("=", "+", "-", "@", "\t", "\r")) else value


def _filename(kind: str, words: str) -> str:
    slug = _FILENAME_RE.sub("-", words).strip("-")[:40].lower()
    return f"{kind}-{slug}.csv" if slug else f"{kind}.csv"


# ---- trends ------------------------------------------------------------------------------------

def _trends_request() -> tuple[SearchRequest, list[str], str]:
    limits = _settings().search
    filters = parse_search_args(_args_without("q", "interval", "measure"), limits)
    queries = [q for q in request.args.getlist("q") if q.strip()]
    for q in queries:
        if len(q) > limits.max_query_chars:
            raise QueryError(f"query too long: {len(q)} characters (limit {limits.max_query_chars})")
    return filters, queries, _choice("interval", tr.INTERVALS, "auto")


@endpoint(bp, "/api/trends", "Several queries (q repeated, up to 6) counted per period, raw and per 1,000 turns",
          errors=(400, 503), media={"application/json": "{interval, series: [{q, total, points: [{period, count, "
                                                         "per_1000}]}]} (README: Research)"})
def api_trends():
    filters, queries, interval = _trends_request()
    if not any(q.strip() for q in queries):    # nothing to chart: an empty chart, like an empty search
        return jsonify({"interval": interval, "series": []})
    return jsonify(tr.trends_to_dict(tr.trends(get_service(), filters, queries, interval)))


@bp.get("/trends.csv")
def trends_csv():
    filters, queries, interval = _trends_request()
    found = tr.trends(get_service(), filters, queries, interval)
    return _csv(tr.trends_csv_rows(found), _filename("trends", " ".join(queries)))


@bp.get("/trends")
def trends_page():
    filters, queries, interval = _trends_request()
    measure = _choice("measure", MEASURES, "count")
    found = tr.trends(get_service(), filters, queries, interval) if queries else None
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


def _encode(pairs) -> str:
    return urlencode(pairs)


def _hidden_filters(req: SearchRequest) -> list[tuple[str, str]]:
    """The filters a page form keeps without showing a field for them (facet values)."""
    keep = {"speaker", "outlet", "conference", "year"}
    return [(k, v) for k, v in request_to_args(req, _settings().search.per_page) if k in keep]


# ---- concordance -----------------------------------------------------------------------------

def _concordance_args():
    limits = _settings().search
    req = parse_search_args(_args_without("sort", "page", "per_page", "width"), limits)
    sort = _choice("sort", conc.SORTS, "date")
    width = _int("width", conc.DEFAULT_WIDTH, 1, conc.MAX_WIDTH)
    page = _int("page", 1, 1, 10**6)
    per_page = _int("per_page", CONCORDANCE_PER_PAGE, 1, CONCORDANCE_MAX_PER_PAGE)
    return req, sort, width, page, per_page


@endpoint(bp, "/api/concordance", "Every occurrence of the query in context (keyword in context)",
          errors=(400, 503), media={"application/json": "{total_turns, total_lines, lines: [{turn_id, date, who, side, "
                                                         "left, match, right}], page, per_page, sort, width, "
                                                         "turns_read, truncated} (README: Research)"})
def api_concordance():
    req, sort, width, page, per_page = _concordance_args()
    if not req.q.strip():                      # nothing to look for: no lines, like an empty search
        return jsonify({"total_turns": 0, "total_lines": 0, "lines": [], "page": page, "per_page": per_page,
                        "sort": sort, "width": width, "turns_read": 0, "truncated": False})
    found = conc.concordance(get_service(), req, _settings().search, width, sort, page, per_page)
    return jsonify(conc.concordance_to_dict(found))


@bp.get("/concordance.csv")
def concordance_csv():
    req, sort, width, _page, _per_page = _concordance_args()
    if not req.q.strip():
        raise QueryError("give a query (q=...) to see its occurrences in context")
    lines, _total, _read = conc.all_lines(get_service(), req, _settings().search, width, sort)
    return _csv(conc.csv_rows(lines), _filename("concordance", req.q))


@bp.get("/concordance")
def concordance_page():
    req, sort, width, page, per_page = _concordance_args()
    found = conc.concordance(get_service(), req, _settings().search, width, sort, page, per_page) if req.q else None
    args = [(k, v) for k, v in request.args.items(multi=True) if k not in ("page", "sort")]

    def url(**changes) -> str:
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
def _template_globals(state) -> None:
    state.app.jinja_env.globals["citation_for"] = citation_for


@endpoint(bp, "/api/turns/<turn_id>/cite", "How to cite a turn: plain text (Chicago), BibTeX and CSL-JSON",
          errors=(400, 404, 503), path={"turn_id": "Turn id"},
          media={"application/json": "{turn_id, text, bibtex, csl}; format=text|bibtex|csl gives one alone"})
def api_cite(turn_id: str):
    fmt = _choice("format", ("json", *CITE_FORMATS), "json")
    found = citation_for(turn_id)
    if fmt == "json":
        return jsonify(cite.citation_to_dict(found))
    if fmt == "csl":
        return Response(current_app.json.dumps([found.csl]), mimetype=CITE_FORMATS[fmt])
    body = found.text + "\n" if fmt == "text" else found.bibtex
    return Response(body, mimetype=CITE_FORMATS[fmt] + "; charset=utf-8")
