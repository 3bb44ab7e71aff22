"""The dialogue's transitions: from the caller's words, a tool's answer or the bridge's
instructions to what to say or which tool to call next.

States (``Step``): collecting the name, email and phone one at a time (``update_user_info``,
then ``save_contact``), open (anything else?), booking (service → time → confirm, in
``booking.py``), ended. Questions go to ``search_knowledge_base``; goodbye to ``end_call``.
"""

from __future__ import annotations

import re
from typing import Any

from calls.realtime.engines.offline.dialogue import booking, intents, recognise
from calls.realtime.engines.offline.dialogue.state import (
    BOOKING_STEPS,
    DETAILS,
    Action,
    Booking,
    CallTool,
    DialogueState,
    Say,
    Silence,
    Step,
    for_caller,
)

GREETING_QUOTE = re.compile(r'"(.+)"', re.S)
QUESTIONS = {
    Step.NAME: "May I have your name, please?",
    Step.EMAIL: "What is your email address?",
    Step.PHONE: "And what is the best phone number to reach you?",
}
NOT_CAUGHT = {
    Step.NAME: "Sorry, I didn't catch your name. Could you say it again?",
    Step.EMAIL: "Sorry, I didn't catch an email address. Could you spell it, like "
    "'ada at example dot com'?",
    Step.PHONE: "Sorry, I didn't catch a phone number. Could you say it digit by digit?",
}
NO_RECOGNISER = (
    "I can hear you, but in offline mode I only understand typed messages. "
    "Please type your answer in the box."
)
NUDGE = "Please type it in the box; I can't make out speech offline."
NUDGE_EVERY = 3  # spoken turns without text between two nudges (silence in between)


def next_prompt(state: DialogueState, *, thanks: bool = False) -> Say:
    """The next thing to ask: the booking in progress, else the next missing detail,
    else whether there is anything else."""
    if state.booking is not None and state.step in BOOKING_STEPS:
        return booking.prompt(state)
    missing = state.missing_detail() if "update_user_info" in state.tools else None
    first = (state.user_info.get("name") or "").split(" ")[0]
    lead = f"Thanks{', ' + first if first else ''}. " if thanks else ""
    if missing is not None:
        state.step = missing
        return Say(lead + QUESTIONS[missing])
    state.step = Step.OPEN
    if "schedule_appointment" in state.tools and thanks and state.saved:
        return Say("Thanks, I have all your details. Would you like to book an appointment?")
    return Say(lead + "Is there anything else I can help with?")


def reply_to_instructions(instructions: str, state: DialogueState) -> Action:
    """Responses the bridge requested with instructions (greeting, idle, wrap-up)."""
    lowered = instructions.lower()
    if "word for word" in lowered and "greet" not in lowered:
        quoted = GREETING_QUOTE.search(instructions)
        if quoted:  # e.g. a voicemail message
            return Say(quoted.group(1))
    if "greet" in lowered:
        quoted = GREETING_QUOTE.search(instructions)
        hello = "Hello! How can I help you today?"
        if "greeting" in lowered:  # a greeting to say word for word
            return Say(quoted.group(1) if quoted else hello)
        # A free greeting, after the words quoted (a recording notice) if any.
        return Say(f"{quoted.group(1)} {hello}" if quoted else hello)
    if "still there" in lowered:
        return Say("Are you still there?")
    if "wrap up" in lowered:
        return Say("We are almost out of time. Thank you for calling, goodbye!")
    return next_prompt(state)


def reply_to_speech(state: DialogueState) -> Action:
    """A spoken turn, which the offline engine cannot transcribe: said once in full, then
    silence with a short nudge every few turns."""
    state.spoken_turns += 1
    if state.spoken_turns == 1:
        return Say(NO_RECOGNISER)
    if (state.spoken_turns - 1) % NUDGE_EVERY == 0:
        return Say(NUDGE)
    return Silence()


def _details(text: str, state: DialogueState) -> dict[str, str]:
    """Details the caller gave that differ from those known, in the caller's words: an
    email, else a phone number, else a name, as far as the normalisers accept them."""
    lang = state.language
    aside = intents.wants_booking(text) or intents.is_question(text)
    heard: dict[str, recognise.Heard] = {}
    span = intents.email_span(text) or (text if state.step == Step.EMAIL and not aside else None)
    if span and (email := recognise.email(span, language=lang)):
        heard["email"] = email
    span = intents.phone_span(text, asked=state.step == Step.PHONE and not aside)
    if not heard and span and (phone := recognise.phone(span, region=state.region, language=lang)):
        heard["phone"] = phone
    span = intents.name_span(text, asked=state.step == Step.NAME and not aside)
    if not heard and span and (name := recognise.name(span, language=lang)):
        heard["name"] = name
    return {k: h.said for k, h in heard.items() if state.user_info.get(k) != h.value}


DIGITISH = re.compile(r"\d|\b(zero|oh|one|two|three|four|five|six|seven|eight|nine)\b", re.I)


def _attempt(text: str, state: DialogueState) -> dict[str, str]:
    """An answer to "your phone/email?" the normaliser refused, passed on anyway so that
    the caller hears the tool's reason ("not a valid phone number for US")."""
    if "update_user_info" not in state.tools:
        return {}
    if intents.wants_booking(text) or intents.is_question(text):
        return {}
    if state.step == Step.PHONE and len(DIGITISH.findall(text)) >= 3:
        return {"phone": intents.phone_span(text, asked=True) or text}
    if state.step == Step.EMAIL and re.search(r"@|\bat\b", text, re.I):
        return {"email": intents.email_span(text) or text}
    return {}


