"""Phone tests use the calls tests' fake Realtime server."""

from __future__ import annotations

from typing import Any

import pytest

from calls.tests.conftest import fake

__all__ = ["fake"]


@pytest.fixture
def agent(agent: Any) -> Any:
    """The demo agent without its connection beep (on by default), so that what a phone
    test hears first is the greeting; the beep's own tests turn it on
    (twilio/tests/test_twilio_early_audio.py)."""
    agent.connection_beep = False
    agent.save()
    return agent
