"""What alerts send: the webhook body and its HMAC signature, the mail's parts, snippets; hostile text escaped."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest

from searchsvc.alerts.messages import (
    email_html,
    email_message,
    email_text,
    query_words,
    sign,
    snippet,
    turn_url,
    webhook_body,
)
from searchsvc.alerts.model import Alert, filters_of, request_of
from searchsvc.models import SearchRequest

TURN = {"id": "2024-03-08-briefing-ab12cd34-2", "date": "2024-03-08", "conference_title": "Briefing <b>March 8</b>",
        "outlet": "Reuters", "speakers": ["Karine Jean-Pierre"], "question": "Will he visit the wildfire area?",
        "answer": "He will see the wildfire <script>alert(1)</script> on Monday.", "conference_id": "x", "seq": 2}


def _alert(**changes) -> Alert:
    values = dict(id=7, name="Fires & <floods>", query="wildfire OR flood",
                  filters={"speakers": ["Karine Jean-Pierre"]}, channel="webhook", target="http://127.0.0.1:9/hook",
                  secret="k3y", created_at="2024-01-01T00:00:00+00:00", checked_mark=0,
                  last_success_at=None, last_error=None, last_error_at=None, delivered=0, pending=0)
    values.update(changes)
    return Alert(**values)


def test_webhook_body_has_exactly_the_documented_shape():
    body = webhook_body(_alert(), [TURN], "https://search.example.org/")
    assert json.loads(body) == {
        "alert": {"id": 7, "name": "Fires & <floods>", "query": "wildfire OR flood",
                  "filters": {"speakers": ["Karine Jean-Pierre"]}},
        "turns": [{"id": TURN["id"], "url": f"https://search.example.org/turns/{TURN['id']}", "date": "2024-03-08",
                   "conference_title": TURN["conference_title"], "outlet": "Reuters",
                   "speakers": ["Karine Jean-Pierre"], "question": TURN["question"], "answer": TURN["answer"]}],
    }


def test_the_signature_is_hmac_sha256_of_the_exact_body():
    body = webhook_body(_alert(), [TURN], "https://search.example.org")
    expected = hmac.new(b"k3y", body, hashlib.sha256).hexdigest()
    assert sign("k3y", body) == "sha256=" + expected
    assert sign("k3y", body + b" ") != sign("k3y", body) != sign("other", body)


def test_permalinks_quote_the_id():
    assert turn_url("http://h/base/", "a b/c") == "http://h/base/turns/a%20b%2Fc"


def test_the_mail_escapes_what_the_transcripts_say_and_names_the_unsubscribe_command():
    page = email_html(_alert(channel="email", target="a@example.org"), [TURN], "https://s.example.org")
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<mark>wildfire</mark>" in page
    assert "<b>March 8</b>" not in page and "&lt;b&gt;March 8&lt;/b&gt;" in page
    assert "Fires &amp; &lt;floods&gt;" in page
    assert "searchsvc alerts remove 7" in page
    text = email_text(_alert(), [TURN], "https://s.example.org")
    assert "Asked by: Reuters" in text and "Answered by: Karine Jean-Pierre" in text
    assert text.rstrip().endswith("To stop this alert, run: searchsvc alerts remove 7")


def test_the_mail_is_multipart_alternative_text_then_html():
    msg = email_message(_alert(channel="email", target="a@example.org"), [TURN], sender="alerts@example.org",
                        base_url="https://s.example.org")
    assert msg.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]
    assert msg["To"] == "a@example.org" and msg["From"] == "alerts@example.org"
    assert msg["Subject"] == "[searchsvc] Fires & <floods>: 1 new turn"


@pytest.mark.parametrize("query, words", [
    ("wildfire OR flood", ["wildfire", "flood"]),
    ('speaker:"Jean-Pierre" "national security" -tariff', ["jean", "pierre", "national", "security", "tariff"]),
    ("infla*", ["infla"]),
    ("", []),
])
def test_query_words(query, words):
    assert query_words(query) == words


def test_the_snippet_is_around_the_first_match_and_bounded():
    long = {"answer": "Nothing here. " * 60 + "The wildfire is contained. " + "More words after. " * 60, "question": ""}
    got = snippet(long, "wildfire", 120)
    assert "wildfire" in got and got.startswith("… ") and got.endswith(" …") and len(got) <= 130
    assert snippet({"answer": "Short answer.", "question": ""}, "absent") == "Short answer."
    assert snippet({"answer": "No.", "question": "Is the flood over?"}, "flood") == "Is the flood over?"


@pytest.mark.parametrize("request_", [
    SearchRequest(q="x"),
    SearchRequest(q="x", speakers=("A", "B"), outlets=("Reuters",), years=(2023, 2024), scope="question"),
    SearchRequest(q="", conferences=("c-1",), date_from=__import__("datetime").date(2024, 1, 2)),
])
def test_filters_round_trip_through_json(request_):
    stored = json.loads(json.dumps(filters_of(request_)))
    assert request_of(request_.q, stored) == request_


def test_unknown_or_bad_filters_are_refused():
    from searchsvc.alerts import AlertInputError

    with pytest.raises(AlertInputError, match="unknown filter"):
        request_of("x", {"colour": ["red"]})
    with pytest.raises(AlertInputError, match="years"):
        request_of("x", {"years": ["twenty"]})
