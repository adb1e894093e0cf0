"""Index stage: the schema (schema.py), the read side of the index folder (store.py) and the writer (build.py,
bulkwriter.py, segments.py).

May import: config, errors, models, analysis, ingest. Importing this package loads nothing: the search stage
imports index.schema and index.store only, never the writer modules.
"""
