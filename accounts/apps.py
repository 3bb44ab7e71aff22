from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "API access"

    def ready(self) -> None:
        # Registers the API key scheme with drf-spectacular.
        from accounts import schema  # noqa: F401
