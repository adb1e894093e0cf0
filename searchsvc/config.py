"""Config stage: Settings dataclasses loaded from config.toml with clear errors; passed explicitly, never global."""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ConfigError


@dataclass(frozen=True)
class CorpusSettings:
    paths: tuple[Path, ...] = ()


@dataclass(frozen=True)
class IndexSettings:
    dir: Path = Path("index")


@dataclass(frozen=True)
class SearchSettings:
    per_page: int = 10
    max_per_page: int = 100
    max_query_chars: int = 500
    max_terms: int = 32
    max_prefix_expansion: int = 64
    min_prefix_chars: int = 2
    max_page_depth: int = 2000
    max_filter_values: int = 20
    time_budget_ms: int = 2000
    result_cache_size: int = 256   # search pages kept per index generation (repeated queries)
    fragment_chars: int = 200
    max_fragments: int = 3


@dataclass(frozen=True)
class ServerSettings:
    bind: str = "127.0.0.1:8000"
    workers: int = 2
    timeout: int = 30


@dataclass(frozen=True)
class ExportSettings:
    max_rows: int = 10000


@dataclass(frozen=True)
class RateLimitSettings:
    """Per-client request limits of the web edge (web/ratelimit.py; README "Rate limits")."""
    enabled: bool = True
    search: str = "20/second;300/minute"   # every route reading the index, shared per client
    export: str = "10/minute"              # /search.csv, .jsonl, .atom on top of `search`
    exempt_loopback: bool = True           # 127.0.0.1 and ::1 are never limited
    proxy_header: str = ""                 # e.g. "X-Forwarded-For" or "X-Real-IP" when behind a proxy
    proxy_hops: int = 1                    # trusted proxies that append to proxy_header
    storage: str = "memory://"             # limits storage URI; memory:// counts per worker process


@dataclass(frozen=True)
class Settings:
    base_dir: Path = Path(".")
    corpus: CorpusSettings = field(default_factory=CorpusSettings)
    index: IndexSettings = field(default_factory=IndexSettings)
    search: SearchSettings = field(default_factory=SearchSettings)
    server: ServerSettings = field(default_factory=ServerSettings)
    export: ExportSettings = field(default_factory=ExportSettings)
    ratelimit: RateLimitSettings = field(default_factory=RateLimitSettings)

    def with_index_dir(self, path: str | Path) -> Settings:
        """A copy whose index lives at `path` (the CLI's --index)."""
        return dataclasses.replace(self, index=IndexSettings(dir=Path(path).resolve()))

    def with_corpus(self, paths) -> Settings:
        return dataclasses.replace(self, corpus=CorpusSettings(paths=tuple(Path(p).resolve() for p in paths)))


_SECTIONS = {
    "corpus": CorpusSettings,
    "index": IndexSettings,
    "search": SearchSettings,
    "server": ServerSettings,
    "export": ExportSettings,
    "ratelimit": RateLimitSettings,
}


def _build_section(name: str, cls, raw: dict, base: Path, source: str):
    if not isinstance(raw, dict):
        raise ConfigError(f"{source}: [{name}] must be a table")
    known = {f.name: f for f in dataclasses.fields(cls)}
    values = {}
    for key, value in raw.items():
        if key not in known:
            raise ConfigError(f"{source}: unknown setting {name}.{key} (known: {', '.join(sorted(known))})")
        default = known[key].default
        if name == "corpus" and key == "paths":
            if isinstance(value, str):
                value = [value]
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ConfigError(f"{source}: corpus.paths must be a list of paths")
            value = tuple((base / v).resolve() for v in value)
        elif name == "index" and key == "dir":
            if not isinstance(value, str) or not value:
                raise ConfigError(f"{source}: index.dir must be a path")
            value = (base / value).resolve()
        elif isinstance(default, bool) and isinstance(value, bool):
            pass
        elif isinstance(default, bool) or not isinstance(value, type(default)) or isinstance(value, bool):
            raise ConfigError(f"{source}: {name}.{key} must be a {type(default).__name__}, got {value!r}")
        elif isinstance(value, int) and value <= 0:
            raise ConfigError(f"{source}: {name}.{key} must be positive, got {value}")
        values[key] = value
    return cls(**values)


def load_settings(path: str | Path = "config.toml") -> Settings:
    """Read config.toml; relative paths in it are taken from its folder. Raises ConfigError."""
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found (pass --config PATH)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read config: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    base = path.resolve().parent
    unknown = set(raw) - set(_SECTIONS)
    if unknown:
        raise ConfigError(f"{path}: unknown section(s) {', '.join(sorted(unknown))}")
    parts = {name: _build_section(name, cls, raw.get(name, {}), base, str(path)) for name, cls in _SECTIONS.items()}
    if "dir" not in raw.get("index", {}):
        parts["index"] = IndexSettings(dir=(base / "index").resolve())
    return Settings(base_dir=base, **parts)
