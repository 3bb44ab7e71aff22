"""The engine is chosen per agent: an agent's own engine runs its calls whatever the
server's default, and an engine the server cannot run is refused when it is chosen."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from agents.models import Agent
from calls.models import CallLog
from calls.tests.conftest import CallClient, calls_settled
from calls.tests.fake_openai import FakeRealtimeServer

pytestmark = pytest.mark.django_db(transaction=True)


async def test_an_agents_own_engine_runs_its_calls(agent: Agent, fake: FakeRealtimeServer) -> None:
    # The server's default is OpenAI Realtime (the fake); this agent runs offline.
    agent.engine = "offline"
    await agent.asave()
    client = CallClient()
    assert await client.connect()
    await client.until("ready")
    await client.until("response_done")  # the offline engine's greeting
    await client.send(type="end")
    await client.until("ended")
    await client.close()
    await calls_settled()
    call = await CallLog.objects.aget()
    assert (call.engine, call.realtime_model) == ("offline", "offline")
    assert fake.connections == []  # OpenAI was never asked

    # Back to the server's default: the same agent's next call is OpenAI's.
    agent.engine = ""
    await agent.asave()
    second = CallClient()
    assert await second.connect()
    await second.until("ready")
    await second.send(type="end")
    await second.until("ended")
    await second.close()
    await calls_settled()
    assert await CallLog.objects.filter(engine="openai").acount() == 1
    assert len(fake.connections) == 1


def test_an_engine_the_server_cannot_run_is_refused(agent: Agent, settings: Any) -> None:
    settings.OPENAI_API_KEY = ""
    agent.engine = "openai"
    with pytest.raises(ValidationError) as refused:
        agent.full_clean()
    assert "needs OPENAI_API_KEY" in str(refused.value.message_dict["engine"])
    agent.engine = "offline"
    agent.full_clean()
    agent.engine = "telepathy"
    with pytest.raises(ValidationError) as unknown:
        agent.full_clean()
    assert "engine" in unknown.value.message_dict


def test_the_api_and_the_admin_show_and_set_the_engine(
    agent: Agent, api_client: Any, admin_client: Any
) -> None:
    client = api_client(agent.owner)
    detail = client.get(f"/api/agents/{agent.public_id}/").json()
    assert detail["engine"] == ""
    changed = client.patch(
        f"/api/agents/{agent.public_id}/", {"engine": "offline"}, content_type="application/json"
    )
    assert changed.status_code == 200 and changed.json()["engine"] == "offline"
    bad = client.patch(
        f"/api/agents/{agent.public_id}/", {"engine": "telepathy"}, content_type="application/json"
    )
    assert bad.status_code == 400 and "engine" in bad.json()["error"]["details"]
    page = admin_client.get(f"/admin/agents/agent/{agent.pk}/change/").content.decode()
    assert 'name="engine"' in page and "Offline engine" in page
