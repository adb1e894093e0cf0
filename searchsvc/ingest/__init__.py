"""Ingest stage: read SCIO text, MFA HTML and White House Markdown transcripts into Conference objects.

    detect_format(path, text) -> "scio" | "mfa" | "whitehouse"
    parse_transcript(path)    -> list[Conference]            (raises TranscriptError)
    parse_paths(paths, processes=1) -> ParseResult           (never raises for a bad file)

May import: config, errors, models, workers (nothing of the later stages).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from ..errors import TranscriptError
from ..models import Conference, ParseProblem, ParseResult
from . import mfa, scio, whitehouse
from .common import read_text
from .names import resolve_short_names

FORMATS = ("scio", "mfa", "whitehouse")
_IGNORED_NAMES = ("pages.tsv",)
_IGNORED_PREFIXES = ("license", "readme", "copying")

__all__ = ["FORMATS", "detect_format", "parse_transcript", "parse_paths", "iter_transcript_files"]


def detect_format(path: str | Path, text: str) -> str:
    """The format by content: YAML front matter -> whitehouse, HTML -> mfa, China.org.cn page text -> scio."""
    if whitehouse.looks_like_whitehouse(text):
        return whitehouse.FORMAT
    if mfa.looks_like_mfa(text):
        return mfa.FORMAT
    if scio.looks_like_scio(text):
        return scio.FORMAT
    raise TranscriptError(str(path), "unrecognised transcript format (expected SCIO text, MFA HTML or "
                                     "White House Markdown with a front matter)", 1)


def _read(path: Path, shown: str) -> tuple[str, str]:
    if path.is_dir():
        raise TranscriptError(shown, "is a folder, not a transcript file")
    text = read_text(path)
    return detect_format(shown, text), text


def _check(shown: str, conferences: list[Conference]) -> list[Conference]:
    for conf in conferences:
        if not conf.turns:
            raise TranscriptError(shown, "no turns found (no labelled questions, answers or statements)")
    return conferences


def parse_transcript(path: str | Path, urls: dict[str, str] | None = None) -> list[Conference]:
    """Parse one file. `urls` (file name -> source URL) defaults to the MFA pages.tsv next to the file."""
    shown = str(path)
    p = Path(path)
    fmt, text = _read(p, shown)
    try:
        if fmt == whitehouse.FORMAT:
            return _check(shown, whitehouse.parse(shown, text))
        if fmt == mfa.FORMAT:
            return _check(shown, mfa.parse(shown, text, mfa.read_urls(p.parent) if urls is None else urls))
        return _check(shown, scio.parse(shown, text))
    except TranscriptError:
        raise
    except (ValueError, TypeError, AttributeError, IndexError, KeyError, RecursionError) as exc:
        raise TranscriptError(shown, f"cannot parse {fmt} transcript: {exc}") from None


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


def _read_file(path: Path, url_maps: dict[Path, dict[str, str]]) -> tuple:
    """One file's share of parse_paths: ("scio", page), ("conferences", list) or ("problem", ParseProblem)."""
    shown = str(path)
    try:
        fmt, text = _read(path, shown)
        if fmt == scio.FORMAT:
            return "scio", scio.read_page(shown, text)
        if fmt == mfa.FORMAT and path.parent not in url_maps:
            url_maps[path.parent] = mfa.read_urls(path.parent)
        return "conferences", parse_transcript(path, urls=url_maps.get(path.parent, {}))
    except TranscriptError as exc:
        return "problem", ParseProblem(exc.path, exc.message, exc.line)
    except RecursionError:
        return "problem", ParseProblem(shown, "document nested too deeply")
    except Exception as exc:  # a reader bug on odd input costs this file only, never the whole rebuild
        return "problem", ParseProblem(shown, f"cannot parse: {type(exc).__name__}: {exc}"[:300])


def _read_files(paths: list[Path]) -> list[tuple]:
    url_maps: dict[Path, dict[str, str]] = {}
    return [_read_file(path, url_maps) for path in paths]


def _read_all(files: list[Path], processes: int) -> list[tuple]:
    """_read_file of every file, in order; by forked worker processes when there are enough files (if a
    worker dies, say killed for memory, the files it had not returned are read here instead)."""
    processes = min(processes, os.cpu_count() or 1)
    if processes <= 1 or len(files) < PARALLEL_MIN_FILES:
        return _read_files(files)
    from concurrent.futures.process import BrokenProcessPool

    from ..workers import fork_executor

    chunks = [files[i:i + CHUNK_FILES] for i in range(0, len(files), CHUNK_FILES)]
    out: list[tuple] = []
    with fork_executor(processes) as pool:
        try:
            for chunk in pool.map(_read_files, chunks):
                out.extend(chunk)
        except BrokenProcessPool:
            pass
    return out + _read_files(files[len(out):])


def parse_paths(paths: Iterable[str | Path], processes: int = 1) -> ParseResult:
    """Parse files and folders; bad files become ParseProblems; SCIO pages of one conference are joined.

    With processes > 1 (and many files) the files are read by that many forked worker processes; the
    result is the same: pages are joined and duplicate ids numbered after all files are read, in file order.
    """
    files, problems = iter_transcript_files(paths)
    result = ParseResult(problems=problems, files_seen=len(files))
    ordered: list[tuple[int, list[Conference]]] = []       # (file position, conferences) to keep file order
    scio_groups: dict[tuple, list[tuple[int, scio.ScioPage]]] = {}
    for pos, (kind, value) in enumerate(_read_all(files, processes)):
        if kind == "scio":
            scio_groups.setdefault((value.title.casefold(), value.date), []).append((pos, value))
        elif kind == "conferences":
            ordered.append((pos, value))
        else:
            result.problems.append(value)
    for group in scio_groups.values():
        group.sort(key=lambda item: (item[1].page, item[1].path))
        pages = [page for _, page in group]
        try:
            ordered.append((min(p for p, _ in group), _check(pages[0].path, [scio.build_conference(pages)])))
        except TranscriptError as exc:
            result.problems.append(ParseProblem(exc.path, exc.message, exc.line))
        except Exception as exc:  # as above: one bad conference never stops the others
            result.problems.append(ParseProblem(pages[0].path, f"cannot parse scio transcript: {exc}"[:300]))
    ordered.sort(key=lambda item: item[0])
    used: dict[str, int] = {}
    for _, conferences in ordered:
        for conf in conferences:
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
