"""Insights stage: distinctive terms of a set of turns: Dunning's log-likelihood (G2) of each index term's
frequency in the set against the rest of the index, from the index's own term statistics.

Reading every posting of a field to count every term over an arbitrary set costs seconds on the shared
corpus, so candidates come first: a sample of the set's stored text (evenly spread, at most SAMPLE_DOCS
turns) is tokenized exactly as the indexer does (analysis.term_for_token: stop words are never terms),
which also yields the written forms. The sample's G2 against the corpus frequencies (reader.frequency)
picks CANDIDATES terms, whose counts in the set and in the corpus are then taken exactly from their
postings (DocSets, cached per searcher; no postings are read when the sample is the whole set) and
ranked by exact G2. Fillers and modals
(data/keyterms_ignore_en.txt) are never shown.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from math import log

import numpy as np

from ..analysis import TOKEN_RE, fold_word, term_for_token
from ..search.generation import Generation

SAMPLE_DOCS = 600       # stored turns tokenized to find candidates
POOL = 1500             # most frequent sample terms whose corpus frequency is looked up
CANDIDATES = 80         # terms counted exactly from their postings
MIN_COUNT = 3           # occurrences in the set ...
MIN_DOCS = 2            # ... in at least this many turns


@dataclass(frozen=True)
class TermScore:
    term: str             # the index term (a stem)
    word: str             # its most frequent written form in the set (what people read and search for)
    count: int            # occurrences in the set's text
    docs: int             # turns of the set that contain it
    corpus_count: int     # occurrences in the whole index
    g2: float             # log-likelihood of the set's frequency against the rest (higher: more distinctive)


def log_likelihood(a: float, b: float, c: float, d: float) -> float:
    """Dunning's G2 for a term seen `a` times in a text of `c` terms and `b` times in one of `d` terms."""
    total = a + b
    if total <= 0 or c <= 0 or d <= 0:
        return 0.0
    e1, e2 = c * total / (c + d), d * total / (c + d)
    g = (a * log(a / e1) if a > 0 else 0.0) + (b * log(b / e2) if b > 0 else 0.0)
    return 2.0 * g


@lru_cache(maxsize=1)
def ignored_terms() -> frozenset[str]:
    """Index terms of searchsvc/data/keyterms_ignore_en.txt (fillers, modals: how people talk, not what about)."""
    text = resources.files("searchsvc").joinpath("data/keyterms_ignore_en.txt").read_text(encoding="utf-8")
    words = (w.strip() for w in text.splitlines() if w.strip() and not w.startswith("#"))
    return frozenset(t for t in map(term_for_token, words) if t)


def readable(term: str) -> bool:
    """A term worth showing: has a letter, more than one character (numbers and initials are not), not ignored."""
    return len(term) > 1 and any(ch.isalpha() for ch in term) and term not in ignored_terms()


def _sample(docs: np.ndarray, size: int) -> np.ndarray:
    if len(docs) <= size:
        return docs
    return docs[np.linspace(0, len(docs) - 1, size).round().astype(np.int64)]


def _read_sample(gen: Generation, sample: np.ndarray,
                 field: str) -> tuple[Counter[str], Counter[str], dict[str, Counter[str]]]:
    """Term counts, turns per term and written forms per term of the sampled turns' `field` text."""
    tokens: Counter[str] = Counter()
    term_docs: Counter[str] = Counter()
    for docnum in sample:
        found = TOKEN_RE.findall(gen.stored(docnum).get(field, ""))
        tokens.update(found)
        term_docs.update(t for t in {term_for_token(raw) for raw in set(found)} if t is not None)
    counts: Counter[str] = Counter()
    forms: dict[str, Counter[str]] = defaultdict(Counter)
    for raw, n in tokens.items():     # each written form once: the analysis is per distinct token
        term = term_for_token(raw)
        if term is not None:
            counts[term] += n
            forms[term][fold_word(raw)] += n
    return counts, term_docs, forms


def distinctive_terms(gen: Generation, mask: np.ndarray, field: str, limit: int = 30,
                      sample_size: int = SAMPLE_DOCS) -> list[TermScore]:
    """The `limit` terms of `field` most over-represented in the turns of `mask` (a Snapshot's bool array)
    compared with the rest of the index, by G2; empty when the set is empty or is the whole index."""
    tables = gen.tables
    lengths, live = tables.lengths[field], tables.live
    inside = mask & live
    docs = np.flatnonzero(inside & (lengths > 0))
    if not len(docs) or limit <= 0:
        return []
    sample = _sample(docs, max(1, sample_size))
    counts, term_docs, forms = _read_sample(gen, sample, field)
    sampled = sum(counts.values())
    whole = len(sample) == len(docs)             # the sample is the set: its counts are exact
    # Whoosh keeps each document's field length in one byte (rounded up); the field's total is exact. The
    # set's length is the sample's exact length scaled by the set's share of the stored lengths.
    exact_corpus = not gen.has_deletions
    all_len = gen.field_length(field) if exact_corpus else float(lengths[live].sum())
    set_len = float(sampled) * (1.0 if whole else float(lengths[docs].sum()) / max(1.0, float(lengths[sample].sum())))
    rest_len = all_len - set_len
    if not sampled or set_len <= 0 or rest_len <= 0:
        return []
    scale, doc_scale = set_len / sampled, len(docs) / len(sample)
    rough = []
    for term, n in counts.most_common(POOL):
        if not readable(term) or n * scale < MIN_COUNT or term_docs[term] * doc_scale < MIN_DOCS:
            continue
        a, corpus = n * scale, gen.frequency(field, term)
        if a / set_len > max(0.0, corpus - a) / rest_len:
            rough.append((log_likelihood(a, max(0.0, corpus - a), set_len, rest_len), term, corpus))
    rough.sort(reverse=True)
    scored = []
    for _, term, corpus in rough[:CANDIDATES]:
        if whole and exact_corpus:
            a, in_docs = float(counts[term]), term_docs[term]
        else:                                    # exact counts from the term's postings
            ids, tf = gen.docsets.postings(field, term)
            here = inside[ids]
            a, corpus, in_docs = float(tf[here].sum()), float(tf[live[ids]].sum()), int(here.sum())
        b = corpus - a
        if a < MIN_COUNT or in_docs < MIN_DOCS or a / set_len <= b / rest_len:
            continue
        scored.append(TermScore(term=term, word=forms[term].most_common(1)[0][0], count=int(a), docs=in_docs,
                                corpus_count=int(corpus), g2=round(log_likelihood(a, b, set_len, rest_len), 2)))
    scored.sort(key=lambda t: (-t.g2, t.term))
    return scored[:limit]
