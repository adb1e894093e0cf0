"""Tests for searchsvc.search.names: the forms of a speaker's or an outlet's name found in a query."""

import pytest

from searchsvc.search.names import NameTable

# ---- names ------------------------------------------------------------------------------------

COMMON = {"young", "paper", "china", "daili", "share"}


@pytest.fixture(scope="module")
def names():
    values = {"speaker": ["Jen Psaki", "Zhao Lijian", "Karine Jean-Pierre", "Shalanda Young", "The President"],
              "outlet": ["The Paper", "Reuters", "China Daily", "Share", "Australian Broadcasting Corporation"]}
    return NameTable(values, lambda term: 0.2 if term in COMMON else 0.0, size=50_000)


@pytest.mark.parametrize("q, facet, value, surface", [
    ("Psaki on baby formula", "speaker", "Jen Psaki", "Psaki"),
    ("Jen Psaki formula", "speaker", "Jen Psaki", "Jen Psaki"),
    ("MS. PSAKI formula", "speaker", "Jen Psaki", "MS. PSAKI"),          # the label as transcripts write it
    ("Zhao wine", "speaker", "Zhao Lijian", "Zhao"),
    ("zhao lijian wine", "speaker", "Zhao Lijian", "zhao lijian"),
    ("Jean-Pierre migrants", "speaker", "Karine Jean-Pierre", "Jean-Pierre"),   # a surname of two words
    ("Shalanda Young budget", "speaker", "Shalanda Young", "Shalanda Young"),
    ("The Paper asked", "outlet", "The Paper", "The Paper"),
    ("Reuters asked about Huawei", "outlet", "Reuters", "Reuters"),
    ("ABC cyber attack", "outlet", "Australian Broadcasting Corporation", "ABC"),   # shipped alias
])
def test_name_forms_are_found(names, q, facet, value, surface):
    found = names.find(q, lambda start, end: True)
    assert [(m.facet, m.surface) for m in found] == [(facet, surface)]
    assert value in found[0].values


@pytest.mark.parametrize("q", [
    "young people", "a paper on trade", "china tariffs", "share of trade",   # words common in the text
    "what the president said",                                             # a role is not a name
])
def test_common_words_and_roles_name_nobody(names, q):
    assert names.find(q, lambda start, end: True) == []


def test_names_only_where_allowed(names):
    assert names.find("Psaki", lambda start, end: False) == []
