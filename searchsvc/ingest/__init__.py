"""Ingest stage: transcripts of any source to Conference objects: a container reads each file into a Document
(HTML of any template, Markdown with a front matter, plain text, Python bytes literals; encoding detected), and one
turn segmenter makes turns of every Document.

    detect_format(path, text) -> "markdown" | "python-bytes" | "html" | "text"   (the container)
    read_document(path)       -> Document                    (raises TranscriptError)
    parse_transcript(path)    -> list[Conference]            (raises TranscriptError)
    parse_paths(paths, processes=1) -> ParseResult           (never raises for a bad file)

May import: config, errors, models, workers (nothing of the later stages).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..errors import TranscriptError
from ..models import Conference, ParseProblem, ParseResult
from .decode import read_decoded
from .document import Document
from .jsonl import looks_like_jsonl, read_jsonl
from .names import resolve_short_names
from .reader import CONTAINERS, SIDECAR, detect_container, join_pages, page_key, read_document, read_urls
from .segmenter import segment

FORMATS = CONTAINERS
_IGNORED_NAMES = (SIDECAR,)
_IGNORED_PREFIXES = ("license", "readme", "copying")

__all__ = ["FORMATS", "detect_format", "parse_transcript", "parse_paths", "iter_transcript_files", "read_document"]


def detect_format(path: str | Path, text: str) -> str:
    """The container a text is read with (by content, never by file name or site)."""
    return detect_container(text)


def parse_transcript(path: str | Path, urls: dict[str, str] | None = None) -> list[Conference]:
    """Parse one file. `urls` (file name -> source URL) defaults to the pages.tsv next to the file."""
    shown = str(path)
    return [_segment(read_document(Path(path), shown, urls))]


def _segment(doc: Document) -> Conference:
    try:
        return segment(doc)
    except TranscriptError:
        raise
    except (ValueError, TypeError, AttributeError, IndexError, KeyError, RecursionError) as exc:
        raise TranscriptError(doc.path, f"cannot segment {doc.container} document: {exc}") from None


def _ignored(name: str) -> bool:
    low = name.lower()
    return name.startswith(".") or low in _IGNORED_NAMES or low.startswith(_IGNORED_PREFIXES)


def iter_transcript_files(paths: Iterable[str | Path]) -> tuple[list[Path], list[ParseProblem]]:
    """Files named or found (recursively, sorted) under the given paths; missing paths become problems."""
    files: list[Path] = []
    problems: list[ParseProblem] = []
    seen: set[str] = set()
    for given in paths:
        root = Path(given)
        if root.is_dir():
            found: list[Path] = []
            for dirpath, dirnames, filenames in os.walk(root):
                dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
                found.extend(Path(dirpath) / f for f in filenames if not _ignored(f))
            candidates = sorted(found, key=lambda p: p.as_posix())
        elif root.exists():
            candidates = [root]
        else:
            problems.append(ParseProblem(str(given), "no such file or folder"))
            continue
        for cand in candidates:
            key = os.path.realpath(cand)
            if key not in seen:
                seen.add(key)
                files.append(cand)
    return files, problems


PARALLEL_MIN_FILES = 64      # below this, worker processes cost more than they save
CHUNK_FILES = 8              # files handed to a worker at a time


def _read_file(path: Path, url_maps: dict[Path, dict[str, str]]) -> tuple[Any, ...]:
    """One file's share of parse_paths: ("page", Document), ("conference", Conference) or ("problem", ParseProblem)."""
    shown = str(path)
    try:
        if _is_jsonl(path):
            decoded = read_decoded(path)
            return "many", read_jsonl(shown, decoded.text, decoded.encoding)
        if path.parent not in url_maps:
            url_maps[path.parent] = read_urls(path.parent)
        doc = read_document(path, shown, url_maps[path.parent])
        if doc.page:
            return "page", doc
        return "conference", _segment(doc)
    except TranscriptError as exc:
        return "problem", ParseProblem(exc.path, exc.message, exc.line)
    except RecursionError:
        return "problem", ParseProblem(shown, "document nested too deeply")
    except Exception as exc:  # a reader bug on odd input costs this file only, never the whole rebuild
        return "problem", ParseProblem(shown, f"cannot parse: {type(exc).__name__}: {exc}"[:300])


def _is_jsonl(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            head = fh.read(4096)
    except OSError:
        return False
    return looks_like_jsonl(path, head)


def _read_files(paths: list[Path]) -> list[tuple[Any, ...]]:
    url_maps: dict[Path, dict[str, str]] = {}
    return [_read_file(path, url_maps) for path in paths]


def _read_all(files: list[Path], processes: int) -> list[tuple[Any, ...]]:
    """_read_file of every file, in order; by forked worker processes when there are enough files (if a
    worker dies, say killed for memory, the files it had not returned are read here instead)."""
    processes = min(processes, os.cpu_count() or 1)
    if processes <= 1 or len(files) < PARALLEL_MIN_FILES:
        return _read_files(files)
    from concurrent.futures.process import BrokenProcessPool

    from ..workers import fork_executor

    chunks = [files[i:i + CHUNK_FILES] for i in range(0, len(files), CHUNK_FILES)]
    out: list[tuple[Any, ...]] = []
    with fork_executor(processes) as pool:
        try:
            for chunk in pool.map(_read_files, chunks):
                out.extend(chunk)
        except BrokenProcessPool:
            pass
    return out + _read_files(files[len(out):])


def parse_paths(paths: Iterable[str | Path], processes: int = 1) -> ParseResult:
    """Parse files and folders; bad files become ParseProblems; pages of one conference (same title and date, split
    over files) are joined.

    With processes > 1 (and many files) the files are read by that many forked worker processes; the
    result is the same: pages are joined and duplicate ids numbered after all files are read, in file order.
    """
    files, problems = iter_transcript_files(paths)
    result = ParseResult(problems=problems, files_seen=len(files))
    ordered: list[tuple[int, Conference]] = []       # (file position, conference) to keep file order
    paged: dict[tuple[str, str], list[tuple[int, Document]]] = {}
    for pos, (kind, value) in enumerate(_read_all(files, processes)):
        if kind == "page":
            paged.setdefault(page_key(value), []).append((pos, value))
        elif kind == "conference":
            ordered.append((pos, value))
        elif kind == "many":
            ordered.extend((pos, conf) for conf in value[0])
            result.problems.extend(value[1])
        else:
            result.problems.append(value)
    for group in paged.values():
        doc = join_pages([d for _, d in group])
        try:
            ordered.append((min(p for p, _ in group), _segment(doc)))
        except TranscriptError as exc:
            result.problems.append(ParseProblem(exc.path, exc.message, exc.line))
        except Exception as exc:  # as above: one bad conference never stops the others
            result.problems.append(ParseProblem(doc.path, f"cannot parse: {exc}"[:300]))
    ordered.sort(key=lambda item: item[0])
    used: dict[str, int] = {}
    for _, conf in ordered:
        base = conf.id
        if base in used:
            used[base] += 1
            conf.id = f"{base}-{used[base]}"
            while conf.id in used:
                used[base] += 1
                conf.id = f"{base}-{used[base]}"
        used[conf.id] = used.get(conf.id, 1)
        result.conferences.append(conf)
    resolve_short_names(result.conferences)
    result.problems.sort(key=lambda p: (p.path, p.line or 0))
    return result
