from django.apps import AppConfig


class CallsConfig(AppConfig):
    name = "calls"

    def ready(self) -> None:
        # Registers the app's call tools (calls.tool_registry).
        from calls import tools  # noqa: F401
