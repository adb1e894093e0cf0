"""Web edge: the OpenAPI paths and schemas of the research endpoints (trends, concordance, citations)."""

from __future__ import annotations

from ..config import SearchSettings
from ..insights import concordance as conc
from ..insights import trends as tr

_STR = {"type": "string"}
_DATE = {"type": "string", "format": "date"}
_COUNT = {"type": "integer", "minimum": 0}


def _obj(properties: dict, description: str = "") -> dict:
    out = {"type": "object", "properties": properties, "required": list(properties), "additionalProperties": False}
    if description:
        out["description"] = description
    return out


def _param(name: str, schema: dict, description: str, **extra) -> dict:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description, **extra}


def research_schemas() -> dict:
    point = _obj({"period": _STR, "count": _COUNT, "per_1000": {"type": "number", "minimum": 0}},
                 "Matching turns in one period, and per 1,000 turns of the period that pass the filters.")
    side = {"type": "string", "enum": ["question", "answer"]}
    line = _obj({"turn_id": _STR, "date": _DATE, "who": _STR, "side": side,
                 "left": _STR, "match": _STR, "right": _STR},
                "One occurrence: `who` is the answering official(s) for an answer, the outlet for a question.")
    return {
        "Trends": _obj({
            "interval": {"type": "string", "enum": [i for i in tr.INTERVALS if i != "auto"]},
            "series": {"type": "array", "items": _obj({
                "q": _STR, "total": _COUNT, "points": {"type": "array", "items": point}},
                "One query: `total` equals /api/search's total for it and the filters; the points add up to it.")},
        }, "Every period from the first to the last matching turn of any series (zeros included); periods are "
           "2021-W09 (ISO weeks), 2021-03, 2021-Q1 or 2021."),
        "Concordance": _obj({
            "total_turns": _COUNT, "total_lines": _COUNT, "lines": {"type": "array", "items": line},
            "page": {"type": "integer", "minimum": 1}, "per_page": {"type": "integer", "minimum": 1},
            "sort": {"type": "string", "enum": list(conc.SORTS)}, "width": {"type": "integer", "minimum": 1},
            "turns_read": _COUNT, "truncated": {"type": "boolean"},
        }, f"Occurrences of the query's words and quoted phrases in the matching turns (total_turns: what "
           f"/api/search counts). At most {conc.MAX_TURNS:,} turns (the newest) are read: `truncated` says so."),
        "Citation": _obj({
            "turn_id": _STR, "text": _STR, "bibtex": _STR,
            "csl": {"type": "object", "required": ["id", "type", "title", "issued", "URL"],
                    "description": "One CSL-JSON item (type speech)."},
        }, "A plain-text reference (Chicago style), BibTeX and CSL-JSON of one turn."),
    }


def research_paths(limits: SearchSettings, search_parameters: list[dict], get) -> dict:
    """Paths of /api/trends, /api/concordance and /api/turns/{turn_id}/cite; `get` builds an operation as the
    main document's helper does, `search_parameters` are /api/search's."""
    filters = [p for p in search_parameters if p["name"] not in ("q", "sort", "page", "per_page")]
    query = next(p for p in search_parameters if p["name"] == "q")
    many = {"style": "form", "explode": True}
    trends = [
        _param("q", {"type": "array", "items": query["schema"], "minItems": 1, "maxItems": tr.MAX_SERIES},
               f"A query to chart (search syntax as /api/search); repeat for up to {tr.MAX_SERIES} series.", **many),
        *filters,
        _param("interval", {"type": "string", "enum": list(tr.INTERVALS), "default": "auto"},
               "Period; auto: weeks up to about six months of dates, months up to 20 years, else years."),
    ]
    concordance = [
        query, *filters,
        _param("width", {"type": "integer", "minimum": 1, "maximum": conc.MAX_WIDTH, "default": conc.DEFAULT_WIDTH},
               "Words of context each side."),
        _param("sort", {"type": "string", "enum": list(conc.SORTS), "default": "date"},
               "date (oldest first), left (the word before the match) or right (the word after)."),
        _param("page", {"type": "integer", "minimum": 1, "default": 1}, "Page of lines."),
        _param("per_page", {"type": "integer", "minimum": 1, "maximum": 500, "default": 50}, "Lines per page."),
    ]
    cite = [{"name": "turn_id", "in": "path", "required": True, "schema": _STR, "description": "Turn id"},
            _param("format", {"type": "string", "enum": ["json", "text", "bibtex", "csl"], "default": "json"},
                   "json: all three; text, bibtex or csl: that one alone (text/plain, application/x-bibtex, "
                   "application/vnd.citationstyles.csl+json).")]
    return {
        "/api/trends": get("Several queries counted per period, raw and per 1,000 turns", "Trends", "The series",
                           (400, 503), trends),
        "/api/concordance": get("Every occurrence of the query in context (keyword in context)", "Concordance",
                                "A page of lines", (400, 503), concordance),
        "/api/turns/{turn_id}/cite": get("How to cite a turn", "Citation", "The citation", (400, 404, 503), cite),
    }
