"""One registry of tools: the admin, new agents, calls and the system check read it."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import Any

import pytest
from django.apps import apps
from django.core.checks import run_checks
from django.test import Client
from django.urls import reverse

from agents.models import Agent, default_tools
from calls import tool_registry
from calls.realtime.config import ToolDeclaration
from calls.realtime.hooks import ToolContext
from calls.selectors import agent_snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def throwaway_tool() -> Iterator[str]:
    """What an app's tools.py does to add a tool, undone after the test."""

    @tool_registry.register(
        ToolDeclaration(
            name="tell_a_joke",
            description="Tell the caller a joke.",
            parameters={"type": "object", "properties": {}, "additionalProperties": False},
            guidance="when the caller asks for a joke.",
        ),
        label="Tell jokes",
        default=False,
    )
    async def tell_a_joke(arguments: dict[str, Any], context: ToolContext) -> dict[str, Any]:
        return {"ok": True, "joke": "Knock knock."}

    yield "tell_a_joke"
    del tool_registry.REGISTRY["tell_a_joke"]


def test_a_registered_tool_is_offered_in_the_admin_and_declared_in_calls(
    throwaway_tool: str, agent: Agent, owner: Any
) -> None:
    client = Client()
    client.force_login(owner)
    form = client.get(reverse("admin:agents_agent_change", args=[agent.pk])).content.decode()
    assert 'value="tell_a_joke"' in form and "Tell jokes" in form
    assert throwaway_tool not in default_tools()  # registered as off by default

    agent.enabled_tools = [*agent.enabled_tools, throwaway_tool]
    agent.full_clean()
    agent.save()
    snapshot = agent_snapshot(agent=agent, default_model="gpt-realtime")
    declared = [tool.name for tool in snapshot.tools]
    assert declared[-1] == "tell_a_joke" and "end_call" in declared


def test_every_app_registers_its_tools() -> None:
    names = {name for name, _ in tool_registry.tool_choices()}
    assert names == {
        "update_user_info",
        "save_contact",
        "update_contact",
        "search_knowledge_base",
        "check_availability",
        "schedule_appointment",
        "reschedule_appointment",
        "cancel_appointment",
        "transfer_call",
        "end_call",
        "opt_out_of_calls",
    }
    handlers = {tool.handler.__module__ for tool in tool_registry.REGISTRY.values()}
    assert handlers == {
        "agents.tools",
        "appointments.tools",
        "calls.tools",
        "contacts.tools",
        "outbound.tools",
    }


def test_a_name_cannot_be_registered_twice(throwaway_tool: str) -> None:
    declaration = tool_registry.REGISTRY[throwaway_tool].declaration
    with pytest.raises(ValueError, match="registered twice"):
        tool_registry.register(declaration, label="Again")(
            tool_registry.REGISTRY[throwaway_tool].handler
        )


def test_the_system_check_names_the_agent_and_the_unknown_tool(agent: Agent) -> None:
    # Written past validation, as an older release or a script would have.
    Agent.objects.filter(pk=agent.pk).update(enabled_tools=["end_call", "launch_rockets"])
    assert [m for m in run_checks() if m.id == "agents.E001"] == []  # no database: no query
    errors = [m for m in run_checks(databases=["default"]) if m.id == "agents.E001"]
    assert len(errors) == 1 and errors[0].is_serious()
    assert "'Front desk'" in errors[0].msg and "'launch_rockets'" in errors[0].msg


def test_the_data_migrations_remove_then_give_back_transfer_call(agent: Agent) -> None:
    Agent.objects.filter(pk=agent.pk).update(enabled_tools=["end_call", "transfer_call"])
    migration = importlib.import_module("agents.migrations.0005_remove_transfer_call_tool")
    migration.remove_transfer_call(apps, None)
    agent.refresh_from_db()
    assert agent.enabled_tools == ["end_call"]
    again = importlib.import_module("agents.migrations.0011_transfer_call_tool")
    again.add_transfer_call(apps, None)
    again.add_transfer_call(apps, None)  # once only
    agent.refresh_from_db()
    assert agent.enabled_tools == ["end_call", "transfer_call"]
    assert [m for m in run_checks(databases=["default"]) if m.id == "agents.E001"] == []


def test_a_tool_names_its_filler_phrases_and_only_known_ones() -> None:
    """The category said while a slow tool runs is declared where the tool is."""
    assert tool_registry.tool_filler("check_availability") == "calendar"
    assert tool_registry.tool_filler("cancel_appointment") == "calendar"
    assert tool_registry.tool_filler("search_knowledge_base") == "knowledge"
    assert tool_registry.tool_filler("save_contact") == "contact"
    assert tool_registry.tool_filler("end_call") == ""  # the default phrases
    assert tool_registry.tool_filler("launch_rockets") == ""
    declaration = ToolDeclaration(
        name="tell_a_joke", description="", parameters={"type": "object"}, guidance=""
    )
    with pytest.raises(ValueError, match="names the filler 'jokes'"):
        tool_registry.register(declaration, label="Jokes", filler="jokes")
    assert "tell_a_joke" not in tool_registry.REGISTRY
