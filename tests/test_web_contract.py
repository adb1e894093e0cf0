"""Tests for searchsvc.web.contract (with params, openapi, serialize): the served API and its document agree
(Schemathesis, all checks, against real gunicorn on 127.0.0.1), a new endpoint is declared in one place, no
answer carries a server path, a 405 says what is allowed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from flask import Blueprint
from pydantic import Field

from searchsvc import serialize
from searchsvc.index.build import relative_source
from searchsvc.models import SearchRequest
from searchsvc.web import create_app
from searchsvc.web.contract import endpoint, json_response
from searchsvc.web.openapi import build_openapi
from searchsvc.web.params import Whole, match_fields

REPO = Path(__file__).resolve().parents[1]
ST_CONFIG = REPO / "tests" / "data" / "contract" / "schemathesis.toml"
ST_EXAMPLES = 20          # test cases per operation and phase: bounded, about half a minute in all


def _st_config(live_server, folder: Path) -> Path:
    """tests/data/contract/schemathesis.toml plus ids that exist in the served index, so the operations with a
    path parameter reach their answers (not only 404s)."""
    _, found = live_server.get_json("/api/search?q=vaccine&per_page=1")
    hit = found["hits"][0]
    values = {"turn_id": hit["id"], "conference_id": hit["conference_id"], "name": hit["speakers"][0]}
    config = folder / "schemathesis.toml"
    config.write_text(ST_CONFIG.read_text(encoding="utf-8") + "\n[parameters]\n" + "".join(
        f"{json.dumps('path.' + name)} = {json.dumps(value)}\n" for name, value in values.items()), encoding="utf-8")
    return config


def test_schemathesis_finds_no_failure_on_the_served_api(live_server, tmp_path):
    """`st run` over /api/openapi.json with every check, positive and negative data, on gunicorn."""
    st = Path(sys.executable).with_name("st")
    config = _st_config(live_server, tmp_path)
    cmd = [str(st), "--config-file", str(config), "run", f"{live_server.url}/api/openapi.json",
           "--checks", "all", "--mode", "all", "--max-examples", str(ST_EXAMPLES), "--seed", "13",
           "--workers", "1", "--request-timeout", "30", "--no-color"]
    done = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, timeout=540)
    report = done.stdout + done.stderr
    assert done.returncode == 0, report[-6000:]
    assert "passed" in report and "failure" not in report.split("SUMMARY")[-1], report[-3000:]


def test_every_declared_operation_was_generated_for(live_server, openapi_doc):
    """The document Schemathesis reads is the one the app builds: every path, GET only but the operator's alerts."""
    status, served = live_server.get_json("/api/openapi.json")
    assert status == 200 and set(served["paths"]) == set(openapi_doc["paths"])
    assert all(list(item) == ["get"] for path, item in served["paths"].items() if not path.startswith("/api/alerts"))
    assert all(set(item) <= {"get", "post", "delete"} for item in served["paths"].values())


def test_a_405_names_the_allowed_methods(client):
    resp = client.delete("/api/search")
    assert resp.status_code == 405 and resp.get_json()["error"]["code"] == "method_not_allowed"
    assert {m.strip() for m in resp.headers["Allow"].split(",")} >= {"GET", "HEAD", "OPTIONS"}


# ---- sources are shown relative to the corpus folder ------------------------------------------------

def _bodies(client, sample_service):
    hit = sample_service.search(SearchRequest(q="trade")).hits[0]
    yield client.get("/api/search?per_page=100").get_data(as_text=True)
    yield client.get(f"/api/turns/{hit.id}").get_data(as_text=True)
    yield client.get(f"/api/conferences/{hit.conference_id}").get_data(as_text=True)
    yield client.get("/search.jsonl").get_data(as_text=True)
    yield client.get("/search.csv").get_data(as_text=True)


def test_no_answer_carries_a_server_path(client, sample_service):
    """The sample index was built from an absolute path; what it shows is relative to that folder."""
    for body in _bodies(client, sample_service):
        assert str(REPO) not in body
    sources = {h["source"] for h in client.get("/api/search?per_page=100").get_json()["hits"]}
    assert sources and all(not s.startswith("/") and s.split("/")[0] in ("scio", "mfa", "whitehouse")
                           for s in sources), sources


@pytest.mark.parametrize("source, shown", [
    ("mfa/t1.html", "mfa/t1.html"), ("/srv/corpus/mfa/t1.html", "t1.html"), ("../../etc/passwd", "passwd"),
    ("C:\\corpus\\wh\\b.md", "b.md"), ("whitehouse/b.md", "whitehouse/b.md")])
