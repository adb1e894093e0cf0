"""Tests for searchsvc.search.phrases: phrase masks equal Whoosh's own phrase matching (or the stored texts, for
quotes with stop words), on tiny and real indexes."""

from __future__ import annotations

import random
import re
from datetime import date

import numpy as np
import pytest
from support import base_settings

from searchsvc.analysis import exact_words
from searchsvc.index import whoosh_private as W
from searchsvc.index.build import add_to_index, rebuild_from_conferences
from searchsvc.models import KIND_QA, Conference, SearchRequest, Turn
from searchsvc.search import SearchService, phrases
from searchsvc.search.exact import BASE_FIELD, ExactPhrase
from searchsvc.search.querying import parse_query

ANSWERS = [
    "The rule of law matters. Law and rule are words.",              # 0: "rule of law" (stop word inside)
    "We follow the law as a rule, and the rule of the game.",        # 1: rule ... law, never adjacent
    "Bye bye, said the minister. Bye.",                              # 2: a repeated word
    "Minister said bye. The minister said so, said the minister.",   # 3
    "Hong Kong national security law; national security matters.",   # 4
    "Security national law Hong. Kong national security.",           # 5: the words, other orders
    "national security national security national security",        # 6: repeats
]


def conference(answers: list[str], suffix: str = "aaaa1111") -> Conference:
    return Conference(
        id=f"2022-03-01-briefing-{suffix}", title="Briefing", date=date(2022, 3, 1),
        source_url="https://example.org/b", source_file=f"wh/{suffix}.md", source_format="whitehouse",
        officials=("Jen Psaki",),
        turns=[Turn(i, KIND_QA, "Reuters", f"Question {i} about the law?", ("Jen Psaki",), text, i + 1)
               for i, text in enumerate(answers)],
    )


@pytest.fixture(scope="module")
def phrase_service(tmp_path_factory):
    settings = base_settings().with_index_dir(tmp_path_factory.mktemp("phrase-index"))
    rebuild_from_conferences(settings, [conference(ANSWERS)])
    service = SearchService(settings)
    yield service
    service.close()


def text_docs(op, query) -> list[int]:
    """Live docnums whose stored text holds an ExactPhrase's written words one after another (brute force)."""
    found = set()
    for leaf in query.leaves():
        base, n = BASE_FIELD[leaf.fieldname], len(leaf.written)
        for d in np.flatnonzero(op.tables.live).tolist():
            words = exact_words(op.searcher.stored_fields(d).get(base, ""))
            if any(tuple(words[i:i + n]) == leaf.written for i in range(len(words) - n + 1)):
                found.add(d)
    return sorted(found)


def fast_and_whoosh(service: SearchService, text: str) -> tuple[set[int], set[int]]:
    """Turn seqs matched by DocSets (phrases.py) and by Whoosh's own matcher, for the query `text`."""
    op = service.current()
    query = parse_query(SearchRequest(q=text), op.schema, op.reader, service.settings.search).query
    op.docsets._masks.clear()
    fast = np.flatnonzero(op.docsets.mask(query))
    if any(isinstance(leaf, ExactPhrase) for leaf in query.leaves()):
        slow = text_docs(op, query)         # Whoosh's matcher knows no gaps: the words looked for in the texts
    else:
        slow = [d for d in op.searcher.docs_for_query(query) if op.tables.live[d]]
    seq = lambda docs: {op.searcher.stored_fields(int(d))["seq"] for d in docs}  # noqa: E731
    return seq(fast), seq(slow)


@pytest.mark.parametrize("text, expected", [
    ('"rule of law"', {0}),
    ('"law rule"', set()),                      # quoted words are exact: the stop words between them count
    ('"law and rule"', {0}),
    ('"bye bye"', {2}),
    ('"said the minister"', {2, 3}),
    ('"minister said"', {3}),
    ('"national security law"', {4}),
    ('"security national"', {5, 6}),
    ('"national security national security"', {6}),
    ('"hong kong national security"', {4, 5}),      # punctuation does not break a phrase
    ('"kong national security"', {4, 5}),
    ('"question 3"', {3}),
    ('"zebra unicorn"', set()),
])
def test_phrase_matches_exactly_the_adjacent_words(phrase_service, text, expected):
    fast, slow = fast_and_whoosh(phrase_service, text)
    assert fast == slow == expected


def test_the_public_matcher_path_gives_the_same_turns(phrase_service, monkeypatch):
    monkeypatch.setattr(W, "value_blocks", lambda matcher: None)   # as with a matcher other than W3's
    for text, expected in [('"rule of law"', {0}), ('"said the minister"', {2, 3}), ('"security national"', {5, 6})]:
        fast, slow = fast_and_whoosh(phrase_service, text)
        assert fast == slow == expected


