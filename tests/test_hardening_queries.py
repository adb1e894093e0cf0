"""Hardening of the query path (querying, search, web params/api/views): documented limits answer 400 with a
message naming the limit; nothing a user types yields a 500 (Hypothesis over SearchService.search and over
every GET route of the app with arbitrary parameters). Default suite: a small profile; `-m slow` with
SEARCHSVC_HYPOTHESIS_PROFILE=hardening: >= 10,000 cases in all (scripts/hardening.sh)."""

from __future__ import annotations

import dataclasses
import re
from urllib.parse import quote, quote_from_bytes

import pytest
from hardening_support import PROFILE_ENV, Tally, fuzz
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from searchsvc.errors import QueryError
from searchsvc.models import SCOPES, SORTS, SearchPage, SearchRequest
from searchsvc.search import SearchService
from searchsvc.web import create_app

# ---- documented limits: a clear 400 on the page, the fragment and the API -------------------------------


def _limit_cases(limits):
    many_words = " ".join(f"word{i}" for i in range(limits.max_terms + 1))
    speakers = "&".join(f"speaker=s{i}" for i in range(limits.max_filter_values + 1))
    return [
        ("q=" + "x" * (limits.max_query_chars + 1), f"longer than {limits.max_query_chars} characters"),
        ("q=" + quote(many_words), f"too many words: {limits.max_terms + 1} (limit {limits.max_terms})"),
        ("q=" + quote("t*"), f"at least {limits.min_prefix_chars} characters before the *"),
        ("q=" + quote("trade outlet:r*"), "too short for a prefix search"),
        # (a page within the limit but past the results that can be paged answers no hits and a notice)
        (f"q=trade&page={limits.max_page_depth + 1}", f"'page' must be between 1 and {limits.max_page_depth}"),
        (speakers, f"at most {limits.max_filter_values} values of 'speaker'"),
        (f"per_page={limits.max_per_page + 1}", f"between 1 and {limits.max_per_page}"),
        ("page=0", "'page' must be between 1"),
    ]


LIMIT_IDS = ["query-chars", "terms", "prefix", "field-prefix", "page-depth", "filter-values", "per-page", "page"]


@pytest.mark.parametrize("case", range(len(LIMIT_IDS)), ids=LIMIT_IDS)
def test_each_limit_is_a_400_naming_it(client, sample_settings, case):
    query, message = _limit_cases(sample_settings.search)[case]
    api = client.get("/api/search?" + query)
    assert api.status_code == 400 and api.mimetype == "application/json"
    error = api.get_json()["error"]
    assert error["code"] == "bad_request" and message in error["message"], error
    page = client.get("/?" + query)
    assert page.status_code == 400 and page.mimetype == "text/html"
    assert message.replace("'", "&#39;") in page.get_data(as_text=True)
    fragment = client.get("/results?" + query)
    assert fragment.status_code == 400 and "error-box" in fragment.get_data(as_text=True)


def test_limits_are_documented_in_config_toml(sample_settings):
    from hardening_support import repo_root

    text = (repo_root() / "config.toml").read_text(encoding="utf-8")
    for field in dataclasses.fields(sample_settings.search):
        if field.name.startswith(("max_", "min_")) or field.name == "time_budget_ms":
            line = next((ln for ln in text.splitlines() if ln.startswith(field.name + " ")), "")
            assert line and "#" in line, f"search.{field.name} is not set with a comment in config.toml"


def test_time_budget_is_a_400_not_a_hang(sample_settings):
    """A budget of 1 ms cannot cover reading the postings of 16 prefix expansions over two fields."""
    settings = dataclasses.replace(sample_settings, search=dataclasses.replace(sample_settings.search,
                                                                              time_budget_ms=1))
    service = SearchService(settings)   # its own, cold caches
    try:
        client = create_app(settings, service=service).test_client()
        q = " OR ".join(f"{a}{b}*" for a, b in zip("tspcamdrfbhwegil", "raroneeiaouheron"))
        resp = client.get("/api/search", query_string={"q": q})
        assert resp.status_code == 400
        assert "time budget" in resp.get_json()["error"]["message"]
        assert client.get("/", query_string={"q": q}).status_code == 400
        assert client.get("/api/search?q=").status_code == 200   # cheap searches still answer
    finally:
        service.close()


def test_fuzzy_tilde_is_plain_text(sample_service):
    plain = sample_service.search(SearchRequest(q="tariffs"))
    tilde = sample_service.search(SearchRequest(q="tariffs~"))
    assert plain.total > 0 and tilde.total == plain.total
    assert [h.id for h in tilde.hits] == [h.id for h in plain.hits]
    assert any("not supported" in n for n in tilde.notices)


