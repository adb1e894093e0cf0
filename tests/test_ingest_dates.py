"""Tests for searchsvc.ingest.dates: dates written in numbers, ISO stamps and file names."""

from __future__ import annotations

from datetime import date

import pytest

from searchsvc.ingest.dates import date_in_name, find_any_date


@pytest.mark.parametrize("text, expected", [
    ("Press Gaggle by Press Secretary Jay Carney, 12/12/2011", date(2011, 12, 12)),
    ("Press Briefing, 1/9/2014", date(2014, 1, 9)),
    ("Briefing by Josh Earnest, 05/10/16", date(2016, 5, 10)),
    ("Remarks on Sept. 3, 2019", date(2019, 9, 3)),
    ("2020-04-01T17:35:00-04:00", date(2020, 4, 1)),
    ("version 1.2/3/4", None),
    ("13/40/2020", None),
    ("", None),
])
def test_find_any_date(text, expected):
    assert find_any_date(text) == expected


@pytest.mark.parametrize("name, expected", [
    ("white_house_briefing_April-01-2020.html", date(2020, 4, 1)),
    ("2021-04-16-press-briefing-by-press-secretary-jen-psaki.md", date(2021, 4, 16)),
    ("20190805_briefing.txt", date(2019, 8, 5)),
    ("1011.html", None),
])
def test_date_in_name(name, expected):
    assert date_in_name(name) == expected
