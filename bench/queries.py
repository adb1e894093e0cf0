"""Benchmarks: a fixed, seeded query set built from real question text, rendered for each system under test."""

from __future__ import annotations

import random
import re
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from urllib.parse import urlencode

# A common English stop list: query words are drawn from outside it so that both systems
# (ours may drop stop words, FTS5 does not) see the same required terms.
STOP = frozenset("""
a about above after again against all also am an and any are aren as at be because been before being below
between both but by can cannot could did didn do does doesn doing don down during each few for from further
had has have having he her here hers herself him himself his how i if in into is isn it its itself just let
me more most my myself no nor not now of off on once only or other our ours ourselves out over own same she
should so some such than that the their theirs them themselves then there these they this those through to
too under until up very was wasn we were what when where which while who whom why will with won would you
your yours yourself yourselves yes well said say says going get got one two know think mean want like
really thing things way lot go see make today question questions thank thanks
""".split())
WORD_RE = re.compile(r"\w+")
GOOD_WORD_RE = re.compile(r"^[a-z]{3,20}$")

# Share of each query kind in the set (the rest of N goes to "and").
MIX = (("term", 0.25), ("phrase", 0.15), ("speaker", 0.12), ("outlet", 0.08), ("daterange", 0.15))


@dataclass(frozen=True)
class Query:
    kind: str                       # term | and | phrase | speaker | outlet | daterange
    words: tuple[str, ...]          # required words (or the phrase's words, in order)
    phrase: bool = False
    speaker: str = ""
    outlet: str = ""
    date_from: str = ""             # ISO dates, "" when open
    date_to: str = ""
    source_id: str = ""             # the turn the words came from (it must match)
    extra: dict = field(default_factory=dict)

    @property
    def q(self) -> str:
        """The user query string for searchsvc: plain words (AND) or one quoted phrase."""
        text = " ".join(self.words)
        return f'"{text}"' if self.phrase else text

    def fts_match(self) -> str:
        """The equivalent FTS5 MATCH expression: every term an escaped FTS5 string, ANDed."""
        if self.phrase:
            return fts_string(" ".join(self.words))
        return " AND ".join(fts_string(w) for w in self.words)

    def to_request(self):
        from searchsvc.models import SearchRequest

        return SearchRequest(
            q=self.q, per_page=10,
            speakers=(self.speaker,) if self.speaker else (),
            outlets=(self.outlet,) if self.outlet else (),
            date_from=date.fromisoformat(self.date_from) if self.date_from else None,
            date_to=date.fromisoformat(self.date_to) if self.date_to else None,
        )

    def api_path(self) -> str:
        """Our JSON API: /api/search?q=...&speaker=...&outlet=...&from=...&to=..."""
        args = [("q", self.q)]
        if self.speaker:
            args.append(("speaker", self.speaker))
        if self.outlet:
            args.append(("outlet", self.outlet))
        if self.date_from:
            args.append(("from", self.date_from))
        if self.date_to:
            args.append(("to", self.date_to))
        return "/api/search?" + urlencode(args)

    def datasette_path(self, db: str = "db", table: str = "turns") -> str:
        """Datasette's table JSON with the same FTS5 expression (raw mode), filters and facets."""
        args = [("_search", self.fts_match()), ("_searchmode", "raw"), ("_size", "10"),
                ("_facet_array", "speakers"), ("_facet", "outlet"), ("_facet", "conference_id"), ("_facet", "year")]
        if self.speaker:
            args.append(("speakers__arraycontains", self.speaker))
        if self.outlet:
            args.append(("outlet__exact", self.outlet))
        if self.date_from:
            args.append(("date__gte", self.date_from))
        if self.date_to:
            args.append(("date__lte", self.date_to))
        return f"/{db}/{table}.json?" + urlencode(args)

    def as_dict(self) -> dict:
        d = asdict(self)
        d["q"] = self.q
        d["fts_match"] = self.fts_match()
        return d


def fts_string(text: str) -> str:
    """`text` as an FTS5 string literal: in double quotes, inner quotes doubled (no operators survive)."""
    return '"' + text.replace('"', '""') + '"'


def _tokens(text: str) -> list[str]:
    return [t.lower() for t in WORD_RE.findall(text)]


def _good(word: str) -> bool:
    return bool(GOOD_WORD_RE.match(word)) and word not in STOP


def _words(text: str) -> list[str]:
    seen: list[str] = []
    for t in _tokens(text):
        if _good(t) and t not in seen:
            seen.append(t)
    return seen


def _phrases(text: str, rng: random.Random) -> tuple[str, ...] | None:
    toks = _tokens(text)
    size = rng.choice((2, 2, 3))
    spans = [tuple(toks[i:i + size]) for i in range(len(toks) - size + 1)
             if all(_good(t) for t in toks[i:i + size]) and len(set(toks[i:i + size])) == size]
    return rng.choice(spans) if spans else None


def build_queries(rows: list[dict], n: int = 300, seed: int = 20240601) -> list[Query]:
    """`n` queries drawn (seeded) from the questions of `rows`; each one matches the turn it came from."""
    rng = random.Random(seed)
    qa = [r for r in rows if len(_words(r["question"])) >= 4]
    if not qa:
        qa = [r for r in rows if len(_words(r["question"] + " " + r["answer"])) >= 4]
    if not qa:
        raise ValueError("no turns with enough question text to build queries from")
    with_speaker = [r for r in qa if r["speakers"]] or qa
    with_outlet = [r for r in qa if r["outlet"]] or with_speaker
    counts = {kind: max(1, round(n * share)) for kind, share in MIX}
    counts["and"] = max(1, n - sum(counts.values()))
    if not any(r["outlet"] for r in qa):          # no outlets in this corpus: filter by speaker instead
        counts["speaker"] += counts.pop("outlet")
    out: list[Query] = []
    for kind, count in counts.items():
        made = tries = 0
        while made < count and tries < count * 50:
            tries += 1
            pool = with_speaker if kind == "speaker" else with_outlet if kind == "outlet" else qa
            row = rng.choice(pool)
            words = _words(row["question"]) or _words(row["answer"])
            query = _make(kind, row, words, rng)
            if query is not None:
                out.append(query)
                made += 1
    rng.shuffle(out)
    return out[:n]


def _make(kind: str, row: dict, words: list[str], rng: random.Random) -> Query | None:
    src = row["id"]
    if kind == "term":
        return Query("term", (rng.choice(words),), source_id=src)
    if kind == "and":
        k = min(len(words), rng.choice((2, 2, 3, 3, 4)))
        picked = sorted(rng.sample(range(len(words)), k))
        return Query("and", tuple(words[i] for i in picked), source_id=src)
    if kind == "phrase":
        span = _phrases(row["question"], rng)
        return Query("phrase", span, phrase=True, source_id=src) if span else None
    if kind == "speaker":
        if not row["speakers"]:
            return None
        return Query("speaker", (rng.choice(words),), speaker=rng.choice(row["speakers"]), source_id=src)
    if kind == "outlet":
        if not row["outlet"]:
            return None
        return Query("outlet", (rng.choice(words),), outlet=row["outlet"], source_id=src)
    if kind == "daterange":
        day = date.fromisoformat(row["date"])
        start = day - timedelta(days=rng.randint(0, 180))
        end = day + timedelta(days=rng.randint(0, 180))
        return Query("daterange", tuple(rng.sample(words, min(2, len(words)))),
                     date_from=start.isoformat(), date_to=end.isoformat(), source_id=src)
    raise ValueError(kind)
