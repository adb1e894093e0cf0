"""Search over a slice of the shared real corpus (../shared/corpus): counts equal brute force, real phrasing works."""

from collections import Counter

import pytest
from support import CORPUS, base_settings

from searchsvc.analysis import analyze_terms
from searchsvc.index.build import rebuild_index
from searchsvc.ingest import parse_paths
from searchsvc.models import SearchRequest
from searchsvc.search import SearchService

pytestmark = [
    pytest.mark.corpus,
    pytest.mark.skipif(not CORPUS.is_dir(), reason=f"shared corpus not found at {CORPUS}"),
]


@pytest.fixture(scope="module")
def corpus_slice(tmp_path_factory):
    files = sorted((CORPUS / "mfa").glob("*.html"))[:25] + \
        sorted((CORPUS / "whitehouse").rglob("*.md"))[:6]
    settings = base_settings().with_index_dir(tmp_path_factory.mktemp("corpus-index"))
    rebuild_index(settings, files)
    service = SearchService(settings)
    turns = [(conf, turn, set(analyze_terms(turn.question)) | set(analyze_terms(turn.answer)))
             for conf in parse_paths(files).conferences for turn in conf.turns]
    yield service, turns
    service.close()


@pytest.mark.parametrize("word", ["china", "president", "trade", "sanctions"])
def test_totals_and_speaker_counts_equal_brute_force(corpus_slice, word):
    service, turns = corpus_slice
    page = service.search(SearchRequest(q=word))
    stem = analyze_terms(word)[0]
    matching = [(c, t) for c, t, terms in turns if stem in terms]
    assert page.total == len(matching)
    expected = Counter(s for _, t in matching for s in set(t.speakers))
    listed = page.facets["speaker"]
    assert len(listed) == min(50, len(expected))
    assert all(v.count == expected[v.value] for v in listed)


def test_every_hit_is_highlighted_and_escaped(corpus_slice):
    service, _ = corpus_slice
    page = service.search(SearchRequest(q="economic cooperation", per_page=20))
    assert page.hits
    for hit in page.hits:
        html_text = hit.question_html + hit.answer_html
        assert "<mark>" in html_text
        assert "<" not in html_text.replace("<mark>", "").replace("</mark>", "")


def test_phrase_is_stricter_than_words(corpus_slice):
    service, _ = corpus_slice
    words = service.search(SearchRequest(q="united states")).total
    phrase = service.search(SearchRequest(q='"united states"')).total
    assert 0 < phrase <= words
