"""Config stage: Settings dataclasses loaded from config.toml with clear errors; passed explicitly, never global."""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConfigError


@dataclass(frozen=True)
class CorpusSettings:
    paths: tuple[Path, ...] = ()


RANGES = {"index.build_niceness": (0, 19)}    # whole-number settings that are not simply positive


@dataclass(frozen=True)
class IndexSettings:
    dir: Path = Path("index")
    build_niceness: int = 10     # `index rebuild|add` run at this niceness (0-19; 0: the site's priority)
    related_terms: bool = False  # learn related terms from the generation's text at build time (related.py)


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
    cache_mb: int = 24             # per worker and generation, at least: postings and word positions kept (MB)
    cache_max_mb: int = 128        # at most: the budget grows with the index (CACHE_INDEX_SHARE of its bytes)
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


SMTP_SECURITY = ("none", "starttls", "tls")


@dataclass(frozen=True)
class AlertsSettings:
    """[alerts]: where saved searches live and how they are delivered (README "Alerts")."""
    db: Path | None = None                          # None: beside the index folder, <index>-alerts.sqlite3
    public_base_url: str = "http://127.0.0.1:8000"  # permalinks in mails and webhooks: <base>/turns/<id>
    run_after_index: bool = False                   # deliver at the end of `index add` / `index rebuild`
    batch_limit: int = 50                           # turns per mail or webhook POST
    lock_timeout: int = 120                         # seconds a run waits for another run to finish
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_from: str = "searchsvc@localhost"
    smtp_security: str = "none"                     # none | starttls | tls
    smtp_user: str = ""                             # login only when set
    smtp_password_env: str = "SEARCHSVC_SMTP_PASSWORD"   # the password comes from this variable, never the file
    smtp_timeout: int = 30                          # seconds
    webhook_timeout: int = 10                       # seconds per attempt
    webhook_retries: int = 3                        # more attempts after a failed one (0: none)
    webhook_backoff_ms: int = 1000                  # wait before retry n: backoff * 2**(n-1)
    admin_token_env: str = "SEARCHSVC_ADMIN_TOKEN"  # /api/alerts is on only when this variable is set

    @classmethod
    def from_table(cls, raw: dict[str, Any], base: Path, source: str) -> AlertsSettings:
        """Validate the [alerts] table; relative paths are taken from the config's folder."""
        if not isinstance(raw, dict):
            raise ConfigError(f"{source}: [alerts] must be a table")
        known = {f.name: f.default for f in dataclasses.fields(cls)}
        values: dict[str, Any] = {}
        for key, value in raw.items():
            if key in ("smtp_password", "password", "admin_token"):
                env = "admin_token_env" if key == "admin_token" else "smtp_password_env"
                raise ConfigError(f"{source}: alerts.{key} is never read from the file: put it in the environment "
                                  f"variable that alerts.{env} names")
            if key not in known:
                raise ConfigError(f"{source}: unknown setting alerts.{key} (known: {', '.join(sorted(known))})")
            default = known[key]
            if key == "db":
                if not isinstance(value, str) or not value:
                    raise ConfigError(f"{source}: alerts.db must be a path")
                value = (base / value).resolve()
            elif type(value) is not type(default):
                raise ConfigError(f"{source}: alerts.{key} must be a {type(default).__name__}, got {value!r}")
            elif isinstance(value, int) and not isinstance(value, bool) and (
                    value < 0 or (value == 0 and key != "webhook_retries")):
                raise ConfigError(f"{source}: alerts.{key} must be positive, got {value}")
            values[key] = value
        if values.get("smtp_security", "none") not in SMTP_SECURITY:
            raise ConfigError(f"{source}: alerts.smtp_security must be one of {', '.join(SMTP_SECURITY)}")
        if not str(values.get("public_base_url", cls.public_base_url)).startswith(("http://", "https://")):
            raise ConfigError(f"{source}: alerts.public_base_url must start with http:// or https://")
        return cls(**values)


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
    alerts: AlertsSettings = field(default_factory=AlertsSettings)
    ratelimit: RateLimitSettings = field(default_factory=RateLimitSettings)

    def with_index_dir(self, path: str | Path) -> Settings:
        """A copy whose index lives at `path` (the CLI's --index)."""
        return dataclasses.replace(self, index=dataclasses.replace(self.index, dir=Path(path).resolve()))

    def with_corpus(self, paths: Iterable[str | Path]) -> Settings:
        return dataclasses.replace(self, corpus=CorpusSettings(paths=tuple(Path(p).resolve() for p in paths)))


_SECTIONS = {
    "corpus": CorpusSettings,
    "index": IndexSettings,
    "search": SearchSettings,
    "server": ServerSettings,
    "export": ExportSettings,
    "alerts": AlertsSettings,
    "ratelimit": RateLimitSettings,
}


