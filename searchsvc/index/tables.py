"""Index stage: a generation's column tables (facet codes, dates, order, field lengths, deletions) as arrays.

Written once per generation by the build (write_tables: .npy files beside the segments, listed in its
manifest) and read by every search worker (open_tables) instead of being computed from the columns again.
They are read into memory, not mapped: a table file cut short under a map would kill the worker (SIGBUS), and
they are small (about 5 MB a worker at x1); the large part of the index, the segments, is shared through the
page cache (whoosh_private.read_storage). A generation without them (built before they existed) or with
unreadable ones gets the same tables computed from its columns in the worker's heap (load_tables), with a
warning: never a failed search.
"""

from __future__ import annotations

import io
import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np

from ..models import FACET_TABLE
from . import schema as S
from . import whoosh_private as W

log = logging.getLogger(__name__)

TABLES = "tables.json"          # sizes, value lists, titles, averages; names the array files
TABLES_VERSION = 1
ARRAY_PREFIX = "tables."        # tables.<name>.npy: one array each


@dataclass
class IndexTables:
    """Every document's column values as arrays, read once per opened generation (read-only when mapped)."""
    size: int                                # doc_count_all (docnums are 0..size-1)
    live: np.ndarray                         # bool[size]: not deleted
    codes: dict[str, np.ndarray]             # facet -> int32[size] (int32[size, k] for speaker), -1 = none
    values: dict[str, list[str]]             # facet -> code -> value
    index: dict[str, dict[str, int]]         # facet -> value -> code
    titles: dict[str, str]                   # conference id -> title
    day: np.ndarray                          # int32[size]: date ordinal
    rank: np.ndarray                         # int32[size]: position in (date, conference, seq) order
    lengths: dict[str, np.ndarray]           # text field -> float32[size]: field length in terms
    avg_length: dict[str, float]             # text field -> average length, as whoosh.scoring.BM25F takes it
    from_files: bool = False                 # arrays read from the generation's table files (not computed)
    # facet -> each code's place in the value order ignoring case (search.facets.case_ranks fills it on first use)
    case_ranks: dict[str, np.ndarray] = field(default_factory=dict, repr=False, compare=False)
    # multi-valued facet -> (its first column, bool[size]: rows with a value past it) (search.facets fills it)
    first_codes: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict, repr=False, compare=False)
    # multi-valued facet -> (docnums of the rows using more than the first column, those rows' other columns)
    other_codes: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict, repr=False, compare=False)


Column = tuple[np.ndarray, list[Any]]       # schema.column_codes: (codes, distinct values)


def _encode(column: Column) -> tuple[np.ndarray, list[str], dict[str, int]]:
    """Facet codes (sorted value order, -1 for none) from a column's (codes, distinct values)."""
    raw, distinct = column
    names = sorted({v for v in distinct if v})
    index = {v: i for i, v in enumerate(names)}
    table = np.array([index.get(v, -1) for v in distinct], dtype=np.int32)
    return (table[raw] if len(table) else raw), names, index


def _encode_multi(column: Column) -> tuple[np.ndarray, list[str], dict[str, int]]:
    """_encode for comma-separated values: int32[size, most values of one document], -1 padded."""
    raw, distinct = column
    split = [[p for p in v.split(",") if p] if v else [] for v in distinct]
    names = sorted({p for parts in split for p in parts})
    index = {v: i for i, v in enumerate(names)}
    width = max((len(parts) for parts in split), default=1) or 1
    table = np.full((max(1, len(distinct)), width), -1, dtype=np.int32)
    for code, parts in enumerate(split):
        for k, part in enumerate(parts):
            table[code, k] = index[part]
    return table[raw], names, index


def _mapped(column: Column, convert: Callable[[Any], int], dtype: type) -> np.ndarray:
    """A column's values through `convert` (called once per distinct value) as an array."""
    raw, distinct = column
    return np.array([convert(v) for v in distinct], dtype=dtype)[raw] if distinct else raw.astype(dtype)


def _ordinal(value: Any) -> int:
    return value.toordinal() if isinstance(value, (datetime, date)) else 0


def _field_lengths(reader: Any, fieldname: str) -> np.ndarray:
    """Every document's length of a text field, in terms (as the index stores it: one byte, approximate)."""
    out = np.zeros(reader.doc_count_all(), dtype=np.float32)
    for sub, base in reader.leaf_readers():
        count = sub.doc_count_all()
        raw = W.length_bytes(sub, fieldname, count)
        if raw is None:
            out[base:base + count] = [sub.doc_field_length(n, fieldname) or 0 for n in range(count)]
        else:
            out[base:base + count] = _BYTE_LENGTHS[raw]
    return out


_BYTE_LENGTHS = W.decoded_lengths()


def _live(reader: Any) -> np.ndarray:
    """bool[size]: the documents not deleted."""
    live = np.ones(reader.doc_count_all(), dtype=bool)
    for sub, base in reader.leaf_readers():
        if not sub.has_deletions():
            continue
        deleted = W.deleted_docnums(sub)
        gone = deleted if deleted is not None else [n for n in range(sub.doc_count_all()) if sub.is_deleted(n)]
        live[[base + n for n in gone]] = False
    return live


def _titles(conferences: Column, titles: Column) -> dict[str, str]:
    """Conference id -> the title stored with its first turn."""
    (conf_codes, conf_values), (title_codes, title_values) = conferences, titles
    _, first = np.unique(conf_codes, return_index=True)
    out = {}
    for docnum in sorted(first.tolist()):
        conf = conf_values[conf_codes[docnum]]
        if conf:
            out[conf] = title_values[title_codes[docnum]]
    return out


