"""Every admin page renders for staff, and call logs read as conversations."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from agents.models import Agent, KnowledgeSource
from appointments.models import Appointment, CalendarConnection
from calls.models import CallLog
from contacts.models import Contact

pytestmark = pytest.mark.django_db


@pytest.fixture
def populated(owner: User, agent: Agent, call: CallLog) -> dict[str, CallLog]:
    """One row of every registered model."""
    import datetime as dt

    from django.utils import timezone

    contact = Contact.objects.create(owner=owner, agent=agent, name="Ada", email="ada@example.com")
    start = timezone.now() + dt.timedelta(days=1)
    Appointment.objects.create(
        agent=agent,
        contact=contact,
        call=call,
        service_name="Consultation",
        start_at=start,
        end_at=start + dt.timedelta(minutes=30),
        timezone="Europe/London",
        idempotency_key="k-1",
    )
    CalendarConnection.objects.create(
        owner=owner, provider="google", account_email="cal@example.com", token_data={"t": 1}
    )
    from agents.services import knowledge_source_ingest

    source = KnowledgeSource.objects.create(
        agent=agent, title="FAQ", kind="text", content="Ada asked about parking."
    )
    knowledge_source_ingest(source_id=source.pk)
    return {"call": call}


@pytest.fixture
def staff_client(owner: User) -> Client:
    client = Client()
    client.force_login(owner)
    return client


def test_every_changelist_and_change_page_renders(
    populated: dict[str, CallLog], staff_client: Client
) -> None:
    assert admin.site._registry, "no models are registered"
    for model, model_admin in admin.site._registry.items():
        meta = model._meta
        changelist = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        response = staff_client.get(changelist)
        assert response.status_code == 200, changelist
        response = staff_client.get(changelist, {"q": "ada"})
        assert response.status_code == 200, f"search on {changelist}"
        obj = model_admin.get_queryset(response.wsgi_request).first()
        if obj is None:
            continue
        change = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])
        assert staff_client.get(change).status_code == 200, change


def test_add_pages_render_where_adding_is_allowed(staff_client: Client) -> None:
    for path in ["admin:agents_agent_add", "admin:contacts_contact_add"]:
        assert staff_client.get(reverse(path)).status_code == 200


def test_call_log_shows_the_conversation_in_order_with_tools(
    populated: dict[str, CallLog], staff_client: Client
) -> None:
    call = populated["call"]
    page = staff_client.get(reverse("admin:calls_calllog_change", args=[call.pk])).content.decode()
    greeting = page.index("Hi, how can I help?")
    user_turn = page.index("I&#x27;m Ada &lt;b&gt;Lovelace&lt;/b&gt;.")  # escaped, not rendered
    tool = page.index("Tool: update_user_info")
    reply = page.index("Thanks Ada, and your email?")
    assert greeting < user_turn < tool < reply
    assert "(interrupted)" in page
    assert "<b>Lovelace</b>" not in page


def test_call_log_is_read_only(populated: dict[str, CallLog], staff_client: Client) -> None:
    call = populated["call"]
    url = reverse("admin:calls_calllog_change", args=[call.pk])
    page = staff_client.get(url).content.decode()
    assert 'name="_save"' not in page
    staff_client.post(url, {"status": "failed"})
    call.refresh_from_db()
    assert call.status == "completed"
    assert staff_client.get(reverse("admin:calls_calllog_add")).status_code == 403


def test_agent_page_shows_the_embed_snippet(agent: Agent, staff_client: Client) -> None:
    page = staff_client.get(reverse("admin:agents_agent_change", args=[agent.pk])).content.decode()
    assert "/static/voiceagent/widget.js" in page
    assert "data-agent=&quot;front-desk&quot;" in page
    for fieldset in ["Conversation", "Turn taking", "Tools", "Scheduling", "Widget and limits"]:
        assert f">{fieldset}</h2>" in page


def test_calendar_tokens_never_reach_the_page(
    populated: dict[str, CallLog], staff_client: Client
) -> None:
    connection = CalendarConnection.objects.get()
    connection.token_data = {"refresh_token": "very-secret-refresh"}
    connection.save()
    url = reverse("admin:appointments_calendarconnection_change", args=[connection.pk])
    page = staff_client.get(url).content.decode()
    assert "very-secret-refresh" not in page
    assert "Token stored" in page


def test_staff_see_only_their_own_rows(
    populated: dict[str, CallLog], django_user_model: type[User]
) -> None:
    from django.contrib.auth.models import Permission

    other = django_user_model.objects.create_user(
        username="other", password="pw-other-12345", is_staff=True
    )
    other.user_permissions.set(
        Permission.objects.filter(codename__in=["view_agent", "view_calllog", "view_contact"])
    )
    client = Client()
    client.force_login(other)
    for name in ["agents_agent", "calls_calllog", "contacts_contact"]:
        response = client.get(reverse(f"admin:{name}_changelist"))
        assert response.status_code == 200
        assert response.context["cl"].result_count == 0, name
    call = populated["call"]
    assert client.get(reverse("admin:calls_calllog_change", args=[call.pk])).status_code in (
        302,
        404,
    )
