from typing import Any

from django.core.management.base import BaseCommand

from agents.services import agents_webhook_secrets_reencrypt
from appointments.services import calendar_connections_reencrypt


class Command(BaseCommand):
    help = (
        "Re-encrypts stored secrets with the first key of FIELD_ENCRYPTION_KEY. "
        "Put the new key first, keep the old ones after it, run this, then drop them."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count = calendar_connections_reencrypt()
        self.stdout.write(self.style.SUCCESS(f"Re-encrypted {count} calendar connection(s)."))
        count = agents_webhook_secrets_reencrypt()
        self.stdout.write(self.style.SUCCESS(f"Re-encrypted {count} webhook secret(s)."))
