"""Index stage: a generation's manifest (size and SHA-256 of every file and of every part of a compound segment,
document counts, a sample of stored fields), written when a build publishes it, and the checks made of it:
`searchsvc index verify` (all of them), opening a generation (files) and every request (sizes).

A generation built before manifests existed has none: verify says so and checks what it can; opening it is
not refused. Only files listed in the manifest are trusted: Whoosh's lock files (empty) are left out.
"""

from __future__ import annotations

import hashlib
import json
import mmap
import os
import pickle
import struct
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..config import Settings
from ..errors import IndexUnreadableError
from . import schema as S
from . import whoosh_private as W

MANIFEST = "manifest.json"
MANIFEST_VERSION = 1
SAMPLE_DOCS = 32               # stored documents whose fields are recorded (evenly spread over the docnums)
SKIPPED = (MANIFEST, "stats.json")
REBUILD = (". Rebuild needed: run `searchsvc index rebuild` (or restore a good copy; `searchsvc index verify` "
           "tells more).")
_COMPOUND_HEADER = struct.Struct("!qi")   # Whoosh CompoundStorage: directory offset (long), length (int)


@dataclass(frozen=True)
class Part:
    """A file inside a compound segment file (.seg): its name, place and checksum."""
    name: str
    offset: int
    length: int
    sha256: str


@dataclass(frozen=True)
class FileRecord:
    name: str
    size: int
    sha256: str
    parts: tuple[Part, ...] = ()


@dataclass(frozen=True)
class Manifest:
    files: tuple[FileRecord, ...]
    doc_count: int                      # live documents (turns)
    doc_count_all: int                  # with deleted ones
    sample: tuple[tuple[int, str, str], ...] = ()   # (docnum, turn id, SHA-256 of its stored fields)
    version: int = MANIFEST_VERSION

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Manifest:
        files = tuple(FileRecord(f["name"], f["size"], f["sha256"], tuple(Part(**p) for p in f.get("parts", ())))
                      for f in raw["files"])
        return cls(files, raw["doc_count"], raw["doc_count_all"], tuple(tuple(s) for s in raw.get("sample", ())),
                   raw.get("version", MANIFEST_VERSION))


@dataclass(frozen=True)
class Check:
    """One check of `index verify`: what was checked, whether it held, and the file it names when not."""
    name: str
    ok: bool
    detail: str
    path: str = ""


