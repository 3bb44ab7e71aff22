from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "contacts"

    def ready(self) -> None:
        # Registers the app's call tools (calls.tool_registry).
        from contacts import tools  # noqa: F401
