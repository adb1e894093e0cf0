"""Test helpers for the alerts tests: a real SMTP server (aiosmtpd) and a webhook receiver on loopback."""

from __future__ import annotations

import email
import email.policy
import hashlib
import hmac
import json
import socket
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from aiosmtpd.controller import Controller

DATA = Path(__file__).resolve().parent / "data" / "alerts"
WAIT = 30.0     # seconds any wait for an event may take before the test fails


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class MailCatcher:
    """aiosmtpd handler: keeps each accepted mail; `refuse` answers the next N mails with 451 (try later)."""

    def __init__(self):
        self.messages: list[EmailMessage] = []
        self.refuse = 0
        self.refused = 0
        self.changed = threading.Condition()

    async def handle_DATA(self, server, session, envelope):
        with self.changed:
            if self.refuse > 0:
                self.refuse -= 1
                self.refused += 1
                self.changed.notify_all()
                return "451 4.3.0 Mailbox busy, try again later"
            msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
            msg["X-Envelope-To"] = ",".join(envelope.rcpt_tos)
            self.messages.append(msg)
            self.changed.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float = WAIT) -> list[EmailMessage]:
        with self.changed:
            if not self.changed.wait_for(lambda: len(self.messages) >= count, timeout):
                raise AssertionError(f"expected {count} mails, got {len(self.messages)}")
            return list(self.messages)


@dataclass
class SmtpServer:
    catcher: MailCatcher
    controller: Controller
    port: int


def start_smtp() -> SmtpServer:
    catcher = MailCatcher()
    port = free_port()
    controller = Controller(catcher, hostname="127.0.0.1", port=port)
    controller.start()
    return SmtpServer(catcher, controller, port)


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes
    signature_ok: bool

    @property
    def json(self) -> dict:
        return json.loads(self.body)

    @property
    def turn_ids(self) -> list[str]:
        return [t["id"] for t in self.json["turns"]]


@dataclass
class WebhookReceiver:
    """A ThreadingHTTPServer on loopback recording each POST and whether its signature checks out under `secret`.

    `fail` answers the next N requests with 500; `hold` makes the next request wait (after reading it
    whole) until `release` is set, after setting `holding`: a test kills the sender meanwhile."""
    secret: str = ""
    fail: int = 0
    hold: bool = False
    received: list[Received] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    holding: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    changed: threading.Condition = field(default_factory=threading.Condition)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def start(self) -> WebhookReceiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver.changed:
                    hold, receiver.hold = receiver.hold, False
                    status = 500 if receiver.fail > 0 else 200
                    receiver.fail -= 1 if receiver.fail > 0 else 0
                    expected = "sha256=" + hmac.new(receiver.secret.encode(), body, hashlib.sha256).hexdigest()
                    got = self.headers.get("X-Searchsvc-Signature", "")
                    receiver.received.append(Received(self.path, dict(self.headers), body,
                                                      hmac.compare_digest(expected, got)))
                    receiver.statuses.append(status)
                    receiver.changed.notify_all()
                if hold:
                    receiver.holding.set()
                    receiver.release.wait(WAIT)
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.release.set()
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def accepted(self) -> list[Received]:
        """The requests answered 2xx."""
        with self.changed:
            return [r for r, s in zip(self.received, self.statuses) if 200 <= s < 300]

    def wait_for(self, count: int, timeout: float = WAIT) -> list[Received]:
        with self.changed:
            if not self.changed.wait_for(lambda: len(self.received) >= count, timeout):
                raise AssertionError(f"expected {count} webhook requests, got {len(self.received)}")
            return list(self.received)


def write_config(folder: Path, *, index_dir: Path, corpus: list[Path] | None = None, **alerts) -> Path:
    """A config.toml in `folder` for an index at `index_dir` with these [alerts] settings; returns its path."""
    lines = ["[corpus]", f"paths = {json.dumps([str(p) for p in (corpus or [DATA / 'base'])])}",
             "[index]", f"dir = {json.dumps(str(index_dir))}",
             "[search]", "time_budget_ms = 60000    # a loaded test machine is not an expensive query",
             "[alerts]"]
    defaults = {"public_base_url": "http://search.example.org", "batch_limit": 2, "webhook_backoff_ms": 1,
                "webhook_timeout": 5, "smtp_timeout": 5, "lock_timeout": 30}
    for key, value in {**defaults, **alerts}.items():
        lines.append(f"{key} = {json.dumps(value)}")
    path = folder / "config.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def wildfire_turn_ids(conference_file: str) -> list[str]:
    """The ids of the fixture's turns that mention "wildfire", read by the real parser."""
    from searchsvc.ingest import parse_paths

    result = parse_paths([DATA / conference_file])
    return [f"{c.id}-{t.seq}" for c in result.conferences for t in c.turns
            if "wildfire" in (t.question + " " + t.answer).lower()]
