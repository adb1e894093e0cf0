"""Index stage: related terms learned from a generation's own text at build time (second-order similarity).

Words that share contexts (the words a few positions either side), not words that occur together: a
positive-PMI word-context matrix over a capped sample of the turns, reduced by a truncated SVD (numpy), and each
frequent term's nearest neighbours by cosine (Levy, Goldberg & Dagan 2015, "Improving distributional similarity
with lessons learned from word embeddings": window 2, context counts smoothed to the power 0.75, eigenvalue
weight 0.5). The table is written into the generation folder (RELATED_FILE) and read by search (wordplan.py), where
neighbours are optional expansions ranked below the typed words and the shipped synonyms.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..analysis import build_text_analyzer, fold_word, term_for_token

RELATED_FILE = "related_terms.tsv"
MAX_TOKENS = 1_000_000     # training budget: terms read from the sampled turns (about 12k turns) ...
MAX_SECONDS = 30.0         # ... and a safety cap on the time spent reading them (the token budget decides)
SAMPLE_TURNS = 15_000      # turns read at most (evenly spread over the index)
TARGETS = 8_000            # terms that get neighbours (the most frequent, with at least MIN_COUNT occurrences)
CONTEXTS = 2_000           # context words (the most frequent)
MIN_COUNT = 20
WINDOW = 2
DIMENSIONS = 100
NEIGHBOURS = 5
MIN_SIMILARITY = 0.5       # cosine below this is not kept
ALPHA = 0.75               # context distribution smoothing
EIGEN_WEIGHT = 0.5


@dataclass(frozen=True)
class RelatedTerms:
    """term -> its nearest terms by meaning in this generation's text, with their cosine similarity; and the
    word each term was most often written as (what the search tips show)."""
    neighbours: dict[str, tuple[tuple[str, float], ...]]
    surfaces: dict[str, str]

    def of(self, term: str) -> tuple[tuple[str, float], ...]:
        return self.neighbours.get(term, ())

    def surface(self, term: str) -> str:
        return self.surfaces.get(term, term)


def sample_docnums(total: int, most: int) -> list[int]:
    """Evenly spread docnums (every n-th), the same for the same index: a deterministic sample."""
    step = max(1, total // max(1, most))
    return list(range(0, total, step))


def train_from_texts(texts: Iterable[str], max_tokens: int = MAX_TOKENS, max_seconds: float = MAX_SECONDS
                     ) -> RelatedTerms:
    """Related terms of these texts (turns) as the index analyses them, within a token and time budget."""
    from threadpoolctl import threadpool_limits  # only builds that train import it

    analyzer = build_text_analyzer()
    words: Counter[str] = Counter()

    def sequences() -> Iterator[list[str]]:
        for text in texts:
            tokens = analyzer.expression.findall(text)
            words.update(tokens)
            yield analyzer.terms_of_tokens(tokens)

    def common_word(term: str) -> bool:      # not a name (mostly capitalized) nor a number: names have no synonyms
        return capitals.get(term, 0) * 2 <= totals.get(term, 0) and not any(c.isdigit() for c in term)

    capitals: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    with threadpool_limits(limits=1, user_api="blas"):     # see pyproject.toml
        found = train(sequences(), max_tokens, max_seconds, common_word, lambda: _count_case(words, capitals, totals))
    shown = {t for t in found.neighbours} | {n for got in found.neighbours.values() for n, _ in got}
    best: dict[str, tuple[int, str]] = {}
    for word, count in words.items():
        term = term_for_token(word)
        if term in shown and count > best.get(term, (0, ""))[0]:
            best[term] = (count, fold_word(word))
    return RelatedTerms(found.neighbours, {t: w for t, (_, w) in best.items()})


def train(texts: Iterable[list[str]], max_tokens: int = MAX_TOKENS, max_seconds: float = MAX_SECONDS,
          eligible: Callable[[str], bool] | None = None, after_reading: Callable[[], None] | None = None
          ) -> RelatedTerms:
    """Related terms from term sequences (a turn's index terms in order), within a token and time budget. Only
    `eligible` terms get or are neighbours (all of them count as contexts)."""
    seqs = list(_budgeted(texts, max_tokens, max_seconds))
    if after_reading is not None:
        after_reading()
    counts: dict[str, int] = {}
    for seq in seqs:
        for t in seq:
            counts[t] = counts.get(t, 0) + 1
    ranked = sorted((t for t, c in counts.items() if c >= MIN_COUNT), key=lambda t: (-counts[t], t))
    contexts = ranked[:CONTEXTS]
    targets = [t for t in ranked if eligible is None or eligible(t)][:TARGETS]
    if len(contexts) < DIMENSIONS * 2:
        return RelatedTerms({}, {})
    vectors = _vectors(_cooccurrences(seqs, targets, contexts), (len(targets), len(contexts)))
    return RelatedTerms(_nearest(targets, vectors), {})


def _count_case(words: Counter[str], capitals: Counter[str], totals: Counter[str]) -> None:
    """Per term: occurrences, and those written with a capital (raw tokens as read)."""
    for word, count in words.items():
        term = term_for_token(word)
        if term:
            totals[term] += count
            if word[:1].isupper():
                capitals[term] += count


def _budgeted(texts: Iterable[list[str]], max_tokens: int, max_seconds: float) -> Iterator[list[str]]:
    deadline, used = time.monotonic() + max_seconds, 0
    for seq in texts:
        yield seq
        used += len(seq)
        if used >= max_tokens or time.monotonic() > deadline:
            return


def _cooccurrences(seqs: list[list[str]], targets: list[str], contexts: list[str]
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(target, context, count) of every context word found within WINDOW positions of a target (same turn)."""
    t_index = {t: i for i, t in enumerate(targets)}
    c_index = {t: i for i, t in enumerate(contexts)}
    flat = [t for seq in seqs for t in seq]
    rows = np.array([t_index.get(t, -1) for t in flat], dtype=np.int64)
    cols = np.array([c_index.get(t, -1) for t in flat], dtype=np.int64)
    turn = np.repeat(np.arange(len(seqs)), [len(s) for s in seqs])
    codes = []
    for offset in range(1, WINDOW + 1):
        same = turn[:-offset] == turn[offset:]
        for r, c in ((rows[:-offset], cols[offset:]), (rows[offset:], cols[:-offset])):
            keep = same & (r >= 0) & (c >= 0)
            codes.append(r[keep] * len(contexts) + c[keep])
    found, counts = np.unique(np.concatenate(codes), return_counts=True)
    return found // len(contexts), found % len(contexts), counts.astype(np.float64)


def _vectors(cells: tuple[np.ndarray, np.ndarray, np.ndarray], shape: tuple[int, int]) -> np.ndarray:
    """Unit-length term vectors: PPMI (smoothed contexts) reduced by a truncated SVD."""
    rows, cols, counts = cells
    total = counts.sum()
    p_t = np.bincount(rows, counts, minlength=shape[0]) / total
    smoothed = np.bincount(cols, counts, minlength=shape[1]) ** ALPHA
    p_c = smoothed / smoothed.sum()
    pmi = np.log(counts / total / (p_t[rows] * p_c[cols]))
    ppmi = np.zeros(shape, dtype=np.float32)
    keep = pmi > 0
    ppmi[rows[keep], cols[keep]] = pmi[keep]
    u, sigma = _truncated_svd(ppmi, DIMENSIONS)
    vectors = u * sigma ** EIGEN_WEIGHT
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.asarray(vectors / np.maximum(norms, 1e-9), dtype=np.float32)


def _truncated_svd(m: np.ndarray, k: int, oversample: int = 10, iterations: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """U and the singular values of m's k largest: randomized range finder with power iterations (Halko, Martinsson
    & Tropp 2011), seeded, so the same text gives the same table."""
    rng = np.random.default_rng(0)
    q, _ = np.linalg.qr(m @ rng.standard_normal((m.shape[1], k + oversample), dtype=np.float32))
    for _ in range(iterations):
        q, _ = np.linalg.qr(m.T @ q)
        q, _ = np.linalg.qr(m @ q)
    u_small, sigma, _ = np.linalg.svd(q.T @ m, full_matrices=False)
    return (q @ u_small[:, :k]).astype(np.float32), sigma[:k].astype(np.float32)


def _nearest(targets: list[str], vectors: np.ndarray, chunk: int = 1024
             ) -> dict[str, tuple[tuple[str, float], ...]]:
    """Each target's most similar targets by cosine (at least MIN_SIMILARITY)."""
    out: dict[str, tuple[tuple[str, float], ...]] = {}
    for start in range(0, len(targets), chunk):
        sims = vectors[start:start + chunk] @ vectors.T
        for row, i in enumerate(range(start, min(start + chunk, len(targets)))):
            sims[row, i] = -1.0
        best = np.argsort(-sims, axis=1)[:, :NEIGHBOURS]
        for row, i in enumerate(range(start, min(start + chunk, len(targets)))):
            found = tuple((targets[j], round(float(sims[row, j]), 3)) for j in best[row]
                          if sims[row, j] >= MIN_SIMILARITY)
            if found:
                out[targets[i]] = found
    return out


def write_related(folder: Path, related: RelatedTerms) -> None:
    """One term a line: term, the word shown for it, its neighbours (term:similarity ...)."""
    terms = sorted(set(related.neighbours) | set(related.surfaces))
    lines = [f"{t}\t{related.surface(t)}\t" + " ".join(f"{n}:{s}" for n, s in related.of(t)) for t in terms]
    (folder / RELATED_FILE).write_text("\n".join(lines) + ("\n" if lines else ""), encoding="utf-8")


def read_related(folder: Path) -> RelatedTerms | None:
    """The generation's table; None when it was built without one."""
    path = folder / RELATED_FILE
    if not path.is_file():
        return None
    neighbours: dict[str, tuple[tuple[str, float], ...]] = {}
    surfaces: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        term, shown, rest = (line.split("\t") + ["", ""])[:3]
        surfaces[term] = shown or term
        pairs = [p.rpartition(":") for p in rest.split()]
        if pairs:
            neighbours[term] = tuple((t, float(s)) for t, _, s in pairs if t)
    return RelatedTerms(neighbours, surfaces)
