"""index/verify.py and `searchsvc index verify`: the build records a manifest (size and SHA-256 of every file
and of every part of a compound segment, counts, a sample of stored fields); verify checks a generation against
it and names the damaged file (and part) for each kind of index file, truncated or with a byte flipped."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hardening_support import INDEX_PARTS, damage, find_part

from searchsvc.errors import IndexUnreadableError
from searchsvc.index.build import add_conferences, rebuild_from_conferences
from searchsvc.index.guard import GenerationGuard
from searchsvc.index.store import current_generation, index_root
from searchsvc.index.verify import MANIFEST, check_files, read_manifest, verify_generation

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A small index (the tiny conferences) whose folder each test copies before damaging it."""
    from support import base_settings, tiny_conferences

    settings = base_settings().with_index_dir(tmp_path_factory.mktemp("verify") / "index")
    rebuild_from_conferences(settings, tiny_conferences())
    return settings


@pytest.fixture
def copy(built, tmp_path):
    """A fresh copy of the built index: (settings, generation folder)."""
    target = tmp_path / "index"
    shutil.copytree(index_root(built), target)
    settings = built.with_index_dir(target)
    return settings, target / current_generation(settings)


def cli(settings, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "searchsvc.cli", "--config", str(ROOT / "config.toml"),
                           "--index", str(index_root(settings)), "index", *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_build_records_every_file_with_its_parts(copy):
    settings, gen_dir = copy
    manifest = read_manifest(gen_dir)
    names = {p.name for p in gen_dir.iterdir()
             if p.name not in (MANIFEST, "stats.json") and not p.name.endswith("LOCK")}
    assert {r.name for r in manifest.files} == names
    segment = next(r for r in manifest.files if r.name.endswith(".seg"))
    kinds = {part.name.rsplit(".", 1)[0].rsplit(".", 1)[-1] for part in segment.parts}
    assert {"pst", "trm"} <= {p.name.rsplit(".", 1)[-1] for p in segment.parts} and "_stored" in kinds
    assert manifest.doc_count == 8 and manifest.sample
    report = verify_generation(gen_dir)
    assert report.ok, report.problems
    assert check_files(gen_dir) == manifest


def test_the_builds_manifest_is_the_one_recorded_from_scratch(copy):
    """The build checksums the segment files in a thread while it writes the tables (build._finish_generation):
    its manifest is the one build_manifest records of the finished folder; a record whose size no longer agrees
    is made again."""
    from dataclasses import replace

    from searchsvc.index.verify import build_manifest, record_files

    _settings, gen_dir = copy
    assert read_manifest(gen_dir) == build_manifest(gen_dir)
    segments = record_files(gen_dir, ".seg")
    assert segments and all(name.endswith(".seg") for name in segments)
    stale = {name: replace(record, size=record.size + 1, sha256="0" * 64) for name, record in segments.items()}
    assert build_manifest(gen_dir, stale) == build_manifest(gen_dir, segments) == build_manifest(gen_dir)


def test_verify_command_passes_a_good_index(copy):
    settings, gen_dir = copy
    done = cli(settings, "verify")
    assert done.returncode == 0, done.stderr
    assert gen_dir.name in done.stdout and "sizes and SHA-256 as built" in done.stdout
    as_json = json.loads(cli(settings, "verify", "--json").stdout)
    assert as_json["ok"] and {c["name"] for c in as_json["checks"]} >= {"files", "documents", "stored fields"}


CASES = [(kind, how) for kind in INDEX_PARTS for how in ("truncate", "flip")]


@pytest.mark.parametrize(("kind", "how"), CASES, ids=[f"{k}-{h}" for k, h in CASES])
def test_verify_names_the_damaged_file_and_part(copy, kind, how):
    settings, gen_dir = copy
    path, offset, length, part = find_part(gen_dir, kind)
    damage(path, offset, length, how)

    report = verify_generation(gen_dir)
    assert not report.ok
    named = {c.path for c in report.problems}
    assert str(path) in named, report.problems
    file_problem = next(c for c in report.problems if c.path == str(path))
    if part and part != path.name:
        assert part in file_problem.detail, file_problem.detail
    with pytest.raises(IndexUnreadableError) as raised:
        check_files(gen_dir)
    assert raised.value.path == str(path) and path.name in str(raised.value)
    if part and part != path.name:
        assert raised.value.part == part

    done = cli(settings, "verify")
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert str(path) in done.stderr and path.name in done.stdout and "DAMAGED" in done.stdout


@pytest.mark.parametrize("how", ["flip", "truncate"])
def test_guard_finds_a_changed_file_per_request(copy, how):
    """A file written after the guard hashed it (its stamp changed) is hashed again on the next check."""
    _settings, gen_dir = copy
    guard = GenerationGuard(gen_dir)
    guard.check()
    assert guard.diagnose() is None
    path, offset, length, part = find_part(gen_dir, "postings")
    damage(path, offset, length, how)
    with pytest.raises(IndexUnreadableError) as found:
        guard.check()
    assert found.value.path == str(path) and (how == "truncate" or found.value.part == part)
    with pytest.raises(IndexUnreadableError):  # sticks
        guard.check()
    assert guard.diagnose() is found.value


def test_guard_accepts_a_file_touched_or_copied_back_unchanged(copy):
    _settings, gen_dir = copy
    guard = GenerationGuard(gen_dir)
    path, offset, length, _part = find_part(gen_dir, "stored")
    original = path.read_bytes()
    damage(path, offset, length, "flip")
    path.write_bytes(original)                 # the same bytes again, but a new mtime
    os.utime(path)
    guard.check()
    assert guard.diagnose() is None


def test_guard_diagnose_finds_damage_its_stamps_miss(copy):
    """Bytes that change without a new mtime (a failing disk) are found when a read fails: diagnose hashes all."""
    _settings, gen_dir = copy
    guard = GenerationGuard(gen_dir)
    path, offset, length, part = find_part(gen_dir, "terms")
    st = path.stat()
    damage(path, offset, length, "flip")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    found = guard.diagnose()
    assert found is not None and found.part == part
    with pytest.raises(IndexUnreadableError):
        guard.check()


def test_missing_manifest_is_reported_not_refused(copy):
    _settings, gen_dir = copy
    (gen_dir / MANIFEST).unlink()
    assert GenerationGuard(gen_dir).manifest is None
    report = verify_generation(gen_dir)
    assert report.ok and "no manifest" in report.checks[0].detail


def test_unreadable_manifest_and_wrong_stats_are_damage(copy):
    _settings, gen_dir = copy
    stats = json.loads((gen_dir / "stats.json").read_text())
    (gen_dir / "stats.json").write_text(json.dumps(dict(stats, turns=stats["turns"] + 1)))
    assert {c.name for c in verify_generation(gen_dir).problems} == {"stats"}
    (gen_dir / MANIFEST).write_text("{not json")
    with pytest.raises(IndexUnreadableError, match="manifest"):
        GenerationGuard(gen_dir)


def test_add_writes_a_new_manifest(copy):
    from support import tiny_conferences

    settings, _ = copy
    add_conferences(settings, tiny_conferences()[:1])
    gen_dir = index_root(settings) / current_generation(settings)
    assert verify_generation(gen_dir).ok
    assert read_manifest(gen_dir).doc_count == 8


def test_verify_without_index_says_so(tmp_path, built):
    done = cli(built.with_index_dir(tmp_path / "none"), "verify")
    assert done.returncode == 1 and "no index" in done.stderr and "Traceback" not in done.stderr
