"""The knowledge base in calls: the model's search, and the offline engine's answers."""

from __future__ import annotations

import json

import pytest
from channels.db import database_sync_to_async
from pytest_django import Settings

from agents.models import Agent
from agents.tests.test_knowledge import FAQ, _faq_markdown, _ingested
from calls.models import ToolInvocation
from calls.tests.conftest import CallClient
from calls.tests.fake_openai import FakeRealtimeServer

pytestmark = pytest.mark.django_db(transaction=True)


async def test_search_returns_passages_with_their_sources(
    agent: Agent, fake: FakeRealtimeServer, settings: Settings
) -> None:
    # Embedded locally (there is no embeddings API here); searches follow the chunks' model.
    key, settings.OPENAI_API_KEY = settings.OPENAI_API_KEY, ""
    await database_sync_to_async(_ingested)(
        agent, title="FAQ", kind="markdown", content=_faq_markdown()
    )
    settings.OPENAI_API_KEY = key
    client = CallClient()
    assert await client.connect()
    call_id = (await client.until("ready"))["call_id"]
    await client.until("response_done")
    upstream = await fake.connection()
    await upstream.call_functions([("search_knowledge_base", {"query": "where can I park?"})])
    outputs = await upstream.wait_for("conversation.item.create")
    result = json.loads(outputs[-1]["item"]["output"])
    assert result["ok"] and result["passages"][0]["section"] == "Parking"
    assert result["passages"][0]["source"] == "FAQ"
    assert FAQ["Parking"][:40] in result["passages"][0]["text"]
    # The retrieval is recorded on the call: query and passages.
    await upstream.wait_for("response.create", count=2)
    invocation = await ToolInvocation.objects.aget(call_id=call_id, name="search_knowledge_base")
    assert invocation.arguments == {"query": "where can I park?"}
    assert invocation.result["passages"][0]["section"] == "Parking"
    await client.close()


async def test_offline_agent_answers_from_the_knowledge_base(
    agent: Agent, settings: Settings
) -> None:
    settings.VOICEAGENT_ENGINE = "offline"
    await database_sync_to_async(_ingested)(
        agent, title="FAQ", kind="markdown", content=_faq_markdown()
    )
    client = CallClient()
    assert await client.connect()
    await client.until("ready")
    await client.until("response_done")
    await client.send(type="text", text="Do you have parking?")
    answer = await client.until("transcript", role="assistant", final=True, timeout=10)
    assert "Free parking is available behind the building" in answer["text"]
    await client.close()
