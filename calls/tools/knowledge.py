"""Answering from the agent's knowledge base."""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async

from agents.selectors import knowledge_search
from calls.realtime.config import ToolDeclaration
from calls.realtime.hooks import ToolContext
from calls.tools import register

PASSAGE_CHARS = 1200


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
    )
)
async def search_knowledge_base(arguments: dict[str, Any], context: ToolContext) -> dict[str, Any]:
    query = str(arguments.get("query") or "").strip()
    if not query:
        return {"ok": False, "error": "Pass the caller's question as query."}
    passages = await database_sync_to_async(knowledge_search)(
        agent_id=context.agent_id, query=query[:500]
    )
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
