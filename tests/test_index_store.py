"""Tests for searchsvc.index.store: a generation that cannot be opened answers "rebuild needed" everywhere
(service, site, API, /healthz, CLI), never a 500, and a rebuild brings it back without a restart."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from support import REPO, base_settings, tiny_conferences

from searchsvc.cli import main
from searchsvc.errors import IndexUnreadableError
from searchsvc.index.build import rebuild_from_conferences
from searchsvc.index.schema import SCHEMA_VERSION
from searchsvc.index.store import current_generation, read_stats
from searchsvc.models import SearchRequest
from searchsvc.search import SearchService
from searchsvc.web import EXTENSION, create_app


def _only(folder: Path, pattern: str) -> Path:
    (found,) = folder.glob(pattern)
    return found


def garbage_toc(gen: Path) -> None:
    _only(gen, "_MAIN_*.toc").write_bytes(b"\x80\x04garbage" * 20)


def truncated_toc(gen: Path) -> None:
    toc = _only(gen, "_MAIN_*.toc")
    toc.write_bytes(toc.read_bytes()[:200])


def truncated_segment(gen: Path) -> None:
    seg = _only(gen, "*.seg")
    seg.write_bytes(seg.read_bytes()[: seg.stat().st_size // 2])


def empty_segment(gen: Path) -> None:
    _only(gen, "*.seg").write_bytes(b"")


def missing_segment(gen: Path) -> None:
    _only(gen, "*.seg").unlink()


def missing_toc(gen: Path) -> None:
    _only(gen, "_MAIN_*.toc").unlink()


def other_schema_version(gen: Path) -> None:
    stats = json.loads((gen / "stats.json").read_text())
    (gen / "stats.json").write_text(json.dumps(dict(stats, schema_version=SCHEMA_VERSION + 1)))


DAMAGES: list[Callable[[Path], None]] = [garbage_toc, truncated_toc, truncated_segment, empty_segment,
                                         missing_segment, missing_toc, other_schema_version]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    settings = base_settings().with_index_dir(tmp_path_factory.mktemp("intact") / "index")
    rebuild_from_conferences(settings, tiny_conferences())
    return Path(settings.index.dir)


def damaged_copy(built: Path, where: Path, damage: Callable[[Path], None]):
    shutil.copytree(built, where)
    settings = base_settings().with_index_dir(where)
    damage(where / current_generation(settings))
    return settings


@pytest.mark.parametrize("damage", DAMAGES, ids=lambda d: d.__name__)
def test_a_damaged_generation_raises_rebuild_needed(built, tmp_path, damage):
    settings = damaged_copy(built, tmp_path / "index", damage)
    service = SearchService(settings)
    for call in (lambda: service.search(SearchRequest(q="tariffs")), service.stats,
                 lambda: service.get_turn("x-1"), service.facet_values):
        with pytest.raises(IndexUnreadableError, match="Rebuild needed: run `searchsvc index rebuild`") as err:
            call()
        assert str(tmp_path) not in str(err.value)          # the message names no server folder
    rebuild_from_conferences(settings, tiny_conferences())   # the same service recovers: no restart
    assert service.search(SearchRequest(q="tariffs")).total == 2
    service.close()


@pytest.mark.parametrize("damage", [garbage_toc, truncated_segment], ids=lambda d: d.__name__)
def test_site_api_and_healthz_answer_503_rebuild_needed(built, tmp_path, damage):
    settings = damaged_copy(built, tmp_path / "index", damage)
    app = create_app(settings)
    client = app.test_client()
    for url in ("/api/search?q=tariffs", "/healthz", "/api/facets", "/search.csv?q=tariffs"):
        resp = client.get(url)
        assert resp.status_code == 503, url
        error = resp.get_json()["error"]
        assert error["code"] == "rebuild_needed" and "Rebuild needed" in error["message"], url
    page = client.get("/?q=tariffs")
    assert page.status_code == 503
    assert "needs a rebuild" in page.get_data(as_text=True) and "searchsvc index rebuild" in page.get_data(as_text=True)
    app.extensions[EXTENSION].close()


def test_cli_says_rebuild_needed(built, tmp_path):
    settings = damaged_copy(built, tmp_path / "index", garbage_toc)
    result = CliRunner().invoke(main, ["--config", str(REPO / "config.toml"), "--index", str(settings.index.dir),
                                       "search", "tariffs"])
    assert result.exit_code == 1
    assert "cannot be opened" in result.output and "Rebuild needed: run `searchsvc index rebuild`" in result.output
    assert "Traceback" not in result.output


def test_stats_record_the_schema_version(built):
    stats = read_stats(base_settings().with_index_dir(built))
    assert stats.schema_version == SCHEMA_VERSION
    gen = built / stats.generation
    assert json.loads((gen / "stats.json").read_text())["schema_version"] == SCHEMA_VERSION
