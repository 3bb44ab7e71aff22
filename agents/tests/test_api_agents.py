"""The agents API: CRUD validated as the admin validates, services and hours as whole
lists, knowledge sources with their ingestion status, owner scoping."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pytest_django import DjangoCaptureOnCommitCallbacks

from agents.models import Agent, KnowledgeSource, Service
from calls.models import CallLog

pytestmark = pytest.mark.django_db
ApiClient = Callable[[User], Client]


def test_create_an_agent_with_services_and_hours(api_client: ApiClient, stranger: User) -> None:
    client = api_client(stranger)
    response = client.post(
        "/api/agents/",
        {
            "name": "Dental front desk",
            "instructions": "Book cleanings.",
            "timezone": "America/New_York",
            "services": [{"name": "Cleaning", "duration_minutes": 45}],
            "business_hours": [{"weekday": 0, "opens_at": "09:00", "closes_at": "17:00"}],
            "enabled_tools": ["end_call"],
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    agent = Agent.objects.get(public_id=body["public_id"])
    assert agent.owner == stranger and agent.enabled_tools == ["end_call"]
    assert [(s.name, s.duration_minutes) for s in agent.services.all()] == [("Cleaning", 45)]
    assert body["business_hours"] == [
        {"weekday": 0, "opens_at": "09:00:00", "closes_at": "17:00:00"}
    ]
    assert body["public_id"] in body["embed_snippet"] and body["calendar"] is None
    assert "webhook_secret" not in body


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"enabled_tools": ["launch_rockets"]}, "enabled_tools"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"max_call_seconds": 5}, "max_call_seconds"),
        ({"voice": "robot"}, "voice"),
        ({"allowed_origins": "not a url"}, "allowed_origins"),
        (
            {"business_hours": [{"weekday": 0, "opens_at": "17:00", "closes_at": "09:00"}]},
            "business_hours",
        ),
        (
            {
                "services": [
                    {"name": "A", "duration_minutes": 30},
                    {"name": "a", "duration_minutes": 5},
                ]
            },
            "services",
        ),
    ],
)
def test_invalid_settings_are_400_and_change_nothing(
    api_client: ApiClient, owner: User, agent: Agent, payload: dict[str, object], field: str
) -> None:
    before = Agent.objects.values().get(pk=agent.pk)
    services_before = list(agent.services.values_list("name", "duration_minutes", "is_active"))
    response = api_client(owner).patch(
        f"/api/agents/{agent.public_id}/", payload, content_type="application/json"
    )
    assert response.status_code == 400, response.content
    assert field in str(response.json()["error"]["details"])
    assert Agent.objects.values().get(pk=agent.pk) == before
    assert list(agent.services.values_list("name", "duration_minutes", "is_active")) == (
        services_before
    )


def test_a_duplicate_name_is_400(api_client: ApiClient, owner: User, agent: Agent) -> None:
    response = api_client(owner).post(
        "/api/agents/", {"name": agent.name.upper()}, content_type="application/json"
    )
    assert response.status_code == 400


def test_services_are_a_whole_list_and_dropped_ones_are_deactivated(
    api_client: ApiClient, owner: User, agent: Agent
) -> None:
    response = api_client(owner).patch(
        f"/api/agents/{agent.public_id}/",
        {"services": [{"name": "consultation", "duration_minutes": 60}]},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert [s["name"] for s in response.json()["services"] if s["is_active"]] == ["consultation"]
    states = dict(Service.objects.filter(agent=agent).values_list("name", "is_active"))
    assert states == {"consultation": True, "Product demo": False}


def test_an_agent_with_calls_cannot_be_deleted(
    api_client: ApiClient, owner: User, agent: Agent, call: CallLog
) -> None:
    client = api_client(owner)
    response = client.delete(f"/api/agents/{agent.public_id}/")
    assert response.status_code == 409 and response.json()["error"]["code"] == "agent_in_use"
    fresh = client.post(
        "/api/agents/",
        {"name": "Spare", "instructions": "Be brief."},
        content_type="application/json",
    )
    assert fresh.status_code == 201, fresh.content
    assert client.delete(f"/api/agents/{fresh.json()['public_id']}/").status_code == 204
    assert Agent.objects.filter(pk=agent.pk).exists()


def test_agents_are_owner_scoped(
    api_client: ApiClient, owner: User, stranger: User, agent: Agent
) -> None:
    client = api_client(stranger)
    assert client.get("/api/agents/").json()["results"] == []
    url = f"/api/agents/{agent.public_id}/"
    for method in ("get", "patch", "delete"):
        assert getattr(client, method)(url, {}, content_type="application/json").status_code == 404
    assert client.get(f"{url}webhook-secret/").status_code == 404
    assert client.get(f"{url}knowledge-sources/").status_code == 404
    assert (
        client.post(
            f"{url}knowledge-sources/",
            {"title": "x", "content": "y"},
            content_type="application/json",
        ).status_code
        == 404
    )
    assert not KnowledgeSource.objects.exists()


def test_the_webhook_secret_is_read_and_rotated(
    api_client: ApiClient, owner: User, agent: Agent
) -> None:
    client = api_client(owner)
    url = f"/api/agents/{agent.public_id}/webhook-secret/"
    current = client.get(url).json()["webhook_secret"]
    assert current == agent.webhook_secret.reveal()
    rotated = client.post(url).json()["webhook_secret"]
    agent.refresh_from_db()
    assert rotated != current and rotated == agent.webhook_secret.reveal()


def test_knowledge_sources_are_ingested_and_report_their_status(
    api_client: ApiClient,
    owner: User,
    agent: Agent,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    client = api_client(owner)
    base = f"/api/agents/{agent.public_id}/knowledge-sources/"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            base,
            {"title": "Parking", "kind": "markdown", "content": "# Parking\nFree parking behind."},
            content_type="application/json",
        )
    assert response.status_code == 201, response.content
    source_id = response.json()["id"]
    # Tasks run eagerly in tests: the source is ingested once the request commits.
    detail = client.get(f"{base}{source_id}/").json()
    assert detail["status"] == "ready" and detail["chunk_count"] >= 1

    missing = client.post(base, {"title": "Site", "kind": "url"}, content_type="application/json")
    assert missing.status_code == 400 and "url" in missing.json()["error"]["details"]
    not_pdf = client.post(
        base,
        {"title": "Menu", "kind": "pdf", "file": SimpleUploadedFile("menu.txt", b"hello")},
    )
    assert not_pdf.status_code == 400 and "file" in not_pdf.json()["error"]["details"]

    again = client.post(f"{base}{source_id}/reingest/")
    assert again.status_code == 202
    assert client.delete(f"{base}{source_id}/").status_code == 204
    assert not KnowledgeSource.objects.filter(pk=source_id).exists()
    assert client.get(base).json()["results"] == []
