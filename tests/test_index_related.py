"""Tests for searchsvc.index.related (related terms learned at build time) and their use by search: trained on
words that share contexts, stored with each generation and rebuilt with it, ranked below the typed words and
named in the notices."""

import dataclasses
import random
from datetime import date

import pytest
from support import base_settings, tiny_conferences

from searchsvc.index import related as R
from searchsvc.index.build import add_conferences, rebuild_from_conferences
from searchsvc.index.store import current_generation, index_root
from searchsvc.index.verify import read_manifest, write_manifest
from searchsvc.models import KIND_QA, Conference, SearchRequest, Turn
from searchsvc.search import SearchService
from searchsvc.search.wordplan import EXPANSION_BOOST, FORM_BOOST, RELATED_BOOST, Slot, WordPlan, ranking_query


@pytest.fixture
def small_model(monkeypatch):
    """Training sized for a few thousand synthetic words."""
    for name, value in (("MIN_COUNT", 3), ("DIMENSIONS", 8), ("CONTEXTS", 200), ("MIN_SIMILARITY", 0.0)):
        monkeypatch.setattr(R, name, value)


def contexts_corpus(seed=3):
    """`ship` and `vessel` never share a turn but are written in the same contexts (the crew boarded the ...,
    the ... sailed); `harbour` occurs beside `ship` in every one of its turns (co-occurrence, not the same use)."""
    rng = random.Random(seed)
    filler = [f"w{i}" for i in range(60)]
    frames = ["crew boarded {} quickly", "{} sailed overnight", "captain steered {} south", "old {} docked"]
    turns = []
    for i in range(300):
        word = "ship" if i % 2 else "vessel"
        frame = rng.choice(frames).format(word)
        tail = " ".join(rng.choice(filler) for _ in range(6))
        turns.append(f"{frame} harbour {tail}" if word == "ship" else f"{frame} {tail}")
    return [t.split() for t in turns]


def test_words_that_share_contexts_are_neighbours(small_model):
    related = R.train(contexts_corpus())
    assert related.of("ship")[0][0] == "vessel" and related.of("vessel")[0][0] == "ship"
    assert all(sim <= 1.0 for _, sim in related.of("ship"))


def test_training_is_deterministic_and_capped(small_model):
    seqs = contexts_corpus()
    assert R.train(seqs).neighbours == R.train(seqs).neighbours          # seeded SVD, even sample: same table
    assert R.train(seqs, max_tokens=50).neighbours == {}                  # budget spent before any term is frequent


def test_names_and_numbers_get_no_neighbours(small_model):
    texts = [" ".join(seq).replace("vessel", "Vessel") + " 2024" for seq in contexts_corpus()]
    related = R.train_from_texts(texts)
    assert related.of("vessel") == () and all(n != "vessel" for n, _ in related.of("ship"))
    assert related.of("2024") == ()


def test_the_table_round_trips_with_the_words_shown(tmp_path):
    table = R.RelatedTerms({"ship": (("vessel", 0.8),)}, {"ship": "ships", "vessel": "vessel"})
    R.write_related(tmp_path, table)
    assert R.read_related(tmp_path) == table
    assert R.read_related(tmp_path / "none") is None


# ---- per generation -------------------------------------------------------------------------------

def gen_dir(settings):
    return index_root(settings) / current_generation(settings)


def test_the_table_is_built_with_each_generation_and_only_when_enabled(tmp_path):
    off = base_settings().with_index_dir(tmp_path / "idx")
    on = dataclasses.replace(off, index=dataclasses.replace(off.index, related_terms=True))
    rebuild_from_conferences(on, tiny_conferences())
    first = gen_dir(on)
    assert (first / R.RELATED_FILE).is_file() and R.RELATED_FILE in {f.name for f in read_manifest(first).files}
    add_conferences(on, tiny_conferences()[:1])
    assert gen_dir(on) != first and (gen_dir(on) / R.RELATED_FILE).is_file()     # trained again for the copy
    add_conferences(off, tiny_conferences()[:1])
    assert not (gen_dir(off) / R.RELATED_FILE).exists()      # the previous generation's table is not carried over


# ---- search -----------------------------------------------------------------------------------------

CONF = "2021-03-01-press-briefing-dddd4444"


@pytest.fixture(scope="module")
def related_service(tmp_path_factory):
    """Turn 0 says `ship` and `harbour`, turn 1 `vessel` and `harbour`, the others neither; the generation's
    table says `ship` is used like `vessel`."""
    texts = ["The ship left the harbour at dawn.", "The vessel left the harbour at dawn."]
    texts += [f"Answer {i} about the weather." for i in range(2, 14)]
    turns = [Turn(i, KIND_QA, "", f"Question {i}?", ("Jen Psaki",), text, i + 1) for i, text in enumerate(texts)]
    conf = Conference(id=CONF, title="Press Briefing", date=date(2021, 3, 1), source_url="https://example.org/wh/3",
                      source_file="whitehouse/d.md", source_format="whitehouse", officials=("Jen Psaki",),
                      turns=turns)
    settings = base_settings().with_index_dir(tmp_path_factory.mktemp("related-index"))
    rebuild_from_conferences(settings, [conf])
    plain = SearchService(settings)
    page_without = plain.search(SearchRequest(q="ship harbour lantern", per_page=20))
    plain.close()
    R.write_related(gen_dir(settings), R.RelatedTerms({"ship": (("vessel", 0.9),)}, {"vessel": "vessel"}))
    write_manifest(gen_dir(settings))
    service = SearchService(settings)
    yield service, page_without
    service.close()


def test_related_terms_match_when_relaxing_ranked_below_the_typed_word(related_service):
    service, without = related_service
    page = service.search(SearchRequest(q="ship harbour lantern", per_page=20))
    assert [h.id for h in without.hits] == [f"{CONF}-0"]           # without the table: turn 1 has one word of three
    assert [h.id for h in page.hits] == [f"{CONF}-0", f"{CONF}-1"]  # with it: two, `vessel` counted for `ship`
    assert page.hits[0].score > page.hits[1].score


def test_the_notices_name_the_related_terms(related_service):
    service, without = related_service
    page = service.search(SearchRequest(q="ship harbour lantern", per_page=20))
    assert any("“ship” also matched words used like it in these transcripts: vessel" in n for n in page.notices)
    assert not any("used like it" in n for n in without.notices)


def test_related_terms_rank_below_synonyms_and_forms():
    from whoosh import query as Q

    slot = Slot("ship", Q.Term("answer", "ship"), alternatives=[Q.Term("answer", "boat")],
                forms=[Q.Term("answer", "ships")], related=[Q.Term("answer", "vessel")])
    parts = ranking_query(WordPlan([slot], [], [], True)).subqueries
    assert [p.boost for p in parts[1:]] == [EXPANSION_BOOST, FORM_BOOST, RELATED_BOOST]
    assert RELATED_BOOST < FORM_BOOST < EXPANSION_BOOST < 1
