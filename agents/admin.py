from __future__ import annotations

import itertools
import json
from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator

from agents.models import SOURCE_KIND_FIELD, Agent, BusinessHours, KnowledgeSource, Service
from agents.selectors import agent_embed_snippet, agents_for_user
from agents.services import agent_webhook_secret_rotate, knowledge_source_save
from appointments.models import CalendarProvider, ConnectionStatus
from appointments.selectors import calendar_connections_for_user
from calls.telephony.twilio.signature import configured as twilio_configured
from calls.tool_registry import tool_choices
from phone_numbers.selectors import phone_numbers_of_agent
from voiceagent.admin import OwnerScopedAdmin, change_link, https_formfield
from voiceagent.links import configured_base_url, public_base_url


class OwnedAgentFilter(admin.RelatedFieldListFilter):
    """An "agent" list filter that offers only the agents the user can see."""

    def field_choices(self, field: Any, request: Any, model_admin: Any) -> list[Any]:
        return [(agent.pk, str(agent)) for agent in agents_for_user(user=request.user)]


class AgentAdminForm(forms.ModelForm):
    # The registry is the one list of tools; a callable is read at each form, so a tool
    # an app registers shows up without a migration.
    enabled_tools = forms.MultipleChoiceField(
        choices=tool_choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="What the agent may do during a call.",
    )

    class Meta:
        model = Agent
        exclude: list[str] = []  # every field; the admin's fieldsets choose the layout
        formfield_callback = https_formfield


class BusinessHoursFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        periods: dict[int, list[tuple[Any, Any]]] = {}
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE"):
                continue
            weekday, opens_at, closes_at = (
                data.get("weekday"),
                data.get("opens_at"),
                data.get("closes_at"),
            )
            if weekday is None or opens_at is None or closes_at is None:
                continue
            if closes_at <= opens_at:
                form.add_error("closes_at", "Closing time must be after opening time.")
                continue
            periods.setdefault(int(weekday), []).append((opens_at, closes_at))
        for weekday, day_periods in periods.items():
            day_periods.sort()
            for (_, previous_close), (next_open, _) in itertools.pairwise(day_periods):
                if next_open < previous_close:
                    day = BusinessHours(weekday=weekday).get_weekday_display()
                    raise forms.ValidationError(
                        f"Business hours on {day} overlap; merge them into one period."
                    )


class ServiceInline(admin.TabularInline):
    model = Service
    extra = 0
    fields = ["name", "duration_minutes", "description", "is_active"]


class BusinessHoursInline(admin.TabularInline):
    model = BusinessHours
    formset = BusinessHoursFormSet
    extra = 0
    fields = ["weekday", "opens_at", "closes_at"]


