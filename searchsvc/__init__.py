"""searchsvc: full-text search for press-conference transcripts."""

__version__ = "0.1.0"
