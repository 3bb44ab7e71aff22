"""Gives ``opt_out_of_calls`` to every existing agent (new agents get it by default):
"don't call me again" must be honoured whoever the agent is."""

from typing import Any

from django.db import migrations


def add_opt_out(apps: Any, schema_editor: Any) -> None:
    Agent = apps.get_model("agents", "Agent")
    # A JSON list: changed in Python, as SQLite has no containment lookup.
    for agent in Agent.objects.only("pk", "enabled_tools").iterator():
        tools = agent.enabled_tools
        if isinstance(tools, list) and "opt_out_of_calls" not in tools:
            agent.enabled_tools = [*tools, "opt_out_of_calls"]
            agent.save(update_fields=["enabled_tools"])


class Migration(migrations.Migration):
    dependencies = [("outbound", "0001_initial"), ("agents", "0011_transfer_call_tool")]

    operations = [migrations.RunPython(add_opt_out, migrations.RunPython.noop)]
