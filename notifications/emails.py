"""Emails of the outbox: rendered from templates when queued, sent from the stored payload.

Rendering when the row is written (not when it is sent) keeps what was decided at that
moment: a retry, or a re-send from the admin a week later, sends the same email.
Templates live in ``templates/emails/`` (``<name>_subject.txt``, ``<name>.txt``,
``<name>.html``); a business overrides them by putting its own earlier in
``TEMPLATES['DIRS']``.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string

# Refusals that trying again cannot change: every recipient refused, or the message itself
# (5xx after DATA). A refused login or sender is our configuration: retried, so the emails
# go out once it is fixed instead of failing one by one.
PERMANENT_SMTP = (smtplib.SMTPRecipientsRefused,)


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: str
    mimetype: str

    def as_json(self) -> dict[str, str]:
        return {"filename": self.filename, "content": self.content, "mimetype": self.mimetype}


def email_render(
    template: str,
    context: dict[str, Any],
    *,
    to: list[str],
    attachments: tuple[Attachment, ...] = (),
    reply_to: list[str] | None = None,
) -> dict[str, Any]:
    """The outbox payload of an email: subject, plain text, HTML and attachments."""
    subject = " ".join(render_to_string(f"emails/{template}_subject.txt", context).split())
    return {
        "to": to,
        "reply_to": reply_to or [],
        "subject": subject[:250],
        "text": render_to_string(f"emails/{template}.txt", context).strip() + "\n",
        "html": render_to_string(f"emails/{template}.html", context),
        "attachments": [attachment.as_json() for attachment in attachments],
    }


def message_id(outbox_id: str) -> str:
    """The same Message-ID on every attempt: a mail system that got the email twice (a
    crash between the SMTP server's OK and our record of it) shows it once."""
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip(" >") or "localhost"
    return f"<{outbox_id}@{domain}>"


def email_send(payload: dict[str, Any], *, outbox_id: str) -> None:
    """Sends one email; raises what the backend raises (the caller classifies it)."""
    message = EmailMultiAlternatives(
        subject=payload["subject"],
        body=payload["text"],
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=payload["to"],
        reply_to=payload.get("reply_to") or None,
        headers={"Message-ID": message_id(outbox_id), "X-Voiceagent-Outbox": outbox_id},
        connection=get_connection(timeout=settings.EMAIL_TIMEOUT),
    )
    if payload.get("html"):
        message.attach_alternative(payload["html"], "text/html")
    for attachment in payload.get("attachments", []):
        message.attach(attachment["filename"], attachment["content"], attachment["mimetype"])
    message.send(fail_silently=False)


def email_failure_is_permanent(error: BaseException) -> bool:
    if isinstance(error, PERMANENT_SMTP):
        return True
    # 5xx replies are permanent failures in SMTP (RFC 5321 4.2.1); 4xx are "try later".
    return isinstance(error, smtplib.SMTPDataError) and error.smtp_code >= 500
