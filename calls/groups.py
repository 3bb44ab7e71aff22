"""Channel-layer group names of a call.

Kept apart from the consumers (and importing nothing) so that services and tasks in any
app can reach a live call without importing the consumers, and with them the session.
"""

from __future__ import annotations


def monitor_group(call_id: str) -> str:
    """The channel-layer group that receives a call's client-visible events."""
    return f"call.{call_id}"


def control_group(call_id: str) -> str:
    """The group through which other processes (tasks) push messages to the caller."""
    return f"call-control.{call_id}"
