from django.apps import AppConfig


class CallsConfig(AppConfig):
    name = "calls"

    def ready(self) -> None:
        # Registers the app's call tools (calls.tool_registry).
        from calls import tools  # noqa: F401
        from calls.offline_recognisers import ProjectRecognisers
        from calls.realtime.engines.offline.dialogue import recognise

        # The offline dialogue recognises details with the tools' own normalisers.
        recognise.install(ProjectRecognisers())
