"""Tests for searchsvc.config: which config file is read (--config, $SEARCHSVC_CONFIG, ./config.toml, none), the
built-in defaults without one, the index folder's precedence, where each setting came from, and clear errors."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from searchsvc.config import (
    BUILT_IN,
    ENV_CONFIG,
    ENV_INDEX,
    Settings,
    default_index_dir,
    load_settings,
    resolve_settings,
    setting_names,
    setting_value,
)
from searchsvc.errors import ConfigError


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def data_home(tmp_path, monkeypatch):
    """A per-user data folder of the test's own ($XDG_DATA_HOME, read by platformdirs)."""
    home = tmp_path / "xdg-data"
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    return home


def test_without_any_config_every_setting_is_a_built_in_default(tmp_path, data_home):
    found = resolve_settings(environ={}, cwd=tmp_path)
    assert found.config_file is None and "built-in defaults" in found.config_reason
    assert found.settings.search == Settings().search and found.settings.corpus.paths == ()
    assert found.settings.index.dir == data_home / "searchsvc" / "index" == default_index_dir()
    assert set(found.origins) == set(setting_names())
    assert all(origin.startswith(BUILT_IN) for origin in found.origins.values())
    assert "per-user data folder" in found.origins["index.dir"]


@pytest.mark.parametrize("winner", ["--config", "env", "local"])
def test_the_config_file_comes_from_the_option_else_the_environment_else_the_current_folder(tmp_path, winner):
    option = _write(tmp_path / "a" / "option.toml", "[search]\nper_page = 11\n")
    env = _write(tmp_path / "b" / "env.toml", "[search]\nper_page = 12\n")
    _write(tmp_path / "here" / "config.toml", "[search]\nper_page = 13\n")
    found = resolve_settings(config_path=option if winner == "--config" else None,
                             environ={ENV_CONFIG: str(env)} if winner != "local" else {}, cwd=tmp_path / "here")
    expected = {"--config": (option, 11), "env": (env, 12), "local": (tmp_path / "here" / "config.toml", 13)}[winner]
    assert (found.config_file, found.settings.search.per_page) == expected
    assert found.origins["search.per_page"] == str(expected[0])
    assert found.origins["search.max_per_page"] == BUILT_IN           # not in the file
    assert found.origins["index.dir"].startswith(BUILT_IN)             # index/ beside the file
    assert found.settings.index.dir == (expected[0].parent / "index").resolve()


def test_the_index_folder_comes_from_the_option_else_the_environment_else_the_config(tmp_path, data_home):
    config = _write(tmp_path / "config.toml", '[index]\ndir = "from-config"\n')
    found = resolve_settings(config, environ={}, cwd=tmp_path)
    assert found.settings.index.dir == tmp_path / "from-config" and found.origins["index.dir"] == str(config)
    found = resolve_settings(config, environ={ENV_INDEX: str(tmp_path / "from-env")}, cwd=tmp_path)
    assert found.settings.index.dir == tmp_path / "from-env" and found.origins["index.dir"] == f"${ENV_INDEX}"
    found = resolve_settings(config, tmp_path / "from-option", environ={ENV_INDEX: str(tmp_path / "x")}, cwd=tmp_path)
    assert found.settings.index.dir == tmp_path / "from-option" and found.origins["index.dir"] == "--index"


@pytest.mark.parametrize("text, message", [
    ("[search]\nper_page = 'ten'\n", "search.per_page must be a int"),
    ("[search]\nper_pages = 3\n", "unknown setting search.per_pages"),
    ("[nonsense]\n", "unknown section"),
    ("[search\n", "invalid TOML"),
    ("[search]\nper_page = 0\n", "must be positive"),
    ("[index]\nbuild_niceness = 20\n", "index.build_niceness must be from 0 to 19, got 20"),
    ("[index]\nbuild_niceness = -1\n", "index.build_niceness must be from 0 to 19, got -1"),
])
def test_a_bad_config_file_is_a_clear_error(tmp_path, text, message):
    path = _write(tmp_path / "config.toml", text)
    with pytest.raises(ConfigError, match=message):
        resolve_settings(environ={}, cwd=tmp_path)
    with pytest.raises(ConfigError, match=message):
        load_settings(path)


def test_a_named_config_file_that_is_missing_is_an_error_not_the_defaults(tmp_path):
    for kwargs in ({"config_path": tmp_path / "nope.toml", "environ": {}},
                   {"environ": {ENV_CONFIG: str(tmp_path / "nope.toml")}}):
        with pytest.raises(ConfigError, match="config file not found"):
            resolve_settings(cwd=tmp_path, **kwargs)


def test_every_setting_name_reads_a_value(tmp_path):
    """Every listed name reads its setting; only settings typed optional (derived when unset) may be None."""
    settings = resolve_settings(environ={}, cwd=tmp_path).settings
    for name in setting_names():
        section, key = name.split(".", 1)
        field = {f.name: f for f in dataclasses.fields(getattr(settings, section))}[key]
        value = setting_value(settings, name)
        assert value is not None or "None" in str(field.type), name
