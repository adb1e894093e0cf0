"""Alerts stage: the messages an alert sends: the webhook's signed JSON body, the email's text and HTML parts."""

from __future__ import annotations

import hashlib
import hmac
import html
import json
import re
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any
from urllib.parse import quote

from .model import Alert

SIGNATURE_HEADER = "X-Searchsvc-Signature"
SNIPPET_CHARS = 240
_WORD_RE = re.compile(r"[^\W_]+", re.UNICODE)
_FIELD_RE = re.compile(r"\b\w+:")
_OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"}


def turn_url(base_url: str, turn_id: str) -> str:
    """The permalink of a turn on the public site."""
    return f"{base_url.rstrip('/')}/turns/{quote(turn_id, safe='')}"


def sign(secret: str, body: bytes) -> str:
    """The X-Searchsvc-Signature value: 'sha256=' + hex HMAC-SHA256 of the body under the alert's secret."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def webhook_turn(turn: dict[str, Any], base_url: str) -> dict[str, Any]:
    return {
        "id": turn["id"], "url": turn_url(base_url, turn["id"]), "date": turn["date"],
        "conference_title": turn.get("conference_title", ""), "outlet": turn.get("outlet", ""),
        "speakers": list(turn.get("speakers", [])), "question": turn.get("question", ""),
        "answer": turn.get("answer", ""),
    }


def webhook_body(alert: Alert, turns: list[dict[str, Any]], base_url: str) -> bytes:
    """The POST body: {"alert": {id, name, query, filters}, "turns": [...]} as compact UTF-8 JSON."""
    payload = {
        "alert": {"id": alert.id, "name": alert.name, "query": alert.query, "filters": alert.filters},
        "turns": [webhook_turn(t, base_url) for t in turns],
    }
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def query_words(query: str) -> list[str]:
    """The words of a query worth finding in a snippet (no operators, field names or wildcards)."""
    text = _FIELD_RE.sub(" ", query)
    return [w.casefold() for w in _WORD_RE.findall(text) if w not in _OPERATORS and len(w) > 1]


def snippet(turn: dict[str, Any], query: str, chars: int = SNIPPET_CHARS) -> str:
    """About `chars` characters of the turn around the first word of the query it has (else its start)."""
    words = query_words(query)
    for text in (turn.get("answer", ""), turn.get("question", "")):
        folded = text.casefold()
        hits = [m.start() for w in words for m in [re.search(r"\b" + re.escape(w), folded)] if m]
        if hits:
            return _window(text, min(hits), chars)
    return _window(turn.get("answer") or turn.get("question", ""), 0, chars)


def _window(text: str, at: int, chars: int) -> str:
    text = " ".join(text.split()) if len(text) < 4 * chars else text
    start = max(0, at - chars // 3)
    if start:
        space = text.rfind(" ", 0, start)
        start = space + 1 if space >= 0 and start - space < 30 else start
    end = min(len(text), start + chars)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start + chars // 2 else end
    piece = " ".join(text[start:end].split())
    return ("… " if start else "") + piece + (" …" if end < len(text) else "")


def _marked(text: str, words: list[str]) -> str:
    """`text` escaped for HTML, with the query's words (as prefixes) in <mark>."""
    if not words:
        return html.escape(text)
    pattern = re.compile(r"\b(" + "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))
                         + r")\w*", re.IGNORECASE)
    out, last = [], 0
    for m in pattern.finditer(text):
        out.append(html.escape(text[last:m.start()]))
        out.append("<mark>" + html.escape(m.group(0)) + "</mark>")
        last = m.end()
    out.append(html.escape(text[last:]))
    return "".join(out)


def _who(turn: dict[str, Any]) -> tuple[str, str]:
    if not turn.get("question"):
        asked = "nobody (a statement)"
    else:
        asked = turn.get("outlet") or "a reporter (outlet not given)"
    answered = ", ".join(turn.get("speakers", [])) or "(not given)"
    return asked, answered


def unsubscribe_line(alert: Alert) -> str:
    return f"To stop this alert, run: searchsvc alerts remove {alert.id}"


def email_subject(alert: Alert, count: int, test: bool = False) -> str:
    prefix = "[searchsvc test] " if test else "[searchsvc] "
    return f"{prefix}{alert.name}: {count} new turn{'s' if count != 1 else ''}"


def email_text(alert: Alert, turns: list[dict[str, Any]], base_url: str) -> str:
    lines = [f"New turns for your alert “{alert.name}” (query: {alert.query or '(none)'}).", ""]
    for t in turns:
        asked, answered = _who(t)
        lines += [f"{t['date']} · {t.get('conference_title', '')}",
                  f"Asked by: {asked}", f"Answered by: {answered}",
                  snippet(t, alert.query), turn_url(base_url, t["id"]), ""]
    lines += ["-- ", unsubscribe_line(alert)]
    return "\n".join(lines) + "\n"


def email_html(alert: Alert, turns: list[dict[str, Any]], base_url: str) -> str:
    words = query_words(alert.query)
    items = []
    for t in turns:
        asked, answered = _who(t)
        url = html.escape(turn_url(base_url, t["id"]), quote=True)
        items.append(
            "<li style=\"margin-bottom:1em\">"
            f"<div><strong>{html.escape(t['date'])}</strong> · {html.escape(t.get('conference_title', ''))}</div>"
            f"<div>Asked by: {html.escape(asked)} · Answered by: {html.escape(answered)}</div>"
            f"<blockquote style=\"margin:.3em 0 .3em 1em\">{_marked(snippet(t, alert.query), words)}</blockquote>"
            f"<div><a href=\"{url}\">{url}</a></div></li>")
    return (
        "<!doctype html><html><body>"
        f"<p>New turns for your alert “{html.escape(alert.name)}” "
        f"(query: <code>{html.escape(alert.query or '(none)')}</code>).</p>"
        f"<ol>{''.join(items)}</ol>"
        f"<hr><p style=\"color:#555\">{html.escape(unsubscribe_line(alert))}</p>"
        "</body></html>")


def email_message(alert: Alert, turns: list[dict[str, Any]], *, sender: str, base_url: str,
                  test: bool = False) -> EmailMessage:
    """A multipart/alternative mail to the alert's address listing `turns` (plain text first, then HTML)."""
    msg = EmailMessage()
    msg["Subject"] = email_subject(alert, len(turns), test)
    msg["From"] = sender
    msg["To"] = alert.target
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-Searchsvc-Alert"] = str(alert.id)
    msg.set_content(email_text(alert, turns, base_url))
    msg.add_alternative(email_html(alert, turns, base_url), subtype="html")
    return msg
