"""The cascade's conversation: built from the session's GA items and the replies spoken,
and cut to what the caller heard."""

from __future__ import annotations

import pytest

from calls.realtime.engines.cascade.history import Conversation

pytestmark = pytest.mark.embedded_pass_only


def _spoken_reply(conversation: Conversation) -> None:
    reply = conversation.reply_started("item_a")
    reply.spoken("Hello Ada, this is the front desk.", 2000)  # 0-2000 ms
    reply.spoken("We are open from nine to five on weekdays.", 3000)  # 2000-5000 ms


def test_messages_follow_the_call_in_order() -> None:
    conversation = Conversation()
    conversation.instructions = "You are a receptionist."
    conversation.client_item(
        {
            "type": "message",
            "role": "system",
            "content": [{"type": "input_text", "text": "Be brief."}],
        }
    )
    conversation.user_said("item_u", "When are you open?")
    _spoken_reply(conversation)
    assert conversation.messages() == [
        {"role": "system", "content": "You are a receptionist."},
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "When are you open?"},
        {
            "role": "assistant",
            "content": "Hello Ada, this is the front desk. "
            "We are open from nine to five on weekdays.",
        },
    ]


def test_a_barge_in_keeps_only_what_was_heard() -> None:
    conversation = Conversation()
    _spoken_reply(conversation)
    # 3.5 s: the first sentence in full, half of the second (its first 4 of 9 words).
    assert conversation.truncate("item_a", 3500)
    assert conversation.messages() == [
        {"role": "assistant", "content": "Hello Ada, this is the front desk. We are open from"}
    ]
    assert not conversation.truncate("item_unknown", 100)


def test_a_reply_cut_before_a_word_was_heard_is_left_out() -> None:
    conversation = Conversation()
    _spoken_reply(conversation)
    conversation.truncate("item_a", 0)
    assert conversation.messages() == []


def test_tool_calls_and_their_results_are_chat_completions_messages() -> None:
    conversation = Conversation()
    reply = conversation.reply_started("item_t")
    reply.tool_calls.append(
        {
            "id": "call_1",
            "type": "function",
            "function": {"name": "check_availability", "arguments": '{"date": "monday"}'},
        }
    )
    conversation.client_item(
        {"type": "function_call_output", "call_id": "call_1", "output": '{"slots": []}'}
    )
    assert conversation.messages() == [
        {"role": "assistant", "content": None, "tool_calls": reply.tool_calls},
        {"role": "tool", "tool_call_id": "call_1", "content": '{"slots": []}'},
    ]


def test_items_the_llm_cannot_take_are_ignored() -> None:
    conversation = Conversation()
    conversation.client_item({"type": "function_call", "name": "x"})
    conversation.client_item({"type": "message", "role": "developer", "content": []})
    conversation.client_item({"type": "message", "role": "user", "content": "not a list"})
    assert conversation.messages() == []


def test_what_was_said_while_tools_ran_comes_after_their_results() -> None:
    """A filler (or the caller) between a tool call and its result would be refused by
    Chat Completions: it goes after the results, in the order it was said."""
    conversation = Conversation()
    conversation.user_said("item_u", "Is Monday free?")
    reply = conversation.reply_started("item_t")
    reply.tool_calls += [
        {"id": "call_1", "type": "function", "function": {"name": "a", "arguments": "{}"}},
        {"id": "call_2", "type": "function", "function": {"name": "b", "arguments": "{}"}},
    ]
    filler = conversation.reply_started("item_f")
    filler.spoken("Let me check the calendar for you…", 1500)
    conversation.client_item({"type": "function_call_output", "call_id": "call_1", "output": "1"})
    conversation.user_said("item_u2", "In the morning.")
    conversation.client_item({"type": "function_call_output", "call_id": "call_2", "output": "2"})
    assert conversation.messages() == [
        {"role": "user", "content": "Is Monday free?"},
        {"role": "assistant", "content": None, "tool_calls": reply.tool_calls},
        {"role": "tool", "tool_call_id": "call_1", "content": "1"},
        {"role": "tool", "tool_call_id": "call_2", "content": "2"},
        {"role": "assistant", "content": "Let me check the calendar for you…"},
        {"role": "user", "content": "In the morning."},
    ]
