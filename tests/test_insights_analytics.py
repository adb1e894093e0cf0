"""Tests for searchsvc.insights.analytics and .keyterms: matrix, timeline, profiles and distinctive terms equal
brute-force counts over parse_paths output, and re-asked questions are found, over real Whoosh indexes."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, timedelta

import pytest
from support import CORPUS, SAMPLE, base_settings

from searchsvc.analysis import analyze_terms, term_for_token
from searchsvc.errors import NotFoundError, QueryError
from searchsvc.index.build import rebuild_from_conferences, rebuild_index
from searchsvc.index.schema import clean_name
from searchsvc.ingest import parse_paths
from searchsvc.insights import analytics
from searchsvc.insights.keyterms import MIN_COUNT, MIN_DOCS, ignored_terms, log_likelihood, readable
from searchsvc.models import KIND_QA, Conference, SearchRequest, Turn
from searchsvc.search import SearchService

# ---- brute force over parse_paths output -------------------------------------------------------

class Brute:
    """Every turn of some transcripts as parse_paths gives them, with the index's view of names and words."""

    def __init__(self, paths):
        self.turns = []
        for conf in parse_paths(paths).conferences:
            for turn in conf.turns:
                self.turns.append({
                    "conf": conf, "turn": turn, "date": conf.date, "outlet": clean_name(turn.outlet),
                    "speakers": {clean_name(s) for s in turn.speakers if clean_name(s)},
                    "q": analyze_terms(turn.question), "a": analyze_terms(turn.answer),
                })

    def matching(self, word: str = "", scope: str = "both", speakers=(), outlets=(), years=(), date_from=None,
                 date_to=None) -> list[dict]:
        stem = analyze_terms(word)[0] if word else None
        out = []
        for t in self.turns:
            if stem is not None:
                words = (set(t["q"]) if scope != "answer" else set()) | (set(t["a"]) if scope != "question" else set())
                if stem not in words:
                    continue
            if speakers and not t["speakers"] & set(speakers):
                continue
            if outlets and t["outlet"] not in outlets:
                continue
            if years and t["date"].year not in years:
                continue
            if (date_from and t["date"] < date_from) or (date_to and t["date"] > date_to):
                continue
            out.append(t)
        return out


@pytest.fixture(scope="module")
def brute():
    return Brute([SAMPLE])


def request_of(word="", **filters) -> SearchRequest:
    return SearchRequest(q=word, **{k: tuple(v) if isinstance(v, (list, tuple, set)) else v
                                    for k, v in filters.items()})


CASES = [
    {}, {"word": "trade"}, {"word": "china"}, {"word": "china", "scope": "question"},
    {"word": "president", "scope": "answer"}, {"word": "covid", "years": (2020, 2021)},
    {"speakers": ("Zhao Lijian",)}, {"word": "us", "outlets": ("AFP", "Reuters")},
    {"word": "china", "date_from": date(2020, 1, 1), "date_to": date(2020, 6, 30)},
]


def _brute_matrix(turns):
    cells, rows, cols = Counter(), Counter(), Counter()
    for t in turns:
        if t["outlet"] and t["speakers"]:
            rows[t["outlet"]] += 1
            for s in t["speakers"]:
                cells[(t["outlet"], s)] += 1
                cols[s] += 1
    return cells, rows, cols


# ---- matrix ----------------------------------------------------------------------------

@pytest.mark.parametrize("case", CASES, ids=lambda c: ",".join(f"{k}={v}" for k, v in c.items()) or "all")
def test_matrix_equals_brute_force(sample_service, brute, case):
    case = dict(case)
    word = case.pop("word", "")
    req = SearchRequest(q=word, **case)
    turns = brute.matching(word, **case)
    m = analytics.who_asked_whom(sample_service, req, rows=50, columns=50)
    cells, rows, cols = _brute_matrix(turns)
    assert m.total == len(turns) == sample_service.search(req).total
    assert m.attributed == sum(rows.values())
    assert {v.value: v.count for v in m.outlets} == dict(rows)
    assert {v.value: v.count for v in m.speakers} == dict(cols)
    got = {(o.value, s.value): m.cells[i][j] for i, o in enumerate(m.outlets) for j, s in enumerate(m.speakers)}
    assert {k: v for k, v in got.items() if v} == dict(cells)
    assert m.max_cell == max(cells.values(), default=0)
    assert [v.count for v in m.outlets] == sorted((v.count for v in m.outlets), reverse=True)


