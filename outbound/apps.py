from django.apps import AppConfig


class OutboundConfig(AppConfig):
    name = "outbound"
    verbose_name = "Outbound calls"

    def ready(self) -> None:
        from outbound import tools  # noqa: F401  (registers the opt-out tool)
