"""Tests for searchsvc.ingest.titles: officials' job titles read from titles, header items and labels."""

from __future__ import annotations

from pathlib import Path

import pytest

from searchsvc.ingest import parse_paths
from searchsvc.ingest.titles import item_role, label_role, normalise_role, title_roles

DATA = Path(__file__).resolve().parent / "data" / "transcripts"


@pytest.mark.parametrize("title, names, expected", [
    ("Press Briefing by Press Secretary Jen Psaki and NSC Coordinator John Kirby", ["Jen Psaki", "John Kirby"],
     [("Jen Psaki", "Press Secretary"), ("John Kirby", "National Security Council Coordinator")]),
    ("Foreign Ministry Spokesperson Zhao Lijian's Regular Press Conference on July 3, 2020", ["Zhao Lijian"],
     [("Zhao Lijian", "Foreign Ministry Spokesperson")]),
    ("Press Briefing by Principal Deputy Press Secretary Josh Earnest, Bill Weldon, CEO for Johnson & Johnson",
     ["Josh Earnest", "Bill Weldon"],
     [("Josh Earnest", "Principal Deputy Press Secretary"), ("Bill Weldon", "CEO for Johnson & Johnson")]),
    ("Remarks by President Biden and Prime Minister Kishida Fumio of Japan", ["Kishida Fumio"],
     [("Kishida Fumio", "Prime Minister")]),
    ("Press Briefing on the Budget", ["Jane Doe"], []),
])
def test_title_roles(title, names, expected):
    assert title_roles(title, names) == expected


@pytest.mark.parametrize("item, expected", [
    ("Mr. Shou Xiaoli, spokesperson of the SCIO", ("Shou Xiaoli", "Spokesperson of the SCIO")),
    ("Ms. Zhou Meifang, director general of the Resource Development Department",
     ("Zhou Meifang", "Director General of the Resource Development Department")),
    ("Wang Dalin", ("Wang Dalin", "")),
])
def test_item_role(item, expected):
    assert item_role(item) == expected


@pytest.mark.parametrize("label, expected", [
    ("SECRETARY ESPER", "Secretary"), ("THE PRESIDENT", "President"), ("PRIME MINISTER KISHIDA", "Prime Minister"),
    ("VICE PRESIDENT PENCE", "Vice President"), ("MS. PSAKI", ""), ("DR. BIRX", ""), ("Q", ""),
])
def test_label_role(label, expected):
    assert label_role(label) == expected


def test_normalise_role_keeps_acronyms_and_small_words():
    assert normalise_role("PRINCIPAL DEPUTY PRESS SECRETARY") == "Principal Deputy Press Secretary"
    assert normalise_role("director of the NEC") == "Director of the NEC"


@pytest.mark.parametrize("written, expected", [
    # one job, written two ways, is one value of the role facet
    ("NSC Coordinator for Strategic Communications",
     "National Security Council Coordinator for Strategic Communications"),
    ("National Security Council Coordinator for Strategic Communications",
     "National Security Council Coordinator for Strategic Communications"),
    ("UN Ambassador", "United Nations Ambassador"),
    ("CEA Chair", "CEA Chair"),                       # not in the shipped list: kept as written
    ("DPRK Envoy", "DPRK Envoy"),                     # in the list, but no member's initials spell it
])
def test_normalise_role_spells_out_listed_acronyms(written, expected):
    assert normalise_role(written) == expected


def test_conferences_carry_roles():
    result = parse_paths([DATA])
    roles = {c.title.split(" on ")[0][:40]: dict(c.roles) for c in result.conferences}
    assert any(r.get("Zhao Lijian") == "Foreign Ministry Spokesperson" for r in roles.values())
    assert any(r.get("Jen Psaki") == "Press Secretary" for r in roles.values())
    assert any(r.get("Shou Xiaoli") == "Spokesperson of the SCIO" for r in roles.values())
