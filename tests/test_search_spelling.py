"""Tests for searchsvc.search.spelling: did-you-mean candidates and suggestions on a real index of the sample."""

from __future__ import annotations

import pytest
from rapidfuzz.distance import OSA

from searchsvc.models import SearchRequest
from searchsvc.search.spelling import MAX_DISTANCE, Speller


@pytest.mark.parametrize("typed, expected", [
    ("presidnet", "president"),
    ("taiwn", "taiwan"),
    ("sanctins on rusia", "sanctions on russia"),
    ("vacine", "vaccine"),
    ("infaltion", "inflation"),
    ("hong kong securty", "hong kong security"),
    ("ukriane", "ukraine"),
])
def test_typos_in_real_transcripts_get_the_written_word(sample_service, typed, expected):
    assert sample_service.search(SearchRequest(q=typed)).suggestion == expected


@pytest.mark.parametrize("typed", ["president", "china trade", '"white house"', "-tariffs", "speaker:psaki"])
def test_known_words_and_operators_get_no_suggestion(sample_service, typed):
    assert sample_service.search(SearchRequest(q=typed)).suggestion is None


@pytest.mark.parametrize("stem, some", [("presid", True), ("trade", True), ("econom", False), ("vaccin", False),
                                        ("x", False)])
def test_near_gives_close_terms_with_the_same_first_letter_closest_first(sample_service, stem, some):
    speller = Speller(sample_service.current().searcher)
    found = speller.near("answer", stem)
    distances = [OSA.distance(t, stem) for t in found]
    assert all(t[0] == stem[0] and t != stem for t in found)
    assert all(d <= MAX_DISTANCE for d in distances) and distances == sorted(distances)
    vocabulary = {t.decode() for t in speller.reader.lexicon("answer")}
    assert set(found) <= vocabulary
    assert bool(found) or not some


def test_the_suggestion_is_searched_with_results(sample_service):
    suggestion = sample_service.search(SearchRequest(q="presidnet")).suggestion
    assert sample_service.search(SearchRequest(q=suggestion)).total > 0
