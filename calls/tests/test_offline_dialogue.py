"""The offline dialogue's state machine, with fake tool results (no database, no engine).

"Now" is Friday 4 December 2026, 10:00 in London; "tomorrow" is a Saturday.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from calls.realtime.engines.offline.dialogue import (
    NO_RECOGNISER,
    CallTool,
    DialogueState,
    Say,
    Silence,
    Step,
    reply_to_instructions,
    reply_to_speech,
    reply_to_tool_results,
    reply_to_user,
)
from calls.realtime.engines.offline.dialogue.state import for_caller
from calls.realtime.fillers import PHRASES, filler_instructions

pytestmark = pytest.mark.embedded_pass_only  # no database or services: once

LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2026, 12, 4, 10, 0, tzinfo=LONDON)
MONDAY = dt.date(2026, 12, 7)
TOOLS = {
    "update_user_info",
    "save_contact",
    "check_availability",
    "schedule_appointment",
    "search_knowledge_base",
    "end_call",
}


def state(**fields: Any) -> DialogueState:
    values: dict[str, Any] = {"tools": set(TOOLS), "timezone": "Europe/London", "now": lambda: NOW}
    return DialogueState(**(values | fields))


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), LONDON)


def unavailable(requested: dt.datetime, slots: list[dt.datetime]) -> dict[str, Any]:
    """check_availability's answer for an exact time that is not free."""
    return {
        "ok": True,
        "service": "Consultation",
        "requested": {"say": f"{requested:%A %d %B at %H:%M}", "start": requested.isoformat()},
        "available": False,
        "alternatives": [{"say": f"{s:%A %d %B at %H:%M}", "start": s.isoformat()} for s in slots],
    }


def said(action: object) -> str:
    assert isinstance(action, Say), action
    return action.text


def called(action: object, name: str) -> dict[str, Any]:
    assert isinstance(action, CallTool) and action.name == name, action
    return action.arguments


# -- details


@pytest.mark.parametrize(
    "words",
    ["four one five five five five zero one two three", "415 555 0123", "(415) 555-0123"],
)
def test_a_spoken_or_written_phone_number_is_recognised_when_asked(words: str) -> None:
    dialogue = state(step=Step.PHONE)
    assert called(reply_to_user(f"my phone is {words}", dialogue), "update_user_info") == {
        "phone": words
    }
    assert called(reply_to_user(words, dialogue), "update_user_info") == {"phone": words}


@pytest.mark.parametrize(
    ("utterance", "words"),
    [
        ("ada at example dot com", "ada at example dot com"),
        ("my email is a d a at example dot com", "a d a at example dot com"),
        (
            "it's ada dot lovelace at example dot co dot uk",
            "ada dot lovelace at example dot co dot uk",
        ),
        ("ada@example.com", "ada@example.com"),
    ],
)
def test_spoken_and_spelled_emails_are_recognised(utterance: str, words: str) -> None:
    dialogue = state(step=Step.EMAIL)
    assert called(reply_to_user(utterance, dialogue), "update_user_info") == {"email": words}


def test_a_detail_the_normaliser_refuses_is_passed_on_so_the_caller_hears_why() -> None:
    dialogue = state(step=Step.PHONE)
    attempt = reply_to_user("it's 020 7183 8750", dialogue)
    assert called(attempt, "update_user_info") == {"phone": "020 7183 8750"}
    refused = {
        "ok": False,
        "error": "'020 7183 8750' is not a valid phone number for US; ask for it again, "
        "with the country code if it is from abroad.",
    }
    assert said(reply_to_tool_results([("update_user_info", refused)], dialogue)) == (
        "Sorry, '020 7183 8750' is not a valid phone number for US. Could you say that again?"
    )
    # "call me on" is not a name.
    assert reply_to_user("call me on 07700 900123", state()) == Say("May I have your name, please?")


def test_a_name_alone_counts_only_when_it_was_asked_for() -> None:
    asked = state(step=Step.NAME)
    assert called(reply_to_user("Grace Hopper", asked), "update_user_info") == {
        "name": "Grace Hopper"
    }
    assert said(reply_to_user("yes", asked)).startswith("Sorry, I didn't catch your name")
    assert called(reply_to_user("my name is Ada Lovelace", state()), "update_user_info") == {
        "name": "Ada Lovelace"
    }
    # Not asked: two words are not a name, so the dialogue asks for it.
    unasked = state()
    assert said(reply_to_user("Grace Hopper", unasked)) == "May I have your name, please?"
    assert unasked.step == Step.NAME


