"""Channels consumers: thin transport adapters between a caller and a CallSession."""

from calls.consumers.base import CallConsumer, control_group, monitor_group
from calls.consumers.twilio import TwilioMediaConsumer
from calls.consumers.web import WebCallConsumer

__all__ = [
    "CallConsumer",
    "TwilioMediaConsumer",
    "WebCallConsumer",
    "control_group",
    "monitor_group",
]
