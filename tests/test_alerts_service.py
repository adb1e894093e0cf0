"""AlertService end to end on loopback: a real index on disk, `index add` of a new transcript, a real SMTP
server (aiosmtpd) and a webhook receiver checking the signature; failures that recover; nothing twice."""

from __future__ import annotations

import dataclasses
import os

import pytest
from alerts_support import DATA, WebhookReceiver, start_smtp, wildfire_turn_ids, write_config

from searchsvc.alerts import AlertInputError, AlertService, DeliveryError
from searchsvc.config import load_settings
from searchsvc.errors import QueryError
from searchsvc.index.build import add_to_index, rebuild_index
from searchsvc.models import SearchRequest
from searchsvc.search import SearchService

TURN_KEYS = ["id", "url", "date", "conference_title", "outlet", "speakers", "question", "answer"]


@pytest.fixture
def smtp():
    server = start_smtp()
    yield server
    server.controller.stop()


@pytest.fixture
def env(tmp_path, smtp):
    """Settings for an index of tests/data/alerts/base at tmp_path, SMTP on the aiosmtpd port; and a service."""
    settings = load_settings(write_config(tmp_path, index_dir=tmp_path / "index", smtp_port=smtp.port))
    rebuild_index(settings, [DATA / "base"])
    search = SearchService(settings)
    service = AlertService(settings, search)
    yield settings, service
    search.close()


def _add_webhook(service: AlertService, hook: WebhookReceiver, q: str = "wildfire", **filters):
    created = service.add(SearchRequest(q=q, **filters), name="fires", webhook=hook.url)
    hook.secret = created.secret
    return created


def test_a_new_transcript_reaches_the_mailbox_and_the_webhook_once(env, smtp, hook):
    settings, service = env
    mail = service.add(SearchRequest(q="wildfire"), email="desk@example.org")
    web = _add_webhook(service, hook)
    assert mail.matching_now == 0 and mail.secret == "" and len(web.secret) == 64
    add_to_index(settings, [DATA / "new"])
    expected = wildfire_turn_ids("new")

    report = service.run()
    assert not report.failed and report.new_turns == 5
    assert {o.alert_id: (o.matched, o.sent, o.batches) for o in report.outcomes} == {
        mail.alert.id: (3, 3, 2), web.alert.id: (3, 3, 2)}           # batch_limit = 2: two messages each
    mails = smtp.catcher.wait_for(2)
    posts = hook.wait_for(2)
    assert all(p.signature_ok for p in posts)
    assert [tid for p in posts for tid in p.turn_ids] == expected
    body = posts[0].json
    assert list(body) == ["alert", "turns"]
    assert body["alert"] == {"id": web.alert.id, "name": "fires", "query": "wildfire", "filters": {}}
    assert all(list(t) == TURN_KEYS for t in body["turns"])
    assert body["turns"][0]["url"] == f"http://search.example.org/turns/{expected[0]}"
    assert [m["X-Envelope-To"] for m in mails] == ["desk@example.org"] * 2
    assert sum(m.get_body(("plain",)).get_content().count("/turns/") for m in mails) == 3

    again = service.run()                                   # a second run sends nothing
    assert again.sent == 0 and again.new_turns == 0
    rebuild_index(settings, [DATA / "base", DATA / "new"])  # same turns, new generation: still nothing
    assert service.run().sent == 0
    assert len(smtp.catcher.messages) == 2 and len(hook.received) == 2
    listed = {a.id: a for a in service.list_all()}
    assert listed[web.alert.id].delivered == 3 and listed[web.alert.id].pending == 0
    assert listed[web.alert.id].last_success_at and listed[web.alert.id].last_error is None


def test_turns_indexed_before_the_alert_are_not_delivered(env, hook):
    settings, service = env
    add_to_index(settings, [DATA / "new"])
    created = _add_webhook(service, hook)
    assert created.matching_now == 3
    assert service.run().sent == 0
    add_to_index(settings, [DATA / "more"])
    assert service.run().sent == 2
    assert [t for p in hook.wait_for(1) for t in p.turn_ids] == wildfire_turn_ids("more")


def test_filters_narrow_what_is_delivered(env, hook):
    from datetime import date

    settings, service = env
    _add_webhook(service, hook, date_from=date(2024, 3, 10))
    add_to_index(settings, [DATA / "new"])
    add_to_index(settings, [DATA / "more"])
    report = service.run()
    assert report.sent == 2 and report.new_turns == 8
    assert [t for p in hook.wait_for(1) for t in p.turn_ids] == wildfire_turn_ids("more")
    assert hook.received[0].json["alert"]["filters"] == {"date_from": "2024-03-10"}


def test_a_failing_webhook_is_reported_and_delivered_by_the_next_run(env, hook):
    settings, service = env
    created = _add_webhook(service, hook)
    add_to_index(settings, [DATA / "new"])
    hook.fail = 1 + settings.alerts.webhook_retries           # every attempt of the first batch fails
    first = service.run()
    assert first.failed
    outcome = first.outcomes[0]
    assert (outcome.matched, outcome.sent, outcome.pending) == (3, 0, 3)
    assert "HTTP 500" in outcome.error and "4 attempts" in outcome.error
    listed = service.get(created.alert.id)
    assert "HTTP 500" in listed.last_error and listed.last_success_at is None and listed.pending == 3

    second = service.run()                                 # the receiver has recovered
    assert not second.failed and second.sent == 3
    accepted = [t for p in hook.accepted() for t in p.turn_ids]
    assert accepted == wildfire_turn_ids("new")            # each turn accepted once
    healed = service.get(created.alert.id)
    assert healed.last_error is None and healed.last_success_at and healed.pending == 0