@dataclass(frozen=True)
class VerifyReport:
    generation: str
    checks: tuple[Check, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    @property
    def problems(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if not c.ok)


# ---- describing files ---------------------------------------------------------------

def describe(name: str) -> str:
    """What a Whoosh index file (or part of a compound one) or a column-tables file (tables.py) holds, in words."""
    if name.startswith("tables."):
        return "column tables"
    if name.endswith(".toc"):
        return "table of contents"
    if name.endswith(".seg"):
        return "segment"
    if name.endswith(".pst"):
        return "postings"
    if name.endswith(".trm"):
        return "term index"
    if name.endswith(".vps"):
        return "term vectors"
    if name.endswith("._stored.col"):
        return "stored fields"
    if name.endswith(".col"):
        column = name.rsplit(".", 2)[-2]
        if column.startswith("_") and column.endswith("_len"):
            return f"lengths of field {column[1:-4]}"
        return f"column {column}"
    return "file"


def _trusted(path: Path) -> bool:
    return path.is_file() and path.name not in SKIPPED and not path.name.endswith("LOCK")


def _sha256(data: bytes | memoryview) -> str:
    return hashlib.sha256(data).hexdigest()


def _mapped(path: Path) -> Iterator[memoryview]:
    """The file's bytes (memory-mapped; empty files give b""): for files the build just wrote. Files being
    served are read with _read_whole instead (a file cut short under a map kills the process with SIGBUS)."""
    with open(path, "rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        if size == 0:
            yield memoryview(b"")
            return
        with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
            view = memoryview(mapped)
            try:
                yield view
            finally:
                view.release()


def _read_whole(path: Path) -> Iterator[memoryview]:
    """The file's bytes, read into memory (never mapped: it may be cut short while it is read)."""
    with open(path, "rb") as fh:
        yield memoryview(fh.read())


def _compound_parts(data: memoryview) -> tuple[Part, ...]:
    """The parts of a compound segment file as its directory gives them (only for files this build wrote)."""
    offset, _length = _COMPOUND_HEADER.unpack_from(data, 0)
    directory = pickle.loads(data[offset:])       # noqa: S301 - our own build's output, read back at once
    parts = []
    for name, info in sorted(directory.items(), key=lambda kv: kv[1]["offset"]):
        start, length = info["offset"], info["length"]
        parts.append(Part(name, start, length, _sha256(data[start:start + length])))
    return tuple(parts)


def record_file(path: Path) -> FileRecord:
    for data in _mapped(path):
        parts = _compound_parts(data) if path.suffix == ".seg" else ()
        return FileRecord(path.name, len(data), _sha256(data), parts)
    raise AssertionError("unreachable")  # pragma: no cover


# ---- writing (build side) ----------------------------------------------------------

def _stored_digest(fields: dict[str, Any]) -> str:
    return _sha256(json.dumps(fields, sort_keys=True, default=str, ensure_ascii=False).encode("utf-8"))


def _sample_docnums(doc_count_all: int, count: int = SAMPLE_DOCS) -> list[int]:
    if doc_count_all <= count:
        return list(range(doc_count_all))
    return sorted({round(i * (doc_count_all - 1) / (count - 1)) for i in range(count)})


def _sample(reader: Any) -> tuple[tuple[int, str, str], ...]:
    out = []
    for docnum in _sample_docnums(reader.doc_count_all()):
        if reader.is_deleted(docnum):
            continue
        fields = reader.stored_fields(docnum)
        out.append((docnum, str(fields.get(S.ID_FIELD, "")), _stored_digest(fields)))
    return tuple(out)


def record_files(gen_dir: Path, suffix: str = "") -> dict[str, FileRecord]:
    """record_file of each file of the generation whose name ends in `suffix` (those build_manifest records)."""
    return {p.name: record_file(p) for p in sorted(gen_dir.iterdir()) if _trusted(p) and p.name.endswith(suffix)}


def build_manifest(gen_dir: Path, recorded: dict[str, FileRecord] | None = None) -> Manifest:
    """Record every file of a finished (closed) generation, its counts and a sample of stored fields. `recorded`:
    records already made (record_files) of files not written to since, taken as they are when the size agrees."""
    from whoosh import index as whoosh_index

    known = recorded or {}
    files = tuple(known[p.name] if p.name in known and known[p.name].size == p.stat().st_size else record_file(p)
                  for p in sorted(gen_dir.iterdir()) if _trusted(p))
    ix = whoosh_index.open_dir(str(gen_dir))
    try:
        with ix.reader() as reader:
            return Manifest(files, reader.doc_count(), reader.doc_count_all(), _sample(reader))
    finally:
        ix.close()


def write_manifest(gen_dir: Path, recorded: dict[str, FileRecord] | None = None) -> Manifest:
    """build_manifest, written to gen_dir/manifest.json (fsync'ed) before the generation is published."""
    manifest = build_manifest(gen_dir, recorded)
    tmp = gen_dir / (MANIFEST + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(asdict(manifest), fh, indent=1)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, gen_dir / MANIFEST)
    return manifest


def read_manifest(gen_dir: Path) -> Manifest | None:
    """The generation's manifest; None when it has none (built before manifests); IndexUnreadableError if unreadable."""
    path = gen_dir / MANIFEST
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return Manifest.from_json(raw)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise IndexUnreadableError(f"index generation {gen_dir.name} cannot be opened: its manifest {MANIFEST} is "
                                   f"unreadable ({exc}){REBUILD}", str(path)) from None


# ---- checking files -----------------------------------------------------------------

def _damaged_part(record: FileRecord, data: memoryview) -> tuple[str, str]:
    """(part name, what is wrong with it) for the first part of a compound file that differs from the build."""
    for part in record.parts:
        end = part.offset + part.length
        where = f"its {describe(part.name)} ({part.name}, bytes {part.offset}-{end})"
        if end > len(data):
            return part.name, f"{where} are cut off"
        if _sha256(data[part.offset:end]) != part.sha256:
            return part.name, f"{where} differ from the build"
    return "", "its header or directory of parts differs from the build"


def check_file(gen_dir: Path, record: FileRecord, sizes_only: bool = False) -> IndexUnreadableError | None:
    """None if the file is as the build recorded it, else the error naming it (and its damaged part)."""
    path = gen_dir / record.name
    what = f"index generation {gen_dir.name} cannot be opened: the {describe(record.name)} file {record.name}"
    try:
        size = path.stat().st_size
        if sizes_only:
            if size == record.size:
                return None
            return IndexUnreadableError(f"{what} has {size} bytes, the build wrote {record.size}" + REBUILD, str(path))
        for data in _read_whole(path):
            if len(data) == record.size and _sha256(data) == record.sha256:
                return None
            if len(data) != record.size:
                cut = "truncated" if len(data) < record.size else "grown"
                detail = f"has {len(data)} bytes, the build wrote {record.size} ({cut})"
            else:
                detail = "differs from the build's checksum (SHA-256)"
            part, part_detail = _damaged_part(record, data) if record.parts else ("", "")
            message = f"{what} {detail}" + (f": {part_detail}" if part_detail else "")
            return IndexUnreadableError(message + REBUILD, str(path), part)
    except FileNotFoundError:
        return IndexUnreadableError(f"{what} is missing" + REBUILD, str(path))
    except OSError as exc:
        return IndexUnreadableError(f"{what} cannot be read: {exc}" + REBUILD, str(path))
    return None  # pragma: no cover - _mapped always yields


def file_problems(gen_dir: Path, manifest: Manifest, sizes_only: bool = False) -> list[IndexUnreadableError]:
    return [p for p in (check_file(gen_dir, r, sizes_only) for r in manifest.files) if p is not None]


def check_files(gen_dir: Path, sizes_only: bool = False) -> Manifest | None:
    """Raise IndexUnreadableError (the first damaged file) unless every file is as its manifest records.
    Returns the manifest (None for a generation built without one: nothing to check against)."""
    manifest = read_manifest(gen_dir)
    if manifest is not None:
        problems = file_problems(gen_dir, manifest, sizes_only)
        if problems:
            raise problems[0]
    return manifest


# ---- the whole check (`searchsvc index verify`) ------------------------------------------

def _segment_of(ix: Any, docnum: int) -> str:
    """The compound file holding a docnum (segments follow each other in docnum order)."""
    start = 0
    for segment in ix._segments():     # noqa: SLF001 - Whoosh keeps the segment list private
        if docnum < start + segment.doc_count_all():
            return str(segment.make_filename(".seg"))
        start += segment.doc_count_all()
    return "?"


def _check_documents(gen_dir: Path, manifest: Manifest | None, turns: int | None) -> list[Check]:
    """Open the generation with Whoosh; counts against the manifest and stats.json; the sample of stored fields."""

    checks = []
    try:
        ix = W.read_storage(gen_dir).open_index()
    except Exception as exc:  # noqa: BLE001 - any failure to open names the table of contents
        tocs = sorted(p.name for p in gen_dir.glob("*.toc")) or ["(no .toc file)"]
        detail = f"Whoosh cannot open it: {type(exc).__name__}: {exc}"[:300]
        return [Check("open", False, detail, str(gen_dir / tocs[-1]))]
    try:
        with ix.reader() as reader:
            live, total = reader.doc_count(), reader.doc_count_all()
            expected = manifest.doc_count if manifest else turns
            ok = expected is None or (live == expected and (manifest is None or total == manifest.doc_count_all))
            detail = f"{live:,} turns" + ("" if ok else f", the build recorded {expected:,}")
            checks.append(Check("documents", ok, detail, "" if ok else str(gen_dir)))
            if manifest is not None:
                checks.append(_check_sample(gen_dir, ix, reader, manifest))
            if turns is not None and turns != live:
                checks.append(Check("stats", False, f"stats.json says {turns:,} turns, the index holds {live:,}",
                                    str(gen_dir / "stats.json")))
    except Exception as exc:  # noqa: BLE001 - reported as the check that failed
        checks.append(Check("documents", False, f"reading failed: {type(exc).__name__}: {exc}"[:300], str(gen_dir)))
    finally:
        ix.close()
    return checks


def _check_sample(gen_dir: Path, ix: Any, reader: Any, manifest: Manifest) -> Check:
    for docnum, turn_id, digest in manifest.sample:
        where = str(gen_dir / _segment_of(ix, docnum))
        try:
            fields = reader.stored_fields(docnum)
        except Exception as exc:  # noqa: BLE001 - a damaged stored-fields part
            detail = f"turn {turn_id} (doc {docnum}) unreadable: {type(exc).__name__}"
            return Check("stored fields", False, detail, where)
        if _stored_digest(fields) != digest:
            return Check("stored fields", False, f"turn {turn_id} (doc {docnum}) differs from the build", where)
    return Check("stored fields", True, f"{len(manifest.sample)} sampled turns as built")


def _read_turns(gen_dir: Path) -> tuple[int | None, Check]:
    path = gen_dir / "stats.json"
    try:
        return int(json.loads(path.read_text(encoding="utf-8"))["turns"]), Check("stats", True, "stats.json readable")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return None, Check("stats", False, f"stats.json unreadable: {exc}"[:200], str(path))


def verify_generation(gen_dir: Path) -> VerifyReport:
    """Every check of one generation: manifest, each file's size and SHA-256 (naming a damaged compound part),
    extra files, stats.json, opening it, document counts and the sample of stored fields."""
    checks: list[Check] = []
    try:
        manifest = read_manifest(gen_dir)
    except IndexUnreadableError as exc:
        manifest = None
        checks.append(Check("manifest", False, str(exc), exc.path))
    else:
        checks.append(Check("manifest", True, "manifest.json readable") if manifest else
                      Check("manifest", True, "no manifest.json (built before checksums were recorded): file sizes "
                            "and checksums not checked; a rebuild records them"))
    if manifest is not None:
        problems = file_problems(gen_dir, manifest)
        checks += [Check("files", False, str(p), p.path) for p in problems]
        if not problems:
            size = sum(r.size for r in manifest.files)
            checks.append(Check("files", True, f"{len(manifest.files)} files, {size / 1e6:.1f} MB: sizes and SHA-256 "
                                "as built"))
        listed = {r.name for r in manifest.files}
        extra = sorted(p.name for p in gen_dir.iterdir() if _trusted(p) and p.name not in listed)
        if extra:
            detail = "not written by the build (Whoosh ignores them): " + ", ".join(extra)
            checks.append(Check("extra files", True, detail))
    turns, stats_check = _read_turns(gen_dir)
    checks.append(stats_check)
    checks += _check_documents(gen_dir, manifest, turns)
    return VerifyReport(gen_dir.name, tuple(checks))


def verify_current(settings: Settings, generation: str | None = None) -> VerifyReport:
    """verify_generation of the current generation (or the named one); IndexMissingError without an index."""
    from ..errors import IndexMissingError
    from .store import current_generation, index_root

    root = index_root(settings)
    gen = generation or current_generation(settings)
    if gen is None or not (root / gen).is_dir():
        raise IndexMissingError(f"no index generation {gen or ''} at {root}: run `searchsvc index rebuild` first"
                                .replace("  ", " "))
    return verify_generation(root / gen)
