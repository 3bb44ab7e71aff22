"""After a call: the summary emails and the signed call.ended webhook go out once each,
through outbox rows that retry what failed and that staff can re-send or cancel."""

from __future__ import annotations

import datetime as dt
import smtplib
from collections.abc import Iterator
from email import message_from_bytes
from unittest import mock

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client
from django.utils import timezone
from pytest_django import Settings

from agents.models import Agent
from appointments.models import Appointment, AppointmentStatus
from calls.models import CallLog
from calls.services import call_summary_enqueue, call_summary_make
from notifications.models import DeliveryAttempt, OutboxKind, OutboxMessage, OutboxStatus
from notifications.services import outbox_cancel, outbox_due, outbox_resend, outbox_send
from notifications.tests.fake_webhook import FakeWebhookReceiver
from notifications.webhooks import SignatureInvalid, signature_header, signature_verify
from voiceagent import background, embedded_beat

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def receiver(agent: Agent) -> Iterator[FakeWebhookReceiver]:
    fake = FakeWebhookReceiver(secret=agent.webhook_secret.reveal())
    agent.webhook_url = fake.url
    agent.summary_recipients = "team@example.com, boss@example.com"
    agent.save()
    yield fake
    fake.close()


def _summarise(call: CallLog) -> None:
    call_summary_make(call_id=str(call.pk))
    assert background.wait_idle()


def _messages(call: CallLog) -> dict[str, OutboxMessage]:
    return {message.topic: message for message in OutboxMessage.objects.filter(call=call)}


def test_a_summarised_call_emails_the_caller_and_the_team_and_posts_call_ended(
    call: CallLog, receiver: FakeWebhookReceiver
) -> None:
    _summarise(call)

    messages = _messages(call)
    assert set(messages) == {"summary.caller", "summary.team", "call.ended"}
    assert all(message.status == OutboxStatus.SENT for message in messages.values())
    assert {tuple(email.to) for email in mail.outbox} == {
        ("ada@example.com",),
        ("team@example.com", "boss@example.com"),
    }
    caller = next(email for email in mail.outbox if email.to == ["ada@example.com"])
    call.refresh_from_db()
    assert call.summary and call.summary in caller.body
    assert "Hello Ada Lovelace" in caller.body
    html = caller.alternatives[0]  # type: ignore[attr-defined]
    assert html.mimetype == "text/html" and "<b>" not in html.content  # caller text escaped
    assert caller.extra_headers["Message-ID"] == f"<{messages['summary.caller'].pk}@localhost>"
    team = next(email for email in mail.outbox if "team@example.com" in email.to)
    assert team.reply_to == ["ada@example.com"]
    assert f"/admin/calls/calllog/{call.pk}/change/" in team.body

    (delivery,) = receiver.acknowledged()
    assert receiver.refused == []  # the signature checked out
    assert delivery.event == "call.ended"
    assert delivery.delivery_id == str(messages["call.ended"].pk)
    body = delivery.body
    assert body["id"] == delivery.delivery_id and body["type"] == "call.ended"
    assert body["data"]["call"]["id"] == str(call.pk)
    assert body["data"]["call"]["summary"] == call.summary
    assert body["data"]["call"]["outcome"] == call.outcome
    assert body["data"]["contact"]["email"] == "ada@example.com"
    assert body["data"]["appointment"] is None
    assert body["data"]["agent"]["id"] == call.agent.public_id
    attempt = DeliveryAttempt.objects.get(message=messages["call.ended"])
    assert attempt.ok and attempt.status_code == 200 and '"received"' in attempt.response_excerpt


