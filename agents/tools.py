"""Tools of the agents app: answering from the agent's knowledge base."""

from __future__ import annotations

import asyncio
from typing import Any

from channels.db import database_sync_to_async
from django.conf import settings

from agents.knowledge import OPENAI_MODEL, Passage, VectorIndex, embed_query, local_embedding
from agents.selectors import knowledge_index_get
from calls.realtime.config import ToolDeclaration
from calls.realtime.hooks import ToolContext
from calls.tool_registry import register

PASSAGE_CHARS = 1200
PASSAGES = 3
# Above this many chunks a search takes milliseconds: run it beside the event loop.
SEARCH_IN_THREAD_CHUNKS = 2000


async def _search(index: VectorIndex, query: str) -> list[Passage]:
    """Embeds the query and searches, in the event loop: the HTTP request (OpenAI
    embeddings) goes through an async client, never through the database thread."""
    if index.model == OPENAI_MODEL:
        if not settings.OPENAI_API_KEY:
            raise RuntimeError("The knowledge base uses OpenAI embeddings but no key is set.")
        vector = await embed_query(
            query, api_key=settings.OPENAI_API_KEY, base_url=settings.OPENAI_BASE_URL
        )
    else:
        vector = local_embedding(query)
    if len(index.ids) > SEARCH_IN_THREAD_CHUNKS:
        return await asyncio.to_thread(index.search, vector, PASSAGES)
    return index.search(vector, PASSAGES)


@register(
    ToolDeclaration(
        name="search_knowledge_base",
        description=(
            "Search the business's own documents (prices, opening times, policies, products) "
            'for the caller\'s question. Example: {"query": "do you have parking?"}.'
        ),
        parameters={
            "type": "object",
            "properties": {
                "query": {"type": "string", "description": "The question, in a few words."}
            },
            "required": ["query"],
            "additionalProperties": False,
        },
        guidance="for any question about the business; answer only from the passages it "
        "returns, and say you don't know if they don't answer it.",
    ),
    label="Answer from the knowledge base",
    order=20,
    filler="knowledge",
)
async def search_knowledge_base(arguments: dict[str, Any], context: ToolContext) -> dict[str, Any]:
    query = str(arguments.get("query") or "").strip()[:500]
    if not query:
        return {"ok": False, "error": "Pass the caller's question as query."}
    index = await database_sync_to_async(knowledge_index_get)(agent_id=context.agent_id)
    passages = await _search(index, query) if index is not None else []
    if not passages:
        return {
            "ok": True,
            "passages": [],
            "note": "Nothing in the knowledge base answers this; "
            "say so and offer to take a message.",
        }
    return {
        "ok": True,
        "passages": [
            {
                "source": p.source_title,
                "section": p.heading,
                "text": p.text[:PASSAGE_CHARS],
                "score": round(p.score, 3),
            }
            for p in passages
        ],
    }
