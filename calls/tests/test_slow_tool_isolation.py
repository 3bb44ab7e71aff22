"""A slow tool in one call holds no other call: no network I/O in the shared DB thread.

Channels runs every call's database work on one shared thread
(``database_sync_to_async``). The knowledge search used to embed the caller's question
with a blocking OpenAI request inside that thread, so one slow lookup delayed every
other call's admission, ``ready`` and transcript writes. Here the embeddings endpoint
holds its answer until the test has seen a second call connect, get ``ready`` and its
greeting audio, and store a transcript turn; with the request in the database thread
the second call cannot even be admitted.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest
from channels.db import database_sync_to_async

from agents.models import KnowledgeSource
from agents.tests.test_knowledge import _faq_markdown, _ingested
from calls.models import TranscriptTurn
from calls.tests.conftest import CallClient
from calls.tests.fake_embeddings import FakeEmbeddingsServer
from calls.tests.fake_openai import FakeRealtimeServer

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def embeddings(settings: Any) -> Iterator[FakeEmbeddingsServer]:
    server = FakeEmbeddingsServer()
    settings.OPENAI_BASE_URL = server.start()
    yield server
    server.stop()


async def test_a_held_knowledge_lookup_does_not_delay_another_call(
    agent: Any, fake: FakeRealtimeServer, embeddings: FakeEmbeddingsServer
) -> None:
    # Embedded through the (fake) OpenAI API, so questions are embedded by it too.
    source = await database_sync_to_async(_ingested)(
        agent, title="FAQ", kind="markdown", content=_faq_markdown()
    )
    assert isinstance(source, KnowledgeSource) and source.embedding_model.startswith("text-")
    first = CallClient()
    assert await first.connect()
    await first.until("ready")
    await first.until("response_done")
    upstream = await fake.connection(0)

    embeddings.hold.clear()  # the question's embedding is held until released below
    try:
        asked = len(embeddings.requests) + 1
        await upstream.call_functions([("search_knowledge_base", {"query": "where can I park?"})])
        lookup = await asyncio.to_thread(embeddings.wait_for_requests, asked)

        second = CallClient()
        assert await second.connect(), "the second call was not admitted during the lookup"
        ready = await second.until("ready", timeout=3)
        await second.until("audio", timeout=3)
        other = await fake.connection(1)
        await other.caller_turn("Hello, is anyone there?")
        await second.until("transcript", role="user", final=True, timeout=3)
        async with asyncio.timeout(5):
            while not await TranscriptTurn.objects.filter(
                call_id=ready["call_id"], role="user"
            ).aexists():
                await asyncio.sleep(0.05)
        assert lookup.answered_at is None  # all of it happened while the lookup waited
    finally:
        embeddings.hold.set()

    outputs = await upstream.wait_for("conversation.item.create")
    result = json.loads(outputs[-1]["item"]["output"])
    assert result["ok"] and result["passages"][0]["section"] == "Parking"
    await first.close()
    await second.close()


async def test_a_failing_embeddings_endpoint_is_a_tool_error_not_a_stall(
    agent: Any, fake: FakeRealtimeServer, embeddings: FakeEmbeddingsServer, settings: Any
) -> None:
    await database_sync_to_async(_ingested)(
        agent, title="FAQ", kind="markdown", content=_faq_markdown()
    )
    settings.OPENAI_BASE_URL = "http://127.0.0.1:9/v1"  # nothing listens: refused at once
    client = CallClient()
    assert await client.connect()
    await client.until("ready")
    await client.until("response_done")
    upstream = await fake.connection()
    await upstream.call_functions([("search_knowledge_base", {"query": "parking?"})])
    outputs = await upstream.wait_for("conversation.item.create", timeout=8)
    assert json.loads(outputs[-1]["item"]["output"])["ok"] is False
    await client.send(type="ping", id=1)
    await client.until("pong")
    await client.close()
