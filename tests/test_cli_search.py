"""Tests for `searchsvc search` (click CliRunner over the sample index)."""

import json

import pytest
from click.testing import CliRunner
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
    (("china", "--limit", "0"), "per_page"),
])
def test_domain_errors_are_clean_messages(run, args, message):
    result = run(*args)
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output


def test_missing_index(tmp_path):
    result = CliRunner().invoke(main, ["--config", str(REPO / "config.toml"), "--index", str(tmp_path / "none"),
                                       "search", "china"])
    assert result.exit_code == 1 and "no index" in result.output


def test_bad_option_values_are_usage_errors(run):
    assert run("x", "--sort", "random").exit_code == 2
    assert run("x", "--from", "yesterday").exit_code == 2
