"""A whole call with the offline engine, through the real consumer."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from channels.testing import WebsocketCommunicator
from pytest_django import Settings

from agents.models import Agent
from calls.models import CallLog
from contacts.models import Contact
from voiceagent import background
from voiceagent.asgi import application

pytestmark = [pytest.mark.django_db(transaction=True)]


async def receive_until(
    communicator: WebsocketCommunicator, kind: str, *, timeout: float = 5
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    seen: list[dict[str, Any]] = []
    while True:
        message = json.loads(await communicator.receive_from(timeout=timeout))
        seen.append(message)
        if message["type"] == kind:
            return message, seen


async def test_offline_agent_captures_name_email_and_phone(
    agent: Agent, settings: Settings
) -> None:
    settings.VOICEAGENT_ENGINE = "offline"
    settings.OPENAI_API_KEY = ""
    communicator = WebsocketCommunicator(
        application, "/ws/calls/front-desk/", headers=[(b"host", b"localhost")]
    )
    connected, _ = await communicator.connect()
    assert connected
    ready, _ = await receive_until(communicator, "ready")
    _, seen = await receive_until(communicator, "response_done")
    assert any(m["type"] == "audio" for m in seen)

    await communicator.send_to(
        text_data=json.dumps({"type": "text", "text": "Hi, my name is Ada Lovelace"})
    )
    info, _ = await receive_until(communicator, "user_info")
    assert info["user_info"]["name"] == "Ada Lovelace"
    await communicator.send_to(text_data=json.dumps({"type": "text", "text": "ada@example.com"}))
    info, _ = await receive_until(communicator, "user_info")
    assert info["user_info"]["email"] == "ada@example.com"
    await communicator.send_to(text_data=json.dumps({"type": "text", "text": "+44 20 7183 8750"}))
    info, _ = await receive_until(communicator, "user_info")
    assert info["user_info"]["phone"] == "+442071838750"
    saved, _ = await receive_until(communicator, "contact_saved")
    assert saved["contact"]["email"] == "ada@example.com"
    await communicator.send_to(text_data=json.dumps({"type": "text", "text": "that's all, bye"}))
    ended, _ = await receive_until(communicator, "ended", timeout=20)
    assert ended["reason"] == "agent_ended"
    await communicator.disconnect()
    call = await CallLog.objects.aget(pk=ready["call_id"])
    assert call.status == "completed" and call.end_reason == "agent_ended"
    assert call.user_info["email"] == "ada@example.com"
    contact = await Contact.objects.aget()
    assert (contact.name, contact.email, contact.phone) == (
        "Ada Lovelace",
        "ada@example.com",
        "+442071838750",
    )
    assert call.contact_id == contact.pk
    texts = [t async for t in call.turns.order_by("seq").values_list("role", "text")]
    assert texts[0][0] == "assistant"

    # The embedded default summarises the call after it ends, with no model.
    assert await asyncio.to_thread(background.wait_idle)
    await call.arefresh_from_db()
    assert (call.summary_status, call.outcome, call.summary_model) == (
        "done",
        "contact_captured",
        "extractive",
    )
    assert call.summary.startswith("Ada Lovelace called Front desk")
    assert "ada@example.com" in call.summary
    # ...and emails it: to the caller, who gave an address, and to the demo's owner.
    from django.core import mail

    recipients = sorted(tuple(message.to) for message in mail.outbox)
    assert recipients == [("ada@example.com",), ("owner@example.com",)]
    assert all(call.summary in message.body for message in mail.outbox)


async def test_offline_agent_books_an_appointment(
    agent: Agent, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from appointments.models import Appointment
    from appointments.tests.test_booking import next_weekday
    from calls.consumers.base import CallConsumer

    # The tool's record is slow to store (a busy database): the caller's hang-up below
    # lands while it is being written.
    save_tool = CallConsumer.save_tool

    async def slow_save_tool(self: CallConsumer, record: Any) -> None:
        await asyncio.sleep(0.3)
        await save_tool(self, record)

    monkeypatch.setattr(CallConsumer, "save_tool", slow_save_tool)

    settings.VOICEAGENT_ENGINE = "offline"
    # As `PORT=8123 make run` configures it: the widget's .ics link is on that port.
    settings.PUBLIC_BASE_URL = ""
    settings.DEV_BASE_URL = "http://127.0.0.1:8123"
    wednesday = next_weekday(2, 14)
    communicator = WebsocketCommunicator(
        application, "/ws/calls/front-desk/", headers=[(b"host", b"localhost")]
    )
    assert (await communicator.connect())[0]
    await receive_until(communicator, "ready")
    await receive_until(communicator, "response_done")
    say = lambda text: communicator.send_to(text_data=json.dumps({"type": "text", "text": text}))  # noqa: E731
    await say(f"I would like to book a consultation on {wednesday:%Y-%m-%d}")
    offer, _ = await receive_until(communicator, "transcript", timeout=10)
    while not (
        offer["role"] == "assistant" and offer["final"] and "Which would you like" in offer["text"]
    ):
        offer, _ = await receive_until(communicator, "transcript", timeout=10)
    assert "9:00 AM" in offer["text"]  # a US English agent: the 12-hour clock
    await say(f"{wednesday:%Y-%m-%d} at 14:00 please")
    booked, _ = await receive_until(communicator, "appointment", timeout=10)
    assert booked["appointment"]["service"] == "Consultation"
    assert booked["appointment"]["ics_url"].startswith("http://127.0.0.1:8123/appointments/")
    appointment = await Appointment.objects.aget()
    assert appointment.start_at == wednesday
    # The caller ends the call the moment the booking shows: the tool call that made it
    # is still recorded, and the summary knows the call booked an appointment.
    await communicator.send_to(text_data=json.dumps({"type": "end"}))
    await receive_until(communicator, "ended", timeout=10)
    await communicator.disconnect()
    assert await asyncio.to_thread(background.wait_idle)
    assert appointment.call_id is not None
    call = await CallLog.objects.aget(pk=appointment.call_id)
    names = [name async for name in call.tool_invocations.values_list("name", flat=True)]
    assert "schedule_appointment" in names
    assert (call.summary_status, call.outcome) == ("done", "appointment_booked")
    assert "Booked:" in call.summary


async def assistant_says(communicator: WebsocketCommunicator, *, timeout: float = 10) -> str:
    """The agent's next whole sentence (its final transcript)."""
    while True:
        message, _ = await receive_until(communicator, "transcript", timeout=timeout)
        if message["role"] == "assistant" and message["final"]:
            return str(message["text"])


