"""Benchmarks: `python -m bench.deflections` prints the deflection detector's precision and recall on labels.jsonl."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from searchsvc.insights.deflections import ANSWER_DEFLECTION, find_deflection  # noqa: E402

LABELS = Path(__file__).resolve().parent / "labels.jsonl"


def read_labels(path: Path = LABELS) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def score(rows: list[dict]) -> dict:
    """Counts and precision/recall of the detector against the labels of `rows`."""
    tp = fp = fn = tn = 0
    for row in rows:
        found = find_deflection(row["answer"]) is not None
        wanted = row["label"] == ANSWER_DEFLECTION
        tp, fp, fn, tn = tp + (found and wanted), fp + (found and not wanted), fn + (wanted and not found), \
            tn + (not found and not wanted)
    return {"answers": len(rows), "deflections": tp + fn, "flagged": tp + fp, "tp": tp, "fp": fp, "fn": fn, "tn": tn,
            "precision": tp / (tp + fp) if tp + fp else 0.0, "recall": tp / (tp + fn) if tp + fn else 0.0}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--errors", action="store_true", help="list the answers the detector gets wrong")
    args = parser.parse_args(argv)
    rows = read_labels()
    groups = {"all": rows, "uniform": [r for r in rows if r["stratum"] == "uniform"]}
    groups.update({f"source={s}": [r for r in rows if r["source"] == s] for s in sorted({r["source"] for r in rows})})
    print(f"{'labels':16} {'answers':>7} {'deflect':>7} {'flagged':>7} {'tp':>4} {'fp':>4} {'fn':>4} "
          f"{'precision':>9} {'recall':>6}")
    for name, part in groups.items():
        s = score(part)
        print(f"{name:16} {s['answers']:7} {s['deflections']:7} {s['flagged']:7} {s['tp']:4} {s['fp']:4} {s['fn']:4} "
              f"{s['precision']:9.2f} {s['recall']:6.2f}")
    if args.errors:
        for row in rows:
            found = find_deflection(row["answer"])
            if (found is not None) != (row["label"] == ANSWER_DEFLECTION):
                kind = f"FP {found.pattern}" if found else "FN"
                print(f"\n{kind} {row['id']} [{row['label']}]\n  {row['snippet']}")


if __name__ == "__main__":
    main()
