"""Every finished call gets a summary and an outcome: from the model when there is a key,
extracted from the transcript when there is none or the model keeps failing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.utils import timezone
from pytest_django import Settings

from calls.models import CallLog, CallStatus, SummaryStatus, ToolInvocation, TranscriptTurn
from calls.realtime.hooks import CallOutcome
from calls.services import (
    call_log_finish,
    call_logs_close_orphans,
    call_summaries_resume,
    call_summary_make,
)
from calls.summary import (
    CallRecord,
    Tool,
    decided_outcome,
    extractive_summary,
    transcript_text,
)
from calls.tests.fake_chat import MODEL_ANSWER, FakeChatCompletions
from voiceagent import background

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def openai_chat(settings: Settings) -> Iterator[FakeChatCompletions]:
    fake = FakeChatCompletions()
    settings.OPENAI_API_KEY = "sk-test-not-a-real-key"
    settings.OPENAI_BASE_URL = fake.url
    settings.SUMMARY_MODEL = "gpt-4o-mini"
    yield fake
    fake.stop()
    assert fake.violations == [], fake.violations


def _finish(call: CallLog, *, end_reason: str = "client_ended") -> None:
    call.status = CallStatus.ACTIVE
    call.save(update_fields=["status"])
    call_log_finish(
        call_id=str(call.pk),
        outcome=CallOutcome(
            status="completed",
            end_reason=end_reason,
            duration_seconds=75,
            usage={},
            cost_usd=0.0,
            user_info=call.user_info,
        ),
    )
    assert background.wait_idle()
    call.refresh_from_db()


def test_without_a_key_the_summary_is_extracted(call: CallLog, settings: Settings) -> None:
    settings.OPENAI_API_KEY = ""
    _finish(call)
    assert call.summary_status == SummaryStatus.DONE
    assert call.outcome == "contact_captured"
    assert call.summary_model == "extractive" and call.summary_cost_usd == 0
    assert call.summary.startswith("Ada Lovelace called Front desk (email ada@example.com)")
    assert "I'm Ada <b>Lovelace</b>." in call.summary  # stored as text; the admin escapes it
    assert call.summary_data["follow_up_actions"] == ["Get back to the caller."]


def test_with_a_key_the_model_writes_it(call: CallLog, openai_chat: FakeChatCompletions) -> None:
    _finish(call)
    assert call.summary_status == SummaryStatus.DONE
    assert (call.summary, call.outcome) == (MODEL_ANSWER["summary"], "contact_captured")
    assert call.summary_data == MODEL_ANSWER
    assert call.summary_model == "gpt-4o-mini-2024-07-18"
    assert call.summary_cost_usd == Decimal("0.000270")  # 1000 × 0.15 + 200 × 0.60 per 1M
    (request,) = openai_chat.requests
    prompt = request["messages"][1]["content"]
    assert "Caller: I'm Ada <b>Lovelace</b>." in prompt
    assert "Tool: update_user_info (ok)" in prompt


def test_a_failing_model_is_retried_then_replaced(
    call: CallLog, openai_chat: FakeChatCompletions
) -> None:
    error = {"error": {"message": "overloaded", "type": "server_error", "code": None}}
    openai_chat.answers = [(500, error), (429, error), (200, {"not": "a completion"})]
    # The fourth attempt succeeds: the task tried again three times (at once: tasks run
    # eagerly here; a worker backs off).
    _finish(call)
    assert len(openai_chat.requests) == 4
    assert call.summary_status == SummaryStatus.DONE and call.summary_attempts == 4
    assert call.summary == MODEL_ANSWER["summary"] and call.summary_error == ""

    call.summary_status = SummaryStatus.NONE
    call.summary_attempts = 0
    call.save()
    openai_chat.answers = [(500, error)] * 4
    _finish(call)
    # The business still gets a summary, and the admin says why it is the plain one.
    assert call.summary_status == SummaryStatus.DONE and call.summary_model == "extractive"
    assert call.summary_error.startswith("The model failed 4 times")


def test_a_summary_is_made_once(call: CallLog, openai_chat: FakeChatCompletions) -> None:
    _finish(call)
    done = call.summary
    call_summary_make(call_id=str(call.pk))  # a duplicated or re-delivered task
    call.refresh_from_db()
    assert call.summary == done and len(openai_chat.requests) == 1


def test_calls_closed_as_orphans_are_summarised(call: CallLog, settings: Settings) -> None:
    settings.OPENAI_API_KEY = ""
    CallLog.objects.filter(pk=call.pk).update(
        status=CallStatus.ACTIVE, started_at=timezone.now() - dt.timedelta(hours=3)
    )
    assert call_logs_close_orphans() == 1
    assert background.wait_idle()
    call.refresh_from_db()
    assert (call.status, call.summary_status) == ("failed", SummaryStatus.DONE)
    assert call.summary


def test_a_call_nobody_spoke_in_is_abandoned(call: CallLog, settings: Settings) -> None:
    settings.OPENAI_API_KEY = ""
    TranscriptTurn.objects.filter(call=call, role="user").delete()
    ToolInvocation.objects.filter(call=call).delete()
    call.user_info = {}
    call.save()
    _finish(call, end_reason="connection_lost")
    assert call.outcome == "abandoned"
    assert "left before saying anything" in call.summary


@pytest.mark.parametrize(
    ("tools", "user_info", "end_reason", "expected"),
    [
        ((Tool("schedule_appointment", True), Tool("save_contact", True)), {}, "",
         "appointment_booked"),
        ((Tool("schedule_appointment", False),), {"email": "a@b.co"}, "", "contact_captured"),
        ((), {}, "transferred", "transferred"),
        ((Tool("search_knowledge_base", True, result={"passages": [{"text": "9 to 5"}]}),), {},
         "", "question_answered"),
        ((Tool("search_knowledge_base", True, result={"passages": []}),), {}, "", "no_action"),
    ],
)  # fmt: skip
def test_outcomes_in_order_of_importance(
    tools: tuple[Tool, ...], user_info: dict[str, str], end_reason: str, expected: str
) -> None:
    record = CallRecord(
        turns=(("user", "hello"),), tools=tools, user_info=user_info, end_reason=end_reason
    )
    assert decided_outcome(record) == expected
    assert extractive_summary(record).data["outcome"] == expected


def test_a_long_transcript_loses_its_middle_not_its_ends() -> None:
    turns = tuple(
        ("user" if i % 2 else "assistant", f"line {i} " + "word " * 40) for i in range(400)
    )
    text = transcript_text(CallRecord(turns=turns), max_tokens=2000)
    lines = text.splitlines()
    assert lines[0].startswith("Agent: line 0 ") and lines[-1].startswith("Caller: line 399 ")
    assert any(line.startswith("[… ") and "lines left out" in line for line in lines)
    assert sum(max(1, round(len(line.split()) / 0.75)) for line in lines) <= 2000 + 10
    short = transcript_text(CallRecord(turns=turns[:3]), max_tokens=2000)
    assert "left out" not in short and len(short.splitlines()) == 3


def test_missing_summaries_are_asked_for_again(call: CallLog, settings: Settings) -> None:
    settings.OPENAI_API_KEY = ""
    # A summary asked for when the call ended, lost on the way (a broker that was down).
    CallLog.objects.filter(pk=call.pk).update(summary_status=SummaryStatus.PENDING)
    assert call_summaries_resume(now=timezone.now()) == 0  # ended 3.75 min ago: not yet
    assert call_summaries_resume(now=timezone.now() + dt.timedelta(minutes=10)) == 1
    assert background.wait_idle()
    call.refresh_from_db()
    assert call.summary_status == SummaryStatus.DONE and call.summary


def test_the_extractive_setting_asks_no_model(
    call: CallLog, openai_chat: FakeChatCompletions, settings: Settings
) -> None:
    settings.SUMMARY_MODEL = "extractive"
    _finish(call)
    assert call.summary_model == "extractive" and openai_chat.requests == []


def test_an_agent_can_choose_its_summary_model(
    call: CallLog, openai_chat: FakeChatCompletions
) -> None:
    call.agent.summary_model = "gpt-4.1-mini"
    call.agent.save(update_fields=["summary_model"])
    _finish(call)
    assert [request["model"] for request in openai_chat.requests] == ["gpt-4.1-mini"]
    assert call.summary_cost_usd == 0  # no price known for it: no cost made up

    call.agent.summary_model = "extractive"
    call.agent.save(update_fields=["summary_model"])
    _finish(call)
    assert call.summary_model == "extractive" and len(openai_chat.requests) == 1