def test_details_are_asked_in_turn_then_saved_then_a_booking_is_offered() -> None:
    dialogue = state()
    info: dict[str, str] = {}
    for field, value, next_question in (
        ("name", "Ada Lovelace", "email"),
        ("email", "ada@example.com", "phone"),
    ):
        info[field] = value
        reply = said(
            reply_to_tool_results([("update_user_info", {"ok": True, "user_info": info})], dialogue)
        )
        assert next_question in reply and reply.startswith("Thanks, Ada.")
    info["phone"] = "+14155550123"
    save = reply_to_tool_results([("update_user_info", {"ok": True, "user_info": info})], dialogue)
    assert called(save, "save_contact") == info
    offer = said(reply_to_tool_results([("save_contact", {"ok": True})], dialogue))
    assert offer.endswith("Would you like to book an appointment?")
    assert said(reply_to_user("yes please", dialogue)).startswith("What would you like to book")
    assert dialogue.step == Step.SERVICE


def test_a_declined_phone_is_not_asked_again_and_the_contact_is_saved_without_it() -> None:
    dialogue = state(
        step=Step.PHONE, user_info={"name": "Ada Lovelace", "email": "ada@example.com"}
    )
    save = reply_to_user("no, I'd rather not", dialogue)
    assert called(save, "save_contact") == {"name": "Ada Lovelace", "email": "ada@example.com"}
    offer = said(reply_to_tool_results([("save_contact", {"ok": True})], dialogue))
    assert offer.endswith("Would you like to book an appointment?")


def test_an_uncertain_email_is_read_back_and_confirmed_to_the_tool_after_a_yes() -> None:
    dialogue = state(step=Step.EMAIL, user_info={"name": "Ada Lovelace"})
    held = {
        "ok": True,
        "user_info": {"name": "Ada Lovelace"},
        "needs_confirmation": {"email": "misheard?"},
        "not_saved_until_confirmed": {"email": "ada@gmial.com"},
    }
    check = said(reply_to_tool_results([("update_user_info", held)], dialogue))
    assert check == "I have a d a at gmial dot com. Is that right?"
    assert dialogue.step == Step.CHECK
    confirm = reply_to_user("yes that's right", dialogue)
    assert called(confirm, "update_user_info") == {"email": "ada@gmial.com", "confirmed": True}
    kept = {"ok": True, "user_info": {"name": "Ada Lovelace", "email": "ada@gmial.com"}}
    assert said(reply_to_tool_results([("update_user_info", kept)], dialogue)).endswith(
        "And what is the best phone number to reach you?"
    )


def test_an_uncertain_phone_the_caller_denies_is_asked_again() -> None:
    dialogue = state(
        step=Step.PHONE, user_info={"name": "Ada Lovelace", "email": "ada@example.com"}
    )
    held = {
        "ok": True,
        "user_info": dict(dialogue.user_info),
        "needs_confirmation": {"phone": "which group?"},
        "not_saved_until_confirmed": {"phone": "+14155550123"},
    }
    check = said(reply_to_tool_results([("update_user_info", held)], dialogue))
    assert check == "I have 1 4 1 5 5 5 5 0 1 2 3. Is that right?"
    # Nothing was kept; a "no" asks again.
    assert (
        said(reply_to_user("no", dialogue))
        == "Sorry about that. Could you say it digit by digit for me?"
    )
    assert dialogue.step == Step.PHONE and "phone" not in dialogue.user_info
    corrected = reply_to_user("four one five five five five zero one three three", dialogue)
    assert called(corrected, "update_user_info") == {
        "phone": "four one five five five five zero one three three"
    }


def test_a_free_time_the_tool_doubts_is_read_back_before_booking() -> None:
    dialogue = state()
    reply_to_user("I'd like to book a consultation on Monday at 3 pm", dialogue)
    free = {
        "ok": True,
        "service": "Consultation",
        "requested": {"say": "Monday 7 December at 3:00 PM", "start": at(MONDAY, 15).isoformat()},
        "available": True,
        "alternatives": [],
        "certain": False,
        "doubts": ["no year given"],
    }
    ask = said(reply_to_tool_results([("check_availability", free)], dialogue))
    assert ask.endswith("is free. Shall I book it?") and dialogue.step == Step.CONFIRM
    assert called(reply_to_user("yes", dialogue), "schedule_appointment")["start"] == (
        "2026-12-07 15:00"
    )


