"""API keys are made in the admin, shown once, and revoked there."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.test import Client

from accounts.models import ApiKey
from accounts.services import api_key_hash

pytestmark = pytest.mark.django_db


def test_a_key_made_in_the_admin_is_shown_once_and_works_until_revoked(owner: User) -> None:
    admin = Client()
    admin.force_login(owner)
    response = admin.post("/admin/accounts/apikey/add/", {"name": "CRM sync"}, follow=True)
    assert response.status_code == 200
    match = re.search(r"(vak_[0-9a-f]{8}_[A-Za-z0-9_-]+)", response.content.decode())
    assert match is not None
    plaintext = match.group(1)
    key = ApiKey.objects.get()
    assert key.user == owner and key.key_hash == api_key_hash(plaintext)
    # Never shown again: not on its page, not in the list.
    assert plaintext not in admin.get(f"/admin/accounts/apikey/{key.pk}/change/").content.decode()
    assert plaintext not in admin.get("/admin/accounts/apikey/").content.decode()

    api = Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    assert api.get("/api/calls/").status_code == 200
    admin.post("/admin/accounts/apikey/", {"action": "revoke", "_selected_action": [str(key.pk)]})
    assert api.get("/api/calls/").status_code == 401
