"""Insights stage: who-asked-whom matrix, timeline, speaker and outlet profiles, key terms, exports.

May import: config, errors, models, analysis, serialize, search, index.schema.
"""
