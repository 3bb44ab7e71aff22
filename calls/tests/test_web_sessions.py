"""Session tokens minted by a website's backend start one web call each, carrying what
the site knows of its user and its own metadata to the call log."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from agents.models import Agent
from calls.models import CallLog
from calls.tests.conftest import CallClient
from calls.tests.fake_openai import FakeRealtimeServer
from calls.web_sessions import web_session_grant, web_session_mint

ApiClient = Callable[[User], Client]


def _mint(client: Client, agent: Agent, **body: object) -> Any:
    return client.post(
        f"/api/agents/{agent.public_id}/web-sessions/", body, content_type="application/json"
    )


@pytest.mark.django_db
def test_the_api_mints_a_token_for_the_owners_agent_only(
    api_client: ApiClient, owner: User, stranger: User, agent: Agent
) -> None:
    response = _mint(
        api_client(owner),
        agent,
        ttl_seconds=120,
        user_info={"name": "Ada", "email": "ada@example.com"},
        metadata={"customer_id": "c_123"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    grant = web_session_grant(token=body["session_token"], agent_public_id=agent.public_id)
    assert grant is not None
    assert grant.user_info == {"name": "Ada", "email": "ada@example.com"}
    assert grant.metadata == {"customer_id": "c_123"}
    url = urlsplit(body["websocket_url"])
    assert url.path == f"/ws/calls/{agent.public_id}/"
    assert parse_qs(url.query)["session_token"] == [body["session_token"]]
    expires = dt.datetime.fromisoformat(body["expires_at"])
    assert 110 <= (expires - timezone.now()).total_seconds() <= 121
    # Not for another agent's calls.
    assert web_session_grant(token=body["session_token"], agent_public_id="agt-other") is None

    assert _mint(api_client(stranger), agent).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"ttl_seconds": 5}, "ttl_seconds"),
        ({"ttl_seconds": 86400}, "ttl_seconds"),
        ({"metadata": {"blob": "x" * 5000}}, "metadata"),
        ({"metadata": ["not", "an", "object"]}, "metadata"),
        ({"user_info": {"phone": "555"}}, "user_info"),
    ],
)
def test_bad_requests_are_400(
    api_client: ApiClient, owner: User, agent: Agent, body: dict[str, object], field: str
) -> None:
    response = _mint(api_client(owner), agent, **body)
    assert response.status_code == 400 and field in response.json()["error"]["details"]


def test_expired_and_forged_tokens_grant_nothing() -> None:
    long_ago = timezone.now() - dt.timedelta(minutes=10)
    stale = web_session_mint(agent_public_id="front-desk", ttl_seconds=60, now=long_ago)
    assert web_session_grant(token=stale.token, agent_public_id="front-desk") is None
    fresh = web_session_mint(agent_public_id="front-desk")
    assert web_session_grant(token=fresh.token[:-2] + "xx", agent_public_id="front-desk") is None


def _client_with(token: str) -> CallClient:
    return CallClient(f"/ws/calls/front-desk/?session_token={token}")


@pytest.mark.django_db(transaction=True)
async def test_a_token_starts_one_call_with_the_sites_user_and_metadata(
    agent: Agent, fake: FakeRealtimeServer
) -> None:
    session = web_session_mint(
        agent_public_id=agent.public_id,
        user_info={"name": "Ada Lovelace", "email": "ada@example.com"},
        metadata={"customer_id": "c_123"},
    )
    caller = _client_with(session.token)
    assert await caller.connect()
    ready = await caller.until("ready")
    connection = await fake.connection()
    update = (await connection.wait_for("session.update"))[0]
    instructions = update["session"]["instructions"]
    assert "Ada Lovelace" in instructions and "ada@example.com" in instructions
    # The token was used: a second call with it is refused, and writes nothing.
    assert not await _client_with(session.token).connect()
    await caller.send(type="end")
    await caller.until("ended")
    await caller.close()

    call = await CallLog.objects.aget(pk=ready["call_id"])
    assert call.metadata == {"customer_id": "c_123"}
    # Kept to the end, beside anything the call captured.
    assert call.user_info["name"] == "Ada Lovelace"
    assert call.user_info["email"] == "ada@example.com"
    assert await CallLog.objects.acount() == 1


@pytest.mark.django_db(transaction=True)
async def test_agents_that_require_a_token_refuse_calls_without_a_valid_one(
    agent: Agent, fake: FakeRealtimeServer
) -> None:
    agent.require_session_token = True
    await agent.asave()
    assert not await CallClient().connect()
    assert not await _client_with("not-a-token").connect()
    other = await sync_to_async(web_session_mint)(agent_public_id="agt-someone-else")
    assert not await _client_with(other.token).connect()
    assert await CallLog.objects.acount() == 0
    assert fake.handshakes == []

    good = await sync_to_async(web_session_mint)(agent_public_id=agent.public_id)
    caller = _client_with(good.token)
    assert await caller.connect()
    await caller.until("ready")
    await caller.close()
