"""Every admin page renders for staff, the index lists what a business owner uses, and
call logs read as conversations."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.db.models import Model
from django.test import Client
from django.urls import reverse

from agents.models import Agent, KnowledgeSource
from appointments.models import Appointment, CalendarConnection
from calls.models import CallLog
from contacts.models import Contact
from phone_numbers.models import PhoneNumber
from voiceagent.tests.admin_data import (
    OWNER_APPS,
    business_owner,
    finished_call,
    owner_agent,
    signed_in,
)

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
    PhoneNumber.objects.create(
        owner=owner, agent=agent, provider="twilio", number="+14155550100", label="Ada's line"
    )
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
    for fieldset in [
        "Voice and behaviour",
        "Turn taking",
        "Tools",
        "Hours and services",
        "Calendar",
        "Phone",
        "Website embedding",
        "Follow-ups and webhooks",
        "Recording",
        "Limits and retention",
    ]:
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


# The index, and every page, for a business owner (staff, not a superuser).

INTERNAL_ENTRIES = ["Transcript turns", "Tool invocations", "Knowledge chunks"]
OWNER_ENTRIES = [
    "Agents",
    "Phone numbers",
    "Knowledge sources",
    "Call logs",
    "Contacts",
    "Appointments",
    "Calendar connections",
    "Outbox messages",
    "API keys",
]


def _index_entries(client: Client) -> set[str]:
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    return {model["name"] for app in response.context["app_list"] for model in app["models"]}


def test_the_index_lists_what_an_owner_uses(owner: User) -> None:
    bea = _index_entries(signed_in(business_owner("bea")))
    superuser = _index_entries(signed_in(owner))
    assert set(OWNER_ENTRIES) <= bea
    assert set(OWNER_ENTRIES) <= superuser
    for entry in INTERNAL_ENTRIES:
        assert entry not in bea and entry not in superuser
    # The server processes are the operators': superusers only.
    assert "Server instances" in superuser and "Server instances" not in bea


def test_internal_models_have_no_pages_of_their_own(owner: User) -> None:
    """Turns and tool calls are the call page's conversation, chunks the source page's
    passages."""
    from django.urls import NoReverseMatch

    for name in ["calls_transcriptturn", "calls_toolinvocation", "agents_knowledgechunk"]:
        with pytest.raises(NoReverseMatch):
            reverse(f"admin:{name}_changelist")
    assert signed_in(owner).get("/admin/calls/transcriptturn/").status_code == 404


def test_every_page_renders_for_a_business_owner() -> None:
    """A staff owner with the product's permissions opens every list, every row of their
    own and every add page they may use; the operators' pages are refused."""
    import datetime as dt

    from django.utils import timezone

    from agents.services import knowledge_source_ingest

    bea = business_owner("bea")
    salon = owner_agent(bea, name="Salon", public_id="salon")
    finished_call(
        salon,
        caller="Bea Brown",
        email="bea.brown@example.com",
        summary="Booked a haircut.",
        booked_at=timezone.now() + dt.timedelta(days=1),
    )
    source = KnowledgeSource.objects.create(
        agent=salon, title="FAQ", kind="text", content="Parking is behind the building."
    )
    knowledge_source_ingest(source_id=source.pk)
    PhoneNumber.objects.create(owner=bea, agent=salon, provider="twilio", number="+14155550100")
    client = signed_in(bea)
    for model, model_admin in admin.site._registry.items():
        meta = model._meta
        changelist = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        response = client.get(changelist)
        if meta.app_label not in OWNER_APPS or meta.model_name == "serverinstance":
            assert response.status_code == 403, changelist
            continue
        assert response.status_code == 200, changelist
        for obj in model_admin.get_queryset(response.wsgi_request):
            change = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])
            assert client.get(change).status_code == 200, change
        if model_admin.has_add_permission(response.wsgi_request):
            add = reverse(f"admin:{meta.app_label}_{meta.model_name}_add")
            assert client.get(add).status_code == 200, add


def test_another_owner_finds_none_of_an_owners_rows() -> None:
    """Lists, change pages, searches and the agent filter of one owner show nothing of
    another's."""
    import datetime as dt

    from django.utils import timezone

    bea = business_owner("bea")
    salon = owner_agent(bea, name="Salon", public_id="salon")
    call = finished_call(
        salon,
        caller="Bea Brown",
        email="bea.brown@example.com",
        summary="Booked a haircut.",
        booked_at=timezone.now() + dt.timedelta(days=1),
    )
    source = KnowledgeSource.objects.create(
        agent=salon, title="Salon FAQ", kind="text", content="Parking is behind."
    )
    assert call.contact is not None
    rows: list[Model] = [salon, call, call.contact, call.appointments.get(), source]
    olga = signed_in(business_owner("olga"))
    owner_agent(User.objects.get(username="olga"), name="Garage", public_id="garage")
    for obj in rows:
        meta = obj._meta
        changelist = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        response = olga.get(changelist, {"q": "bea"})
        assert response.status_code == 200
        assert list(response.context["cl"].result_list) == [], changelist
        page = olga.get(changelist).content.decode()
        assert "Salon" not in page and "Bea Brown" not in page, changelist
        change = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])
        assert olga.get(change).status_code in (302, 404), change
    # The agent choices of the forms are the owner's own.
    form = olga.get(reverse("admin:agents_knowledgesource_add")).content.decode()
    assert "Garage" in form and "Salon" not in form