async def test_offline_agent_plays_the_readme_demo_with_spoken_words(
    agent: Agent, settings: Settings
) -> None:
    """The README's demo, typed as speech would come: spoken digits, a spoken email, a
    day outside business hours, then a time picked from the nearest ones offered."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    from agents.models import BusinessHours
    from appointments.models import Appointment

    settings.VOICEAGENT_ENGINE = "offline"
    settings.OPENAI_API_KEY = ""
    london = ZoneInfo(agent.timezone)
    # Open only three days from now: "tomorrow" is closed, whatever day the test runs.
    open_day = dt.datetime.now(london).date() + dt.timedelta(days=3)
    await BusinessHours.objects.filter(agent=agent).adelete()
    await BusinessHours.objects.acreate(
        agent=agent, weekday=open_day.weekday(), opens_at=dt.time(9), closes_at=dt.time(17)
    )
    communicator = WebsocketCommunicator(
        application, "/ws/calls/front-desk/", headers=[(b"host", b"localhost")]
    )
    assert (await communicator.connect())[0]
    await receive_until(communicator, "ready")
    await receive_until(communicator, "response_done")

    async def say(text: str) -> None:
        await communicator.send_to(text_data=json.dumps({"type": "text", "text": text}))

    await say("my name is Ada Lovelace")
    assert await assistant_says(communicator) == "Thanks, Ada. What is your email address?"
    await say("my email is a d a at example dot com")
    info, _ = await receive_until(communicator, "user_info")
    assert info["user_info"]["email"] == "ada@example.com"
    await say("my phone is four one five five five five zero one two three")
    saved, _ = await receive_until(communicator, "contact_saved")
    assert saved["contact"]["phone"] == "+14155550123"
    assert (await assistant_says(communicator)).endswith("Would you like to book an appointment?")

    await say("I'd like to book a consultation tomorrow at 3 pm")
    offer = await assistant_says(communicator)
    tomorrow = dt.datetime.now(london).date() + dt.timedelta(days=1)
    # The demo agent speaks en-US: 12-hour times, the nearest on the next open day.
    assert offer == (
        f"Sorry, {tomorrow:%A} {tomorrow.day} {tomorrow:%B} at 3:00 PM is not available. "
        f"The nearest free times: On {open_day:%A} {open_day.day} {open_day:%B} I have "
        "2:45 PM, 3:00 PM or 3:15 PM. Which would you like?"
    )
    await say("3 pm please")
    booked, _ = await receive_until(communicator, "appointment", timeout=10)
    assert booked["appointment"]["service"] == "Consultation"
    confirmation = await assistant_says(communicator)
    assert confirmation.startswith(
        f"You're booked: Consultation on {open_day:%A} {open_day.day} {open_day:%B} at 3:00 PM."
    )
    await say("that's all, bye")
    await receive_until(communicator, "ended", timeout=20)
    await communicator.disconnect()

    contact = await Contact.objects.aget()
    assert (contact.name, contact.email, contact.phone) == (
        "Ada Lovelace",
        "ada@example.com",
        "+14155550123",
    )
    appointment = await Appointment.objects.select_related("contact").aget()
    assert appointment.start_at == dt.datetime.combine(open_day, dt.time(15), london)
    assert appointment.start_at.astimezone(london).hour == 15
    assert appointment.contact_id == contact.pk and appointment.service_name == "Consultation"
