"""`searchsvc alerts ...` as a user runs it (subprocesses): add/list/remove/run/test, delivery at the end of
`index add`, a kill -9 of `alerts run` in the middle of a delivery, and a second run while one delivers."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from alerts_support import DATA, WAIT, WebhookReceiver, start_smtp, wildfire_turn_ids, write_config
from click.testing import CliRunner

from searchsvc.cli import main


def _cli(config: Path, *args: str, check: bool = True):
    """The real click command in this process (CliRunner); kills and concurrent runs use subprocesses."""
    done = CliRunner().invoke(main, ["--config", str(config), *args])
    if check and done.exit_code != 0:
        raise AssertionError(f"{' '.join(args)} exited {done.exit_code}:\n{done.stdout}\n{done.stderr}")
    return done


def _popen(config: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "searchsvc.cli", "--config", str(config), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.fixture
def site(tmp_path):
    """A folder with an index of tests/data/alerts/base and a function writing config.toml for it."""
    def configure(**alerts) -> Path:
        return write_config(tmp_path, index_dir=tmp_path / "index", **alerts)

    _cli(configure(), "index", "rebuild")
    return configure


def _add_hook(config: Path, hook: WebhookReceiver, *extra: str) -> dict:
    made = json.loads(_cli(config, "alerts", "add", "wildfire", "--webhook", hook.url, "--json", *extra).stdout)
    hook.secret = made["secret"]
    return made


def test_add_list_run_remove_as_a_user_sees_them(site, hook):
    config = site()
    shown = _cli(config, "alerts", "add", "wildfire", "--name", "Fires", "--webhook", hook.url).stdout
    assert "alert 1 saved: Fires" in shown and "secret" in shown and "shown only now" in shown
    secret = next(line.split()[-1] for line in shown.splitlines() if line.strip().startswith("secret"))
    hook.secret = secret
    assert len(secret) == 64 and secret not in _cli(config, "alerts", "list").stdout
    _cli(config, "index", "add", str(DATA / "new"))        # run_after_index is off: nothing sent yet
    assert hook.received == []
    run = _cli(config, "alerts", "run")
    assert "1. Fires: 3 new matches, 3 sent in 2 messages" in run.stdout
    assert all(p.signature_ok for p in hook.wait_for(2))
    listed = json.loads(_cli(config, "alerts", "list", "--json").stdout)
    assert [(a["id"], a["delivered"], a["pending"], a["last_error"]) for a in listed] == [(1, 3, 0, None)]
    assert "0 sent in 0 messages" in _cli(config, "alerts", "run").stdout
    assert "alert 1 removed: Fires" in _cli(config, "alerts", "remove", "1").stdout
    missing = _cli(config, "alerts", "remove", "1", check=False)
    assert missing.exit_code == 1 and "no alert with id 1" in missing.stderr
    assert len(hook.received) == 2


def test_index_add_delivers_at_its_end_when_configured(site, hook):
    config = site(run_after_index=True)
    _add_hook(config, hook)
    added = _cli(config, "index", "add", str(DATA / "new"))
    assert "3 sent in 2 messages" in added.stderr
    assert [t for p in hook.wait_for(2) for t in p.turn_ids] == wildfire_turn_ids("new")
    rebuilt = _cli(config, "index", "rebuild", str(DATA / "base"), str(DATA / "new"))   # adds nothing
    assert "0 sent" in rebuilt.stderr and len(hook.received) == 2
    hook.fail = 100
    failing = _cli(config, "index", "add", str(DATA / "more"))       # the index is updated all the same
    assert "FAILED" in failing.stderr and "2 waiting for the next run" in failing.stderr
    assert "HTTP 500" in json.loads(_cli(config, "alerts", "list", "--json").stdout)[0]["last_error"]
    assert _cli(config, "alerts", "run", check=False).exit_code == 1
    hook.fail = 0
    assert "2 sent in 1 message" in _cli(config, "alerts", "run").stdout
    accepted = [t for p in hook.accepted() for t in p.turn_ids]
    assert accepted == wildfire_turn_ids("new") + wildfire_turn_ids("more")


def test_the_mail_arrives_at_a_local_smtp_server_once(site):
    smtp = start_smtp()
    try:
        config = site(smtp_port=smtp.port, batch_limit=50)
        _cli(config, "alerts", "add", "wildfire", "--email", "desk@example.org")
        _cli(config, "index", "add", str(DATA / "new"))
        assert "3 sent in 1 message" in _cli(config, "alerts", "run").stdout
        assert "0 sent" in _cli(config, "alerts", "run").stdout
        (mail,) = smtp.catcher.wait_for(1)
        assert mail["To"] == "desk@example.org"
        assert "searchsvc alerts remove 1" in mail.get_body(("plain",)).get_content()
        tested = _cli(config, "alerts", "test", "1").stdout
        assert "test of alert 1 (3 turns): mail accepted" in tested
        assert smtp.catcher.wait_for(2)[1]["Subject"].startswith("[searchsvc test]")
    finally:
        smtp.controller.stop()


def test_kill_9_during_delivery_loses_nothing_and_resends_only_the_batch_in_flight(site, hook):
    config = site(batch_limit=2)
    _add_hook(config, hook)
    _cli(config, "index", "add", str(DATA / "new"), str(DATA / "more"))
    expected = wildfire_turn_ids("new") + wildfire_turn_ids("more")     # 5 turns: batches of 2, 2, 1
    hook.hold = True
    run = _popen(config, "alerts", "run")
    try:
        assert hook.holding.wait(WAIT), "the receiver never got the first batch"
        os.kill(run.pid, signal.SIGKILL)
        assert run.wait(WAIT) == -signal.SIGKILL
    finally:
        if run.poll() is None:
            run.kill()
        run.communicate()
        hook.release.set()
    in_flight = hook.received[0].turn_ids
    assert len(hook.received) == 1 and len(in_flight) == 2
    listed = json.loads(_cli(config, "alerts", "list", "--json").stdout)[0]
    assert (listed["delivered"], listed["pending"]) == (0, 5)           # nothing was marked delivered

    again = _cli(config, "alerts", "run")
    assert "5 sent in 3 messages" in again.stdout
    delivered = [t for p in hook.received for t in p.turn_ids]
    assert sorted(set(delivered)) == sorted(expected)                   # nothing lost
    twice = sorted(t for t in set(delivered) if delivered.count(t) > 1)
    assert twice == sorted(in_flight)                                   # only the batch in flight, once more
    assert "0 sent" in _cli(config, "alerts", "run").stdout


def test_a_second_run_waits_for_the_one_delivering_instead_of_sending_twice(site, hook, tmp_path):
    config = site()
    _add_hook(config, hook)
    _cli(config, "index", "add", str(DATA / "new"))
    (tmp_path / "other").mkdir()
    impatient = write_config(tmp_path / "other", index_dir=tmp_path / "index", lock_timeout=1)
    hook.hold = True
    first = _popen(config, "alerts", "run")
    try:
        assert hook.holding.wait(WAIT)
        second = _cli(impatient, "alerts", "run", check=False)
        assert second.exit_code == 1 and "another `alerts run` is delivering" in second.stderr
        assert len(hook.received) == 1
    finally:
        hook.release.set()
        out, err = first.communicate(timeout=WAIT)
    assert first.returncode == 0, err
    delivered = [t for p in hook.received for t in p.turn_ids]
    assert delivered == wildfire_turn_ids("new")


@pytest.mark.parametrize("role, expected", [("Press Secretary", 3), ("Secretary of Nothing", 0)])
def test_a_role_filter_limits_the_alert_to_that_role(site, hook, role, expected):
    config = site(batch_limit=50)
    made = _add_hook(config, hook, "--role", role)
    assert made["filters"] == {"roles": [role]}
    _cli(config, "index", "add", str(DATA / "new"))
    run = _cli(config, "alerts", "run")
    assert f"{expected} new match" in run.stdout
    assert [t for p in hook.received for t in p.turn_ids] == (wildfire_turn_ids("new") if expected else [])


@pytest.mark.parametrize("args, message", [
    (("--year", "20"), "'year' must be a four-digit year"),
    (("--from", "yesterday"), "'from' must be a date as YYYY-MM-DD"),
    (("--answer", "maybe"), "'maybe' is not one of"),
    (("--scope", "everywhere"), "'everywhere' is not one of"),
    (tuple(a for i in range(21) for a in ("--speaker", f"s{i}")), "at most 20 values of 'speaker'"),
])
def test_a_filter_that_breaks_a_rule_of_the_api_is_a_usage_error_and_saves_nothing(site, hook, args, message):
    """`alerts add` takes the search API's filter parameters (search/parameters.py match_fields), rules included."""
    config = site()
    done = _cli(config, "alerts", "add", "wildfire", "--webhook", hook.url, *args, check=False)
    assert done.exit_code == 2 and message in done.output and "Traceback" not in done.output
    assert json.loads(_cli(config, "alerts", "list", "--json").stdout) == []


def test_the_filters_dates_and_scope_are_saved_as_the_api_reads_them(site, hook):
    config = site()
    made = _add_hook(config, hook, "--year", "2021", "--from", "2021-01-01", "--to", "2021-12-31",
                     "--scope", "answers", "--answer", "substantive")
    assert made["filters"] == {"years": [2021], "answers": ["substantive"], "date_from": "2021-01-01",
                               "date_to": "2021-12-31", "scope": "answer"}