def _build_section(name: str, cls: type, raw: dict[str, Any], base: Path, source: str) -> Any:
    if hasattr(cls, "from_table"):      # a section that validates itself (alerts)
        return cls.from_table(raw, base, source)
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
        elif f"{name}.{key}" in RANGES:
            low, high = RANGES[f"{name}.{key}"]
            if not low <= raw[key] <= high:
                raise ConfigError(f"{source}: {name}.{key} must be from {low} to {high}, got {value}")
        elif isinstance(value, int) and value <= 0:
            raise ConfigError(f"{source}: {name}.{key} must be positive, got {value}")
        values[key] = value
    return cls(**values)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read config: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None


def _settings_from(path: Path) -> tuple[Settings, frozenset[str]]:
    """The settings of a config file, and the `section.key` names it sets."""
    raw = _read_toml(path)
    base = path.resolve().parent
    unknown = set(raw) - set(_SECTIONS)
    if unknown:
        raise ConfigError(f"{path}: unknown section(s) {', '.join(sorted(unknown))}")
    parts = {name: _build_section(name, cls, raw.get(name, {}), base, str(path)) for name, cls in _SECTIONS.items()}
    if "dir" not in raw.get("index", {}):
        parts["index"] = dataclasses.replace(parts["index"], dir=(base / "index").resolve())
    given = frozenset(f"{name}.{key}" for name, table in raw.items() if isinstance(table, dict) for key in table)
    return Settings(base_dir=base, **parts), given


def load_settings(path: str | Path = "config.toml") -> Settings:
    """Read a config file; relative paths in it are taken from its folder. Raises ConfigError."""
    return _settings_from(Path(path))[0]


# ---- which settings are in force, and where each came from ------------------------------------------

ENV_CONFIG = "SEARCHSVC_CONFIG"     # a config file, when --config is not given
ENV_INDEX = "SEARCHSVC_INDEX"       # the index folder, when --index is not given
LOCAL_CONFIG = "config.toml"        # read from the current folder when present and nothing else names one
BUILT_IN = "built-in default"


def default_index_dir() -> Path:
    """Where the index lives without a config file: the per-user data folder ($XDG_DATA_HOME/searchsvc/index,
    by default ~/.local/share/searchsvc/index on Linux)."""
    import platformdirs
    return platformdirs.user_data_path("searchsvc", appauthor=False) / "index"


@dataclass(frozen=True)
class SettingsInForce:
    """The settings a command runs with, the config file they were read from (None: built-in defaults only),
    why that file, and for every `section.key` where its value came from."""
    settings: Settings
    config_file: Path | None
    config_reason: str
    origins: Mapping[str, str]


def find_config(cli_path: str | Path | None, environ: Mapping[str, str], cwd: Path) -> tuple[Path | None, str]:
    """The config file to read: --config, else $SEARCHSVC_CONFIG, else ./config.toml if present, else none."""
    if cli_path:
        return Path(cli_path), "--config"
    if environ.get(ENV_CONFIG):
        return Path(environ[ENV_CONFIG]), f"${ENV_CONFIG}"
    if (cwd / LOCAL_CONFIG).is_file():
        return cwd / LOCAL_CONFIG, f"./{LOCAL_CONFIG} in the current folder"
    return None, "none found: built-in defaults"


def setting_names() -> list[str]:
    """Every `section.key`, in declaration order."""
    return [f"{name}.{f.name}" for name, cls in _SECTIONS.items() for f in dataclasses.fields(cls)]


def resolve_settings(config_path: str | Path | None = None, index_dir: str | Path | None = None,
                     environ: Mapping[str, str] | None = None, cwd: Path | None = None) -> SettingsInForce:
    """The settings in force for a command: a config file (see find_config) or built-in defaults, then the
    index folder from --index, else $SEARCHSVC_INDEX. Raises ConfigError for a named file that is bad."""
    environ = os.environ if environ is None else environ
    cwd = Path.cwd() if cwd is None else cwd
    path, reason = find_config(config_path, environ, cwd)
    if path is None:
        settings = Settings(base_dir=cwd, index=IndexSettings(dir=default_index_dir()))
        origins = dict.fromkeys(setting_names(), BUILT_IN)
        origins["index.dir"] = f"{BUILT_IN} (the per-user data folder)"
    else:
        settings, given = _settings_from(path)
        origins = {name: str(path) if name in given else BUILT_IN for name in setting_names()}
        if "index.dir" not in given:
            origins["index.dir"] = f"{BUILT_IN} (index/ beside {path})"
    for value, origin in ((environ.get(ENV_INDEX), f"${ENV_INDEX}"), (index_dir, "--index")):
        if value:
            settings, origins["index.dir"] = settings.with_index_dir(value), origin
    return SettingsInForce(settings, path, reason, origins)


def setting_value(settings: Settings, name: str) -> Any:
    """The value of `section.key` in `settings`."""
    section, key = name.split(".", 1)
    return getattr(getattr(settings, section), key)
