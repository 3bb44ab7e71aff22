"""Gives ``transfer_call`` back to every agent (0005 removed it while it had no handler):
it is offered only on phone calls of agents with a transfer number, so enabling it
changes nothing for the others."""

from typing import Any

from django.db import migrations


def add_transfer_call(apps: Any, schema_editor: Any) -> None:
    Agent = apps.get_model("agents", "Agent")
    # A JSON list: changed in Python, as SQLite has no containment lookup.
    for agent in Agent.objects.only("pk", "enabled_tools").iterator():
        tools = agent.enabled_tools
        if isinstance(tools, list) and "transfer_call" not in tools:
            agent.enabled_tools = [*tools, "transfer_call"]
            agent.save(update_fields=["enabled_tools"])


class Migration(migrations.Migration):
    dependencies = [("agents", "0010_phone_lines")]

    operations = [migrations.RunPython(add_transfer_call, migrations.RunPython.noop)]
