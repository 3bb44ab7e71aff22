"""The contacts API: owner scoping, filters, writes through the services, duplicates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client

from agents.models import Agent
from appointments.models import Appointment
from calls.models import CallLog
from contacts.models import Contact

pytestmark = pytest.mark.django_db
ApiClient = Callable[[User], Client]


def test_create_read_change_and_delete_a_contact(
    api_client: ApiClient, owner: User, agent: Agent
) -> None:
    client = api_client(owner)
    created = client.post(
        "/api/contacts/",
        {
            "name": "Ada Lovelace",
            "email": "ada@example.com",
            "phone": "+14155550123",
            "agent": agent.public_id,
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["agent"] == agent.public_id and body["status"] == "new"
    contact = Contact.objects.get(pk=body["id"])
    assert contact.owner == owner and contact.email == "ada@example.com"

    changed = client.patch(
        f"/api/contacts/{contact.pk}/",
        {"status": "contacted", "notes": "Called back"},
        content_type="application/json",
    )
    assert changed.status_code == 200 and changed.json()["status"] == "contacted"
    contact.refresh_from_db()
    assert contact.notes == "Called back"

    assert client.delete(f"/api/contacts/{contact.pk}/").status_code == 204
    assert not Contact.objects.filter(pk=contact.pk).exists()


def test_a_duplicate_email_or_phone_is_a_409_naming_the_existing_contact(
    api_client: ApiClient, owner: User
) -> None:
    existing = Contact.objects.create(owner=owner, name="Ada", email="ada@example.com")
    client = api_client(owner)
    response = client.post(
        "/api/contacts/", {"email": "ADA@example.com"}, content_type="application/json"
    )
    assert response.status_code == 409
    assert response.json()["error"] == {
        "code": "duplicate_contact",
        "message": "Another contact already has this email.",
        "details": {"existing_id": existing.pk},
    }
    other = Contact.objects.create(owner=owner, phone="+14155550100")
    clash = client.patch(
        f"/api/contacts/{other.pk}/", {"email": "ada@example.com"}, content_type="application/json"
    )
    assert clash.status_code == 409
    assert Contact.objects.get(pk=other.pk).email == ""


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"phone": "415 555 0123"}, "phone"),
        ({"email": "not an email"}, "email"),
        ({"status": "vip"}, "status"),
        ({"name": ""}, "non_field_errors"),
        ({"name": "x", "agent": "agt-nope"}, "agent"),
    ],
)
def test_invalid_contacts_are_400_naming_the_field(
    api_client: ApiClient, owner: User, payload: dict[str, str], field: str
) -> None:
    response = api_client(owner).post("/api/contacts/", payload, content_type="application/json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid" and field in error["details"]
    assert Contact.objects.count() == 0


def test_contacts_are_owner_scoped(
    api_client: ApiClient, owner: User, stranger: User, agent: Agent
) -> None:
    mine = Contact.objects.create(owner=owner, name="Mine", email="mine@example.com")
    theirs = Contact.objects.create(owner=stranger, name="Theirs", email="t@example.com")
    client = api_client(stranger)
    listed = client.get("/api/contacts/").json()["results"]
    assert [row["id"] for row in listed] == [theirs.pk]
    for method in ("get", "patch", "delete"):
        response = getattr(client, method)(
            f"/api/contacts/{mine.pk}/", {}, content_type="application/json"
        )
        assert response.status_code == 404
    # Nor can a stranger file a contact under someone else's agent.
    response = client.post(
        "/api/contacts/", {"name": "x", "agent": agent.public_id}, content_type="application/json"
    )
    assert response.status_code == 400 and "agent" in response.json()["error"]["details"]
    assert Contact.objects.filter(pk=mine.pk).exists()


def test_filters_and_the_detail_with_calls_and_appointments(
    api_client: ApiClient, owner: User, agent: Agent, call: CallLog
) -> None:
    ada = Contact.objects.create(owner=owner, name="Ada", email="ada@example.com", status="booked")
    Contact.objects.create(owner=owner, name="Bob", phone="+14155550100")
    call.contact = ada
    call.save()
    Appointment.objects.create(
        agent=agent,
        contact=ada,
        call=call,
        service_name="Consultation",
        start_at=call.started_at,
        end_at=call.started_at + dt.timedelta(minutes=30),
        timezone="UTC",
        idempotency_key="k1",
    )
    client = api_client(owner)
    assert [r["name"] for r in client.get("/api/contacts/?status=booked").json()["results"]] == [
        "Ada"
    ]
    assert [r["name"] for r in client.get("/api/contacts/?q=555").json()["results"]] == ["Bob"]
    assert client.get("/api/contacts/?colour=red").status_code == 400
    detail = client.get(f"/api/contacts/{ada.pk}/").json()
    assert [c["id"] for c in detail["calls"]] == [str(call.pk)]
    assert [a["service_name"] for a in detail["appointments"]] == ["Consultation"]


def test_oversized_bodies_and_wrong_content_types_are_refused_in_the_error_shape(
    api_client: ApiClient, owner: User
) -> None:
    client = api_client(owner)
    huge = client.post(
        "/api/contacts/", {"name": "x", "notes": "n" * 3_000_000}, content_type="application/json"
    )
    assert huge.status_code == 413 and huge.json()["error"]["code"] == "too_large"
    xml = client.post("/api/contacts/", "<contact/>", content_type="application/xml")
    assert xml.status_code == 415
    assert xml.json()["error"]["code"] == "unsupported_media_type"
    broken = client.post("/api/contacts/", "{not json", content_type="application/json")
    assert broken.status_code == 400 and broken.json()["error"]["code"] == "parse_error"
    assert not Contact.objects.exists()
