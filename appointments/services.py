"""Writes to appointments and calendar connections."""

from __future__ import annotations

import logging

from django.db import transaction

from appointments.models import CalendarConnection

logger = logging.getLogger(__name__)


def calendar_connections_reencrypt() -> int:
    """Re-encrypts every stored token with the first key of FIELD_ENCRYPTION_KEY.

    Run after putting a new key first in the list; once it has run, the old keys
    can be removed. Returns the number of connections re-encrypted.
    """
    count = 0
    for pk in CalendarConnection.objects.filter(token_data__isnull=False).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            connection = CalendarConnection.objects.select_for_update().get(pk=pk)
            # Loading decrypts with whichever key matches; saving encrypts with the first.
            connection.save(update_fields=["token_data"])
        count += 1
    logger.info("Re-encrypted the tokens of %d calendar connections", count)
    return count