def test_matrix_keeps_the_largest_rows_and_columns(sample_service, brute):
    full = analytics.who_asked_whom(sample_service, SearchRequest(), rows=50, columns=50)
    small = analytics.who_asked_whom(sample_service, SearchRequest(), rows=3, columns=2)
    assert len(small.outlets) == 3 and len(small.speakers) == 2
    assert [v.value for v in small.outlets] == [v.value for v in full.outlets[:3]]
    assert [v.value for v in small.speakers] == [v.value for v in full.speakers[:2]]
    assert small.more_outlets == len(full.outlets) - 3 > 0
    for i, row in enumerate(small.cells):
        for j, count in enumerate(row):
            assert count == full.cells[i][j]


def test_matrix_of_nothing_is_empty(sample_service):
    m = analytics.who_asked_whom(sample_service, SearchRequest(q="qqxzzyqqx"))
    assert (m.total, m.attributed, m.outlets, m.speakers, m.cells, m.max_cell) == (0, 0, (), (), (), 0)


def test_matrix_counts_relaxed_matches_like_search(sample_service):
    req = SearchRequest(q="trade zebra")
    page = sample_service.search(req)
    assert page.optional_terms, "the sample should relax this query"
    assert analytics.who_asked_whom(sample_service, req).total == page.total
    assert analytics.timeline(sample_service, req).total == page.total


def test_analyses_refuse_what_search_refuses(sample_service):
    with pytest.raises(QueryError):
        analytics.who_asked_whom(sample_service, SearchRequest(q="x " * 40))
    with pytest.raises(QueryError):
        analytics.timeline(sample_service, SearchRequest(q="a*"))
    # Dates the wrong way round match nothing (search says so in a notice), in analyses too.
    assert analytics.timeline(sample_service, SearchRequest(date_from=date(2021, 1, 1),
                                                            date_to=date(2020, 1, 1))).total == 0


# ---- timeline --------------------------------------------------------------------------

def _month(d: date) -> date:
    return d.replace(day=1)


def _week(d: date) -> date:
    return d - timedelta(days=d.weekday())


@pytest.mark.parametrize("case", CASES, ids=lambda c: ",".join(f"{k}={v}" for k, v in c.items()) or "all")
@pytest.mark.parametrize("interval", ["month", "week", "year"])
def test_timeline_equals_brute_force(sample_service, brute, case, interval):
    case = dict(case)
    word = case.pop("word", "")
    req = SearchRequest(q=word, **case)
    turns = brute.matching(word, **case)
    tl = analytics.timeline(sample_service, req, interval)
    start_of = {"month": _month, "week": _week, "year": lambda d: d.replace(month=1, day=1)}[interval]
    expected = Counter(start_of(t["date"]) for t in turns)
    got = {b.start: b.count for b in tl.buckets if b.count}
    assert got == dict(expected)
    assert tl.total == len(turns) == sum(b.count for b in tl.buckets)
    assert tl.max_count == max(expected.values(), default=0)
    # consecutive buckets, every one in between (zeros too), each exactly one period long
    for a, b in zip(tl.buckets, tl.buckets[1:]):
        assert b.start == a.end + timedelta(days=1)
    for b in tl.buckets:
        assert start_of(b.start) == b.start and start_of(b.end) == b.start
        assert b.date_from >= b.start and b.date_to <= b.end
        if req.date_from:
            assert b.date_from >= req.date_from
        if req.date_to:
            assert b.date_to <= req.date_to
        # a bar's from/to select exactly its turns
        assert b.count == sum(1 for t in turns if b.date_from <= t["date"] <= b.date_to)