def test_leading_wildcard_is_ignored_not_a_vocabulary_scan(sample_service):
    plain = sample_service.search(SearchRequest(q="tariffs"))
    leading = sample_service.search(SearchRequest(q="*tariffs"))
    assert leading.total == plain.total
    assert any("end of a word" in n for n in leading.notices)


def test_prefix_expansion_is_bounded_and_said_once(sample_settings):
    settings = dataclasses.replace(sample_settings, search=dataclasses.replace(sample_settings.search,
                                                                              max_prefix_expansion=2))
    service = SearchService(settings)
    try:
        page = service.search(SearchRequest(q="pr*"))
        cut = [n for n in page.notices if "most frequent" in n]
        assert page.total > 0 and len(cut) == 1, page.notices
        wide = SearchService(sample_settings)
        try:
            assert wide.search(SearchRequest(q="pr*")).total > page.total
        finally:
            wide.close()
    finally:
        service.close()


# ---- property tests ------------------------------------------------------------------------------------

VOCAB = ["trade", "tariffs", "china", "taiwan", "president", "vaccine", "hong", "kong", "security", "economy",
         "the", "and", "of", "café", "Zürich", "covid-19", "U.S.", "don't", "13.8%", "2.042", "psaki", "reuters"]
SYNTAX = ["AND", "OR", "NOT", "and", "or", "not", "-", "+", "(", ")", '"', "'", "*", "**", "?", "~", "~2", "^",
          "^3", ":", "::", "speaker:", "speakers:", "outlet:", "question:", "answer:", "year:", "date:", "id:",
          "[", "]", "{", "}", " TO ", "\\", "/", "&&", "||", "!", "%", "&", "#", "<", ">", "<script>", "\x00",
          "\x1b", "\t", "\n", "\r", "\u202e", "\u200b", "\ufeff", "😀", "ﬁ", "İ", "ß", "\u0301", "中国", "٣",
          "\U0010ffff", "%00", "%ZZ", "&amp;", "=", "..", "....", "*?*"]

_piece = st.one_of(
    st.sampled_from(VOCAB),
    st.sampled_from(SYNTAX),
    st.text(max_size=6),
    st.builds(lambda w, n: w[:n] + "*", st.sampled_from(VOCAB), st.integers(0, 6)),
    st.builds(lambda f, w: f + w, st.sampled_from(["speaker:", "outlet:", "question:", "answer:", "-", "+", '"']),
              st.sampled_from(VOCAB)),
)
_SEPARATORS = st.sampled_from([" ", "", "  ", "\t", " \n "])
QUERIES = st.tuples(st.integers(0, 7), st.one_of(
    st.lists(st.sampled_from(VOCAB), max_size=6).map(" ".join),
    st.lists(st.tuples(_piece, _SEPARATORS), max_size=40).map(lambda ps: "".join(p + s for p, s in ps)),
    st.text(max_size=200),                                             # any unicode, control characters too
    st.text(alphabet=st.sampled_from('"()*-+:~^\\!?[]{} ANDORT'), max_size=120),   # operators only
), st.one_of(
    st.text(min_size=450, max_size=700),                               # around the length limit
    st.builds(lambda p, n: p * n, _piece, st.integers(1, 400)),        # huge repeats
)).map(lambda t: t[2] if t[0] == 7 else t[1])


def _mostly(valid, anything):
    """Mostly valid values, sometimes anything at all (so most cases get past validation)."""
    return st.tuples(st.integers(0, 7), valid, anything).map(lambda t: t[2] if t[0] == 7 else t[1])


def _filter(real, anything):
    """Mostly no filter, sometimes one real value, now and then a list of anything."""
    return st.tuples(st.integers(0, 7), real, st.lists(st.one_of(real, anything), max_size=24)).map(
        lambda t: () if t[0] < 5 else (t[1],) if t[0] < 7 else tuple(t[2]))


def _requests(values: dict[str, list[str]]):
    def filter_values(real):
        return _filter(st.sampled_from(real or ["x"]), st.text(max_size=40))

    return st.builds(
        SearchRequest, q=QUERIES,
        speakers=filter_values(values["speaker"]), outlets=filter_values(values["outlet"]),
        conferences=filter_values(values["conference"]),
        years=_filter(st.integers(2017, 2025), st.integers(-10, 10**6)),
        date_from=_mostly(st.none(), st.dates()), date_to=_mostly(st.none(), st.dates()),
        sort=_mostly(st.sampled_from(SORTS), st.sampled_from(("bogus", ""))),
        scope=_mostly(st.sampled_from(SCOPES), st.just("bogus")),
        page=_mostly(st.integers(1, 4), st.integers(-3, 10**6)),
        per_page=_mostly(st.sampled_from([1, 10, 100]), st.integers(-2, 150)),
    )


