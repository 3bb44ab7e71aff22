from django.apps import AppConfig


class SipConfig(AppConfig):
    """An app for its ``runworker`` (listed before ``channels``, whose command it extends)."""

    name = "calls.sip"
    label = "sip"
    verbose_name = "SIP trunks (OpenAI SIP connector)"

    def ready(self) -> None:
        from calls.sip import supervisor

        supervisor.install()
