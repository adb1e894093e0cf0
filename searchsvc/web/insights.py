"""Web edge: the insights blueprint: who-asked-whom matrix and timeline (results page and JSON), speaker and
outlet pages, similar questions, and exports of a search (CSV, JSON Lines, Atom feed)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

from flask import Blueprint, Response, current_app, render_template, request, stream_with_context, url_for
from pydantic import Field

from .. import serialize
from ..config import Settings
from ..insights import analytics, export
from ..insights.deflections import ANSWER_DEFLECTION, ANSWER_SUBSTANTIVE
from ..insights.rates import AnswerShare
from ..models import FACET_TABLE, SearchPage, SearchRequest
from ..serialize import one_of
from . import get_service
from .contract import endpoint, json_response
from .params import Query, Whole, limit_field, match_fields, order_fields, request_to_query

bp = Blueprint("insights", __name__)

HEAT_LEVELS = 8
CHART_W, CHART_H = 720, 150        # SVG viewBox of the timeline
CHART_LEFT, CHART_TOP, CHART_AXIS = 40, 8, 20
MAX_TICKS = 9
TICK_GAP = 56                      # least distance between two axis labels (viewBox units)
_FILENAME_RE = re.compile(r"[^A-Za-z0-9]+")


def _settings():
    return current_app.config["SEARCHSVC_SETTINGS"]


# ---- query parameters of the JSON and export routes (the contract: web/contract.py) ---------------

def matrix_fields(settings: Settings) -> dict[str, Any]:
    def size(default: int, what: str) -> tuple:
        return (Whole, Field(default, ge=1, le=analytics.MATRIX_MAX, description=f"{what} shown (most turns first)."))
    return {**match_fields(settings), "rows": size(analytics.MATRIX_ROWS, "Outlets"),
            "columns": size(analytics.MATRIX_COLUMNS, "Officials")}


def timeline_fields(settings: Settings) -> dict[str, Any]:
    return {**match_fields(settings), "interval": (one_of(analytics.INTERVALS), Field("auto", description=(
        "Bar width; auto: weeks up to about six months of dates, months up to 20 years, else years.")))}


def export_fields(settings: Settings) -> dict[str, Any]:
    most = settings.export.max_rows
    return {**match_fields(settings), **order_fields(settings),
            **limit_field(most, most, "Most turns written ([export] max_rows at most).")}


def feed_fields(settings: Settings) -> dict[str, Any]:
    most = settings.export.max_rows
    return {**match_fields(settings), **limit_field(min(export.FEED_ENTRIES, most), most,
                                                    "Most entries (the newest turns).")}


EXPORT_HEADERS = {"X-Total-Count": "turns that match", "X-Export-Rows": "turns written",
                  "X-Export-Truncated": "true when more matched than were written",
                  "Content-Disposition": "attachment; the file name names the query"}


def search_url(req: SearchRequest, **changes) -> str:
    """The search page for `req` with `changes` applied (page 1 unless given)."""
    changes.setdefault("page", 1)
    query = request_to_query(req, _settings().search.per_page, **changes)
    return url_for("views.search") + ("?" + query if query else "")


def profile_url(facet: str, name: str) -> str:
    """/speakers/<name> or /outlets/<name>, every character but "/" percent-encoded (no raw = or quotes in hrefs)."""
    endpoint = "insights.speaker" if facet == "speaker" else "insights.outlet"
    return url_for(endpoint, name="-")[:-1] + quote(name, safe="/")


@bp.record_once
def _template_globals(state) -> None:
    state.app.jinja_env.globals["profile_url"] = profile_url    # also inside imported macros
    state.app.jinja_env.globals["percent"] = percent


def export_url(endpoint: str, req: SearchRequest) -> str:
    query = request_to_query(req, _settings().search.per_page, page=1, per_page=_settings().search.per_page)
    return url_for(endpoint) + ("?" + query if query else "")


# ---- view models -------------------------------------------------------------------------

def heat(count: int, top: int) -> int:
    """Shade 0 (none) to HEAT_LEVELS (the largest cell) of a matrix cell."""
    return 0 if count <= 0 or top <= 0 else max(1, math.ceil(HEAT_LEVELS * count / top))


@dataclass
class MatrixView:
    matrix: analytics.Matrix
    rows: list[dict]

    @classmethod
    def build(cls, m: analytics.Matrix, req: SearchRequest) -> MatrixView:
        rows = []
        for i, (outlet, counts) in enumerate(zip(m.outlets, m.cells)):
            cells = [{"count": c, "heat": heat(c, m.max_cell), "speaker": s.value,
                      "href": search_url(req, outlets=(outlet.value,), speakers=(s.value,)) if c else "",
                      **_cell_share(m, i, j)}
                     for j, (s, c) in enumerate(zip(m.speakers, counts))]
            rows.append({"outlet": outlet, "cells": cells})
        return cls(m, rows)


def _cell_share(m: analytics.Matrix, i: int, j: int) -> dict:
    """A matrix cell's answers, deflections among them and the share as a percentage text ("" no answers)."""
    answered = m.answered[i][j] if m.answered else 0
    deflected = m.deflected[i][j] if m.deflected else 0
    return {"answered": answered, "deflected": deflected, "share": percent(deflected, answered) if answered else ""}


