"""Tests for bench.knownitem: targets resolved by file and snippet, FTS5 expressions, the figures per kind."""

import json

from bench.knownitem import QUERIES, fts_expression, load_queries, normalize, rank_of, resolve_targets, summarize


def test_the_shipped_set_is_well_formed():
    queries = load_queries(QUERIES)
    assert len(queries) >= 100 and len({q["id"] for q in queries}) == len(queries)
    kinds = {q["kind"] for q in queries}
    assert {"speaker_topic", "who_asked", "question", "paraphrase", "common_words", "quote", "typo"} <= kinds
    held = [q for q in queries if q["split"] == "heldout"]
    assert len(held) >= 40 and {q["kind"] for q in held} == kinds   # a part never tuned on, of every kind
    assert 0.15 <= len(held) / len(queries) <= 0.35                 # later additions are dev (written before tuning)
    assert all(q["corpus"] in ("corpus", "corpus-more") and q["file"] and len(q["snippet"]) >= 10 for q in queries)


def test_snippets_match_across_punctuation_and_typography():
    assert normalize("There’s about 40 percent — shortage") == normalize("there's about 40 percent shortage")
    assert " cafe " in normalize("Café")


def test_targets_resolve_by_file_and_snippet(tmp_path):
    root = tmp_path / "corpus"
    (root / "mfa").mkdir(parents=True)
    a, b = str((root / "mfa/a.html").resolve()), str((root / "mfa/b.html").resolve())
    rows = [
        {"id": "c-1", "file": a, "question": "Is the THAAD base open?", "answer": ""},
        {"id": "c-2", "file": a, "question": "", "answer": "We oppose THAAD."},
        {"id": "d-1", "file": b, "question": "Is the THAAD base open?", "answer": ""},
    ]
    queries = [{"id": "q1", "corpus": "corpus", "file": "mfa/a.html", "snippet": "the THAAD base"},
               {"id": "q2", "corpus": "corpus", "file": "mfa/x.html", "snippet": "THAAD"},
               {"id": "q3", "corpus": "other", "file": "mfa/a.html", "snippet": "THAAD"}]
    got = resolve_targets(queries, rows, [root])
    assert got == {"q1": {"c-1"}, "q2": set(), "q3": set()}


def test_fts_expressions_keep_quoted_phrases():
    assert fts_expression('"come back to its senses" US', "AND") == '"come back to its senses" AND "US"'
    assert fts_expression("what's up", "OR") == '"what" OR "s" OR "up"'


def test_figures_per_kind_and_split():
    queries = [{"id": "a", "kind": "typo", "split": "dev"}, {"id": "b", "kind": "typo", "split": "heldout"},
               {"id": "c", "kind": "quote", "split": "dev"}]
    figures = summarize({"a": 1, "b": 4, "c": None}, queries)
    assert figures["dev"]["typo"] == {"n": 1, "s1": 1.0, "s10": 1.0, "mrr": 1.0}
    assert figures["heldout"]["all"] == {"n": 1, "s1": 0.0, "s10": 1.0, "mrr": 0.25}
    assert figures["all"]["all"]["mrr"] == round((1 + 0.25) / 3, 3)
    assert rank_of(["x", "y"], {"y"}) == 2 and rank_of(["x"], {"y"}) is None
    json.dumps(figures)