def test_timeline_auto_interval_follows_the_span(sample_service):
    assert analytics.timeline(sample_service, SearchRequest()).interval == "month"
    short = SearchRequest(date_from=date(2020, 4, 1), date_to=date(2020, 6, 30))
    tl = analytics.timeline(sample_service, short)
    assert tl.interval == "week" and tl.total == sample_service.search(short).total
    assert analytics.pick_interval(date(1990, 1, 1).toordinal(), date(2024, 1, 1).toordinal()) == "year"
    with pytest.raises(ValueError):
        analytics.timeline(sample_service, SearchRequest(), "day")


def test_timeline_of_nothing_is_empty(sample_service):
    tl = analytics.timeline(sample_service, SearchRequest(q="qqxzzyqqx"))
    assert (tl.buckets, tl.total, tl.max_count) == ((), 0, 0)


# ---- profiles --------------------------------------------------------------------------

@pytest.mark.parametrize("facet, name", [("speaker", "Zhao Lijian"), ("speaker", "Jen Psaki"), ("outlet", "AFP"),
                                         ("outlet", "Reuters")])
def test_profile_counts_equal_brute_force(sample_service, brute, facet, name):
    p = analytics.profile(sample_service, facet, name)
    turns = brute.matching(**{facet + "s": (name,)})
    assert p.turns == len(turns) > 0
    assert p.first_date == min(t["date"] for t in turns) and p.last_date == max(t["date"] for t in turns)
    assert p.timeline.total == len(turns)
    confs = Counter(t["conf"].id for t in turns)
    assert p.conference_count == len(confs)
    assert {c.id: c.count for c in p.conferences} == dict(confs)     # the sample has fewer than 50
    dates = [c.date for c in p.conferences]
    assert dates == sorted(dates, reverse=True)
    other = Counter()
    for t in turns:
        for v in (t["speakers"] if facet == "outlet" else ({t["outlet"]} if t["outlet"] else set())):
            other[v] += 1
    assert {v.value: v.count for v in p.counterparts} == dict(other)
    assert p.terms_field == ("answer" if facet == "speaker" else "question")


def test_profile_of_an_unknown_name_is_not_found(sample_service):
    with pytest.raises(NotFoundError):
        analytics.profile(sample_service, "speaker", "Nobody Atall")
    with pytest.raises(NotFoundError):
        analytics.profile(sample_service, "outlet", "Zhao Lijian")    # a speaker, not an outlet
    with pytest.raises(ValueError):
        analytics.profile(sample_service, "conference", "x")


@pytest.mark.parametrize("facet, name", [("speaker", "Zhao Lijian"), ("speaker", "Karine Jean-Pierre"),
                                         ("outlet", "AFP")])
def test_distinctive_terms_are_exact_g2_top_terms(sample_service, brute, facet, name):
    """The sample's sets are smaller than the keyterms sample, so the result must be the exact top by G2."""
    p = analytics.profile(sample_service, facet, name, terms=15)
    key = "a" if facet == "speaker" else "q"
    inside = {id(t) for t in brute.matching(**{facet + "s": (name,)})}
    here, everywhere, docs = Counter(), Counter(), Counter()
    for t in brute.turns:
        everywhere.update(t[key])
        if id(t) in inside:
            here.update(t[key])
            docs.update(set(t[key]))
    c = sum(here.values())
    d = sum(everywhere.values()) - c
    expected = []
    for term, a in here.items():
        b = everywhere[term] - a
        if readable(term) and a >= MIN_COUNT and docs[term] >= MIN_DOCS and a / c > b / d:
            expected.append((-round(log_likelihood(a, b, c, d), 2), term))
    expected.sort()
    assert [t.term for t in p.terms] == [term for _, term in expected[:15]]
    for t in p.terms:
        assert t.count == here[t.term] and t.corpus_count == everywhere[t.term] and t.docs == docs[t.term]
        assert t.g2 == pytest.approx(log_likelihood(t.count, t.corpus_count - t.count, c, d), abs=0.01)
        assert term_for_token(t.word) == t.term          # a written form of the term, not the stem
        assert t.term not in ignored_terms()
    assert [t.g2 for t in p.terms] == sorted((t.g2 for t in p.terms), reverse=True)