def _profile(large: bool) -> settings:
    import os

    if large and not os.environ.get(PROFILE_ENV):
        return settings.get_profile("hardening")
    return fuzz()


SCALES = [pytest.param(False, id="default"), pytest.param(True, id="dedicated", marks=pytest.mark.slow)]


@pytest.mark.parametrize("large", SCALES)
def test_search_service_never_fails_on_any_request(sample_service, large):
    tally = Tally("queries.service")
    values = {name: [v.value for v in vals] for name, vals in sample_service.facet_values().items()}

    @_profile(large)
    @given(request=_requests(values))
    def run(request):
        tally.add("cases")
        try:
            page = sample_service.search(request)
        except QueryError as exc:
            tally.add("rejected")
            assert str(exc)
            return
        except Exception as exc:
            tally.add("crashes", sample=f"{type(exc).__name__}: {exc} for {request!r}")
            raise
        assert isinstance(page, SearchPage) and page.total >= len(page.hits)
        for hit in page.hits:
            for html in (hit.question_html, hit.answer_html):
                assert "<" not in re.sub(r"</?mark>", "", html), html[:200]

    try:
        run()
    finally:
        tally.record(large=large)


def _get_routes(app) -> tuple[list[str], list[str]]:
    """GET routes without arguments, and those with one (their template), static files left out."""
    plain, with_arg = [], []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        (with_arg if rule.arguments else plain).append(rule.rule)
    return sorted(plain), sorted(with_arg)


PARAM_NAMES = ["q", "speaker", "outlet", "conference", "year", "from", "to", "sort", "scope", "page", "per_page",
               "format", "facet", "limit", "by", "term", "group", "interval", "top"]
_values = st.one_of(
    QUERIES, st.text(max_size=50), st.integers(-10**12, 10**12).map(str), st.dates().map(str),
    st.sampled_from(["", " ", "relevance", "newest", "oldest", "both", "questions", "answer", "all", "1", "0", "-1",
                     "1e3", "١", "２", "2020", "9999-99-99", "2020-02-30", "csv", "json", "jsonl", "speaker",
                     "outlet", "year", "month", "\x00", "true", "null", "[]", "{}"]),
)
PARAMS = st.lists(st.tuples(st.one_of(st.sampled_from(PARAM_NAMES), st.text(max_size=8)), _values), max_size=30)


def _check_answer(resp, path: str, tally: Tally) -> None:
    tally.add("cases")
    tally.add(f"status_{resp.status_code}")
    if resp.status_code >= 500:
        tally.add("5xx", sample=f"{resp.status_code} {path}: {resp.get_data(as_text=True)[:200]}")
    assert resp.status_code < 500, (path, resp.get_data(as_text=True)[:500])
    assert resp.headers.get("X-Content-Type-Options") == "nosniff"
    if (path.startswith("/api/") or path == "/healthz") and resp.status_code >= 400:
        assert resp.mimetype == "application/json", (path, resp.mimetype)
        error = resp.get_json()["error"]
        assert error["code"] and error["message"], error


@pytest.mark.parametrize("large", SCALES)
def test_no_parameters_on_any_route_yield_a_500(web_app, large):
    tally = Tally("queries.http-params")
    plain, with_arg = _get_routes(web_app)
    client = web_app.test_client()
    ids = st.one_of(st.text(max_size=60), st.sampled_from(["", "..", "%2e%2e", "nope", "0", "-1", "a" * 400]))
    paths = st.one_of(st.sampled_from(plain),
                      st.builds(lambda tpl, i: re.sub(r"<[^>]+>", quote(i, safe="") or "x", tpl),
                                st.sampled_from(with_arg or plain), ids))

    @_profile(large)
    @given(path=paths, params=PARAMS)
    def run(path, params):
        _check_answer(client.get(path, query_string=MultiDict(params)), path, tally)

    try:
        run()
    finally:
        tally.record(large=large, routes=plain + with_arg)


@pytest.mark.parametrize("large", SCALES)
def test_raw_query_strings_never_yield_a_500(web_app, large):
    """Bytes that are not UTF-8, stray % escapes, repeated separators: decoded with replacement, never a 500."""
    tally = Tally("queries.http-raw")
    plain, _ = _get_routes(web_app)
    client = web_app.test_client()

    @settings(_profile(large), max_examples=max(5, _profile(large).max_examples // 2))
    @given(path=st.sampled_from(plain), raw=st.binary(max_size=400),
           prefix=st.sampled_from(["", "q=", "speaker=", "page=", "from=", "q=trade&", "year=", "per_page="]))
    def run(path, raw, prefix):
        qs = prefix + quote_from_bytes(raw, safe="=&+%;")
        _check_answer(client.get(path, query_string=qs), path, tally)

    try:
        run()
    finally:
        tally.record(large=large)
