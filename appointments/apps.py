from django.apps import AppConfig


class AppointmentsConfig(AppConfig):
    name = "appointments"

    def ready(self) -> None:
        # Registers the app's call tools (calls.tool_registry).
        from appointments import tools  # noqa: F401