def percent(part: int, whole: int) -> str:
    """'12%' (one decimal below 10%), '0%' for nothing."""
    if not whole or not part:
        return "0%"
    value = 100 * part / whole
    return f"{value:.1f}%" if value < 10 else f"{value:.0f}%"


def answer_share(page: SearchPage) -> AnswerShare:
    """Answers among a search's matches and the deflections among them (the `answer` facet, its own filter left
    out, so the rate stays that of the search when the filter is set)."""
    counts = {v.value: v.count for v in page.facets.get("answer", ())}
    deflections = counts.get(ANSWER_DEFLECTION, 0)
    return AnswerShare(deflections + counts.get(ANSWER_SUBSTANTIVE, 0), deflections)


def timeline_chart(tl: analytics.Timeline, href_for) -> dict | None:
    """Geometry of the timeline's SVG bar chart; `href_for(bucket)` links a bar (None: no link)."""
    n = len(tl.buckets)
    if not n or not tl.max_count:
        return None
    plot_w, plot_h = CHART_W - CHART_LEFT - 4, CHART_H - CHART_TOP - CHART_AXIS
    slot = plot_w / n
    gap = min(2.0, slot * 0.2)
    bars = []
    for i, b in enumerate(tl.buckets):
        h = 0.0 if not b.count else max(1.5, plot_h * b.count / tl.max_count)
        x = CHART_LEFT + i * slot
        bars.append({"x": round(x + gap / 2, 2), "w": round(max(0.5, slot - gap), 2),
                     "y": round(CHART_TOP + plot_h - h, 2), "h": round(h, 2), "slot_x": round(x, 2),
                     "slot_w": round(slot, 2), "bucket": b, "href": href_for(b) if b.count else "",
                     "text": f"{b.label}: {b.count:,} {'turn' if b.count == 1 else 'turns'}"})
    firsts = [i for i, b in enumerate(tl.buckets) if _tick_start(b, tl.interval, i)]
    step = max(1, math.ceil(len(firsts) / MAX_TICKS))
    ticks: list[dict[str, Any]] = []
    for i in firsts[::step]:
        x = CHART_LEFT + i * slot
        if ticks and x - ticks[-1]["x"] < TICK_GAP:
            if len(ticks) == 1 and i != firsts[0]:
                ticks.pop()           # the first bar's label gives way to the first regular one
            else:
                continue
        b = tl.buckets[i]
        ticks.append({"x": round(x, 2), "label": _tick_label(b, tl.interval), "year": b.start.year})
    if ticks and not any(ch.isdigit() for ch in ticks[0]["label"]):
        ticks[0]["label"] += f" {ticks[0]['year']}"          # the first label always says the year
    return {"width": CHART_W, "height": CHART_H, "bars": bars, "ticks": ticks, "left": CHART_LEFT, "top": CHART_TOP,
            "base": CHART_TOP + plot_h, "right": CHART_W - 4, "max": tl.max_count, "interval": tl.interval,
            "total": tl.total, "undated": tl.undated}


