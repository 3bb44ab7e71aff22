"""Reads of call logs, scoped to who is asking."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from calls.models import CallLog, ToolInvocation, TranscriptTurn
from voiceagent.selectors import owned_by


def calls_for_user(*, user: AbstractBaseUser | AnonymousUser) -> QuerySet[CallLog]:
    calls = CallLog.objects.select_related("agent", "contact")
    return owned_by(calls, user=user, owner_lookup="agent__owner")


@dataclass(frozen=True)
class ConversationEntry:
    """A transcript turn or a tool invocation, in the order they happened."""

    seq: int
    kind: str  # "turn" or "tool"
    turn: TranscriptTurn | None = None
    tool: ToolInvocation | None = None

    @property
    def started_ms(self) -> Any:
        item = self.turn or self.tool
        return item.started_ms if item else None


def call_conversation(*, call: CallLog) -> list[ConversationEntry]:
    """The call's transcript with tool invocations inline, ordered by ``seq``."""
    entries = [ConversationEntry(seq=t.seq, kind="turn", turn=t) for t in call.turns.all()]
    entries += [
        ConversationEntry(seq=t.seq, kind="tool", tool=t) for t in call.tool_invocations.all()
    ]
    # A turn and a tool call never share a seq in practice; turns first if they do.
    entries.sort(key=lambda entry: (entry.seq, entry.kind != "turn"))
    return entries
