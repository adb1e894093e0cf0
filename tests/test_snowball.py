"""Tests for searchsvc.snowball: NLTK's Snowball stemmer without the rest of NLTK, same stems, NLTK left intact."""

import json
import re
import subprocess
import sys
from pathlib import Path

SAMPLE = Path(__file__).resolve().parents[1] / "sample"
# What nltk/stem/snowball.py needs (its imports and theirs); nltk/__init__.py would bring hundreds more.
NEEDED = {"nltk.redos", "nltk.termsec", "nltk.stem.api", "nltk.stem.util", "nltk.stem.porter", "nltk.stem.snowball"}


def run(code: str, *args: str) -> subprocess.CompletedProcess:
    """`code` in a fresh interpreter (this one may have imported NLTK already)."""
    return subprocess.run([sys.executable, *args, "-c", code], capture_output=True, text=True, check=True)


def sample_words() -> list[str]:
    words = set()
    for path in SAMPLE.rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            words.update(w.lower() for w in re.findall(r"[^\W\d_]+", text))
    return sorted(words)


STEMS = """
import json, sys
words = json.load(open(sys.argv[1]))
{load}
stemmer = cls("english")
print(json.dumps([stemmer.stem(w) for w in words]))
"""


def stems(tmp_path: Path, load: str) -> list[str]:
    words = tmp_path / "words.json"
    if not words.exists():
        words.write_text(json.dumps(sample_words() + ["generously", "running", "sky", "dying", "news", "inning"]))
    out = subprocess.run([sys.executable, "-c", STEMS.format(load=load), str(words)], capture_output=True,
                         text=True, check=True).stdout
    return json.loads(out)


def test_same_stems_as_nltk_imported_whole(tmp_path):
    ours = stems(tmp_path, "from searchsvc.snowball import snowball_stemmer_class; cls = snowball_stemmer_class()")
    whole = stems(tmp_path, "import nltk; from nltk.stem.snowball import SnowballStemmer as cls")
    assert len(ours) > 1000
    assert ours == whole


RECORD_IMPORTS = """
import sys
class Record:
    seen = []
    def find_spec(self, name, path=None, target=None):
        self.seen.append(name)
sys.meta_path.insert(0, Record())
from searchsvc.analysis import stem_word
assert stem_word("running") == "run"
print(" ".join(n for n in Record.seen if n.startswith("nltk")))
"""


def test_only_the_stemmer_modules_are_imported():
    looked_up = set(run(RECORD_IMPORTS).stdout.split())
    assert looked_up == NEEDED | {"nltk"}     # the package is only found (its folder), its __init__ never run


def test_nltk_imports_whole_afterwards():
    out = run("from searchsvc.analysis import stem_word; import sys; stem_word('taxes');"
              "left = sorted(m for m in sys.modules if m.startswith('nltk'));"
              "import nltk; print(left, callable(nltk.word_tokenize), hasattr(nltk, 'corpus'))").stdout
    assert out.strip() == "[] True True"


def test_nltk_already_imported_is_used_as_it_is():
    out = run("import nltk.stem.snowball as s; from searchsvc.snowball import snowball_stemmer_class;"
              "print(snowball_stemmer_class() is s.SnowballStemmer)").stdout
    assert out.strip() == "True"