def test_the_caller_email_carries_the_booked_appointment_and_its_ics(
    call: CallLog, receiver: FakeWebhookReceiver
) -> None:
    start = timezone.now().replace(microsecond=0) + dt.timedelta(days=3)
    service = call.agent.services.first()
    assert service is not None
    appointment = Appointment.objects.create(
        agent=call.agent,
        call=call,
        service=service,
        service_name=service.name,
        start_at=start,
        end_at=start + dt.timedelta(minutes=30),
        timezone="Europe/London",
        status=AppointmentStatus.CONFIRMED,
        idempotency_key="k-ics",
    )
    _summarise(call)

    caller = next(email for email in mail.outbox if email.to == ["ada@example.com"])
    assert caller.subject == f"Your {service.name} appointment with {call.agent.name}"
    assert f"/appointments/{appointment.pk}.ics" in caller.body
    ((filename, content, mimetype),) = caller.attachments
    assert filename == f"appointment-{appointment.pk}.ics" and mimetype == "text/calendar"
    assert f"UID:{appointment.pk}@voiceagent" in content
    assert f"DTSTART:{start.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}" in content
    # The attachment survives the trip through a real MIME message.
    parsed = message_from_bytes(caller.message().as_bytes())
    parts = [part.get_content_type() for part in parsed.walk()]
    assert "text/calendar" in parts and "text/html" in parts
    (delivery,) = receiver.acknowledged()
    assert delivery.body["data"]["appointment"]["id"] == str(appointment.pk)


def test_what_the_agent_turned_off_is_not_sent(call: CallLog, agent: Agent) -> None:
    agent.email_caller_summary = False
    agent.summary_recipients = ""
    agent.webhook_url = ""
    agent.save()
    _summarise(call)
    assert OutboxMessage.objects.count() == 0
    assert mail.outbox == []


def test_each_follow_up_is_sent_once_whatever_runs_twice(
    call: CallLog, receiver: FakeWebhookReceiver
) -> None:
    _summarise(call)
    # The summary asked for again, the task delivered twice, the beat's sweep: no repeat.
    call_summary_enqueue(call_id=str(call.pk), again=True)
    _summarise(call)
    for message in OutboxMessage.objects.all():
        assert outbox_send(message_id=str(message.pk)).status == "skipped"
    outbox_due(now=timezone.now() + dt.timedelta(hours=1))
    assert background.wait_idle()
    assert OutboxMessage.objects.count() == 3
    assert len(mail.outbox) == 2
    assert len(receiver.deliveries) == 1


def test_a_busy_endpoint_is_retried_after_its_retry_after(
    call: CallLog, receiver: FakeWebhookReceiver
) -> None:
    receiver.answers.append((503, {"Retry-After": "120"}))
    before = timezone.now()
    _summarise(call)

    message = OutboxMessage.objects.get(topic="call.ended")
    assert message.status == OutboxStatus.PENDING and message.attempts == 1
    assert message.last_error == "HTTP 503 from the endpoint."
    assert message.next_attempt_at is not None
    assert message.next_attempt_at >= before + dt.timedelta(seconds=120)
    # Not due yet: the sweep leaves it; once due, it goes.
    assert outbox_due(now=message.next_attempt_at - dt.timedelta(seconds=1)) == 0
    assert outbox_due(now=message.next_attempt_at + dt.timedelta(seconds=1)) == 1
    assert background.wait_idle()
    # outbox_due only queued the task; the task itself sends when the message is due.
    assert outbox_send(message_id=str(message.pk), now=message.next_attempt_at).status == "sent"
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT and message.attempts == 2
    assert [d.status for d in receiver.deliveries] == [503, 200]
    assert receiver.deliveries[0].delivery_id == receiver.deliveries[1].delivery_id
    log = list(DeliveryAttempt.objects.filter(message=message).order_by("started_at"))
    assert [(a.ok, a.status_code) for a in log] == [(False, 503), (True, 200)]


def test_a_refusing_endpoint_is_not_retried(call: CallLog, receiver: FakeWebhookReceiver) -> None:
    receiver.answers.append((422, {}))
    _summarise(call)
    message = OutboxMessage.objects.get(topic="call.ended")
    assert message.status == OutboxStatus.FAILED and message.attempts == 1
    assert outbox_due(now=timezone.now() + dt.timedelta(days=1)) == 0