def test_a_retry_within_the_run_delivers_after_transient_errors(env, hook):
    settings, service = env
    _add_webhook(service, hook)
    add_to_index(settings, [DATA / "new"])
    hook.fail = 2
    report = service.run()
    assert not report.failed and report.sent == 3
    assert hook.statuses == [500, 500, 200, 200]


def test_an_smtp_refusal_leaves_the_mail_for_the_next_run(env, smtp):
    settings, service = env
    created = service.add(SearchRequest(q="wildfire"), email="desk@example.org")
    add_to_index(settings, [DATA / "new"])
    smtp.catcher.refuse = 1
    first = service.run()
    assert first.failed and "451" in first.outcomes[0].error
    assert service.get(created.alert.id).pending == 3
    second = service.run()
    assert second.sent == 3
    mails = smtp.catcher.wait_for(2)
    assert sum(m.get_body(("plain",)).get_content().count("/turns/") for m in mails) == 3


def test_the_mail_lists_each_turn_with_permalinks_and_the_unsubscribe_command(env, smtp):
    settings, service = env
    settings2 = dataclasses.replace(settings, alerts=dataclasses.replace(settings.alerts, batch_limit=10))
    service2 = AlertService(settings2, service.search)
    created = service2.add(SearchRequest(q="wildfire"), name="Fire desk", email="desk@example.org")
    add_to_index(settings, [DATA / "new"])
    assert service2.run().sent == 3
    (mail,) = smtp.catcher.wait_for(1)
    assert mail["Subject"] == "[searchsvc] Fire desk: 3 new turns"
    text = mail.get_body(("plain",)).get_content()
    page = mail.get_body(("html",)).get_content()
    for part in (text, page):
        assert "2024-03-08" in part and "Press Briefing by Press Secretary Karine Jean-Pierre, March 8, 2024" in part
        assert "Karine Jean-Pierre" in part
        assert f"searchsvc alerts remove {created.alert.id}" in part
        for tid in wildfire_turn_ids("new"):
            assert f"http://search.example.org/turns/{tid}" in part
    assert "Asked by:" in text and "Answered by:" in text
    assert "<mark>wildfire</mark>" in page and "visit the" in text


def test_alerts_test_sends_the_newest_matches_and_changes_nothing(env, hook):
    settings, service = env
    add_to_index(settings, [DATA / "new"])
    created = _add_webhook(service, hook)
    result = service.test(created.alert.id)
    assert result.turns == 3 and "HTTP 200" in result.detail
    (post,) = hook.wait_for(1)
    assert post.signature_ok and post.headers.get("X-Searchsvc-Test") == "1"
    after = service.get(created.alert.id)
    assert (after.delivered, after.pending, after.last_success_at) == (0, 0, None)
    hook.fail = 10
    with pytest.raises(DeliveryError, match="HTTP 500"):
        service.test(created.alert.id)


@pytest.mark.parametrize("kwargs, message", [
    ({}, "exactly one"),
    ({"email": "a@example.org", "webhook": "http://127.0.0.1/x"}, "exactly one"),
    ({"email": "not an address"}, "not an email address"),
    ({"email": "a@b@c"}, "not an email address"),
    ({"webhook": "ftp://127.0.0.1/x"}, "http:// or https://"),
    ({"webhook": "http:///nohost"}, "http:// or https://"),
])
def test_bad_targets_are_refused(env, kwargs, message):
    _settings, service = env
    with pytest.raises(AlertInputError, match=message):
        service.add(SearchRequest(q="wildfire"), **kwargs)
    assert service.list_all() == []


def test_an_alert_needs_a_query_or_a_filter_and_a_valid_query(env):
    _settings, service = env
    with pytest.raises(AlertInputError, match="query or at least one filter"):
        service.add(SearchRequest(q="  "), email="a@example.org")
    with pytest.raises(QueryError):
        service.add(SearchRequest(q="x" * 600), email="a@example.org")
    made = service.add(SearchRequest(speakers=("Karine Jean-Pierre",)), email="a@example.org")
    assert made.alert.filters == {"speakers": ["Karine Jean-Pierre"]} and made.matching_now == 3   # every turn of base/


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_smtp_login_takes_the_password_from_the_environment(env, monkeypatch):
    """aiosmtpd with AUTH required: the password must come from the variable smtp_password_env names."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult
    from alerts_support import MailCatcher, free_port

    def check(server, session, envelope, mechanism, auth_data):
        ok = auth_data.login == b"alerts" and auth_data.password == b"from-env"
        return AuthResult(success=ok)

    catcher, port = MailCatcher(), free_port()
    controller = Controller(catcher, hostname="127.0.0.1", port=port, authenticator=check, auth_required=True,
                            auth_require_tls=False)
    controller.start()
    try:
        settings, service = env
        cfg = dataclasses.replace(settings.alerts, smtp_port=port, smtp_user="alerts",
                                  smtp_password_env="H15_TEST_SMTP_PASSWORD")
        authed = AlertService(dataclasses.replace(settings, alerts=cfg), service.search)
        created = authed.add(SearchRequest(q="wildfire"), email="desk@example.org")
        add_to_index(settings, [DATA / "new"])
        monkeypatch.delenv("H15_TEST_SMTP_PASSWORD", raising=False)
        first = authed.run()
        assert first.failed and "H15_TEST_SMTP_PASSWORD" in first.outcomes[0].error
        monkeypatch.setenv("H15_TEST_SMTP_PASSWORD", "from-env")
        assert authed.run().sent == 3
        assert len(catcher.wait_for(2)) == 2
        assert authed.get(created.alert.id).pending == 0
    finally:
        controller.stop()
        os.environ.pop("H15_TEST_SMTP_PASSWORD", None)
