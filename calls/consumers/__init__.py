"""Channels consumers: thin transport adapters between a caller and a CallSession.

Phone providers' media streams are in calls.telephony (PhoneMediaConsumer).
"""

from calls.consumers.base import CallConsumer, control_group, monitor_group
from calls.consumers.web import WebCallConsumer

__all__ = [
    "CallConsumer",
    "WebCallConsumer",
    "control_group",
    "monitor_group",
]