def test_an_unreachable_endpoint_is_retried_until_the_last_attempt(
    call: CallLog, agent: Agent
) -> None:
    agent.webhook_url = "http://127.0.0.1:9/hooks"  # nothing listens there
    agent.save()
    _summarise(call)
    message = OutboxMessage.objects.get(topic="call.ended")
    assert message.status == OutboxStatus.PENDING
    assert "Could not reach the endpoint" in message.last_error
    OutboxMessage.objects.filter(pk=message.pk).update(max_attempts=2)
    later = timezone.now() + dt.timedelta(hours=2)
    assert outbox_send(message_id=str(message.pk), now=later).status == "failed"
    message.refresh_from_db()
    assert message.status == OutboxStatus.FAILED and message.attempts == 2


def test_email_failures_retry_only_when_the_server_says_later(call: CallLog, agent: Agent) -> None:
    agent.webhook_url = ""
    agent.summary_recipients = ""
    agent.save()
    refused = smtplib.SMTPRecipientsRefused({"ada@example.com": (550, b"No such user")})
    with mock.patch("notifications.services.email_send", side_effect=refused):
        _summarise(call)
    message = OutboxMessage.objects.get(topic="summary.caller")
    assert message.status == OutboxStatus.FAILED and "SMTPRecipientsRefused" in message.last_error

    outbox_resend(message_ids=[str(message.pk)])
    with mock.patch(
        "notifications.services.email_send",
        side_effect=smtplib.SMTPServerDisconnected("Connection unexpectedly closed"),
    ):
        assert background.wait_idle()
    message.refresh_from_db()
    assert message.status == OutboxStatus.PENDING and message.attempts == 1
    assert message.next_attempt_at is not None
    assert outbox_send(message_id=str(message.pk), now=message.next_attempt_at).status == "sent"
    assert [email.to for email in mail.outbox] == [["ada@example.com"]]


def test_a_message_held_by_a_lost_sender_is_taken_again_after_its_claim(
    call: CallLog, receiver: FakeWebhookReceiver
) -> None:
    receiver.answers.append((500, {}))
    _summarise(call)
    message = OutboxMessage.objects.get(topic="call.ended")
    now = timezone.now()
    # A sender claimed it and died (SIGKILL): the row says "sending" until the claim ends.
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=OutboxStatus.SENDING, claimed_until=now + dt.timedelta(seconds=60)
    )
    assert outbox_send(message_id=str(message.pk), now=now).status == "skipped"
    assert outbox_due(now=now) == 0
    after_claim = now + dt.timedelta(seconds=61)
    assert outbox_send(message_id=str(message.pk), now=after_claim).status == "sent"
    assert len(receiver.acknowledged()) == 1


def test_staff_send_again_and_cancel_from_the_admin(
    call: CallLog, receiver: FakeWebhookReceiver, owner: User
) -> None:
    _summarise(call)
    hook = OutboxMessage.objects.get(topic="call.ended")
    client = Client()
    client.force_login(owner)

    page = client.get(f"/admin/notifications/outboxmessage/{hook.pk}/change/")
    assert page.status_code == 200
    assert b"call.ended" in page.content and b"Delivery attempts" in page.content

    response = client.post(
        "/admin/notifications/outboxmessage/",
        {"action": "send_again", "_selected_action": [str(hook.pk)]},
    )
    assert response.status_code == 302
    assert background.wait_idle()
    assert len(receiver.acknowledged()) == 2
    assert {d.delivery_id for d in receiver.deliveries} == {str(hook.pk)}

    # A message waiting for its retry can be cancelled; a sent one stays sent.
    receiver.answers.append((503, {}))
    outbox_resend(message_ids=[str(hook.pk)])
    assert background.wait_idle()
    hook.refresh_from_db()
    assert hook.status == OutboxStatus.PENDING
    client.post(
        "/admin/notifications/outboxmessage/",
        {"action": "cancel", "_selected_action": [str(hook.pk)]},
    )
    hook.refresh_from_db()
    assert hook.status == OutboxStatus.CANCELLED
    assert outbox_due(now=timezone.now() + dt.timedelta(days=1)) == 0
    email = OutboxMessage.objects.get(topic="summary.team")
    assert outbox_cancel(message_ids=[str(email.pk)]) == 0  # already sent


