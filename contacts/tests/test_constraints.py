"""The database keeps one contact per person per owner."""

from __future__ import annotations

import threading

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, close_old_connections, transaction

from contacts.models import Contact

pytestmark = pytest.mark.django_db


def test_duplicate_email_is_rejected_whatever_its_case(owner: User) -> None:
    Contact.objects.create(owner=owner, name="Ada", email="ada@example.com")
    with pytest.raises(IntegrityError), transaction.atomic():
        Contact.objects.create(owner=owner, name="Ada again", email="ADA@example.com")
    assert Contact.objects.count() == 1


def test_duplicate_phone_is_rejected(owner: User) -> None:
    Contact.objects.create(owner=owner, phone="+442071838750")
    with pytest.raises(IntegrityError), transaction.atomic():
        Contact.objects.create(owner=owner, name="Someone", phone="+442071838750")


def test_other_owners_and_blank_values_do_not_collide(
    owner: User, django_user_model: type[User]
) -> None:
    other = django_user_model.objects.create_user(username="other")
    Contact.objects.create(owner=owner, name="A", email="same@example.com")
    Contact.objects.create(owner=other, name="B", email="same@example.com")
    # Many contacts without a phone or email are fine.
    Contact.objects.create(owner=owner, name="C")
    Contact.objects.create(owner=owner, name="D")
    assert Contact.objects.count() == 4


def test_empty_contact_and_unknown_status_are_rejected(owner: User) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Contact.objects.create(owner=owner)
    contact = Contact.objects.create(owner=owner, name="Ada")
    with pytest.raises(IntegrityError), transaction.atomic():
        Contact.objects.filter(pk=contact.pk).update(status="vip")


def test_model_validation_reports_duplicates_before_the_database(owner: User) -> None:
    Contact.objects.create(owner=owner, name="Ada", email="ada@example.com")
    duplicate = Contact(owner=owner, name="Ada", email="Ada@Example.com")
    with pytest.raises(ValidationError, match=r"A contact with this email already exists\."):
        duplicate.full_clean()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_inserts_of_one_email_leave_one_row(owner: User) -> None:
    """Two calls saving the same caller at once: exactly one insert wins."""
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def insert(n: int) -> None:
        try:
            barrier.wait()
            with transaction.atomic():
                Contact.objects.create(owner_id=owner.pk, name=f"Ada {n}", email="ada@example.com")
            outcomes.append("created")
        except IntegrityError:
            outcomes.append("duplicate")
        finally:
            close_old_connections()

    threads = [threading.Thread(target=insert, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["created", "duplicate", "duplicate", "duplicate"]
    assert Contact.objects.filter(email__iexact="ada@example.com").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_saves_of_one_caller_end_in_one_updated_row(owner: User) -> None:
    """The loser of the insert race updates the winner's row instead of failing."""
    from contacts.services import ContactChanges, contact_upsert

    barrier = threading.Barrier(4)
    results: list[int] = []

    def save(n: int) -> None:
        try:
            barrier.wait()
            contact, _ = contact_upsert(
                owner_id=owner.pk,
                agent_id=None,
                changes=ContactChanges(name=f"Ada {n}", email="ada@example.com"),
            )
            results.append(contact.pk)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=save, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 4 and len(set(results)) == 1
    assert Contact.objects.count() == 1
