"""Alerts stage: sending one message: an email over SMTP (plain, STARTTLS or TLS) or a signed webhook POST.

Each send either returns (the server accepted: SMTP queued the mail, or the webhook answered 2xx) or raises
DeliveryError with what went wrong; the caller marks turns delivered only after a return.
"""

from __future__ import annotations

import os
import smtplib
import ssl
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from ..config import AlertsSettings
from .errors import DeliveryError
from .messages import SIGNATURE_HEADER, sign

USER_AGENT = "searchsvc-alerts/1"
RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})


def smtp_password(settings: AlertsSettings) -> str | None:
    """The SMTP password from the environment variable the config names (never from the file)."""
    if not settings.smtp_user:
        return None
    password = os.environ.get(settings.smtp_password_env, "")
    if not password:
        raise DeliveryError(f"SMTP user {settings.smtp_user!r} is set but the environment variable "
                            f"{settings.smtp_password_env} holding the password is empty")
    return password


def send_email(settings: AlertsSettings, msg: EmailMessage) -> None:
    """Hand `msg` to the configured SMTP server; DeliveryError unless it accepted the recipient."""
    password = smtp_password(settings)
    context = ssl.create_default_context()
    where = f"{settings.smtp_host}:{settings.smtp_port}"
    try:
        if settings.smtp_security == "tls":
            client: smtplib.SMTP = smtplib.SMTP_SSL(settings.smtp_host, settings.smtp_port,
                                                    timeout=settings.smtp_timeout, context=context)
        else:
            client = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout)
        with client:
            if settings.smtp_security == "starttls":
                client.starttls(context=context)
            if password is not None:
                client.login(settings.smtp_user, password)
            refused = client.send_message(msg)
    except smtplib.SMTPResponseException as exc:
        raise DeliveryError(f"SMTP {where} answered {exc.smtp_code}: {_text(exc.smtp_error)}") from None
    except smtplib.SMTPRecipientsRefused as exc:
        raise DeliveryError(f"SMTP {where} refused {', '.join(exc.recipients)}") from None
    except (smtplib.SMTPException, OSError, ssl.SSLError) as exc:
        raise DeliveryError(f"SMTP {where}: {exc or type(exc).__name__}") from None
    if refused:
        raise DeliveryError(f"SMTP {where} refused {', '.join(refused)}")


def _text(raw: bytes | str) -> str:
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer that is not 2xx: never re-send (as GET or elsewhere) what was signed for one URL."""

    def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any,  # urllib's hook
                         newurl: str) -> None:
        return None


@dataclass(frozen=True)
class WebhookAnswer:
    status: int
    attempts: int


def post_webhook(settings: AlertsSettings, url: str, secret: str, body: bytes, *, test: bool = False) -> WebhookAnswer:
    """POST `body` signed with `secret`; retries timeouts, connection errors, 408/425/429/5xx with exponential
    backoff (webhook_retries more attempts). Returns on 2xx; raises DeliveryError with the last failure."""
    opener = urllib.request.build_opener(_NoRedirects())
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT,
               SIGNATURE_HEADER: sign(secret, body)}
    if test:
        headers["X-Searchsvc-Test"] = "1"
    attempts = settings.webhook_retries + 1
    last = ""
    for attempt in range(1, attempts + 1):
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        try:
            with opener.open(request, timeout=settings.webhook_timeout) as resp:
                resp.read(65536)
                status = resp.status
        except urllib.error.HTTPError as exc:
            status = exc.code
            exc.close()
        except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            last, status = f"webhook {url}: {reason or type(exc).__name__}", 0
        if 200 <= status < 300:
            return WebhookAnswer(status, attempt)
        if status:
            last = f"webhook {url} answered HTTP {status}"
            if status not in RETRY_STATUSES:
                break
        if attempt < attempts:
            time.sleep(settings.webhook_backoff_ms / 1000 * 2 ** (attempt - 1))
    tried = f" (after {attempt} attempt{'s' if attempt > 1 else ''})"
    raise DeliveryError(last + tried)
