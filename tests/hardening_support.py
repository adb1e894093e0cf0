"""Shared helpers of the hardening tests (tests/test_hardening_*.py): Hypothesis profiles, scale, figures, XSS checks.

Scale: the default suite runs every hardening test small; the dedicated run (scripts/hardening.sh) sets
SEARCHSVC_HARDENING=1 (and SEARCHSVC_HYPOTHESIS_PROFILE=hardening) and selects the `slow` tests, which run the
large versions. Figures (cases tried, 5xx answers, unescaped outputs, failed requests, kills survived, turns
lost) are appended as JSON lines to $SEARCHSVC_HARDENING_FIGURES when it is set; the script prints them.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import threading
from contextlib import contextmanager
from pathlib import Path

from hypothesis import HealthCheck, settings

HARDENING = os.environ.get("SEARCHSVC_HARDENING") == "1"
PROFILE_ENV = "SEARCHSVC_HYPOTHESIS_PROFILE"
FIGURES_ENV = "SEARCHSVC_HARDENING_FIGURES"

_COMMON = dict(deadline=None, database=None, print_blob=True,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                      HealthCheck.function_scoped_fixture, HealthCheck.filter_too_much])
settings.register_profile("searchsvc-small", max_examples=40, **_COMMON)
settings.register_profile("searchsvc-medium", max_examples=400, **_COMMON)
settings.register_profile("hardening", max_examples=4000, **_COMMON)
PROFILE_NAME = os.environ.get(PROFILE_ENV, "searchsvc-small")
FUZZ = settings.get_profile(PROFILE_NAME)


def fuzz(share: float = 1.0) -> settings:
    """The chosen profile, with `share` of its examples (tests of one property split the big run's cases)."""
    return settings(FUZZ, max_examples=max(5, int(FUZZ.max_examples * share)))


def scaled(small, large):
    """`small` in the default suite, `large` in the dedicated run."""
    return large if HARDENING else small


class Tally:
    """Thread-safe counters of one test (cases tried, 5xx answers, ...), recorded as figures at the end."""

    def __init__(self, section: str):
        self.section = section
        self.counts: dict[str, int] = {}
        self.samples: list[str] = []
        self._lock = threading.Lock()

    def add(self, name: str, n: int = 1, sample: str | None = None) -> None:
        with self._lock:
            self.counts[name] = self.counts.get(name, 0) + n
            if sample is not None and len(self.samples) < 10:
                self.samples.append(sample[:300])

    def __getitem__(self, name: str) -> int:
        return self.counts.get(name, 0)

    def record(self, **extra) -> None:
        record_figures(self.section, **self.counts, **extra, samples=self.samples)


def record_figures(section: str, **values) -> None:
    """Append one JSON line of figures for the dedicated run's summary (no-op without $SEARCHSVC_HARDENING_FIGURES)."""
    path = os.environ.get(FIGURES_ENV)
    if not path:
        return
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps({"section": section, **values}, default=str) + "\n")


# ---- planted markup ------------------------------------------------------------------------

PAYLOADS = (
    "<script>alert(1)</script>",
    '"onmouseover=alert(2) x="',
    "'><img src=x onerror=alert(3)>",
    "<svg onload=alert(4)>",
    "javascript:alert(5)",
)
RAW_MARKERS = ("<script>alert", "<img src=x", "<svg onload", "onerror=alert(3)>")
_BAD_SCHEME = re.compile(r"^(javascript|vbscript|data):", re.I)
_URL_ATTRS = ("href", "src", "action", "formaction", "xlink:href", "poster", "background")


def html_problems(html: str, where: str = "") -> list[str]:
    """What a browser would run or follow from planted markup: inline scripts, on* attributes, script URLs,
    payloads that came out raw. Empty when everything was escaped."""
    from bs4 import BeautifulSoup

    problems = []
    soup = BeautifulSoup(html, "lxml")
    for script in soup.find_all("script"):
        src = script.get("src")
        if not src or not src.startswith("/static/") or script.string:
            problems.append(f"{where}: inline or foreign <script> {str(script)[:80]!r}")
    for el in soup.find_all(True):
        for name, value in el.attrs.items():
            if name.lower().startswith("on"):
                problems.append(f"{where}: event attribute {name}= on <{el.name}>")
            if name.lower() in _URL_ATTRS:
                text = re.sub(r"[\x00-\x20]", "", value if isinstance(value, str) else " ".join(value))
                if _BAD_SCHEME.match(text):
                    problems.append(f"{where}: {name}={text[:60]!r} on <{el.name}>")
    for marker in RAW_MARKERS:
        if marker in html:
            problems.append(f"{where}: raw {marker!r} in the page")
    return problems