def test_distinctive_terms_of_a_sampled_set_have_exact_counts(sample_service, brute):
    """A set larger than the text sample: candidates come from the sample, counts from the postings."""
    from searchsvc.insights.keyterms import distinctive_terms
    name = "Karine Jean-Pierre"
    with sample_service.snapshot() as snap:
        mask = snap.mask(SearchRequest(speakers=(name,)))
        terms = distinctive_terms(snap.generation, mask, "answer", 20, sample_size=100)
    turns = brute.matching(speakers=(name,))
    assert len(turns) > 100 * 3
    inside = {id(t) for t in turns}
    here, everywhere, docs = Counter(), Counter(), Counter()
    for t in brute.turns:
        everywhere.update(t["a"])
        if id(t) in inside:
            here.update(t["a"])
            docs.update(set(t["a"]))
    c = sum(here.values())
    assert len(terms) == 20
    for t in terms:
        assert (t.count, t.docs, t.corpus_count) == (here[t.term], docs[t.term], everywhere[t.term])
        assert t.count / c > (t.corpus_count - t.count) / (sum(everywhere.values()) - c)
        exact = log_likelihood(t.count, t.corpus_count - t.count, c, sum(everywhere.values()) - c)
        assert t.g2 == pytest.approx(exact, rel=0.05)       # the set's length is estimated from the sample
    # the strongest over-represented terms of the whole set are found from a 100-turn sample
    d = sum(everywhere.values()) - c
    over = [w for w in here if readable(w) and docs[w] >= MIN_DOCS and here[w] / c > (everywhere[w] - here[w]) / d]
    best = sorted(over, key=lambda w: -log_likelihood(here[w], everywhere[w] - here[w], c, d))[:3]
    assert set(best) <= {t.term for t in terms}


def test_log_likelihood_known_values():
    assert log_likelihood(0, 0, 10, 10) == 0.0
    assert log_likelihood(5, 5, 100, 100) == pytest.approx(0.0)      # same rate: nothing distinctive
    # a=10 of c=100 vs b=10 of d=1000: E1 = 100*20/1100, E2 = 1000*20/1100;
    # 2 * (10 ln(10/1.8182) + 10 ln(10/18.182)) = 2 * (17.047 - 5.978) = 22.138
    assert log_likelihood(10, 10, 100, 1000) == pytest.approx(22.1382, abs=1e-3)
    assert log_likelihood(20, 1, 100, 100) > log_likelihood(10, 1, 100, 100)


def test_profiles_are_cached_per_generation(tmp_path):
    from support import tiny_conferences
    settings = base_settings().with_index_dir(tmp_path / "index")
    confs = tiny_conferences()
    rebuild_from_conferences(settings, confs[:1])
    service = SearchService(settings)
    try:
        first = analytics.profile(service, "speaker", "Zhao Lijian")
        assert analytics.profile(service, "speaker", "Zhao Lijian") is first
        assert first.turns == 5
        extra = Conference(id="2020-07-06-more-cccc3333", title="More", date=date(2020, 7, 6), source_url="",
                           source_file="mfa/t2.html", source_format="mfa", officials=("Zhao Lijian",),
                           turns=[Turn(0, KIND_QA, "AFP", "Tariffs again?", ("Zhao Lijian",), "Yes, tariffs.", 1)])
        rebuild_from_conferences(settings, confs[:1] + [extra])
        again = analytics.profile(service, "speaker", "Zhao Lijian")
        assert again is not first and again.turns == 6 and again.conference_count == 2
    finally:
        service.close()


