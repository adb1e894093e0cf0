"""Index stage: the one door to Whoosh's internals: private attributes, W3 on-disk format details, pickled paths.

Everything else in searchsvc uses Whoosh's public API. The fast paths here read (and the bulk writer
writes) the W3 codec of the pinned whoosh-reloaded version directly; on any other version FAST is
False, every reader below answers None and its caller takes the public-API path (slower, same
results), and the bulk writer is not used (Whoosh's own writer is). Private names are imported lazily,
inside the functions, so a renamed one never breaks importing searchsvc.

The door is one package of modules by role, and every caller goes through the package (`from ..index import
whoosh_private as W`): version (the pinned Whoosh, pickled paths, damage), reading (posting lists, block
directories, columns, lengths, deletions), storage (files read with os.pread), writing (segment commits, columns,
lengths), terms (posting blocks and term tables), writer_base (the bulk writer's base class).
"""


from __future__ import annotations

from . import version
from .reading import (
    BlockDirectory,
    ValueBlocks,
    decoded_lengths,
    deleted_docnums,
    length_bytes,
    posting_arrays,
    raw_column,
    value_blocks,
)
from .storage import PICKLE_CHUNK, read_storage
from .terms import PostingColumns, _add_rows, _write_hash_tables, columns_of
from .version import FAST, PICKLED_PATHS, PINNED, describe_damage, installed_version, unreadable_errors, version_notice
from .writer_base import bulk_writer_base
from .writing import (
    PICKLE_PROTOCOL,
    PLAIN_BLOCK_BYTES,
    _extend_growable,
    add_column_values,
    bulk_writer_supports,
    commit_segments,
    compress,
    decoded_length,
    finish_segment,
    length_byte,
)

__all__ = [
    "version",
    "PINNED",
    "PICKLED_PATHS",
    "installed_version",
    "FAST",
    "version_notice",
    "unreadable_errors",
    "describe_damage",
    "posting_arrays",
    "BlockDirectory",
    "ValueBlocks",
    "value_blocks",
    "raw_column",
    "length_bytes",
    "decoded_lengths",
    "deleted_docnums",
    "finish_segment",
    "commit_segments",
    "PLAIN_BLOCK_BYTES",
    "PICKLE_PROTOCOL",
    "compress",
    "add_column_values",
    "_extend_growable",
    "bulk_writer_supports",
    "decoded_length",
    "length_byte",
    "bulk_writer_base",
    "PostingColumns",
    "columns_of",
    "_add_rows",
    "_write_hash_tables",
    "PICKLE_CHUNK",
    "read_storage",
]