def test_phrases_across_segments_and_deleted_turns(tmp_path):
    settings = base_settings().with_index_dir(tmp_path / "index")
    rebuild_from_conferences(settings, [conference(ANSWERS), conference(ANSWERS[:3], "bbbb2222")])
    changed = tmp_path / "wh" / "2022-03-01-briefing.md"
    changed.parent.mkdir()
    changed.write_text("---\ntitle: Briefing\ndate: 2022-03-02\nsource_url: https://example.org/c\n---\n\n"
                       "Q Is the rule of law at stake?\n\nMS. PSAKI: The rule of law, yes. Bye bye.\n",
                       encoding="utf-8")
    add_to_index(settings, [changed])
    service = SearchService(settings)
    try:
        assert len(list(service.current().reader.leaf_readers())) >= 2
        for text in ('"rule of law"', '"bye bye"', '"national security"', '"said the minister"'):
            fast, slow = fast_and_whoosh(service, text)
            assert fast == slow and fast
    finally:
        service.close()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_phrases_from_the_sample_text_match_whoosh(sample_service, seed):
    """Runs of 2-4 words cut from real answers (seeded) give the same turns as Whoosh's matcher."""
    op = sample_service.current()
    rng = random.Random(seed)
    docs = rng.sample(range(op.tables.size), 40)
    checked = 0
    for d in docs:
        words = re.findall(r"[A-Za-z]+", op.searcher.stored_fields(d).get("answer", ""))
        if len(words) < 5:
            continue
        n = rng.randint(2, 4)
        start = rng.randrange(len(words) - n)
        text = '"' + " ".join(words[start:start + n]) + '"'
        query = parse_query(SearchRequest(q=text), op.schema, op.reader,
                            sample_service.settings.search).query
        if query is None:
            continue
        fast, slow = fast_and_whoosh(sample_service, text)
        assert fast == slow, text
        checked += 1
    assert checked >= 25


def test_word_positions_fall_back_when_the_cached_docnums_do_not_line_up(phrase_service):
    """Positions come out right even if the postings handed in are not the term's (the public path is taken)."""
    op = phrase_service.current()
    sub, _ = next(iter(op.reader.leaf_readers()))
    true_ids = op.docsets.postings("answer", "secur")[0]
    wanted = np.array(sorted(true_ids.tolist()), dtype=np.int64)
    right = phrases._word_keys(sub, "answer", "secur", true_ids, wanted, phrases.PositionDecoder())
    wrong = phrases._word_keys(sub, "answer", "secur", true_ids + 1, wanted, phrases.PositionDecoder())
    assert right.tolist() == wrong.tolist()
    assert len(right) == 7   # "security" is written 7 times in ANSWERS


def test_pairs_read_together_give_each_pairs_phrase_turns(tmp_path):
    """pair_docs (each word read once for all its pairs) gives every pair the turns phrase_docs gives it, across
    segments, on each pair's own candidates."""
    settings = base_settings().with_index_dir(tmp_path / "index")
    rebuild_from_conferences(settings, [conference(ANSWERS)])
    changed = tmp_path / "wh" / "2022-03-01-briefing.md"
    changed.parent.mkdir()
    changed.write_text("---\ntitle: Briefing\ndate: 2022-03-02\nsource_url: https://example.org/c\n---\n\n"
                       "Q Is national security the rule of law?\n\nMS. PSAKI: National security, yes. The minister "
                       "said bye bye to Hong Kong law matters.\n", encoding="utf-8")
    add_to_index(settings, [changed])
    service = SearchService(settings)
    try:
        op = service.current()
        assert len(list(op.reader.leaf_readers())) >= 2
        ds = op.docsets
        rng = np.random.default_rng(5)
        words = ["nation", "secur", "law", "minist", "said", "bye", "rule", "kong", "hong", "matter"]
        for _ in range(20):
            pairs = {}
            for _ in range(3):
                a, b = rng.choice(words, 2, replace=False).tolist()
                both = np.flatnonzero(ds.term_mask("answer", a) & ds.term_mask("answer", b))
                keep = both[rng.random(len(both)) < 0.7]
                if len(keep):
                    pairs[(a, b)] = keep
            found = phrases.pair_docs(op.reader, "answer", pairs, lambda w: ds.postings("answer", w)[0],
                                      phrases.PositionDecoder())
            for (a, b), candidates in pairs.items():
                expected = phrases.phrase_docs(op.reader, "answer", [a, b], candidates,
                                               lambda w: ds.postings("answer", w)[0], phrases.PositionDecoder())
                assert found[(a, b)].tolist() == expected.tolist(), (a, b)
        assert phrases.pair_docs(op.reader, "answer", {("nation", "secur"): np.flatnonzero(
            ds.term_mask("answer", "nation"))}, lambda w: ds.postings("answer", w)[0],
            phrases.PositionDecoder())[("nation", "secur")].tolist()    # "national security" stands together
    finally:
        service.close()
