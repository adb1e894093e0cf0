"""Tests for searchsvc.search.boosts: names' scores, proximity, suggested filters (tiny and sample index)."""

import numpy as np
from support import hit_ids, search_page, tiny_conferences

from searchsvc.search.boosts import Boosts

MFA, WH = (c.id for c in tiny_conferences())


def test_names_are_offered_as_filters(tiny_service):
    page = search_page(tiny_service, "Zhao tariffs")
    assert [(f.facet, f.value) for f in page.suggested_filters] == [("speaker", "Zhao Lijian")]
    assert page.suggested_filters[0].count == page.facets["speaker"][0].count
    filtered = search_page(tiny_service, "Zhao tariffs", speakers=("Zhao Lijian",))
    assert filtered.suggested_filters == ()        # already filtered: nothing to offer
    assert search_page(tiny_service, "tariffs").suggested_filters == ()


def test_a_name_ranks_its_turns_first(tiny_service):
    """Both conferences discuss Hong Kong; naming the speaker puts hers first (names score, BM25F-like)."""
    assert hit_ids(search_page(tiny_service, "Psaki Hong Kong security"))[0] == f"{WH}-2"
    assert hit_ids(search_page(tiny_service, "Zhao Hong Kong security"))[0].startswith(MFA)


def test_proximity_counts_words_side_by_side(tiny_service):
    gen = tiny_service._current()
    boosts = Boosts(None, frozenset({("nation", "secur")}), gen.docsets)
    docs = np.array(sorted(gen.docnum(f"{c}") for c in (f"{MFA}-1", f"{MFA}-4", f"{WH}-2")))
    found = boosts.pairs_found(docs)
    assert found[gen.docnum(f"{MFA}-1")] == 1 and found[gen.docnum(f"{MFA}-4")] == 1
    assert found[gen.docnum(f"{WH}-2")] == 0     # "Security in Hong Kong": no "national" before it


# ---- the suggested filter on the page and in the API (sample index) ---------------------------------

def test_the_page_and_the_api_offer_the_named_speaker(client, api_get):
    html = client.get("/?q=Psaki+vaccines").get_data(as_text=True)
    assert "suggested-filter-link" in html and "Speaker: Jen Psaki" in html
    assert "speaker=Jen+Psaki" in html or "speaker=Jen%20Psaki" in html
    data = api_get(client, "/api/search?q=Psaki+vaccines").get_json()
    assert {"facet": "speaker", "value": "Jen Psaki"}.items() <= data["suggested_filters"][0].items()
    filtered = api_get(client, "/api/search?q=Psaki+vaccines&speaker=Jen+Psaki").get_json()
    assert filtered["suggested_filters"] == []