# -- booking


def test_booking_intent_wins_over_a_question_mark() -> None:
    action = reply_to_user("Can I book a consultation on Monday at 3 pm?", state())
    assert called(action, "check_availability")["when"] == "2026-12-07 15:00"
    # Real questions still go to the knowledge base.
    for question in ("Do you have parking?", "How much does a consultation cost?"):
        assert called(reply_to_user(question, state()), "search_knowledge_base") == {
            "query": question
        }


def test_a_time_outside_hours_gets_the_nearest_free_times_in_12_hour_time_for_en_us() -> None:
    dialogue = state()
    check = reply_to_user("I'd like to book a consultation tomorrow at 3 pm", dialogue)
    assert called(check, "check_availability") == {
        "service": "I'd like to book a consultation tomorrow at 3 pm",
        "when": "2026-12-05 15:00",
    }
    # Saturday is closed: the tool offers Monday, nearest first.
    monday = [at(MONDAY, 15), at(MONDAY, 14, 45), at(MONDAY, 15, 15), at(MONDAY, 14, 30)]
    offer = said(
        reply_to_tool_results(
            [("check_availability", unavailable(at(MONDAY, 15), monday))], dialogue
        )
    )
    assert offer == (
        "Sorry, Saturday 5 December at 3:00 PM is not available. The nearest free times: "
        "On Monday 7 December I have 2:45 PM, 3:00 PM or 3:15 PM. Which would you like?"
    )
    assert "again" not in offer and dialogue.step == Step.TIME


def test_other_locales_hear_24_hour_time() -> None:
    dialogue = state(language="en-GB", region="GB", locale="en-GB")
    reply_to_user("book a consultation tomorrow at 3 pm", dialogue)
    offer = said(
        reply_to_tool_results(
            [("check_availability", unavailable(at(MONDAY, 15), [at(MONDAY, 15), at(MONDAY, 16)]))],
            dialogue,
        )
    )
    assert "15:00 or 16:00" in offer and "PM" not in offer


def _offered_monday() -> DialogueState:
    dialogue = state()
    reply_to_user("I'd like to book a consultation tomorrow at 3 pm", dialogue)
    slots = [at(MONDAY, 14, 45), at(MONDAY, 15), at(MONDAY, 15, 15)]
    reply_to_tool_results([("check_availability", unavailable(at(MONDAY, 15), slots))], dialogue)
    return dialogue


@pytest.mark.parametrize(
    ("choice", "start"),
    [
        ("3 pm please", "2026-12-07 15:00"),
        ("the 3 o'clock", "2026-12-07 15:00"),
        ("the first one", "2026-12-07 14:45"),
        ("the last one", "2026-12-07 15:15"),
    ],
)
def test_the_day_offered_carries_over_to_the_choice(choice: str, start: str) -> None:
    dialogue = _offered_monday()
    dialogue.user_info = {"name": "Ada Lovelace", "email": "ada@example.com"}
    assert called(reply_to_user(choice, dialogue), "schedule_appointment") == {
        "service": "Consultation",
        "start": start,
        "name": "Ada Lovelace",
        "email": "ada@example.com",
    }


def test_a_time_not_offered_is_checked_on_the_day_offered() -> None:
    dialogue = _offered_monday()
    assert called(reply_to_user("how about 4:30 pm", dialogue), "check_availability") == {
        "service": "Consultation",
        "when": "2026-12-07 16:30",
    }
    # Free: booked at once (the caller named the time).
    free = {"ok": True, "service": "Consultation", "requested": "x", "available": True}
    booking = reply_to_tool_results([("check_availability", free)], dialogue)
    assert called(booking, "schedule_appointment")["start"] == "2026-12-07 16:30"
    booked = {
        "ok": True,
        "appointment": {"service": "Consultation", "start": at(MONDAY, 16, 30).isoformat()},
    }
    done = said(reply_to_tool_results([("schedule_appointment", booked)], dialogue))
    assert done.startswith("You're booked: Consultation on Monday 7 December at 4:30 PM.")
    assert dialogue.booking is None