def test_a_source_is_never_shown_as_a_server_path(source, shown):
    """Indexes built before sources were stored relative still show only the file name."""
    assert serialize.public_source(source) == shown


def test_sources_are_relative_to_the_folder_given(tmp_path):
    corpus = tmp_path / "corpus"
    (corpus / "mfa").mkdir(parents=True)
    file = corpus / "mfa" / "t1.html"
    file.write_text("x")
    assert relative_source(str(file), [corpus]) == "mfa/t1.html"
    assert relative_source(str(file), [corpus / "mfa"]) == "t1.html"
    assert relative_source(str(file), [file]) == "t1.html"
    assert relative_source(str(file), [tmp_path / "other"]) == ""


# ---- extending the contract ---------------------------------------------------------------------------

def _answer_fields(settings):
    return {**match_fields(settings), "top": (Whole, Field(3, ge=1, le=settings.search.max_per_page,
                                                          description="How many."))}


def test_a_new_endpoint_is_declared_once_and_documented_validated_and_dumped(sample_settings, sample_service):
    bp = Blueprint("extra", __name__)

    @endpoint(bp, "/api/extra/<word>", "An extra answer", query=_answer_fields, response=serialize.Health,
              errors=(400,), path={"word": "A word"})
    def extra(word: str, query):
        return json_response(serialize.Health, {"status": "ok", "generation": word,
                                                "turns": query.top, "conferences": len(query.speaker)})

    app = create_app(sample_settings, service=sample_service)
    app.register_blueprint(bp)
    doc = build_openapi(sample_settings, app)
    op = doc["paths"]["/api/extra/{word}"]["get"]
    params = {p["name"]: p for p in op["parameters"]}
    assert params["word"]["in"] == "path" and params["top"]["schema"]["maximum"] == sample_settings.search.max_per_page
    assert {"q", "speaker", "from", "to", "scope"} <= set(params)
    assert op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/Health")
    client = app.test_client()
    body = client.get("/api/extra/hello?top=2&speaker=a&speaker=b").get_json()
    assert body == {"status": "ok", "generation": "hello", "turns": 2, "conferences": 2}
    error = client.get("/api/extra/hello?top=0").get_json()["error"]
    assert "'top' must be between 1 and" in error["message"]
    assert json.loads(json.dumps(doc)) == doc


# ---- the shapes follow the stages' dataclasses ----------------------------------------------------------

def _shape_pairs():
    from searchsvc import models
    from searchsvc.insights import analytics, keyterms
    return [(models.Hit, serialize.Hit, {}), (models.TurnRecord, serialize.Turn, {}),
            (models.ConferenceRecord, serialize.Conference, {}), (models.IndexStats, serialize.Stats, {}),
            (analytics.Matrix, serialize.Matrix, {}), (analytics.Timeline, serialize.Timeline, {}),
            (analytics.Bucket, serialize.Bucket, {}), (analytics.Profile, serialize.Profile, {}),
            (analytics.SimilarQuestions, serialize.SimilarQuestions, {}),
            (analytics.SimilarQuestion, serialize.SimilarQuestion, {}), (keyterms.TermScore, serialize.TermScore, {}),
            (analytics.ConferenceCount, serialize.ConferenceCount, {})]


@pytest.mark.parametrize("pair", range(len(_shape_pairs())))
def test_every_field_of_a_stage_result_is_in_its_json_shape(pair):
    """A field added to a dataclass without its shape fails here (or in dumping), never silently."""
    import dataclasses
    record, shape, _ = _shape_pairs()[pair]
    assert {f.name for f in dataclasses.fields(record)} == set(shape.model_fields), (record, shape)


def test_json_answers_are_their_shapes_dumped(client, sample_service):
    from searchsvc.models import SearchRequest
    resp = client.get("/api/search?q=trade&per_page=20")
    assert resp.status_code == 200 and resp.mimetype == "application/json"
    body = resp.get_json()
    page = sample_service.search(SearchRequest(q="trade", per_page=20))
    expected = serialize.SearchPage.dump(page)
    assert len(body["hits"]) > 3 and any("\u2026" in h["answer_html"] for h in body["hits"])   # escapes, floats
    for answer in (body, expected):
        answer.pop("took_ms")
        answer.pop("cached")
    assert body == expected
    assert json.loads(serialize.SearchPage.dump_json(page)) == serialize.SearchPage.dump(page)
