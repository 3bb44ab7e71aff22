"""The offline engine's rule-based dialogue: what to say or which tool to call next.

It fills the same tools a real model would, in the order the demo agent asks:
name, then email, then phone; it answers questions from the knowledge base when
that tool exists, offers to book, and ends the call on goodbye.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
PHONE = re.compile(r"\+?\d[\d\s().-]{5,}\d")
NAME_PHRASES = re.compile(
    r"\b(?:my name is|my name's|i am|i'm|this is|call me)\s+"
    r"([A-Za-z][A-Za-z'-]*(?:\s+[A-Za-z][A-Za-z'-]*){0,2})",
    re.IGNORECASE,
)
GOODBYE = re.compile(r"\b(bye|goodbye|that's all|that is all|hang up|nothing else)\b", re.I)
BOOKING = re.compile(r"\b(book|appointment|schedule|reserve|consultation|demo)\b", re.I)
GREETING_QUOTE = re.compile(r'"(.+)"', re.S)
NOT_NAMES = {"yes", "no", "hello", "hi", "hey", "ok", "okay", "thanks", "sure", "fine", "good"}


@dataclass(frozen=True)
class Say:
    text: str


@dataclass(frozen=True)
class CallTool:
    name: str
    arguments: dict[str, Any]


Action = Say | CallTool


@dataclass
class DialogueState:
    tools: set[str] = field(default_factory=set)
    user_info: dict[str, str] = field(default_factory=dict)
    asked: str | None = None
    saved: bool = False
    booking_service: str | None = None  # what the caller wants to book, while choosing a time


SPOKEN_EMAIL = re.compile(
    r"([a-z0-9._%+-]+)\s+at\s+([a-z0-9-]+(?:\s+dot\s+[a-z0-9-]+)+)", re.IGNORECASE
)


def _spoken_email(text: str) -> str | None:
    """'ada at example dot com' → 'ada@example.com' (the tools issue does this fully)."""
    match = SPOKEN_EMAIL.search(text)
    if match is None:
        return None
    domain = re.sub(r"\s+dot\s+", ".", match.group(2), flags=re.IGNORECASE)
    return f"{match.group(1)}@{domain}"


def extract_details(text: str, asked: str | None) -> dict[str, str]:
    found: dict[str, str] = {}
    written = EMAIL.search(text)
    email = written.group(0) if written else _spoken_email(text)
    if email:
        found["email"] = email.lower()
    # Dates and times are not phone numbers.
    without_dates = re.sub(r"\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}:\d{2}\b", " ", text)
    phone = PHONE.search(without_dates)
    if phone and sum(ch.isdigit() for ch in phone.group(0)) >= 7:
        found["phone"] = re.sub(r"[^\d+]", "", phone.group(0))
    name = None if found else NAME_PHRASES.search(text)
    if name:
        found["name"] = name.group(1).strip().title()
    elif asked == "name" and not found:
        words = re.findall(r"[A-Za-z][A-Za-z'-]*", text)
        if 1 <= len(words) <= 3 and words[0].lower() not in NOT_NAMES:
            found["name"] = " ".join(words).title()
    return found


def next_question(state: DialogueState) -> Say:
    for field_name, question in (
        ("name", "May I have your name, please?"),
        ("email", "What is your email address?"),
        ("phone", "And what is the best phone number to reach you?"),
    ):
        if not state.user_info.get(field_name):
            state.asked = field_name
            return Say(question)
    state.asked = None
    if "schedule_appointment" in state.tools:
        return Say("Thanks, I have all your details. Would you like to book an appointment?")
    return Say("Thanks, I have all your details. Is there anything else I can help with?")


def reply_to_instructions(instructions: str, state: DialogueState) -> Action:
    """Responses the bridge requested with instructions (greeting, idle, wrap-up)."""
    lowered = instructions.lower()
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
    return next_question(state)


def _said(slot: Any) -> str:
    """The words of an offered time: check_availability gives {"say", "start"}."""
    return str(slot.get("say") if isinstance(slot, dict) else slot)


def reply_to_tool_results(
    results: list[tuple[str, dict[str, Any]]], state: DialogueState
) -> Action:
    for name, result in results:
        if name == "end_call":
            return Say("Thank you for calling. Goodbye!")
        if result.get("ok") is False:
            problem = str(result.get("error") or "something was not quite right")
            return Say(f"Sorry, {problem.rstrip('.')}. Could you say that again?")
        if isinstance(result.get("user_info"), dict):
            state.user_info.update({k: v for k, v in result["user_info"].items() if v})
        if name == "save_contact":
            state.saved = True
        if name == "check_availability":
            offered = result.get("free_slots") or result.get("alternatives") or []
            slots = [_said(slot) for slot in offered]
            if result.get("available"):
                return Say(f"{_said(result.get('requested'))} is free. Shall I book it?")
            if not slots:
                return Say("I'm sorry, nothing is free then. Would another day suit you?")
            return Say(f"I have {', '.join(slots[:3])}. Which would you like?")
        if name in {"schedule_appointment", "reschedule_appointment", "cancel_appointment"}:
            state.booking_service = None
            confirmation = str(result.get("confirmation") or "").rstrip(".")
            return Say(f"Done: {confirmation}. Is there anything else I can help with?")
        if name == "search_knowledge_base":
            passages = result.get("passages") or []
            if not passages:
                return Say(
                    "I'm sorry, I don't have that information. I can take a message "
                    "and someone will get back to you."
                )
            sentences = re.split(r"(?<=[.!?])\s+", str(passages[0].get("text", "")).strip())
            return Say(" ".join(sentences[:2]))
    complete = all(state.user_info.get(f) for f in ("name", "email", "phone"))
    if complete and not state.saved and "save_contact" in state.tools:
        return CallTool("save_contact", {f: state.user_info[f] for f in ("name", "email", "phone")})
    first_name = state.user_info.get("name")
    question = next_question(state)
    if question.text.startswith("Thanks"):
        return question
    return Say(f"Thanks{', ' + first_name.split()[0] if first_name else ''}. {question.text}")


def reply_to_user(text: str, state: DialogueState) -> Action:
    if GOODBYE.search(text):
        if "end_call" in state.tools:
            return CallTool("end_call", {"reason": "caller said goodbye"})
        return Say("Thank you for calling. Goodbye!")
    details = extract_details(text, state.asked)
    details = {k: v for k, v in details.items() if state.user_info.get(k) != v}
    if details and "update_user_info" in state.tools:
        return CallTool("update_user_info", details)
    if "?" in text and "search_knowledge_base" in state.tools:
        return CallTool("search_knowledge_base", {"query": text})
    wants_booking = BOOKING.search(text) is not None
    if wants_booking or state.booking_service:
        return _booking_step(text, state)
    return next_question(state)


TIME_HINT = re.compile(
    r"\b(\d{1,2}(:\d{2})?\s*(am|pm)?|noon|midday|morning|afternoon|evening|tomorrow|today|"
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|\d{4}-\d{2}-\d{2}|"
    r"o'clock|half past|quarter)\b",
    re.IGNORECASE,
)
EXACT_TIME = re.compile(
    r"\b(\d{1,2}(:\d{2})?\s*(am|pm)|\d{1,2}:\d{2}|noon|midday|"
    r"half past|quarter|o'clock|at \d{1,2})\b",
    re.IGNORECASE,
)


def _booking_step(text: str, state: DialogueState) -> Action:
    """Book in the caller's words: the tools read the service and time from the text."""
    if BOOKING.search(text):
        state.booking_service = text
    service = state.booking_service or text
    if "schedule_appointment" not in state.tools:
        return Say("I can note that you would like an appointment. " + next_question(state).text)
    if EXACT_TIME.search(text):
        details = {
            k: v for k, v in state.user_info.items() if k in {"name", "email", "phone"} and v
        }
        return CallTool("schedule_appointment", {"service": service, "start": text, **details})
    if "check_availability" in state.tools:
        when = text if TIME_HINT.search(text) else "tomorrow"
        return CallTool("check_availability", {"service": service, "when": when})
    return Say("What day and time would suit you?")
