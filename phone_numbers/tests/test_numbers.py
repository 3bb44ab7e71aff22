"""Phone numbers: the model's rules through the service, the admin (owner-scoped, the
token write-only) and the REST API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse

from agents.models import Agent
from phone_numbers.models import PhoneNumber
from phone_numbers.services import PhoneNumberTaken, phone_number_save
from voiceagent.tests.admin_data import business_owner, owner_agent, signed_in

pytestmark = pytest.mark.django_db

TOKEN = "own-auth-token-not-real"


def _save(owner: User, agent: Agent, number: str = "+14155550100", **changes: Any) -> PhoneNumber:
    return phone_number_save(
        phone_number=PhoneNumber(owner=owner, agent=agent),
        changes={"provider": "twilio", "number": number, **changes},
    )


# -- the model, through the service


def test_a_number_is_e164_for_a_known_provider_and_its_owners_agent(
    owner: User, agent: Agent, stranger: User
) -> None:
    for number in ["4155550100", "+1 415 555 0100", "+15550000000", ""]:
        with pytest.raises(ValidationError) as error:
            _save(owner, agent, number)
        assert "number" in error.value.message_dict, number
    with pytest.raises(ValidationError) as error:
        _save(owner, agent, provider="nexmo")
    assert "provider" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        _save(stranger, agent)
    assert "agent" in error.value.message_dict
    assert _save(owner, agent).number == "+14155550100"


def test_a_provider_number_is_set_up_once(owner: User, agent: Agent, stranger: User) -> None:
    _save(owner, agent)
    other_agent = owner_agent(stranger, name="Other", public_id="other-desk")
    with pytest.raises(PhoneNumberTaken):
        _save(stranger, other_agent)  # of any account: calls to it go to one agent
    assert PhoneNumber.objects.count() == 1


def test_own_credentials_come_together_and_are_encrypted(owner: User, agent: Agent) -> None:
    with pytest.raises(ValidationError) as error:
        _save(owner, agent, account_id="AC123")
    assert "account_id" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        _save(owner, agent, auth_token=TOKEN)
    assert "account_id" in error.value.message_dict

    number = _save(owner, agent, account_id="AC123", auth_token=TOKEN)
    with connection.cursor() as cursor:
        cursor.execute("SELECT auth_token FROM phone_numbers_phonenumber")
        (stored,) = cursor.fetchone()
    assert stored and TOKEN not in stored
    number.refresh_from_db()
    assert number.has_own_credentials and number.auth_token is not None
    assert number.auth_token.reveal() == TOKEN

    phone_number_save(phone_number=number, changes={"label": "Main"})  # the token stays
    number.refresh_from_db()
    assert number.has_own_credentials
    phone_number_save(phone_number=number, changes={"auth_token": "", "account_id": ""})
    number.refresh_from_db()
    assert not number.has_own_credentials


def test_an_agent_with_a_number_is_not_deleted(
    owner: User, agent: Agent, api_client: Callable[[User], Client]
) -> None:
    _save(owner, agent)
    response = api_client(owner).delete(f"/api/agents/{agent.public_id}/")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "agent_in_use"
    assert Agent.objects.filter(pk=agent.pk).exists()


# -- the admin


def _admin_form(agent: Agent, **fields: str) -> dict[str, str]:
    return {
        "provider": "twilio",
        "number": "+14155550100",
        "agent": str(agent.pk),
        "label": "Main line",
        "is_active": "on",
        "account_id": "",
        "new_auth_token": "",
        **fields,
    }


def test_an_owner_sees_and_picks_only_their_own() -> None:
    bea, olga = business_owner("bea"), business_owner("olga")
    beas, olgas = (
        owner_agent(bea, name="Salon", public_id="salon"),
        owner_agent(olga, name="Garage", public_id="garage"),
    )
    _save(bea, beas, "+14155550100")
    theirs = _save(olga, olgas, "+14155550111")
    client = signed_in(bea)

    listing = client.get(reverse("admin:phone_numbers_phonenumber_changelist"))
    assert listing.status_code == 200
    page = listing.content.decode()
    assert "+14155550100" in page and "+14155550111" not in page
    change = reverse("admin:phone_numbers_phonenumber_change", args=[theirs.pk])
    assert client.get(change).status_code in (302, 404)

    add = reverse("admin:phone_numbers_phonenumber_add")
    form = client.get(add).context["adminform"].form
    assert list(form.fields["agent"].queryset) == [beas]
    assert "owner" not in form.fields
    # Another owner's agent is not a choice.
    response = client.post(add, _admin_form(olgas, number="+14155550122"))
    assert response.status_code == 200 and "agent" in response.context["adminform"].form.errors
    response = client.post(add, _admin_form(beas, number="+14155550122"))
    assert response.status_code == 302
    added = PhoneNumber.objects.get(number="+14155550122")
    assert (added.owner, added.agent, added.label) == (bea, beas, "Main line")


def test_the_token_is_write_only_in_the_admin(owner: User, agent: Agent) -> None:
    client = signed_in(owner)
    add = reverse("admin:phone_numbers_phonenumber_add")
    fields = _admin_form(agent, owner=str(owner.pk), account_id="AC123", new_auth_token=TOKEN)
    assert client.post(add, fields).status_code == 302
    number = PhoneNumber.objects.get()
    assert number.auth_token is not None and number.auth_token.reveal() == TOKEN
    change = reverse("admin:phone_numbers_phonenumber_change", args=[number.pk])
    page = client.get(change).content.decode()
    assert TOKEN not in page and "Token stored" in page

    # Left empty, the stored token stays.
    fields = _admin_form(agent, owner=str(owner.pk), account_id="AC123", label="Renamed")
    assert client.post(change, fields).status_code == 302
    number.refresh_from_db()
    assert number.label == "Renamed" and number.auth_token is not None
    assert number.auth_token.reveal() == TOKEN
    # Typed, it replaces the stored one.
    fields["new_auth_token"] = "another-token"
    assert client.post(change, fields).status_code == 302
    number.refresh_from_db()
    assert number.auth_token is not None and number.auth_token.reveal() == "another-token"
    # Removing it needs the account id gone too; then the server's account is used.
    fields |= {"new_auth_token": "", "remove_auth_token": "on"}
    response = client.post(change, fields)
    assert response.status_code == 200
    assert "account_id" in response.context["adminform"].form.errors
    fields["account_id"] = ""
    assert client.post(change, fields).status_code == 302
    number.refresh_from_db()
    assert not number.has_own_credentials


def test_the_agent_page_lists_its_numbers(owner: User, agent: Agent) -> None:
    _save(owner, agent, label="Main line")
    page = signed_in(owner).get(reverse("admin:agents_agent_change", args=[agent.pk]))
    assert "+14155550100 (Main line)" in page.content.decode()


# -- the API


def test_the_api_adds_changes_and_deletes_numbers(
    owner: User, agent: Agent, api_client: Callable[[User], Client]
) -> None:
    client = api_client(owner)
    body = {
        "provider": "twilio",
        "number": "+14155550100",
        "agent": agent.public_id,
        "account_id": "AC123",
        "auth_token": TOKEN,
    }
    response = client.post("/api/phone-numbers/", body, content_type="application/json")
    assert response.status_code == 201, response.json()
    created = response.json()
    assert "auth_token" not in created and created["has_auth_token"] is True
    assert created["agent"] == agent.public_id and created["is_active"] is True
    url = f"/api/phone-numbers/{created['id']}/"

    response = client.patch(url, {"label": "Main"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["has_auth_token"] is True
    assert TOKEN not in response.content.decode()
    assert TOKEN not in client.get("/api/phone-numbers/").content.decode()

    response = client.post("/api/phone-numbers/", body, content_type="application/json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "number_taken"

    response = client.patch(url, {"account_id": "AC9"}, content_type="application/json")
    assert PhoneNumber.objects.get().account_id == "AC9"
    response = client.patch(url, {"auth_token": None}, content_type="application/json")
    assert response.status_code == 400  # a token removed needs the account id gone too
    assert "account_id" in response.json()["error"]["details"]
    removed = {"auth_token": "", "account_id": ""}
    response = client.patch(url, removed, content_type="application/json")
    assert response.status_code == 200 and response.json()["has_auth_token"] is False

    assert client.delete(url).status_code == 204
    assert not PhoneNumber.objects.exists()


def test_the_api_is_owner_scoped(
    owner: User, agent: Agent, stranger: User, api_client: Callable[[User], Client]
) -> None:
    number = _save(owner, agent)
    client = api_client(stranger)
    assert client.get("/api/phone-numbers/").json()["results"] == []
    url = f"/api/phone-numbers/{number.pk}/"
    assert client.get(url).status_code == 404
    assert client.delete(url).status_code == 404
    body = {"provider": "twilio", "number": "+14155550111", "agent": agent.public_id}
    response = client.post("/api/phone-numbers/", body, content_type="application/json")
    assert response.status_code == 400
    assert "agent" in response.json()["error"]["details"]
    assert PhoneNumber.objects.count() == 1


def test_the_api_refuses_a_bad_number(
    owner: User, agent: Agent, api_client: Callable[[User], Client]
) -> None:
    body = {"provider": "twilio", "number": "4155550100", "agent": agent.public_id}
    response = api_client(owner).post("/api/phone-numbers/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert "number" in response.json()["error"]["details"]
