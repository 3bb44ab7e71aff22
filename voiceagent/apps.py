from django.apps import AppConfig


class VoiceagentConfig(AppConfig):
    name = "voiceagent"
    verbose_name = "Voice agent platform"

    def ready(self) -> None:
        from voiceagent import checks  # noqa: F401  (registers system checks)