def test_the_embedded_beat_sends_what_is_due(
    call: CallLog, receiver: FakeWebhookReceiver, settings: Settings
) -> None:
    receiver.answers.append((503, {"Retry-After": "0"}))
    _summarise(call)
    message = OutboxMessage.objects.get(topic="call.ended")
    OutboxMessage.objects.filter(pk=message.pk).update(
        next_attempt_at=timezone.now() - dt.timedelta(seconds=1)
    )
    settings.CELERY_TASK_ALWAYS_EAGER = True
    ran = embedded_beat.run_due(now=1e9)
    assert "send-due-outbox" in ran
    assert background.wait_idle()
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT
    settings.CELERY_TASK_ALWAYS_EAGER = False
    assert embedded_beat.run_due(now=2e9) == []  # a broker: celery beat keeps the schedule


def test_purging_a_call_purges_its_follow_ups(call: CallLog, receiver: FakeWebhookReceiver) -> None:
    _summarise(call)
    assert OutboxMessage.objects.filter(kind=OutboxKind.EMAIL).count() == 2
    call.delete()
    assert OutboxMessage.objects.count() == 0


def test_signatures_are_checked_as_receivers_check_them() -> None:
    body = b'{"type":"call.ended"}'
    header = signature_header("whsec_x", 1_700_000_000, body)
    assert signature_verify(secret="whsec_x", header=header, body=body, now=1_700_000_100) == (
        1_700_000_000
    )
    with pytest.raises(SignatureInvalid, match="does not match"):
        signature_verify(secret="whsec_x", header=header, body=body + b" ", now=1_700_000_100)
    with pytest.raises(SignatureInvalid, match="does not match"):
        signature_verify(secret="whsec_y", header=header, body=body, now=1_700_000_100)
    with pytest.raises(SignatureInvalid, match="too old"):
        signature_verify(secret="whsec_x", header=header, body=body, now=1_700_001_000)
    with pytest.raises(SignatureInvalid, match="No timestamp"):
        signature_verify(secret="whsec_x", header="v1=abc", body=body)
    rotated = header + ",v1=" + "0" * 64
    assert signature_verify(secret="whsec_x", header=rotated, body=body, now=1_700_000_000)


def test_every_agent_has_its_own_secret(owner: User) -> None:
    first = Agent.objects.create(owner=owner, name="One", instructions="x")
    second = Agent.objects.create(owner=owner, name="Two", instructions="x")
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.webhook_secret.reveal().startswith("whsec_")
    assert first.webhook_secret != second.webhook_secret
    # Never printed by accident, and a load does not decrypt (a wrong key fails on use).
    assert "whsec_" not in f"{first.webhook_secret} {first.webhook_secret!r}"


def test_the_documented_verification_snippet_accepts_ours_and_refuses_a_forgery() -> None:
    import re
    import time
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "webhooks.md").read_text()
    (snippet,) = re.findall(r"```python\n(.*?)```", doc, flags=re.S)
    namespace: dict[str, object] = {}
    exec(compile(snippet, "docs/webhooks.md", "exec"), namespace)  # noqa: S102 (our own doc)
    verify = namespace["verify"]
    body = b'{"id":"d1","type":"call.ended"}'
    header = signature_header("whsec_doc", int(time.time()), body)
    verify("whsec_doc", header, body)  # type: ignore[operator]
    with pytest.raises(ValueError, match="bad signature"):
        verify("whsec_doc", header, body.replace(b"d1", b"d2"))  # type: ignore[operator]
    with pytest.raises(ValueError, match="stale"):
        verify("whsec_doc", signature_header("whsec_doc", 1_600_000_000, body), body)  # type: ignore[operator]


def test_a_lost_encryption_key_stops_webhooks_not_calls(
    call: CallLog, receiver: FakeWebhookReceiver, settings: Settings
) -> None:
    from cryptography.fernet import Fernet

    from agents.selectors import agent_get_active

    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]  # not the one used
    # The call path loads the agent without touching its secret.
    assert agent_get_active(public_id=call.agent.public_id) is not None
    _summarise(call)
    message = OutboxMessage.objects.get(topic="call.ended")
    assert message.status == OutboxStatus.PENDING  # retried once the key is back
    assert "could not be decrypted" in message.last_error
    assert receiver.deliveries == []
    assert len(mail.outbox) == 2  # emails need no key


