"""Index stage, Whoosh's internals: the bulk writer's base class (every SegmentWriter attribute it uses)."""

from __future__ import annotations

import zlib
from functools import lru_cache, partial
from typing import Any

from . import version
from .terms import PostingColumns, _write_hash_tables, _write_terms, columns_of
from .version import PINNED, installed_version
from .writing import PICKLE_PROTOCOL, compress


@lru_cache(maxsize=1)
def bulk_writer_base() -> type:
    """The base class of BulkSegmentWriter: Whoosh's SegmentWriter with the private parts it needs named here
    (documents, stored fields, columns, lengths, posting blocks, term table rows). Only for the pinned Whoosh:
    on another version a clear error (build.py checks bulk_writer_supports first and takes Whoosh's writer)."""
    if not version.FAST:
        raise RuntimeError(f"the bulk writer needs whoosh-reloaded {PINNED} (installed: {installed_version()})")
    from pickle import dumps

    from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3PerDocWriter, _lenfield
    from whoosh.columns import CompressedBytesColumn, PickleColumn
    from whoosh.writing import SegmentWriter

    class BulkWriterBase(SegmentWriter):
        """SegmentWriter whose segment is written by write_postings (postings kept by the subclass)."""

        def __init__(self, ix: Any, **kwargs: Any):
            super().__init__(ix, **kwargs)
            pdw = self.perdocwriter
            if not isinstance(pdw, W3PerDocWriter):
                raise TypeError("BulkSegmentWriter needs Whoosh's W3 codec")
            stored = pdw._get_column("_stored")
            if not (isinstance(stored, PickleColumn.Writer)
                    and isinstance(stored._child, CompressedBytesColumn.Writer)):
                raise TypeError("BulkSegmentWriter needs Whoosh's W3 stored-fields column")
            self._stored_writer = stored._child     # takes the pickled bytes; compresses them with compress()
            if self._stored_writer._compress is zlib.compress:
                self._stored_writer._compress = compress
            self._merged = False                    # postings of merged segments went to the pool
            self._known_keys: dict[tuple[str, ...], tuple[list[str], bool]] = {}   # open_doc's checked names

        # documents: SegmentWriter.add_document's steps, for the subclass's add_document
        def open_doc(self, fields: dict[str, Any]) -> tuple[int, list[str], bool, float]:
            """Start the next document: (docnum, its field names sorted, whether special arguments (_boost,
            _<field>_boost, _stored_<field>) were given, the document boost). The names of each distinct key
            tuple are sorted and checked against the schema once (every turn gives one of a few dozen)."""
            self._check_state()
            keys = tuple(fields)
            known = self._known_keys.get(keys)
            if known is None:
                names = sorted(name for name in fields if not name.startswith("_"))
                self._check_fields(self.schema, names)
                known = self._known_keys[keys] = (names, len(names) != len(fields))
            names, special = known
            docboost = self._doc_boost(fields) if special else 1.0
            self.perdocwriter.start_doc(self.docnum)
            return self.docnum, names, special, docboost

        def field_boost(self, fields: dict[str, Any], name: str, docboost: float) -> float:
            return float(self._field_boost(fields, name, docboost))

        def stored_fields(self) -> dict[str, Any]:
            """The open document's stored fields (fill it)."""
            return self.perdocwriter._storedfields  # type: ignore[no-any-return]

        def add_field_length(self, name: str, length: int) -> None:
            self.perdocwriter._fieldlengths[name] += length

        def add_vector(self, name: str, field: Any, value: Any) -> None:
            vitems = field.vector.word_values(value, field.analyzer, mode="index")
            self.perdocwriter.add_vector_items(name, field, sorted((t, w, v) for t, _, w, v in vitems))

        def cancel_doc(self) -> None:
            self.perdocwriter.cancel_doc()

        def close_doc(self) -> None:
            """W3PerDocWriter.finish_doc with the stored fields pickled with PICKLE_PROTOCOL; next docnum."""
            pdw = self.perdocwriter
            stored = pdw._storedfields
            if stored:
                self._stored_writer.add(self.docnum, dumps(stored, PICKLE_PROTOCOL))
                stored.clear()
            pdw._indoc = False
            self._added = True
            self.docnum += 1

        def column_writer(self, column_name: str, column: Any) -> Any:
            pdw = self.perdocwriter
            if not pdw._has_column(column_name):
                pdw._create_column(column_name, column)
            return pdw._get_column(column_name)

        def length_writer(self, fieldname: str) -> Any:
            return self.column_writer(_lenfield(fieldname), LENGTHS_COLUMN)

        # the segment
        def add_reader(self, reader: Any) -> None:
            self.finish_documents()         # the added documents' lengths first: a column is written in docnum order
            super().add_reader(reader)

        def add_postings_to_pool(self, reader: Any, startdoc: int, docmap: Any) -> None:
            self._merged = True
            super().add_postings_to_pool(reader, startdoc, docmap)

        def postings(self) -> dict[str, dict[Any, tuple[list[int], list[Any]]]]:
            """field -> term bytes -> ([docnums], [posting items]) of the added documents (the subclass's); only
            asked for when older segments are merged in (their postings are appended to these lists)."""
            raise NotImplementedError

        def posting_columns(self) -> dict[str, PostingColumns]:
            """field -> the added documents' posting lists in term order (the subclass's)."""
            raise NotImplementedError

        def field_lengths(self, name: str) -> Any:
            """docnum -> decoded length of the added documents' field (has .get)."""
            raise NotImplementedError

        def finish_documents(self) -> None:
            """Called once after the last document, before the per-document files close (the subclass's)."""

        def _flush_segment(self) -> None:
            self.finish_documents()
            self.perdocwriter.close()
            if self._merged:   # a merge policy added older segments: their postings and lengths are on disk
                # merged documents were numbered after the added ones and the pool is sorted by (field, term,
                # docnum), so appending keeps every posting list in docnum order
                postings = self.postings()
                for name, text, docnum, weight, vbytes in self.pool.iter_postings():
                    docs, items = postings.setdefault(name, {}).setdefault(text, ([], []))
                    docs.append(docnum)
                    items.append((text, 0, weight, vbytes))
                pdr = self.per_document_reader()
                try:
                    self._write_postings({name: columns_of(terms) for name, terms in postings.items()},
                                         lambda name: _LengthsOf(pdr, name))
                finally:
                    pdr.close()
            else:
                self._write_postings(self.posting_columns(), self.field_lengths)
            table = self.fieldwriter._tindex
            table._write_hashes = partial(_write_hash_tables, table)    # its close() writes them
            self.fieldwriter.close()

        def _write_postings(self, columns: dict[str, PostingColumns], lengths_of: Any) -> None:
            fw = self.fieldwriter
            schema = self.schema
            for name in sorted(columns):
                if name not in schema:
                    continue
                field = schema[name]
                fw.start_field(name, field)
                _write_terms(fw, field, columns[name], lengths_of(name))
                fw.finish_field()

    class _LengthsOf:
        """docnum -> field length from a per-document reader (only after merging older segments)."""

        def __init__(self, pdr: Any, name: str):
            self._pdr, self._name = pdr, name
            self._known = pdr.has_column(_lenfield(name))   # else every lookup would stat a missing file

        def get(self, docnum: int, default: int = 0) -> int:
            return (self._known and self._pdr.doc_field_length(docnum, self._name)) or default

    return BulkWriterBase