def _tick_start(b, interval: str, i: int) -> bool:
    if interval == "month":
        return b.start.month == 1 or i == 0
    if interval == "week":
        return b.start.day <= 7 or i == 0
    return True


def _tick_label(b, interval: str) -> str:
    if interval == "month":
        return str(b.start.year) if b.start.month == 1 else f"{b.start:%b %Y}"
    if interval == "week":
        return f"{b.start:%b %Y}" if b.start.month == 1 or b.start.day > 7 else f"{b.start:%b}"
    return str(b.start.year)


def results_context(req: SearchRequest, page: SearchPage) -> dict:
    """What the results page shows beside the hits: matrix, timeline chart, export and feed links."""
    exports = {"csv": export_url("insights.search_csv", req), "jsonl": export_url("insights.search_jsonl", req),
               "atom": export_url("insights.search_atom", req)}
    if not page.total:
        return {"insights": None, "exports": exports, "answers": answer_share(page)}
    matrix, tl = analytics.overview(get_service(), req)
    chart = timeline_chart(tl, lambda b: search_url(req, date_from=b.date_from, date_to=b.date_to))
    return {"insights": {"matrix": MatrixView.build(matrix, req) if matrix.outlets else None, "chart": chart},
            "exports": exports, "answers": answer_share(page)}


# ---- JSON -----------------------------------------------------------------------------------

@endpoint(bp, "/api/matrix", "Who asked whom: outlet x official counts of the matching turns", query=matrix_fields,
          response=serialize.Matrix, errors=(400, 503))
def api_matrix(query: Query):
    matrix = analytics.who_asked_whom(get_service(), query.search_request(), query.rows, query.columns)
    return json_response(serialize.Matrix, matrix)


@endpoint(bp, "/api/timeline", "Matching turns over time", query=timeline_fields, response=serialize.Timeline,
          errors=(400, 503))
def api_timeline(query: Query):
    return json_response(serialize.Timeline,
                         analytics.timeline(get_service(), query.search_request(), query.interval))


@endpoint(bp, "/api/speakers/<name>", "A speaker's profile", response=serialize.Profile, errors=(404, 503),
          path={"name": "Speaker name as in the speaker facet"})
def api_speaker(name: str):
    return json_response(serialize.Profile, analytics.profile(get_service(), "speaker", name))


@endpoint(bp, "/api/outlets/<name>", "An outlet's profile", response=serialize.Profile, errors=(404, 503),
          path={"name": "Outlet name as in the outlet facet"})
def api_outlet(name: str):
    return json_response(serialize.Profile, analytics.profile(get_service(), "outlet", name))


@endpoint(bp, "/api/turns/<turn_id>/similar", "Similar questions asked at other conferences (more-like-this)",
          response=serialize.SimilarQuestions, errors=(404, 503), path={"turn_id": "Turn id"})
def api_similar(turn_id: str):
    return json_response(serialize.SimilarQuestions, analytics.similar_questions(get_service(), turn_id))


# ---- pages ----------------------------------------------------------------------------------

