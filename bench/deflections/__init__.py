"""Benchmarks: precision and recall of the deflection detector (searchsvc/insights/deflections.py) on 150 answers
labelled by hand (labels.jsonl).

The answers come from the three sources of ../shared/corpus (random.Random(14)): a uniform stratum (both SCIO
answers, 49 MFA, 49 White House) and an enriched stratum (25 MFA, 25 White House answers drawn from those containing
one of a broad net of hedge words: aware, refer, comment, nothing, ahead of, ...), so that the labels hold enough
deflections to measure recall. Figures are given for all 150 and for the uniform stratum alone. Labelling rule: a
deflection declines to answer what was asked (not aware, refers elsewhere, nothing to share, will not comment or
get ahead) and offers at most a brief restatement of a general position; an answer that gives information or an
argument responding to the question is substantive even when it starts with a hedge. Each line: id, source,
stratum, label, snippet, question (shortened) and the full answer text, so the benchmark needs no corpus.

    .venv/bin/python -m bench.deflections [--errors]
"""
