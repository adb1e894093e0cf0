"""Tests for searchsvc.index.whoosh_private: the pinned Whoosh, the pickled class paths (an index built by
older code still opens and searches), and that every fast path through Whoosh's internals is the one taken."""

from __future__ import annotations

import importlib
import pickletools
import shutil
import tomllib

import pytest
from support import DATA, REPO, base_settings

from searchsvc.index import whoosh_private as W
from searchsvc.models import SearchRequest
from searchsvc.search import SearchService

OLD_INDEX = DATA / "index" / "before-layout"


def test_the_installed_whoosh_is_the_pinned_one():
    pins = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    assert f"whoosh-reloaded=={W.PINNED}" in pins
    assert W.installed_version() == W.PINNED and W.FAST and W.version_notice() is None


def _pickled_globals(data: bytes) -> set[str]:
    """module.name of every class a pickle refers to (STACK_GLOBAL after two strings, or GLOBAL)."""
    found, strings = set(), []
    for op, arg, _ in pickletools.genops(data):
        if op.name in ("SHORT_BINUNICODE", "BINUNICODE", "UNICODE"):
            strings.append(arg)
        elif op.name == "STACK_GLOBAL":
            found.add(".".join(strings[-2:]))
        elif op.name == "GLOBAL":
            found.add(arg.replace(" ", "."))
    return found


def test_the_checked_in_index_pickles_exactly_the_promised_paths_and_they_import():
    (toc,) = OLD_INDEX.glob("gen-*/_MAIN_*.toc")
    data = toc.read_bytes()
    start = data.index(b"\x80\x02")                    # the pickled schema after the TOC header
    ours = {p for p in _pickled_globals(data[start:]) if p.startswith("searchsvc.")}
    assert ours == set(W.PICKLED_PATHS)
    for path in W.PICKLED_PATHS:
        module, name = path.rsplit(".", 1)
        assert isinstance(getattr(importlib.import_module(module), name), type)


def test_an_index_built_before_the_layout_opens_and_searches(tmp_path):
    shutil.copytree(OLD_INDEX, tmp_path / "index")
    service = SearchService(base_settings().with_index_dir(tmp_path / "index"))
    page = service.search(SearchRequest(q='tariffs OR "rule of law"', per_page=10))
    assert page.total == 2 and page.hits[0].answer_html
    assert service.stats().turns == 8 and service.stats().schema_version == 1
    assert service.search(SearchRequest(q="investigating")).total == 2     # stemmed by the pickled analyzer
    service.close()


@pytest.mark.parametrize("path", W.PICKLED_PATHS)
def test_pickled_paths_are_importable(path):
    module, name = path.rsplit(".", 1)
    assert getattr(importlib.import_module(module), name).__module__ == module
