"""Drops ``transfer_call`` from agents' enabled tools: the choice existed before any
handler did, and a call silently left it out. It returns with the transfer issue."""

from typing import Any

from django.db import migrations


def remove_transfer_call(apps: Any, schema_editor: Any) -> None:
    Agent = apps.get_model("agents", "Agent")
    # A JSON list: filtered in Python, as SQLite has no containment lookup.
    for agent in Agent.objects.only("pk", "enabled_tools").iterator():
        tools = agent.enabled_tools
        if isinstance(tools, list) and "transfer_call" in tools:
            agent.enabled_tools = [tool for tool in tools if tool != "transfer_call"]
            agent.save(update_fields=["enabled_tools"])


class Migration(migrations.Migration):
    dependencies = [("agents", "0004_knowledge_base")]

    operations = [migrations.RunPython(remove_transfer_call, migrations.RunPython.noop)]
