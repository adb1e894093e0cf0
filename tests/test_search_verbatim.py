"""Tests for searchsvc.search.verbatim: a sentence pasted without quote marks ranks the turn that says it, as
written, first (over the tiny index; the figures are in bench/knownitem, kind `quote`)."""

import pytest
from conftest import tiny_conferences

from searchsvc.models import SearchRequest
from searchsvc.search.querying import parse_query
from searchsvc.search.verbatim import verbatim_notice, verbatim_query

MFA, WH = (c.id for c in tiny_conferences())


def search(service, q, **kw):
    return service.search(SearchRequest(q=q, per_page=20, **kw))


def parsed(service, q):
    gen = service._current()
    return parse_query(SearchRequest(q=q), gen.schema, gen.reader, service.settings.search), gen.schema


@pytest.mark.parametrize("q, first, other", [
    # both turns hold every word; only turn 4 says them in this order (turn 1: "is purely China's")
    ("Hong Kong is China's internal affair", f"{MFA}-4", f"{MFA}-1"),
    # stop words count: turn 1 says "take retaliatory measures against", turn 4 "take resolute retaliatory measures"
    ("we will take retaliatory measures against", f"{MFA}-1", f"{MFA}-4"),
])
def test_the_turn_saying_a_pasted_sentence_ranks_first(tiny_service, q, first, other):
    page = search(tiny_service, q)
    found = [h.id for h in page.hits]
    assert found[0] == first and other in found
    assert verbatim_notice(1) in page.notices


def test_the_same_words_in_another_order_are_not_verbatim(tiny_service):
    page = search(tiny_service, "China's internal affair is Hong Kong")
    assert {f"{MFA}-1", f"{MFA}-4"} <= {h.id for h in page.hits}
    assert not any("as written" in n for n in page.notices)


@pytest.mark.parametrize("q", [
    "Hong Kong internal affair",                      # too short to be a pasted sentence
    '"Hong Kong is China\'s internal affair"',        # quoted: already exact
    "Hong Kong is China's internal affair -purely",   # syntax: not pasted text
    "is it the one of them that we",                  # only stop words: nothing indexed to look for
])
def test_only_plain_sentences_are_read_as_pasted(tiny_service, q):
    query, schema = parsed(tiny_service, q)
    assert verbatim_query(query, schema) is None


def test_a_pasted_sentence_over_the_exact_fields(tiny_service):
    query, schema = parsed(tiny_service, "Hong Kong is China's internal affair")
    phrase = verbatim_query(query, schema, "answer")
    assert phrase.fieldname == "answer_exact" and phrase.written[:3] == ("hong", "kong", "is")


def test_notice_counts_the_turns():
    assert verbatim_notice(1) == "1 turn holds these words as written, one after another: shown first."
    assert verbatim_notice(3).startswith("3 turns hold these words")


def test_dates_and_filters_still_apply(tiny_service):
    page = search(tiny_service, "Hong Kong is China's internal affair", outlets=("Reuters",))
    assert [h.id for h in page.hits] == [f"{MFA}-1"]
    assert not any("as written" in n for n in page.notices)
