"""Tests for searchsvc.ingest.names: short speaker labels resolved to full names across the corpus."""

import datetime as dt

import pytest

from searchsvc.ingest.names import resolve_short_names
from searchsvc.models import Conference, Turn


def _conf(cid, fmt, speakers, officials=()):
    turns = [Turn(seq=k, kind="question-answer", question="q?", speakers=(s,), answer="a")
             for k, s in enumerate(speakers)]
    return Conference(id=cid, title=cid, date=dt.date(2022, 1, 1), source_url="", source_file=cid + ".md",
                      source_format=fmt, officials=tuple(officials), turns=turns)


@pytest.mark.parametrize("label, expected", [
    ("Mr. Zients", "Jeff Zients"),
    ("Dr. JHA", "Ashish Jha"),
    ("Mr. Munoz", "Cecilia Muñoz"),             # accents folded
    ("Secretary Becerra", "Xavier Becerra"),     # role words before the surname
    ("Ms. Rice", "Ms. Rice"),                    # two full names share the surname: left as written
    ("Mr. Unknown", "Mr. Unknown"),              # never seen in full
    ("Senior Administration Official", "Senior Administration Official"),
    ("Moderator", "Moderator"),
])
def test_short_labels_resolve_only_to_a_unique_full_name(label, expected):
    named = _conf("a", "whitehouse", ["Jeff Zients", "Ashish Jha", "Cecilia Muñoz", "Xavier Becerra",
                                      "Susan Rice", "Condoleezza Rice"])
    short = _conf("b", "whitehouse", [label], officials=[label])
    resolve_short_names([named, short])
    assert short.turns[0].speakers == (expected,)
    assert short.officials == (expected,)


def test_names_do_not_cross_source_formats():
    named = _conf("a", "mfa", ["Jeff Zients"])
    short = _conf("b", "whitehouse", ["Mr. Zients"])
    resolve_short_names([named, short])
    assert short.turns[0].speakers == ("Mr. Zients",)