def test_the_embedded_beat_runs_tasks_this_process_never_imported(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys
    import warnings

    from celery import current_app
    from celery.exceptions import CeleryWarning

    settings.CELERY_TASK_ALWAYS_EAGER = True
    name = "appointments.tasks.appointments_calendar_resume_task"
    # As in a server process that never sent an appointments task (restored afterwards).
    monkeypatch.delitem(current_app.tasks, name)
    monkeypatch.delitem(sys.modules, "appointments.tasks")
    with warnings.catch_warnings():
        # Importing the module again registers its tasks again: expected here.
        warnings.simplefilter("ignore", CeleryWarning)
        assert "resume-calendar-events" in embedded_beat.run_due(now=3e9)
    assert name in current_app.tasks


def test_a_sender_lost_on_every_attempt_ends_failed_not_retried_for_ever(
    call: CallLog, receiver: FakeWebhookReceiver
) -> None:
    receiver.answers.append((500, {}))
    _summarise(call)
    message = OutboxMessage.objects.get(topic="call.ended")
    assert message.attempts == 1
    later = timezone.now() + dt.timedelta(days=1)
    # Claimed on its last attempt by a sender that then died (SIGKILL, time limit).
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=OutboxStatus.SENDING,
        attempts=message.max_attempts,
        claimed_until=later - dt.timedelta(seconds=1),
    )
    assert outbox_send(message_id=str(message.pk), now=later).status == "skipped"
    outbox_due(now=later)
    message.refresh_from_db()
    assert message.status == OutboxStatus.FAILED and "lost" in message.last_error


def test_a_refused_smtp_login_is_retried_not_failed(call: CallLog, agent: Agent) -> None:
    agent.webhook_url = ""
    agent.summary_recipients = ""
    agent.save()
    refused = smtplib.SMTPAuthenticationError(535, b"5.7.8 Authentication credentials invalid")
    with mock.patch("notifications.services.email_send", side_effect=refused):
        _summarise(call)
    message = OutboxMessage.objects.get(topic="summary.caller")
    assert message.status == OutboxStatus.PENDING and message.next_attempt_at is not None


def test_a_template_that_fails_to_render_keeps_the_summary_and_says_why(
    call: CallLog, receiver: FakeWebhookReceiver
) -> None:
    from django.template import TemplateSyntaxError

    with mock.patch(
        "notifications.services.email_render", side_effect=TemplateSyntaxError("bad tag")
    ):
        _summarise(call)
    call.refresh_from_db()
    assert call.summary_status == "done" and call.summary
    assert "could not be queued: TemplateSyntaxError: bad tag" in call.summary_error
    assert OutboxMessage.objects.count() == 0  # all or nothing: no half-queued follow-ups


def test_staff_see_only_their_own_agents_and_messages(
    call: CallLog, receiver: FakeWebhookReceiver, django_user_model: type[User]
) -> None:
    from django.contrib.auth.models import Permission

    _summarise(call)
    staff = django_user_model.objects.create_user(
        username="other", password="not-used-1", is_staff=True
    )
    staff.user_permissions.set(Permission.objects.filter(codename="view_outboxmessage"))
    mine = Agent.objects.create(owner=staff, name="Other desk", instructions="x")
    client = Client()
    client.force_login(staff)
    page = client.get("/admin/notifications/outboxmessage/").content.decode()
    assert mine.name in page  # the agent filter offers their own agent...
    assert call.agent.name not in page  # ...and neither the other owner's agent...
    assert "call.ended" not in page  # ...nor that owner's messages
    hook = OutboxMessage.objects.get(topic="call.ended")
    assert client.get(f"/admin/notifications/outboxmessage/{hook.pk}/change/").status_code in (
        302,
        404,
    )