def load_tables(reader: Any) -> IndexTables:
    """Read the columns of an index reader into IndexTables."""
    size = reader.doc_count_all()
    live = _live(reader)
    codes: dict[str, np.ndarray] = {}
    values: dict[str, list[str]] = {}
    index: dict[str, dict[str, int]] = {}
    for f in FACET_TABLE:
        encode = _encode_multi if f.multi else _encode
        codes[f.name], values[f.name], index[f.name] = encode(S.column_codes(reader, f.index_column))
    titles = _titles(S.column_codes(reader, S.CONFERENCE), S.column_codes(reader, S.TITLE))
    day = _mapped(S.column_codes(reader, S.DATE), _ordinal, np.int32)
    seq = _mapped(S.column_codes(reader, S.SEQ), lambda v: v or 0, np.int64)
    order = np.lexsort((seq, codes["conference"], day))
    rank = np.empty(size, dtype=np.int32)
    rank[order] = np.arange(size, dtype=np.int32)
    lengths = {f: _field_lengths(reader, f) for f in S.TEXT_FIELDS}
    # As whoosh.scoring.BM25F: the field's exact total over every document (a turn's own length is the rounded
    # byte, as Whoosh scores it), not the sum of the rounded lengths.
    avg = {f: (float(reader.field_length(f)) / (size or 1)) or 1.0 for f in S.TEXT_FIELDS}
    return IndexTables(size=size, live=live, codes=codes, values=values, index=index, titles=titles, day=day,
                       rank=rank, lengths=lengths, avg_length=avg)



# ---- files ------------------------------------------------------------------------

def _arrays(tables: IndexTables) -> dict[str, np.ndarray]:
    """Every array of the tables by its file's middle name (tables.<name>.npy)."""
    out = {"live": tables.live, "day": tables.day, "rank": tables.rank}
    out.update({f"codes.{k}": v for k, v in tables.codes.items()})
    out.update({f"lengths.{k}": v for k, v in tables.lengths.items()})
    return out


def _write_replacing(path: Path, data: bytes) -> None:
    """Write a file through a temporary one renamed over it (a new inode: mappings of the old stay valid)."""
    tmp = path.with_name(path.name + ".tmp")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_tables(gen_dir: Path) -> IndexTables:
    """Compute a finished (closed) generation's tables and write them into its folder, replacing any there.
    OSError (a full disk included) propagates: the build fails as for any file it cannot write."""
    for old in gen_dir.glob(ARRAY_PREFIX + "*"):      # a copied generation's (add) or a stale facet's
        if old.name != TABLES:
            old.unlink()
    ix = W.read_storage(gen_dir).open_index()
    try:
        with ix.reader() as reader:
            tables = load_tables(reader)
    finally:
        ix.close()
    files = {}
    for name, array in _arrays(tables).items():
        files[name] = f"{ARRAY_PREFIX}{name}.npy"
        buffer = io.BytesIO()
        np.save(buffer, np.ascontiguousarray(array), allow_pickle=False)
        _write_replacing(gen_dir / files[name], buffer.getvalue())
    meta = {"version": TABLES_VERSION, "size": tables.size, "arrays": files, "values": tables.values,
            "titles": tables.titles, "avg_length": tables.avg_length}
    _write_replacing(gen_dir / TABLES, json.dumps(meta).encode("utf-8"))
    return tables


def _read_tables(gen_dir: Path, size: int) -> IndexTables | None:
    """The generation's written tables, arrays read into memory (never mapped: a table file cut short under a
    map would kill the worker with SIGBUS; at x1 they are about 5 MB a worker); None when it has none.
    ValueError/OSError when they are unreadable or do not fit the index (`size` documents)."""
    try:
        meta = json.loads((gen_dir / TABLES).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    if meta.get("version") != TABLES_VERSION or meta.get("size") != size:
        raise ValueError(f"{TABLES} is of version {meta.get('version')} for {meta.get('size')} documents")
    arrays = {}
    for name, file in meta["arrays"].items():
        array = np.load(gen_dir / Path(file).name, allow_pickle=False)
        array.flags.writeable = False            # shared by every request of the generation: never written
        if len(array) != size:
            raise ValueError(f"{file} holds {len(array)} rows, the index {size} documents")
        arrays[name] = array
    values = {k: list(v) for k, v in meta["values"].items()}

    def group(prefix: str) -> dict[str, np.ndarray]:
        return {k[len(prefix):]: v for k, v in arrays.items() if k.startswith(prefix)}
    return IndexTables(size=size, live=arrays["live"], codes=group("codes."), values=values,
                       index={k: {v: i for i, v in enumerate(names)} for k, names in values.items()},
                       titles=dict(meta["titles"]), day=arrays["day"], rank=arrays["rank"],
                       lengths=group("lengths."), avg_length={k: float(v) for k, v in meta["avg_length"].items()},
                       from_files=True)


def open_tables(gen_dir: Path | None, reader: Any) -> IndexTables:
    """The tables of the generation in `gen_dir` as its build wrote them (read from its files), else computed from
    `reader` in this process's heap (a generation built before table files, or unreadable ones: a warning)."""
    if gen_dir is not None:
        try:
            found = _read_tables(gen_dir, reader.doc_count_all())
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("index generation %s: column tables unreadable (%s), computed in memory instead",
                        gen_dir.name, exc)
        else:
            facets = {f.name for f in FACET_TABLE}
            if found is not None and set(found.codes) == facets:
                return found
            why = "no column table files (built before them)" if found is None else \
                f"column tables of other facets ({', '.join(sorted(found.codes))})"
            log.warning("index generation %s has %s: computed in memory by each process; a rebuild writes them",
                        gen_dir.name, why)
    return load_tables(reader)
