"""The offline engine's rule-based dialogue: a small state machine over the project's
own normalisers and date parser that acts through the registered tools, as a model would.

``state.py`` holds the state and actions, ``intents.py`` what words mean to do,
``recognise.py`` the normalisers and parser, ``machine.py`` the transitions and
``booking.py`` the booking states.
"""

from calls.realtime.engines.offline.dialogue.machine import (
    NO_RECOGNISER,
    reply_to_instructions,
    reply_to_speech,
    reply_to_tool_results,
    reply_to_user,
)
from calls.realtime.engines.offline.dialogue.state import (
    Action,
    Booking,
    CallTool,
    DialogueState,
    Say,
    Silence,
    Step,
)

__all__ = [
    "NO_RECOGNISER",
    "Action",
    "Booking",
    "CallTool",
    "DialogueState",
    "Say",
    "Silence",
    "Step",
    "reply_to_instructions",
    "reply_to_speech",
    "reply_to_tool_results",
    "reply_to_user",
]
