"""Benchmarks (outside the package): searchsvc side by side with SQLite FTS5 and Datasette; see bench/run.py."""
