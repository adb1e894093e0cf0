"""/api/alerts on the real Flask app: off without an admin token (404), 403 without the right one, and
add/list/get/test/run/remove for the operator with it."""

from __future__ import annotations

import pytest
from alerts_support import DATA, wildfire_turn_ids, write_config

from searchsvc.config import load_settings
from searchsvc.index.build import add_to_index, rebuild_index
from searchsvc.web import create_app

TOKEN = "op-token-0123456789"
ENV = "H15_TEST_ADMIN_TOKEN"


@pytest.fixture
def app_settings(tmp_path):
    settings = load_settings(write_config(tmp_path, index_dir=tmp_path / "index", admin_token_env=ENV))
    rebuild_index(settings, [DATA / "base"])
    return settings


@pytest.fixture
def client(app_settings):
    return create_app(app_settings).test_client()


def _auth(token: str = TOKEN) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("method, path", [("get", "/api/alerts"), ("post", "/api/alerts"),
                                          ("get", "/api/alerts/1"), ("delete", "/api/alerts/1"),
                                          ("post", "/api/alerts/run"), ("post", "/api/alerts/1/test")])
def test_without_a_configured_token_the_api_does_not_exist(client, monkeypatch, method, path):
    monkeypatch.delenv(ENV, raising=False)
    resp = getattr(client, method)(path, headers=_auth())
    assert resp.status_code == 404 and resp.get_json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("headers", [{}, _auth("wrong"), _auth(TOKEN + "x"), {"Authorization": TOKEN},
                                     {"Authorization": f"Basic {TOKEN}"}])
def test_a_missing_or_wrong_token_is_forbidden(client, monkeypatch, headers):
    monkeypatch.setenv(ENV, TOKEN)
    resp = client.get("/api/alerts", headers=headers)
    assert resp.status_code == 403 and resp.get_json()["error"]["code"] == "forbidden"
    assert client.post("/api/alerts", json={"query": "x", "email": "a@example.org"}, headers=headers).status_code == 403


def test_the_operator_adds_runs_tests_and_removes_an_alert(client, app_settings, monkeypatch, hook):
    monkeypatch.setenv(ENV, TOKEN)
    made = client.post("/api/alerts", headers=_auth(), json={
        "query": "wildfire", "name": "Fires", "webhook": hook.url, "filters": {"from": "2024-01-01", "scope": "both"}})
    assert made.status_code == 201, made.get_json()
    body = made.get_json()
    assert body["id"] == 1 and body["name"] == "Fires" and len(body["secret"]) == 64 and body["matching_now"] == 0
    assert body["filters"] == {"date_from": "2024-01-01"}
    hook.secret = body["secret"]
    listed = client.get("/api/alerts", headers=_auth()).get_json()["alerts"]
    assert [a["id"] for a in listed] == [1] and "secret" not in listed[0]
    assert "secret" not in client.get("/api/alerts/1", headers=_auth()).get_json()

    add_to_index(app_settings, [DATA / "new"])
    ran = client.post("/api/alerts/run", headers=_auth())
    assert ran.status_code == 200 and ran.get_json()["sent"] == 3
    assert [t for p in hook.wait_for(2) for t in p.turn_ids] == wildfire_turn_ids("new")
    assert all(p.signature_ok for p in hook.received)
    assert client.post("/api/alerts/run", headers=_auth()).get_json()["sent"] == 0

    tested = client.post("/api/alerts/1/test", headers=_auth())
    assert tested.status_code == 200 and tested.get_json()["turns"] == 3
    hook.fail = 100
    assert client.post("/api/alerts/1/test", headers=_auth()).status_code == 502

    assert client.delete("/api/alerts/1", headers=_auth()).get_json()["removed"]["id"] == 1
    assert client.get("/api/alerts/1", headers=_auth()).status_code == 404
    assert client.get("/api/alerts/not-a-number", headers=_auth()).status_code == 404


@pytest.mark.parametrize("payload, message", [
    (["not", "an", "object"], "JSON object"),
    ({"query": "wildfire"}, "exactly one"),
    ({"query": 3, "email": "a@example.org"}, "`query` must be a string"),
    ({"query": "wildfire", "email": "nope"}, "not an email address"),
    ({"query": "wildfire", "email": "a@example.org", "filters": {"from": "yesterday"}}, "YYYY-MM-DD"),
    ({"query": "wildfire", "email": "a@example.org", "filters": {"page": "2"}}, "cannot hold"),
    ({"query": "wildfire", "email": "a@example.org", "filters": ["speaker"]}, "must be an object"),
    ({"query": "", "email": "a@example.org"}, "query or at least one filter"),
])
def test_bad_alerts_are_400_with_a_message(client, monkeypatch, payload, message):
    monkeypatch.setenv(ENV, TOKEN)
    resp = client.post("/api/alerts", headers=_auth(), json=payload)
    assert resp.status_code == 400 and message in resp.get_json()["error"]["message"]
    assert client.get("/api/alerts", headers=_auth()).get_json()["alerts"] == []
