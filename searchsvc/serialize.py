"""Search stage -> web / cli: the JSON shapes of pages, turns, conferences and stats (plain dicts)."""

from __future__ import annotations

from dataclasses import asdict

from .models import ConferenceRecord, FacetValue, Hit, IndexStats, SearchPage, TurnRecord


def facet_value_to_dict(v: FacetValue) -> dict:
    return {"value": v.value, "count": v.count, "selected": v.selected, "label": v.label or v.value}


def hit_to_dict(h: Hit) -> dict:
    return {
        "id": h.id, "conference_id": h.conference_id, "conference_title": h.conference_title,
        "date": h.date.isoformat(), "source": h.source, "source_url": h.source_url, "seq": h.seq,
        "kind": h.kind, "outlet": h.outlet, "speakers": list(h.speakers),
        "question_html": h.question_html, "answer_html": h.answer_html, "score": h.score,
        "roles": list(h.roles), "deflection": h.deflection,
    }


def search_page_to_dict(page: SearchPage) -> dict:
    return {
        "total": page.total,
        "hits": [hit_to_dict(h) for h in page.hits],
        "facets": {name: [facet_value_to_dict(v) for v in values] for name, values in page.facets.items()},
        "suggestion": page.suggestion,
        "optional_terms": list(page.optional_terms),
        "suggested_filters": [{"facet": s.facet, "value": s.value, "count": s.count}
                              for s in page.suggested_filters],
        "notices": list(page.notices),
        "page": page.request.page,
        "per_page": page.request.per_page,
        "pages": page.pages,
        "took_ms": page.took_ms,
        "cached": page.cached,
        "query": page.request.q,
    }


def turn_to_dict(t: TurnRecord) -> dict:
    out = asdict(t)
    out["date"] = t.date.isoformat()
    out["speakers"] = list(t.speakers)
    out["roles"] = list(t.roles)
    return out


def conference_to_dict(c: ConferenceRecord) -> dict:
    return {
        "id": c.id, "title": c.title, "date": c.date.isoformat(), "source": c.source, "source_url": c.source_url,
        "source_format": c.source_format, "officials": list(c.officials),
        "turns": [turn_to_dict(t) for t in c.turns],
    }


def stats_to_dict(s: IndexStats) -> dict:
    return asdict(s)
