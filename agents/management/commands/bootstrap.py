"""Creates the demo agent and an admin user; safe to run any number of times."""

from __future__ import annotations

import os
import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from agents.models import Agent, SourceStatus
from agents.services import (
    agent_demo_ensure,
    agent_demo_knowledge_ensure,
    knowledge_source_ingest,
)
from calls.services import call_logs_close_orphans


class Command(BaseCommand):
    help = (
        "Creates the demo agent 'Front desk' and an admin user if they are missing. "
        "The admin password comes from DJANGO_SUPERUSER_PASSWORD, or is generated and "
        "printed once. Existing rows are left untouched."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--username",
            default=os.environ.get("DJANGO_SUPERUSER_USERNAME", "admin"),
            help="Admin username (default: DJANGO_SUPERUSER_USERNAME or 'admin').",
        )
        parser.add_argument(
            "--email",
            default=os.environ.get("DJANGO_SUPERUSER_EMAIL", "admin@localhost"),
            help="Admin email (default: DJANGO_SUPERUSER_EMAIL or admin@localhost).",
        )
        parser.add_argument(
            "--timezone",
            default=os.environ.get("VOICEAGENT_DEMO_TIMEZONE", "UTC"),
            help="Time zone of the demo agent's business hours (default: UTC).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user_model = get_user_model()
        username: str = options["username"]
        with transaction.atomic():
            admin = user_model.objects.filter(username=username).first()
            generated_password = None
            if admin is None:
                password = os.environ.get("DJANGO_SUPERUSER_PASSWORD", "")
                if password:
                    try:
                        validate_password(password)
                    except ValidationError as exc:
                        raise CommandError(
                            "DJANGO_SUPERUSER_PASSWORD is too weak: " + " ".join(exc.messages)
                        ) from None
                else:
                    password = generated_password = secrets.token_urlsafe(12)
                admin = user_model.objects.create_superuser(
                    username=username, email=options["email"], password=password
                )
                self.stdout.write(f"Created admin user '{username}'.")
            else:
                self.stdout.write(f"Admin user '{username}' already exists; left unchanged.")

            try:
                agent, created = agent_demo_ensure(owner=admin, timezone=options["timezone"])
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(
            f"{'Created' if created else 'Found'} demo agent '{agent.name}' "
            f"(public id {agent.public_id})."
        )
        self._sample_knowledge(agent)
        orphans = call_logs_close_orphans()
        if orphans:
            self.stdout.write(f"Closed {orphans} call(s) left live by a stopped server.")
        if generated_password:
            # Shown once: it is not stored anywhere in clear text.
            self.stdout.write(
                self.style.WARNING(
                    f"\n  Admin login: {username} / {generated_password}\n"
                    "  (generated now and not shown again; change it with "
                    "`python manage.py changepassword`)\n"
                )
            )

    def _sample_knowledge(self, agent: Agent) -> None:
        """So that questions work out of the box: the demo agent's sample knowledge
        source, ingested here and now (local embeddings take milliseconds), ready when
        the server starts."""
        source = agent_demo_knowledge_ensure(agent=agent)
        if source is None:
            return
        ingested = knowledge_source_ingest(source_id=source.pk)
        if ingested is not None and ingested.status == SourceStatus.READY:
            self.stdout.write(f"Added the sample knowledge source '{source.title}'.")
        else:
            error = ingested.error if ingested is not None else "it disappeared"
            self.stdout.write(
                self.style.WARNING(
                    f"Added the sample knowledge source '{source.title}', but ingesting it "
                    f"failed ({error}); it is retried when saved in the admin."
                )
            )