def json_problems(body, where: str = "") -> list[str]:
    """HTML fields of an API answer (keys ending in _html) may hold <mark> only; everything else escaped."""
    problems = []

    def walk(node, path):
        if isinstance(node, dict):
            for key, value in node.items():
                if isinstance(value, str) and key.endswith("_html"):
                    rest = re.sub(r"</?mark>", "", value)
                    if "<" in rest or ">" in rest or '"' in rest:
                        problems.append(f"{where}: {path}.{key} holds unescaped markup: {value[:80]!r}")
                else:
                    walk(value, f"{path}.{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{path}[{i}]")

    walk(body, "$")
    return problems


def header_problems(headers, where: str = "") -> list[str]:
    """Security headers every answer must carry: a CSP without inline scripts, nosniff, a referrer policy."""
    problems = []
    csp = headers.get("Content-Security-Policy", "")
    directives = {d.strip().split(" ")[0]: d.strip() for d in csp.split(";") if d.strip()}
    script = directives.get("script-src") or directives.get("default-src", "")
    if not script or "'unsafe-inline'" in script or "'unsafe-eval'" in script or "*" in script.split():
        problems.append(f"{where}: CSP allows inline/eval/any scripts or is missing: {csp!r}")
    if "object-src 'none'" not in csp:
        problems.append(f"{where}: CSP does not forbid plugins (object-src 'none')")
    if headers.get("X-Content-Type-Options", "").lower() != "nosniff":
        problems.append(f"{where}: X-Content-Type-Options is not nosniff")
    if not headers.get("Referrer-Policy"):
        problems.append(f"{where}: no Referrer-Policy")
    return problems


def repo_root() -> Path:
    return Path(__file__).resolve().parents[1]


# ---- corpora --------------------------------------------------------------------------------

SYNTHETIC_WORDS = ("trade tariff security economy climate vaccine border energy taiwan sanctions market growth "
                   "policy pandemic inflation alliance summit treaty export import").split()


def write_synthetic_corpus(folder: Path, conferences: int, turns: int, words: int = 12, seed: int = 1) -> int:
    """White House-style Markdown transcripts (`conferences` files of `turns` Q&A turns); the turn count."""
    import random

    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for c in range(conferences):
        lines = ["---", f"title: Press Briefing number {c} by Press Secretary Jane Doe",
                 f"date: '20{10 + c % 14:02d}-{1 + c % 12:02d}-{1 + c % 28:02d}'",
                 f"source_url: https://example.org/synthetic/{seed}/{c}", "---", ""]
        for _ in range(turns):
            lines += [f"Q  What about {' '.join(rng.choice(SYNTHETIC_WORDS) for _ in range(words))}?", "",
                      f"MS. DOE:  We think {' '.join(rng.choice(SYNTHETIC_WORDS) for _ in range(words))}.", ""]
        (folder / f"synthetic-{seed}-{c:04d}.md").write_text("\n".join(lines), encoding="utf-8")
    return conferences * turns