@admin.register(Agent)
class AgentAdmin(OwnerScopedAdmin):
    scoped_queryset = staticmethod(agents_for_user)
    related_selectors = {"calendar_connection": calendar_connections_for_user}
    owner_field = "owner"
    form = AgentAdminForm
    inlines = [ServiceInline, BusinessHoursInline]
    list_display = [
        "name",
        "public_id",
        "is_active",
        "voice",
        "timezone",
        "call_count",
        "owner",
        "updated_at",
    ]
    list_filter = ["is_active", "voice", "turn_detection", "timezone"]
    list_select_related = ["calendar_connection"]
    search_fields = ["name", "public_id", "greeting", "instructions"]
    readonly_fields = [
        "embed_snippet",
        "phone_setup",
        "phone_numbers",
        "calendar_actions",
        "webhook_signing_secret",
        "created_at",
        "updated_at",
    ]
    actions = ["rotate_webhook_secret"]
    # Services and business hours (the inlines) show inside this section of the page.
    change_form_template = "admin/agents/agent/change_form.html"
    inlines_fieldset = "Hours and services"
    fieldsets = [
        (None, {"fields": ["name", "public_id", "owner", "is_active"]}),
        (
            "Voice and behaviour",
            {
                "fields": [
                    "greeting",
                    "instructions",
                    "language",
                    "voice",
                    "engine",
                    "realtime_model",
                ],
                "description": "What the agent says and how it sounds.",
            },
        ),
        (
            "Turn taking",
            {
                "fields": [
                    "turn_detection",
                    "vad_threshold",
                    "vad_prefix_padding_ms",
                    "vad_silence_duration_ms",
                    "vad_eagerness",
                    "interrupt_response",
                    "noise_reduction",
                ],
                "description": "When the agent decides the caller has finished speaking. "
                "Threshold, padding and silence apply to server VAD; eagerness to "
                "semantic VAD. The defaults suit most lines.",
                "classes": ["collapse"],
            },
        ),
        ("Tools", {"fields": ["enabled_tools"]}),
        (
            inlines_fieldset,
            {
                "fields": ["timezone"],
                "description": "The business's time zone, its opening hours and the "
                "services callers can book (with how long each takes).",
            },
        ),
        ("Calendar", {"fields": ["calendar_connection", "calendar_actions"]}),
        (
            "Phone",
            {
                "fields": [
                    "phone_numbers",
                    "phone_setup",
                    "transfer_number",
                    "transfer_mode",
                    "connection_beep",
                    "country",
                ]
            },
        ),
        (
            "Website embedding",
            {
                "fields": ["embed_snippet", "allowed_origins", "require_session_token"],
                "description": "The voice widget on your website.",
            },
        ),
        (
            "Follow-ups and webhooks",
            {
                "fields": [
                    "summary_recipients",
                    "email_caller_summary",
                    "summary_model",
                    "webhook_url",
                    "webhook_signing_secret",
                ],
                "description": "After each call: the summary emails and the webhook "
                "(docs/webhooks.md). Sent emails and deliveries are listed under "
                "Outbox messages.",
            },
        ),
        (
            "Recording",
            {
                "fields": ["record_calls", "recording_notice"],
                "description": "A stereo recording of each call (caller left, agent right), "
                "played from the call's page and deleted with the call (retention below). "
                "The notice is said before the greeting.",
            },
        ),
        (
            "Limits and retention",
            {
                "fields": [
                    "max_call_seconds",
                    "idle_seconds",
                    "max_concurrent_calls",
                    "retention_days",
                ]
            },
        ),
        ("Dates", {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Agent | None = None,
    ) -> HttpResponse:
        context["inlines_fieldset"] = self.inlines_fieldset
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Agent]:
        return super().get_queryset(request).annotate(_call_count=Count("calls"))

    @admin.display(description="Calls", ordering="_call_count")
    def call_count(self, agent: Agent) -> int:
        return agent._call_count  # type: ignore[attr-defined]

    @admin.display(description="Calendar")
    def calendar_actions(self, agent: Agent) -> str:
        if agent.pk is None:
            return "Connect a calendar once the agent is saved."
        connection = agent.calendar_connection
        links = format_html_join(
            " ",
            "<a class='button' href='{}'>Connect {}</a>",
            (
                (reverse("calendar-connect", args=[provider, agent.pk]), label)
                for provider, label in CalendarProvider.choices
                if provider != CalendarProvider.LOCAL
            ),
        )
        if connection is None:
            state = "No calendar: bookings are confirmed at once and callers get an .ics file."
        elif connection.status != ConnectionStatus.ACTIVE:
            state = format_html(
                "<strong style='color:#ba2121'>{} is broken ({}): connect it again.</strong> "
                "Bookings fail with a clear reason until then.",
                connection,
                connection.last_error or connection.get_status_display(),
            )
        else:
            state = format_html("Bookings go to {}.", connection)
        disconnect = (
            format_html(
                " <a class='button' href='{}'>Disconnect</a>",
                reverse("calendar-disconnect", args=[agent.pk]),
            )
            if connection is not None
            else ""
        )
        return format_html(
            "<div>{}</div><div style='margin-top:6px'>{}{}</div>", state, links, disconnect
        )

    @admin.display(description="Webhook signing secret")
    def webhook_signing_secret(self, agent: Agent) -> str:
        if agent.pk is None:
            return "Made when the agent is saved."
        # Shown to the agent's owner (the admin is owner-scoped): the receiver needs it to
        # verify signatures. Selected by a click, never sent anywhere else.
        return format_html(
            "<code style='user-select:all'>{}</code><div class='help'>Verify the "
            "Voiceagent-Signature header with it. Rotate it with the action on the agents "
            "list.</div>",
            agent.webhook_secret.reveal(),
        )

    @admin.action(description="Rotate the webhook signing secret")
    def rotate_webhook_secret(self, request: HttpRequest, queryset: QuerySet[Agent]) -> None:
        count = agent_webhook_secret_rotate(agent_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, f"New webhook secret for {count} agent(s).")

    @admin.display(description="Phone numbers")
    def phone_numbers(self, agent: Agent) -> str:
        add = reverse("admin:phone_numbers_phonenumber_add")
        numbers = list(phone_numbers_of_agent(agent=agent)) if agent.pk is not None else []
        rows = format_html_join(
            "",
            "<li>{} {}</li>",
            ((change_link(number), "" if number.is_active else "(inactive)") for number in numbers),
        )
        return format_html(
            "{}<div class='help'>Calls to these numbers reach this agent. "
            "<a href='{}'>Add a phone number</a>.</div>",
            format_html("<ul style='margin:0;padding-left:1.2em'>{}</ul>", rows)
            if numbers
            else "None yet.",
            add,
        )

    @admin.display(description="Webhook for this agent only")
    def phone_setup(self, agent: Agent) -> str:
        if agent.pk is None:
            return "Shown once the agent is saved."
        if not twilio_configured():
            return (
                "Phone calls are not set up on this server's own Twilio account "
                "(TWILIO_AUTH_TOKEN and PUBLIC_BASE_URL; docs/telephony.md)."
            )
        url = configured_base_url() + reverse("twilio-voice", args=[agent.public_id])
        return format_html(
            "<code style='user-select:all'>{}</code><div class='help'>A number of the "
            "server's Twilio account whose <em>A call comes in</em> webhook POSTs to this "
            "address reaches this agent without being added above. Adding the number is "
            "the usual way.</div>",
            url,
        )

    @admin.display(description="Embed snippet")
    def embed_snippet(self, agent: Agent) -> str:
        if agent.pk is None:
            return "Shown once the agent is saved."
        base_url = public_base_url()
        snippet = agent_embed_snippet(agent=agent, base_url=base_url)
        return format_html(
            "<code style='user-select:all;white-space:pre-wrap'>{}</code>"
            "<div class='help'>Paste this tag into any page of a website listed under "
            "allowed origins.{}</div>",
            snippet,
            "" if base_url else " Set PUBLIC_BASE_URL to show this server's address.",
        )


def _knowledge_sources_for_user(*, user: Any) -> QuerySet[KnowledgeSource]:
    return KnowledgeSource.objects.filter(agent__in=agents_for_user(user=user)).select_related(
        "agent"
    )


PROCESSING_FIELDS = (
    "status",
    "error",
    "chunk_count",
    "embedding_model",
    "ingested_at",
    "created_at",
    "updated_at",
)
CONTENT_FIELDS = ("content", "file", "url")
PASSAGES_SHOWN = 50


class KnowledgeSourceAdminForm(forms.ModelForm):
    """On the add page every content field is in the form (a script shows the kind's);
    those of other kinds are emptied, so a source keeps only what it is made from."""

    class Meta:
        model = KnowledgeSource
        fields = ["agent", "title", "kind", *CONTENT_FIELDS]
        formfield_callback = https_formfield
        widgets = {
            # Read by static/voiceagent/admin/knowledge_source.js.
            "kind": forms.Select(attrs={"data-kind-fields": json.dumps(SOURCE_KIND_FIELD)})
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        keep = SOURCE_KIND_FIELD.get(cleaned.get("kind") or "")
        if keep is not None:
            for name in CONTENT_FIELDS:
                if name != keep and name in self.fields:
                    cleaned[name] = False if name == "file" else ""  # False clears a file
        return cleaned


@admin.register(KnowledgeSource)
class KnowledgeSourceAdmin(OwnerScopedAdmin):
    """Sources are processed in the background; status and errors show here. A source
    shows the field of its kind only; its kind is chosen when it is added."""

    scoped_queryset = staticmethod(_knowledge_sources_for_user)
    related_selectors = {"agent": agents_for_user}
    form = KnowledgeSourceAdminForm
    list_display = ["title", "agent", "kind", "status", "chunk_count", "ingested_at"]
    list_filter = ["kind", "status", ("agent", OwnedAgentFilter)]
    search_fields = ["title", "content", "url"]
    actions = ["process_again"]

    class Media:
        js = ["voiceagent/admin/knowledge_source.js"]

    def get_fieldsets(self, request: HttpRequest, obj: KnowledgeSource | None = None) -> Any:
        if obj is None:
            return [
                (None, {"fields": ["agent", "title", "kind"]}),
                (
                    "Content",
                    {
                        "fields": list(CONTENT_FIELDS),
                        "description": "Paste text, Markdown or HTML, upload a PDF, or give "
                        "a web page's address, by the kind chosen above.",
                    },
                ),
            ]
        return [
            (None, {"fields": ["agent", "title", "kind"]}),
            (
                "Content",
                {
                    "fields": [SOURCE_KIND_FIELD[obj.kind]],
                    "description": "A source keeps its kind; for another kind, add a new source.",
                },
            ),
            ("Processing", {"fields": PROCESSING_FIELDS}),
            ("Passages", {"fields": ["passages"]}),
        ]

    def get_readonly_fields(
        self, request: HttpRequest, obj: KnowledgeSource | None = None
    ) -> list[str]:
        if obj is None:
            return []
        # Another kind is another source: add it, and delete this one if it is no longer
        # wanted.
        return ["kind", *PROCESSING_FIELDS, "passages"]

    @admin.display(description="What the agent reads")
    def passages(self, source: KnowledgeSource) -> str:
        chunks = list(source.chunks.order_by("position")[:PASSAGES_SHOWN])
        if not chunks:
            return "No passages yet: they appear once the source is processed."
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td style='white-space:pre-wrap'>{}</td></tr>",
            (
                (
                    chunk.position + 1,
                    chunk.heading or "—",
                    f"{chunk.token_count:,}",
                    Truncator(chunk.text).chars(400),
                )
                for chunk in chunks
            ),
        )
        more = source.chunk_count - len(chunks)
        return format_html(
            "<table class='va-passages'><thead><tr><th scope='col'>#</th>"
            "<th scope='col'>Section</th><th scope='col'>Tokens</th>"
            "<th scope='col'>Text</th></tr></thead><tbody>{}</tbody></table>{}",
            rows,
            format_html("<div class='help'>And {} more.</div>", more) if more > 0 else "",
        )

    def save_model(
        self, request: HttpRequest, obj: KnowledgeSource, form: Any, change: bool
    ) -> None:
        knowledge_source_save(source=obj)

    @admin.action(description="Process the selected sources again")
    def process_again(self, request: HttpRequest, queryset: QuerySet[KnowledgeSource]) -> None:
        for source in queryset:
            source.content_hash = ""  # forces re-embedding
            knowledge_source_save(source=source)
        self.message_user(request, f"{queryset.count()} source(s) queued.")
