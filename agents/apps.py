from django.apps import AppConfig


class AgentsConfig(AppConfig):
    name = "agents"

    def ready(self) -> None:
        # Registers the app's call tools (calls.tool_registry) and the check that every
        # agent's enabled tools exist.
        from agents import checks, tools  # noqa: F401
