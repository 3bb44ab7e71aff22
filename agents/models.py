"""Agents: who answers the call, how it talks, what it may do and when it is open."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from calls.realtime.engines import ENGINES, engine_choices
from calls.tool_registry import tool_defaults, tools_unknown
from voiceagent.crypto import Secret
from voiceagent.fields import EncryptedSecretField
from voiceagent.models import TimeStampedModel
from voiceagent.validators import (
    split_lines_or_commas,
    validate_e164,
    validate_email_list,
    validate_language_tag,
    validate_origin_list,
    validate_region,
    validate_timezone,
)


class Voice(models.TextChoices):
    """Voices the OpenAI Realtime API (GA) offers; marin and cedar sound best."""

    MARIN = "marin", "Marin"
    CEDAR = "cedar", "Cedar"
    ALLOY = "alloy", "Alloy"
    ASH = "ash", "Ash"
    BALLAD = "ballad", "Ballad"
    CORAL = "coral", "Coral"
    ECHO = "echo", "Echo"
    SAGE = "sage", "Sage"
    SHIMMER = "shimmer", "Shimmer"
    VERSE = "verse", "Verse"


class TurnDetection(models.TextChoices):
    SERVER_VAD = "server_vad", "Server VAD (silence based)"
    SEMANTIC_VAD = "semantic_vad", "Semantic VAD (waits for a finished thought)"


class Eagerness(models.TextChoices):
    AUTO = "auto", "Auto"
    LOW = "low", "Low (waits up to 8 s)"
    MEDIUM = "medium", "Medium (up to 4 s)"
    HIGH = "high", "High (up to 2 s)"


class NoiseReduction(models.TextChoices):
    NEAR_FIELD = "near_field", "Near field (headsets, phones)"
    FAR_FIELD = "far_field", "Far field (laptops, conference rooms)"
    OFF = "off", "Off"


def default_tools() -> list[str]:
    """The tools a new agent gets: those their apps register as on by default
    (``calls.tool_registry``; each app declares its tools in ``<app>/tools.py``)."""
    return tool_defaults()


def new_webhook_secret() -> Secret:
    return Secret(plaintext="whsec_" + secrets.token_urlsafe(32))


def new_public_id() -> str:
    return "agt-" + secrets.token_hex(6)


class TransferMode(models.TextChoices):
    COLD = "cold", "Cold: put the caller through at once"
    WARM = "warm", "Warm: the person hears a one-sentence summary first"


class Agent(TimeStampedModel):
    public_id = models.CharField(
        max_length=40,
        unique=True,
        default=new_public_id,
        validators=[
            RegexValidator(
                r"^[a-z0-9][a-z0-9-]{2,39}$",
                "Use 3–40 lowercase letters, digits and hyphens.",
            )
        ],
        help_text="Identifies the agent in the widget snippet and call URLs. Not a secret.",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="agents"
    )
    name = models.CharField(max_length=120)
    is_active = models.BooleanField(
        default=True, help_text="Inactive agents refuse new calls; running calls finish."
    )

    greeting = models.TextField(
        blank=True,
        help_text="What the agent says first, once per call. Empty: the agent "
        "greets in its own words.",
    )
    instructions = models.TextField(
        help_text="The agent's persona and rules (system prompt). The current date and "
        "time and guidance for the enabled tools are added at call time."
    )
    language = models.CharField(
        max_length=35,
        default="en",
        validators=[validate_language_tag],
        help_text="BCP 47 tag of the language callers speak, e.g. en, en-GB, de.",
    )
    voice = models.CharField(max_length=16, choices=Voice, default=Voice.MARIN)
    # The engine registry is the list (calls/realtime/engines); empty: the server's
    # VOICEAGENT_ENGINE.
    engine = models.CharField(
        max_length=10,
        blank=True,
        choices=engine_choices,
        help_text="What runs this agent's calls: OpenAI Realtime (speech to speech) or the "
        "offline engine. Empty: the server's default (VOICEAGENT_ENGINE). Calls through a "
        "SIP trunk always run on OpenAI Realtime.",
    )
    realtime_model = models.CharField(
        max_length=64,
        blank=True,
        help_text="OpenAI Realtime model. Empty: the server default (OPENAI_REALTIME_MODEL).",
    )
    summary_model = models.CharField(
        max_length=64,
        blank=True,
        help_text="The model that summarises this agent's calls, or 'extractive' for no "
        "request. Empty: the server default (SUMMARY_MODEL).",
    )

    turn_detection = models.CharField(
        max_length=16, choices=TurnDetection, default=TurnDetection.SERVER_VAD
    )
    vad_threshold = models.FloatField(
        default=0.5,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text="Server VAD: how loud speech must be (0–1). Raise it for noisy rooms.",
    )
    vad_prefix_padding_ms = models.PositiveIntegerField(
        default=300,
        validators=[MaxValueValidator(2000)],
        help_text="Server VAD: audio kept from before speech started, in ms.",
    )
    vad_silence_duration_ms = models.PositiveIntegerField(
        default=500,
        validators=[MinValueValidator(100), MaxValueValidator(5000)],
        help_text="Server VAD: silence that ends the caller's turn, in ms.",
    )
    vad_eagerness = models.CharField(
        max_length=8,
        choices=Eagerness,
        default=Eagerness.AUTO,
        help_text="Semantic VAD: how quickly the agent answers.",
    )
    interrupt_response = models.BooleanField(
        default=True, help_text="Callers can interrupt the agent by speaking."
    )
    noise_reduction = models.CharField(
        max_length=16, choices=NoiseReduction, default=NoiseReduction.NEAR_FIELD
    )

    enabled_tools = models.JSONField(
        default=default_tools,
        blank=True,
        help_text="What the agent may do during a call.",
    )

    timezone = models.CharField(
        max_length=64,
        default="UTC",
        validators=[validate_timezone],
        help_text="IANA time zone of the business, e.g. Europe/London. Business hours "
        "and spoken dates are in this zone.",
    )
    calendar_connection = models.ForeignKey(
        "appointments.CalendarConnection",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agents",
        help_text="Calendar that receives bookings. Empty: bookings stay local (.ics).",
    )

    country = models.CharField(
        max_length=2,
        blank=True,
        validators=[validate_region],
        help_text="Two-letter country (ISO 3166) of the business, e.g. GB. Phone numbers "
        "callers give without a country code are read as numbers of this country. Empty: "
        "the language's region (en-GB → GB), else US.",
    )
    transfer_number = models.CharField(
        max_length=20,
        blank=True,
        validators=[validate_e164],
        help_text="Phone calls are transferred here on request, in E.164 form (+15551234567). "
        "Empty: the agent cannot transfer calls.",
    )
    transfer_mode = models.CharField(
        max_length=4,
        choices=TransferMode,
        default=TransferMode.WARM,
        help_text="Warm: the person answering hears a one-sentence summary of the call before "
        "being connected; if nobody answers, the caller comes back to the agent.",
    )
    connection_beep = models.BooleanField(
        default=True,
        help_text="Phone calls: a short beep (440 Hz, 0.4 s) as the line connects, before "
        "the greeting, so callers know they are through.",
    )
    summary_recipients = models.TextField(
        blank=True,
        validators=[validate_email_list],
        help_text="Email addresses that receive the post-call summary, "
        "one per line or comma-separated.",
    )
    email_caller_summary = models.BooleanField(
        "email the caller a summary",
        default=True,
        help_text="After the call, callers who gave an email address get a summary (and "
        "their appointment with its calendar file).",
    )
    webhook_url = models.URLField(
        max_length=1000,
        blank=True,
        help_text="Receives call.ended and appointment.* events as signed JSON POSTs "
        "(docs/webhooks.md). Empty: no webhooks.",
    )
    webhook_secret = EncryptedSecretField(
        default=new_webhook_secret,
        help_text="Signs webhook deliveries (HMAC-SHA256); encrypted at rest.",
    )

    record_calls = models.BooleanField(
        default=False,
        help_text="Keep a stereo recording of each call (caller left, agent right). "
        "Check the law where your callers are: many places require telling them.",
    )
    recording_notice = models.CharField(
        max_length=300,
        blank=True,
        default="This call may be recorded.",
        help_text="Spoken before the greeting when calls are recorded. Empty: no notice.",
    )

    allowed_origins = models.TextField(
        blank=True,
        validators=[validate_origin_list],
        help_text="Websites that may embed the widget, one origin per line "
        "(https://www.example.com). Empty: only this server's own pages.",
    )
    require_session_token = models.BooleanField(
        default=False,
        help_text="Only calls started with a session token that your website's backend "
        "minted through the API (POST /api/agents/<id>/web-sessions/).",
    )
    max_call_seconds = models.PositiveIntegerField(
        default=600,
        validators=[MinValueValidator(30), MaxValueValidator(4 * 60 * 60)],
        help_text="Calls end after this many seconds.",
    )
    idle_seconds = models.PositiveIntegerField(
        default=60,
        validators=[MinValueValidator(5), MaxValueValidator(3600)],
        help_text="Calls end after this many seconds with nobody speaking.",
    )
    max_concurrent_calls = models.PositiveIntegerField(
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(10_000)],
        help_text="Calls beyond this many at once are refused.",
    )
    retention_days = models.PositiveIntegerField(
        default=90,
        help_text="Call logs and transcripts older than this are deleted. 0 keeps them forever.",
    )

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["owner", "is_active"])]
        constraints = [
            models.UniqueConstraint("owner", Lower("name"), name="agent_unique_owner_name"),
            models.CheckConstraint(condition=Q(voice__in=Voice.values), name="agent_voice_valid"),
            models.CheckConstraint(
                condition=Q(engine="") | Q(engine__in=list(ENGINES)), name="agent_engine_valid"
            ),
            models.CheckConstraint(
                condition=Q(turn_detection__in=TurnDetection.values),
                name="agent_turn_detection_valid",
            ),
            models.CheckConstraint(
                condition=Q(vad_eagerness__in=Eagerness.values), name="agent_eagerness_valid"
            ),
            models.CheckConstraint(
                condition=Q(noise_reduction__in=NoiseReduction.values),
                name="agent_noise_reduction_valid",
            ),
            models.CheckConstraint(
                condition=Q(vad_threshold__gte=0) & Q(vad_threshold__lte=1),
                name="agent_vad_threshold_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        tools = self.enabled_tools
        if not isinstance(tools, list) or not all(isinstance(t, str) for t in tools):
            raise ValidationError({"enabled_tools": "A list of tool names."})
        unknown = tools_unknown(tools)
        if unknown:
            raise ValidationError(
                {"enabled_tools": f"There is no tool called {', '.join(unknown)}."}
            )
        engine = ENGINES.get(self.engine)
        if engine is not None and engine.needs_openai_key and not settings.OPENAI_API_KEY:
            raise ValidationError(
                {"engine": f"{engine.label} needs OPENAI_API_KEY in the server's environment."}
            )

    @property
    def engine_name(self) -> str:
        """The engine that runs this agent's calls (its own, else the server's default)."""
        return self.engine or str(settings.VOICEAGENT_ENGINE)

    @property
    def phone_region(self) -> str:
        if self.country:
            return self.country.upper()
        parts = self.language.split("-")
        if len(parts) > 1 and len(parts[1]) == 2:
            return parts[1].upper()
        return "US"

    @property
    def language_code(self) -> str:
        """The language without its region ('en-GB' → 'en'): what the normalisers and the
        date parser read number words and phrases in."""
        return self.language.split("-")[0].lower() or "en"

    @property
    def locale(self) -> str:
        """How the agent reads times and dates out: its language with the business's
        country ('en' in the US → 'en-US', so the 12-hour clock)."""
        return f"{self.language_code}-{self.phone_region}"

    @property
    def allowed_origin_list(self) -> list[str]:
        return [origin.rstrip("/") for origin in split_lines_or_commas(self.allowed_origins)]

    @property
    def summary_recipient_list(self) -> list[str]:
        return split_lines_or_commas(self.summary_recipients)


class Service(models.Model):
    """Something callers can book, with how long it takes."""

    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="services")
    name = models.CharField(max_length=80)
    duration_minutes = models.PositiveIntegerField(
        validators=[MinValueValidator(5), MaxValueValidator(8 * 60)]
    )
    description = models.CharField(
        max_length=300, blank=True, help_text="Read to callers who ask what it is."
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint("agent", Lower("name"), name="service_unique_agent_name"),
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=5), name="service_duration_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.duration_minutes} min)"


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class BusinessHours(models.Model):
    """One opening period on one weekday, in the agent's time zone."""

    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="business_hours")
    weekday = models.PositiveSmallIntegerField(choices=Weekday)
    opens_at = models.TimeField()
    closes_at = models.TimeField()

    class Meta:
        ordering = ["weekday", "opens_at"]
        verbose_name_plural = "business hours"
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")),
                name="business_hours_close_after_open",
                violation_error_message="Closing time must be after opening time.",
            ),
            models.CheckConstraint(
                condition=Q(weekday__gte=0) & Q(weekday__lte=6),
                name="business_hours_weekday_valid",
            ),
            models.UniqueConstraint(
                fields=["agent", "weekday", "opens_at"],
                name="business_hours_unique_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens_at:%H:%M}–{self.closes_at:%H:%M}"


class SourceKind(models.TextChoices):
    TEXT = "text", "Pasted text"
    MARKDOWN = "markdown", "Markdown"
    HTML = "html", "HTML"
    PDF = "pdf", "PDF upload"
    URL = "url", "Web page (fetched)"


class SourceStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be processed"
    PROCESSING = "processing", "Processing"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


# The field that holds each kind of source (clean() requires it; the admin shows only it).
SOURCE_KIND_FIELD: dict[str, str] = {
    SourceKind.TEXT.value: "content",
    SourceKind.MARKDOWN.value: "content",
    SourceKind.HTML.value: "content",
    SourceKind.PDF.value: "file",
    SourceKind.URL.value: "url",
}


class KnowledgeSource(TimeStampedModel):
    """Something the agent answers from: text, a document or a web page."""

    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="knowledge_sources")
    title = models.CharField(max_length=200, help_text="Shown to the model with each passage.")
    kind = models.CharField(max_length=10, choices=SourceKind, default=SourceKind.TEXT)
    content = models.TextField(blank=True, help_text="For text, Markdown and HTML sources.")
    file = models.FileField(upload_to="knowledge/%Y/%m/", blank=True, help_text="For PDF sources.")
    url = models.URLField(max_length=1000, blank=True, help_text="For web pages.")
    status = models.CharField(max_length=12, choices=SourceStatus, default=SourceStatus.PENDING)
    error = models.TextField(blank=True)
    content_hash = models.CharField(max_length=64, blank=True, editable=False)
    embedding_model = models.CharField(max_length=64, blank=True, editable=False)
    chunk_count = models.PositiveIntegerField(default=0, editable=False)
    ingested_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=SourceKind.values), name="source_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=SourceStatus.values), name="source_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        needs = SOURCE_KIND_FIELD[SourceKind(self.kind)]
        if not getattr(self, needs):
            raise ValidationError({needs: "Required for this kind of source."})
        if self.kind == SourceKind.PDF and not (self.file.name or "").lower().endswith(".pdf"):
            raise ValidationError({"file": "Upload a .pdf file."})
        if self.file and self.file.size > 20 * 1024 * 1024:
            raise ValidationError({"file": "PDF files are limited to 20 MB."})


class KnowledgeChunk(models.Model):
    """A passage of a source with its embedding (float32 bytes)."""

    source = models.ForeignKey(KnowledgeSource, on_delete=models.CASCADE, related_name="chunks")
    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="knowledge_chunks")
    position = models.PositiveIntegerField()
    heading = models.CharField(max_length=300, blank=True)
    text = models.TextField()
    token_count = models.PositiveIntegerField()
    embedding = models.BinaryField()

    class Meta:
        ordering = ["source", "position"]
        constraints = [
            models.UniqueConstraint(fields=["source", "position"], name="chunk_unique_position")
        ]
        indexes = [models.Index(fields=["agent"], name="chunk_agent")]

    def __str__(self) -> str:
        return f"{self.source.title} #{self.position}"
