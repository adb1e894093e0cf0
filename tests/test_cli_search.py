"""Tests for `searchsvc search` (click CliRunner over the sample index)."""

import json

import pytest
from click.testing import CliRunner
from hardening_support import config_with
from support import REPO

from searchsvc.cli import main
from searchsvc.models import FACETS

KEYS = {"total", "hits", "facets", "suggestion", "optional_terms", "suggested_filters", "notices", "page", "per_page",
        "pages", "took_ms", "cached", "query"}
HIT_KEYS = {"id", "conference_id", "conference_title", "date", "source", "source_url", "seq", "kind", "outlet",
            "speakers", "question_html", "answer_html", "score", "roles", "deflection"}


@pytest.fixture(scope="module")
def run(sample_settings):
    def invoke(*args, color=False):
        return CliRunner().invoke(main, ["--config", str(REPO / "config.toml"), "--index",
                                         str(sample_settings.index.dir), "search", *args], color=color)
    return invoke


def test_json_shape(run):
    result = run("taiwan", "--json", "--limit", "3")
    assert result.exit_code == 0, result.output
    page = json.loads(result.output)
    assert set(page) == KEYS
    assert page["query"] == "taiwan" and page["per_page"] == 3 and page["page"] == 1
    assert 0 < len(page["hits"]) <= 3 and page["total"] >= len(page["hits"])
    assert set(page["hits"][0]) == HIT_KEYS
    assert "<mark>" in page["hits"][0]["question_html"] + page["hits"][0]["answer_html"]
    assert set(page["facets"]) == set(FACETS)
    assert set(page["facets"]["year"][0]) == {"value", "count", "selected", "label"}


def test_filters_sort_and_paging_options(run):
    page = json.loads(run("security", "--year", "2024", "--year", "2023", "--sort", "oldest", "--json").output)
    dates = [h["date"] for h in page["hits"]]
    assert dates == sorted(dates) and all(d[:4] in {"2023", "2024"} for d in dates)
    assert {v["value"] for v in page["facets"]["year"] if v["selected"]} == {"2023", "2024"}
    second = json.loads(run("security", "--page", "2", "--limit", "5", "--json").output)
    assert second["page"] == 2 and second["per_page"] == 5
    ranged = json.loads(run("security", "--from", "2021-01-01", "--to", "2021-12-31", "--json").output)
    assert ranged["total"] > 0 and all(h["date"].startswith("2021") for h in ranged["hits"])


def test_speaker_and_scope_options(run):
    page = json.loads(run("--json").output)
    speaker = page["facets"]["speaker"][0]["value"]
    filtered = json.loads(run("china", "--speaker", speaker, "--scope", "answer", "--json").output)
    assert filtered["total"] > 0 and all(speaker in h["speakers"] for h in filtered["hits"])
    assert filtered["total"] <= json.loads(run("china", "--speaker", speaker, "--json").output)["total"]


def test_readable_output_with_colour(run):
    result = run("taiwan", "--limit", "2", color=True)
    assert result.exit_code == 0
    assert "turns matching 'taiwan'" in result.output
    assert "\x1b[" in result.output                     # highlights in colour
    assert "<mark>" not in result.output and "&lt;" not in result.output
    plain = run("taiwan", "--limit", "2")
    assert "\x1b[" not in plain.output and "1. " in plain.output


@pytest.mark.parametrize("args, message", [
    (("x" * 600,), "longer than 500 characters"),
    (tuple(f"w{i}" for i in range(40)), "too many words: 40 (limit 32)"),
    (("china", "--limit", "0"), "1<=x<=100"),
    (("china", "--per-page", "101"), "1<=x<=100"),
    (("china", "--page", "0"), "1<=x<="),
    (("china", "--from", "yesterday"), "'from' must be a date as YYYY-MM-DD"),
    (("china", "--year", "20"), "'year' must be a four-digit year"),
    (("china", "--sort", "random"), "'random' is not one of"),
    (("china", "--answer", "maybe"), "'maybe' is not one of"),
    (("china", *[a for i in range(21) for a in ("--speaker", f"s{i}")]), "at most 20 values of 'speaker'"),
])
def test_a_parameter_that_breaks_a_rule_is_a_usage_error_naming_it(run, args, message):
    """The API's rules and limits (search/parameters.py), as usage errors (exit status 2)."""
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output


def test_a_query_error_found_while_searching_is_a_clean_message(run):
    result = run("t*")
    assert result.exit_code == 1 and "before the *" in result.output and "Traceback" not in result.output


def test_missing_index(tmp_path):
    result = CliRunner().invoke(main, ["--config", str(REPO / "config.toml"), "--index", str(tmp_path / "none"),
                                       "search", "china"])
    assert result.exit_code == 1 and "no index" in result.output


@pytest.mark.parametrize("facet", FACETS)
def test_every_facet_is_an_option_filtering_as_the_api_does(run, client, facet):
    """--speaker, --role, --outlet, --conference, --year, --answer: one option per facet of the facet table."""
    values = json.loads(run("--json").output)["facets"][facet]
    assert values, facet
    value = values[0]["value"]
    page = json.loads(run(f"--{facet}", value, "--json").output)
    api = client.get("/api/search", query_string={facet: value}).get_json()
    assert page["total"] == api["total"] == values[0]["count"]
    assert [v["value"] for v in page["facets"][facet] if v["selected"]] == [value]


@pytest.mark.parametrize("option", [*(f"--{f}" for f in FACETS), "--from", "--to", "--scope", "--sort", "--page",
                                    "--per-page", "--limit"])
def test_every_search_parameter_is_in_the_help_with_its_description(run, option):
    assert option in run("--help").output


def test_the_options_limits_and_help_follow_the_config(sample_settings, tmp_path):
    """Limits from the config in force, as the API's: max_per_page = 7 in config.toml."""
    config = config_with(tmp_path, "search", per_page=5, max_per_page=7, max_terms=3)
    def invoke(*args):
        return CliRunner().invoke(main, ["--config", str(config), "--index", str(sample_settings.index.dir),
                                         "search", *args])
    assert "1<=x<=7" in invoke("--help").output and "At most 3 words" in invoke("--help").output
    assert invoke("china", "--limit", "8").exit_code == 2
    assert json.loads(invoke("china", "--limit", "7", "--json").output)["per_page"] == 7
    result = invoke("a", "b", "c", "d")
    assert result.exit_code == 2 and "too many words: 4 (limit 3)" in result.output
