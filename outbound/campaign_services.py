"""Writes of campaigns: creating them with their contacts, starting, pausing, cancelling.
What they call and when is the dispatcher's (``dispatch_services``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from contacts.models import Contact
from outbound.models import (
    AttemptResult,
    AttemptStatus,
    CallAttempt,
    Campaign,
    CampaignContact,
    CampaignStatus,
)


def campaign_save(
    *, campaign: Campaign, changes: dict[str, Any], contacts: Iterable[Contact] = ()
) -> Campaign:
    """Creates or changes a campaign (validated as the admin validates) and adds
    ``contacts`` to it (a contact already in it is not added twice)."""
    for field, value in changes.items():
        setattr(campaign, field, value)
    campaign.full_clean(exclude=["contacts"])
    with transaction.atomic():
        campaign.save()
        campaign_contacts_add(campaign=campaign, contacts=contacts)
    return campaign


def campaign_contacts_add(*, campaign: Campaign, contacts: Iterable[Contact]) -> int:
    """Adds the contacts (the campaign's owner's only); returns how many were new."""
    rows = [
        CampaignContact(campaign=campaign, contact=contact)
        for contact in contacts
        if contact.owner_id == campaign.owner_id
    ]
    before = CampaignContact.objects.filter(campaign=campaign).count()
    CampaignContact.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    return CampaignContact.objects.filter(campaign=campaign).count() - before


def campaign_start(*, campaign: Campaign) -> Campaign:
    Campaign.objects.filter(
        pk=campaign.pk, status__in=[CampaignStatus.DRAFT, CampaignStatus.PAUSED]
    ).update(status=CampaignStatus.RUNNING)
    campaign.refresh_from_db(fields=["status"])
    return campaign


def campaign_pause(*, campaign: Campaign) -> Campaign:
    Campaign.objects.filter(pk=campaign.pk, status=CampaignStatus.RUNNING).update(
        status=CampaignStatus.PAUSED
    )
    campaign.refresh_from_db(fields=["status"])
    return campaign


def campaign_cancel(*, campaign: Campaign) -> Campaign:
    now = timezone.now()
    with transaction.atomic():
        Campaign.objects.filter(
            pk=campaign.pk,
            status__in=[CampaignStatus.DRAFT, CampaignStatus.RUNNING, CampaignStatus.PAUSED],
        ).update(status=CampaignStatus.CANCELLED)
        CallAttempt.objects.filter(campaign=campaign, status=AttemptStatus.SCHEDULED).update(
            status=AttemptStatus.CANCELLED, result=AttemptResult.CANCELLED, ended_at=now
        )
    campaign.refresh_from_db(fields=["status"])
    return campaign