def test_counts_skip_turns_replaced_by_index_add(tmp_path):
    """After `index add` replaces a conference, its old turns are deleted documents: never counted."""
    from support import tiny_conferences

    from searchsvc.index.build import add_conferences
    settings = base_settings().with_index_dir(tmp_path / "index")
    mfa, wh = tiny_conferences()
    rebuild_from_conferences(settings, [mfa, wh])
    changed = Conference(id=mfa.id, title=mfa.title, date=mfa.date, source_url=mfa.source_url,
                         source_file=mfa.source_file, source_format="mfa", officials=mfa.officials,
                         turns=[Turn(0, KIND_QA, "AFP", "Tariffs on steel? Tariffs on cars?", ("Zhao Lijian",),
                                     "Tariffs hurt trade. Tariffs on steel hurt steel workers.", 1),
                                Turn(1, KIND_QA, "AFP", "More tariffs?", ("Zhao Lijian",),
                                     "Steel and tariffs again.", 3)])
    add_conferences(settings, [changed])
    service = SearchService(settings)
    try:
        with service.snapshot() as snap:
            assert snap.generation.has_deletions
        m = analytics.who_asked_whom(service, SearchRequest())
        assert {(o.value, s.value): m.cells[i][j] for i, o in enumerate(m.outlets)
                for j, s in enumerate(m.speakers)} == {("AFP", "Zhao Lijian"): 2}
        p = analytics.profile(service, "speaker", "Zhao Lijian")
        assert p.turns == 2 and [v.value for v in p.counterparts] == ["AFP"]
        terms = {t.term: t for t in p.terms}
        assert terms["tariff"].count == 3 and terms["tariff"].docs == 2
        assert terms["tariff"].corpus_count == 3 + 1            # the White House answer says "tariffs" once
        assert terms["steel"].count == terms["steel"].corpus_count == 3
        tl = analytics.timeline(service, SearchRequest(), "year")
        assert {b.start.year: b.count for b in tl.buckets} == {2020: 2, 2021: 3}
    finally:
        service.close()


# ---- re-asked questions ----------------------------------------------------------------

def _conf(n: int, day: date, questions: list[str]) -> Conference:
    return Conference(id=f"{day.isoformat()}-conf-{n}", title=f"Conference {n}", date=day, source_url="",
                      source_file=f"c{n}.html", source_format="mfa", officials=("Geng Shuang",),
                      turns=[Turn(i, KIND_QA, "AFP", q, ("Geng Shuang",), "We have no information.", i + 1)
                             for i, q in enumerate(questions)])


@pytest.fixture(scope="module")
def reasked(tmp_path_factory):
    settings = base_settings().with_index_dir(tmp_path_factory.mktemp("reasked"))
    confs = [
        _conf(1, date(2019, 3, 1), ["What is your comment on the dams on the Mekong river and its water levels?",
                                    "Will the premier visit Brazil for the BRICS summit?"]),
        _conf(2, date(2019, 6, 1), ["Dams on the Mekong river lowered the water levels downstream. Any comment?",
                                    "Is the trade delegation leaving for Washington tomorrow?",
                                    "Can you give more details on the Mekong river water levels and the dams?"]),
        _conf(3, date(2019, 9, 1), ["Activists blame Chinese dams for low water levels on the Mekong river. Comment?",
                                    "What about the panda loan to the zoo in Vienna?"]),
        _conf(4, date(2019, 10, 1), ["Who will lead the delegation at the climate talks in Madrid?"]),
    ]
    rebuild_from_conferences(settings, confs)
    service = SearchService(settings)
    yield service
    service.close()