def marker_file(folder: Path, word: str, day: str) -> Path:
    """A small White House transcript whose answer holds `word` (found nowhere else)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{day}-press-briefing-{word}.md"
    path.write_text(
        "---\n"
        f"title: Press Briefing by Press Secretary Jen Psaki on the {word} program\n"
        f"date: '{day}'\n"
        f"source_url: https://example.org/{word}\n"
        "---\n\n"
        f"MS. PSAKI:  Good afternoon. Today we talk about the {word} program.\n\n"
        f"Q  Why does the {word} program matter?\n\n"
        f"MS. PSAKI:  The {word} program matters to every family.\n", encoding="utf-8")
    return path


def descendants(pid: int) -> set[int]:
    """Live descendant processes of `pid` (children, grandchildren ...), from /proc."""
    parents: dict[int, int] = {}
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line)
        except OSError:
            continue
        if not fields.get("State", "").startswith("Z"):
            parents[int(status.parent.name)] = int(fields.get("PPid", "0").strip() or 0)
    found, frontier = set(), {pid}
    while frontier:
        frontier = {p for p, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in state


# ---- damaging an index (tests/test_index_verify.py, tests/test_fault_damaged.py) ----------------------

# Kinds of index file (or part of a compound segment file) and how to find one in a generation's manifest.
INDEX_PARTS = {
    "toc": ".toc", "postings": ".pst", "terms": ".trm", "stored": "._stored.col", "lengths": "_len.col",
    "column": ".date.col", "segment-directory": "<directory>", "tables": ".codes.speaker.npy",
}


def find_part(gen_dir: Path, kind: str) -> tuple[Path, int, int, str]:
    """(file, offset, length, part name) of one file or compound part of `kind` (INDEX_PARTS), from the manifest."""
    manifest = json.loads((gen_dir / "manifest.json").read_text())
    suffix = INDEX_PARTS[kind]
    for record in manifest["files"]:
        if record["name"].endswith(suffix):
            return gen_dir / record["name"], 0, record["size"], record["name"]
        if suffix == "<directory>" and record["parts"]:
            end = max(p["offset"] + p["length"] for p in record["parts"])
            return gen_dir / record["name"], end, record["size"] - end, ""
        for part in record["parts"]:
            if part["name"].endswith(suffix):
                return gen_dir / record["name"], part["offset"], part["length"], part["name"]
    raise LookupError(f"no {kind} in {gen_dir}")


def damage(path: Path, offset: int, length: int, how: str) -> None:
    """Damage bytes offset..offset+length of a file in place: "flip" inverts one byte in their middle,
    "garbage" overwrites all of them, "truncate" cuts the file in their middle."""
    middle = offset + length // 2
    if how == "truncate":
        os.truncate(path, middle)
        return
    with open(path, "r+b") as fh:
        if how == "flip":
            fh.seek(middle)
            byte = fh.read(1)
            fh.seek(middle)
            fh.write(bytes([byte[0] ^ 0xFF]))
        else:
            fh.seek(offset)
            fh.write(bytes((0xA5 + i) % 256 for i in range(length)))


# ---- a small disk (tests/test_fault_diskfull.py) ------------------------------------------------------

@contextmanager
def mounted_tmpfs(where: Path, size_bytes: int):
    """A tmpfs of `size_bytes` mounted at `where` for the block (root only: pytest.skip with the reason when
    mounting is not allowed), unmounted afterwards (lazily if something still holds it)."""
    import pytest

    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small tmpfs needs root and mount(8)")
    where.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_bytes},mode=0755", "tmpfs", str(where)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip() or done.returncode}")
    try:
        yield where
    finally:
        if subprocess.run(["umount", str(where)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(where)], capture_output=True)


def config_with(folder: Path, section: str, **values) -> Path:
    """A copy of the repo's config.toml in `folder` with these settings of [section] replaced (or added)."""
    lines = (repo_root() / "config.toml").read_text(encoding="utf-8").splitlines()
    out, current, pending = [], "", dict(values)

    def flush():
        if current == section:
            out.extend(f"{k} = {json.dumps(v)}" for k, v in pending.items())
            pending.clear()
    for line in lines:
        stripped = line.strip()
        if stripped.startswith("[") and stripped.endswith("]"):
            flush()
            current = stripped[1:-1]
        elif current == section and "=" in stripped and not stripped.startswith("#"):
            key = stripped.split("=", 1)[0].strip()
            if key in pending:
                line = f"{key} = {json.dumps(pending.pop(key))}"
        out.append(line)
    flush()
    if pending:
        out += ["", f"[{section}]", *(f"{k} = {json.dumps(v)}" for k, v in pending.items())]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "config.toml"
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return path


class AnswerCounter:
    """Counts a load's answers per path as they arrive (run_load's on_answer), so a test waits for events
    ("two answers to this path started after the rebuild") instead of sleeping for a fixed time."""

    def __init__(self) -> None:
        self._started: dict[str, list[float]] = {}
        self._changed = threading.Condition()

    def add(self, answer) -> None:
        with self._changed:
            self._started.setdefault(answer.path, []).append(answer.started)
            self._changed.notify_all()

    def count(self, path: str, after: float) -> int:
        with self._changed:
            return sum(1 for t in self._started.get(path, ()) if t > after)

    def wait_for(self, path: str, n: int, after: float, timeout: float) -> None:
        """Until `n` answers to `path` that started after `after` (time.monotonic()) arrived; AssertionError
        after `timeout` seconds."""
        with self._changed:
            ok = self._changed.wait_for(lambda: sum(1 for t in self._started.get(path, ()) if t > after) >= n,
                                        timeout=timeout)
        assert ok, f"fewer than {n} answers to {path} within {timeout} s"