def test_an_hour_without_am_or_pm_is_confirmed_before_booking() -> None:
    dialogue = state()
    assert (
        called(reply_to_user("book a consultation on Monday at 3", dialogue), "check_availability")[
            "when"
        ]
        == "2026-12-07 15:00"
    )
    free = {"ok": True, "service": "Consultation", "requested": "x", "available": True}
    ask = said(reply_to_tool_results([("check_availability", free)], dialogue))
    assert ask == "Monday 7 December at 3:00 PM is free. Shall I book it?"
    assert dialogue.step == Step.CONFIRM
    assert (
        called(reply_to_user("yes", dialogue), "schedule_appointment")["start"]
        == "2026-12-07 15:00"
    )


def test_a_refused_booking_is_relayed_with_the_nearest_free_times() -> None:
    dialogue = _offered_monday()
    reply_to_user("3 pm please", dialogue)
    refused = {"ok": False, "error": "That time was just booked by someone else."}
    again = reply_to_tool_results([("schedule_appointment", refused)], dialogue)
    assert called(again, "check_availability")["when"] == "2026-12-07 15:00"
    offer = said(
        reply_to_tool_results(
            [("check_availability", unavailable(at(MONDAY, 15), [at(MONDAY, 15, 30)]))], dialogue
        )
    )
    assert offer == (
        "Sorry, that time was just booked by someone else. The nearest free times: "
        "On Monday 7 December I have 3:30 PM. Which would you like?"
    )


def test_tool_errors_about_time_and_service_are_relayed_helpfully() -> None:
    dialogue = state()
    reply_to_user("book a consultation tomorrow", dialogue)
    past = {"ok": False, "error": "Thursday 3 December is in the past; ask for a later time."}
    reply = said(reply_to_tool_results([("check_availability", past)], dialogue))
    assert reply == "Sorry, Thursday 3 December is in the past. What day and time would suit you?"
    dialogue = state()
    first = reply_to_user("I'd like to book an appointment on Monday morning", dialogue)
    assert called(first, "check_availability")["when"].endswith("Monday morning")
    unknown = {
        "ok": False,
        "error": "'I'd like…' is not a service we offer. We offer: Consultation (30 min).",
    }
    ask = said(reply_to_tool_results([("check_availability", unknown)], dialogue))
    assert ask == "Which service would you like? We offer: Consultation (30 min)."
    # The service alone: checked for the time asked before.
    assert called(reply_to_user("a consultation", dialogue), "check_availability") == {
        "service": "a consultation",
        "when": "I'd like to book an appointment on Monday morning",
    }


def test_a_question_mid_booking_is_answered_then_the_offer_repeated() -> None:
    dialogue = _offered_monday()
    assert called(reply_to_user("Do you have parking?", dialogue), "search_knowledge_base")
    answer = {"ok": True, "passages": [{"text": "Yes, free parking. Behind the building."}]}
    reply = said(reply_to_tool_results([("search_knowledge_base", answer)], dialogue))
    assert reply.startswith("Yes, free parking. Behind the building. On Monday 7 December")


def test_tool_advice_to_the_model_is_not_read_to_the_caller() -> None:
    assert for_caller("'12' has too few digits for a phone number; ask for it again.") == (
        "'12' has too few digits for a phone number."
    )


# -- speech, goodbye


def test_speech_is_explained_once_then_nudged_now_and_then() -> None:
    dialogue = state()
    replies = [reply_to_speech(dialogue) for _ in range(7)]
    assert replies[0] == Say(NO_RECOGNISER)
    assert [type(r).__name__ for r in replies[1:]] == [
        "Silence", "Silence", "Say", "Silence", "Silence", "Say",
    ]  # fmt: skip
    assert all(r != Say(NO_RECOGNISER) for r in replies[1:])
    assert isinstance(replies[1], Silence)


def test_goodbye_ends_the_call() -> None:
    dialogue = state()
    assert called(reply_to_user("thanks, bye", dialogue), "end_call")
    assert said(reply_to_tool_results([("end_call", {"ok": True})], dialogue)).endswith("Goodbye!")


def test_a_filler_is_said_word_for_word_in_every_language() -> None:
    """The session's filler request (calls/realtime/filling.py) is said as quoted."""
    for categories in PHRASES.values():
        for phrases in categories.values():
            for phrase in phrases:
                said = reply_to_instructions(filler_instructions(phrase), state())
                assert said == Say(phrase), phrase