def _profile_page(facet: str, name: str):
    prof = analytics.profile(get_service(), facet, name)
    mine = SearchRequest().with_filter(facet, (name,))
    other = "outlet" if facet == "speaker" else "speaker"
    chart = timeline_chart(prof.timeline, lambda b: search_url(mine, date_from=b.date_from, date_to=b.date_to))
    return render_template(
        "profile.html", profile=prof, kind=facet.title(), chart=chart, other=other, all_url=search_url(mine),
        with_url=lambda value: search_url(mine.with_filter(other, (value,))),
        term_url=lambda word: search_url(mine, q=word),
        conference_url=lambda cid: search_url(mine, conferences=(cid,)),
        deflections_url=search_url(mine, answers=(ANSWER_DEFLECTION,)),
        role_url=lambda role: search_url(mine, roles=(role,)),
        exports={"csv": export_url("insights.search_csv", mine), "atom": export_url("insights.search_atom", mine)},
    )


@bp.get("/speakers/<path:name>")
def speaker(name: str):
    return _profile_page("speaker", name)


@bp.get("/outlets/<path:name>")
def outlet(name: str):
    return _profile_page("outlet", name)


# ---- exports and feeds ----------------------------------------------------------------------

def _filename(req: SearchRequest, ext: str) -> str:
    words = _FILENAME_RE.sub("-", req.q).strip("-")[:40].lower()
    return f"search-{words}.{ext}" if words else f"search.{ext}"


def _export(query: Query, kind: str, mimetype: str, chunks_of) -> Response:
    req = query.search_request()
    found = export.export_turns(get_service(), req, query.limit)
    turn_url = lambda tid: url_for("views.turn", turn_id=tid, _external=True)  # noqa: E731
    resp = Response(stream_with_context(chunks_of(found.records, turn_url)), mimetype=mimetype)
    resp.headers["Content-Disposition"] = f'attachment; filename="{_filename(req, kind)}"'
    resp.headers["X-Total-Count"] = str(found.total)
    resp.headers["X-Export-Rows"] = str(found.rows)
    resp.headers["X-Export-Truncated"] = "true" if found.truncated else "false"
    return resp


@endpoint(bp, "/search.csv", "Every matching turn as CSV (one row per turn)", query=export_fields, errors=(400, 503),
          media={"text/csv": "CSV with a header row"}, headers=EXPORT_HEADERS)
def search_csv(query: Query):
    return _export(query, "csv", "text/csv", export.csv_chunks)


@endpoint(bp, "/search.jsonl", "Every matching turn as JSON Lines", query=export_fields, errors=(400, 503),
          media={"application/jsonl": "One Turn object (with its `url`) per line"}, headers=EXPORT_HEADERS)
def search_jsonl(query: Query):
    return _export(query, "jsonl", "application/jsonl", export.jsonl_chunks)


def feed_title(req: SearchRequest) -> str:
    parts = [f"“{req.q}”"] if req.q else []
    for f in FACET_TABLE:
        values = req.filter_values(f.name)
        if values:
            parts.append(f"{f.name}: {', '.join(str(v) for v in values)}")
    if req.date_from or req.date_to:
        parts.append(f"dates: {req.date_from or '…'} to {req.date_to or '…'}")
    return "Press conference search" + (" – " + "; ".join(parts) if parts else ": newest turns")


@endpoint(bp, "/search.atom", "An Atom feed of the newest matching turns", query=feed_fields, errors=(400, 503),
          media={"application/atom+xml": "Atom 1.0 feed"})
def search_atom(query: Query):
    req = query.search_request()
    found = export.feed_turns(get_service(), req, query.limit)
    same = request_to_query(req, _settings().search.per_page, page=1, per_page=_settings().search.per_page,
                            sort="relevance")
    root, tail = request.url_root.rstrip("/"), ("?" + same if same else "")
    built = datetime.fromisoformat(get_service().stats().built_at)
    body = export.atom_feed(
        found.records, title=feed_title(req), feed_url=root + url_for("insights.search_atom") + tail,
        html_url=root + url_for("views.search") + tail,
        turn_url=lambda tid: url_for("views.turn", turn_id=tid, _external=True), updated=built,
    )
    return Response(body, mimetype="application/atom+xml")