def test_reasked_questions_before_and_after(reasked):
    found = analytics.similar_questions(reasked, "2019-06-01-conf-2-0")
    assert {"mekong", "dam"} <= set(found.terms)
    assert [q.id for q in found.earlier] == ["2019-03-01-conf-1-0"]
    assert [q.id for q in found.later] == ["2019-09-01-conf-3-0"]     # never its own conference's turn 2
    assert found.later[0].date == date(2019, 9, 1) and "Activists" in found.later[0].question
    assert found.later[0].outlet == "AFP" and found.later[0].speakers == ("Geng Shuang",)
    first = analytics.similar_questions(reasked, "2019-03-01-conf-1-0")
    assert first.earlier == () and {q.id for q in first.later} == {"2019-06-01-conf-2-0", "2019-06-01-conf-2-2",
                                                                   "2019-09-01-conf-3-0"}
    scores = [q.score for q in first.later]
    assert scores == sorted(scores, reverse=True)


def test_unrelated_or_empty_questions_have_no_matches(reasked, tiny_service):
    assert analytics.similar_questions(reasked, "2019-09-01-conf-3-1").later == ()
    assert analytics.similar_questions(reasked, "2019-09-01-conf-3-1").earlier == ()
    statement = analytics.similar_questions(tiny_service, "2020-07-03-regular-press-conference-aaaa1111-0")
    assert statement == analytics.SimilarQuestions((), (), ())
    with pytest.raises(NotFoundError):
        analytics.similar_questions(reasked, "nope-0")


def test_similar_questions_on_the_sample_keep_their_promises(sample_service):
    page = sample_service.search(SearchRequest(q="china", scope="question", per_page=100))
    seen = 0
    for hit in page.hits:
        found = analytics.similar_questions(sample_service, hit.id, limit=4)
        me = sample_service.get_turn(hit.id)
        for side, items in (("earlier", found.earlier), ("later", found.later)):
            assert len(items) <= 4
            assert [q.score for q in items] == sorted((q.score for q in items), reverse=True)
            for q in items:
                seen += 1
                assert q.conference_id != me.conference_id and q.question
                assert (q.date <= me.date) if side == "earlier" else (q.date >= me.date)
    assert seen, "some sample question about China should have been asked elsewhere too"


# ---- the real corpus ----------------------------------------------------------------------

@pytest.mark.corpus
@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"shared corpus not found at {CORPUS}")
def test_corpus_slice_matrix_timeline_profile_equal_brute_force(tmp_path):
    files = sorted((CORPUS / "mfa").glob("*.html"))[-30:] + sorted((CORPUS / "whitehouse").rglob("*.md"))[:5]
    settings = base_settings().with_index_dir(tmp_path / "index")
    rebuild_index(settings, files)
    brute = Brute(files)
    service = SearchService(settings)
    try:
        for word in ("", "china", "taiwan", "vaccine"):
            turns = brute.matching(word)
            m = analytics.who_asked_whom(service, SearchRequest(q=word), rows=500, columns=500)
            cells, rows, cols = _brute_matrix(turns)
            assert m.total == len(turns)
            got = {(o.value, s.value): m.cells[i][j] for i, o in enumerate(m.outlets) for j, s in enumerate(m.speakers)}
            assert {k: v for k, v in got.items() if v} == dict(cells)
            tl = analytics.timeline(service, SearchRequest(q=word), "month")
            assert {b.start: b.count for b in tl.buckets if b.count} == dict(Counter(_month(t["date"]) for t in turns))
        speaker = Counter(s for t in brute.turns for s in t["speakers"]).most_common(1)[0][0]
        p = analytics.profile(service, "speaker", speaker)
        assert p.turns == len(brute.matching(speakers=(speaker,)))
        assert p.terms and all(term_for_token(t.word) == t.term for t in p.terms)
        by_outlet = defaultdict(int)
        for t in brute.matching(speakers=(speaker,)):
            if t["outlet"]:
                by_outlet[t["outlet"]] += 1
        assert {v.value: v.count for v in p.counterparts} == dict(by_outlet)
    finally:
        service.close()