def reply_to_user(text: str, state: DialogueState) -> Action:
    if intents.is_goodbye(text):
        state.step = Step.ENDED
        if "end_call" in state.tools:
            return CallTool("end_call", {"reason": "caller said goodbye"})
        return Say("Thank you for calling. Goodbye!")
    details = _details(text, state) if "update_user_info" in state.tools else {}
    if details:
        return CallTool("update_user_info", details)
    attempt = _attempt(text, state)
    if attempt:  # not recognised, but meant as the detail asked for: the tool says why
        return CallTool("update_user_info", attempt)
    booking_now = state.step in BOOKING_STEPS and not (
        intents.is_question(text) and recognise_nothing(text, state)
    )
    if intents.wants_booking(text) or booking_now:
        return booking.reply(text, state)
    if state.step == Step.OPEN and intents.is_yes(text) and "schedule_appointment" in state.tools:
        state.booking, state.step = Booking(), Step.SERVICE
        return Say("What would you like to book, and for which day?")
    if intents.is_question(text) and "search_knowledge_base" in state.tools:
        return CallTool("search_knowledge_base", {"query": text})
    if state.step == Step.CHECK:
        return _checked(text, state)
    if state.step in (Step.EMAIL, Step.PHONE) and intents.is_no(text):
        state.declined.add(state.step.value)  # "no, I'd rather not": asked no more
        return _save_or_ask(state)
    if state.step in DETAILS:
        return Say(NOT_CAUGHT[state.step])
    if state.step == Step.OPEN and intents.is_no(text):
        return Say("Alright. Is there anything else I can help with?")
    return next_prompt(state)


def recognise_nothing(text: str, state: DialogueState) -> bool:
    """No time, day or pick in the words: a question asked mid-booking is a question."""
    if intents.picked(text) is not None or intents.is_yes(text) or intents.is_no(text):
        return False
    moment = recognise.moment(
        text, now=state.now(), timezone=state.timezone, language=state.language
    )
    return moment is None


def reply_to_tool_results(
    results: list[tuple[str, dict[str, Any]]], state: DialogueState
) -> Action:
    for name, result in results:
        if name == "end_call":
            state.step = Step.ENDED
            return Say("Thank you for calling. Goodbye!")
        if name == "check_availability":
            return booking.on_availability(result, state)
        if name == "schedule_appointment":
            refused = booking.on_booked(result, state)
            if refused is not None:
                return refused
            said = booking.confirmation(result, state)
            state.step = Step.OPEN
            return Say(f"{said} {next_prompt(state).text}")
        if name == "search_knowledge_base":
            return _answer(result, state)
        if result.get("ok") is False:
            problem = for_caller(str(result.get("error") or "something was not quite right"))
            return Say(f"Sorry, {problem.rstrip('.')}. Could you say that again?")
        if isinstance(result.get("user_info"), dict):
            state.user_info.update({k: v for k, v in result["user_info"].items() if v})
        if name == "save_contact":
            state.saved = True
        held = result.get("not_saved_until_confirmed") or {}
        for detail in ("email", "phone"):
            if isinstance(held, dict) and isinstance(held.get(detail), str):
                # Not kept on a guess: the caller hears it back and says yes first.
                state.step, state.checking = Step.CHECK, (detail, held[detail])
                return Say(f"I have {read_back(detail, held[detail])}. Is that right?")
    return _save_or_ask(state, thanks=True)


def read_back(detail: str, value: str) -> str:
    """An email letter by letter around its words ("a d a at example dot com"); a phone
    digit by digit."""
    if detail == "phone":
        return " ".join(value.lstrip("+"))
    local, _, domain = value.partition("@")
    spelled = " ".join(local).replace(".", "dot").replace("_", "underscore")
    return f"{spelled} at {domain.replace('.', ' dot ')}"


def _checked(text: str, state: DialogueState) -> Action:
    """The caller's answer to a read-back: yes confirms it to the tool, no asks again."""
    (detail, value), state.checking = state.checking or ("email", ""), None
    if intents.is_yes(text) and value:
        return CallTool("update_user_info", {detail: value, "confirmed": True})
    state.step = Step(detail)
    how = "spell it" if detail == "email" else "say it digit by digit"
    return Say(f"Sorry about that. Could you {how} for me?")


def _save_or_ask(state: DialogueState, *, thanks: bool = False) -> Action:
    """``save_contact`` once the details are complete, else the next question."""
    contact = state.contact_to_save()
    if contact is not None and "save_contact" in state.tools:
        return CallTool("save_contact", contact)
    return next_prompt(state, thanks=thanks)


def _answer(result: dict[str, Any], state: DialogueState) -> Say:
    passages = result.get("passages") or []
    if not passages:
        answer = (
            "I'm sorry, I don't have that information. I can take a message "
            "and someone will get back to you."
        )
    else:
        sentences = re.split(r"(?<=[.!?])\s+", str(passages[0].get("text", "")).strip())
        answer = " ".join(sentences[:2])
    if state.booking is not None and state.step in BOOKING_STEPS:
        return Say(f"{answer} {booking.prompt(state).text}")
    return Say(answer)
