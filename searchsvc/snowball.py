"""Analysis stage: NLTK's Snowball stemmer class, imported without the rest of NLTK.

`from nltk.stem.snowball import SnowballStemmer` runs nltk/__init__.py first, which imports nearly all of
NLTK (parsers, taggers, classifiers, corpus readers, translation ...): about 14 MB of module objects in
every search worker and index writer, none of it used. The stemmer itself needs only nltk/stem/snowball.py
and the four small modules it imports (nltk.stem.api, nltk.stem.util, nltk.stem.porter, nltk.redos,
nltk.termsec). Those are NLTK's own files, executed unchanged, with `nltk` and `nltk.stem` standing as bare
packages (their __init__ not run) and `nltk.corpus` as a module whose `stopwords` refuses to load (the
stemmer reads NLTK's stop words only for ignore_stopwords=True, which searchsvc never asks: it ships its own
list). Once loaded, the stand-ins and NLTK's modules leave sys.modules, so a later `import nltk` anywhere in
the process gets the whole package as usual. When NLTK is already imported, its own class is taken.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types
from pathlib import Path
from typing import Any

PACKAGE = "nltk"
STEMMER_MODULE = "nltk.stem.snowball"


class _NoStopWords:
    """Stands for nltk.corpus.stopwords: the English stemmer never reads it (ignore_stopwords stays False)."""

    def words(self, *args: Any) -> list[str]:
        raise LookupError("NLTK's stop word corpus is not loaded here: searchsvc ships its own stop words")


def _bare_package(name: str, folder: Path) -> types.ModuleType:
    """A package module whose submodules import from `folder`, without running its __init__.py."""
    module = types.ModuleType(name)
    module.__path__ = [str(folder)]
    module.__package__ = name
    return module


def snowball_stemmer_class() -> Any:
    """nltk.stem.snowball.SnowballStemmer, loading only the modules it needs unless NLTK is imported already."""
    if PACKAGE in sys.modules:
        return importlib.import_module(STEMMER_MODULE).SnowballStemmer
    spec = importlib.util.find_spec(PACKAGE)    # finds the package without importing it
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError(f"No module named {PACKAGE!r}", name=PACKAGE)
    root = Path(spec.origin).parent
    corpus = types.ModuleType(f"{PACKAGE}.corpus")
    corpus.stopwords = _NoStopWords()   # type: ignore[attr-defined]
    stand_ins = {PACKAGE: _bare_package(PACKAGE, root), f"{PACKAGE}.corpus": corpus,
                 f"{PACKAGE}.stem": _bare_package(f"{PACKAGE}.stem", root / "stem")}
    sys.modules.update(stand_ins)
    try:
        return importlib.import_module(STEMMER_MODULE).SnowballStemmer
    finally:
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(PACKAGE + ".")]:
            del sys.modules[name]
