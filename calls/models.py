"""Call logs: one row per call, its transcript turns and the tools it invoked."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from agents.models import TransferMode
from calls.realtime.engines import ENGINES, engine_choices
from voiceagent.models import TimeStampedModel


class Channel(models.TextChoices):
    WEB = "web", "Web widget"
    TWILIO = "twilio", "Twilio"
    PLIVO = "plivo", "Plivo"
    SIP = "sip", "SIP trunk (OpenAI)"


class Direction(models.TextChoices):
    INBOUND = "inbound", "Inbound"
    OUTBOUND = "outbound", "Outbound"


class CallStatus(models.TextChoices):
    CONNECTING = "connecting", "Connecting"
    ACTIVE = "active", "Active"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Failed"
    TRANSFERRED = "transferred", "Transferred"


class EndReason(models.TextChoices):
    """Why a call ended; the web values match the `ended` reasons of docs/protocol.md."""

    CLIENT_ENDED = "client_ended", "Caller ended the call"
    AGENT_ENDED = "agent_ended", "Agent ended the call"
    MAX_DURATION = "max_duration", "Reached the maximum duration"
    IDLE_TIMEOUT = "idle_timeout", "Nobody spoke for too long"
    UPSTREAM_CLOSED = "upstream_closed", "The AI service closed the session"
    UPSTREAM_UNAVAILABLE = "upstream_unavailable", "The AI service was unreachable"
    PROTOCOL_ABUSE = "protocol_abuse", "Client sent invalid data"
    SERVER_SHUTDOWN = "server_shutdown", "Server shut down"
    CALLER_HUNG_UP = "caller_hung_up", "Caller hung up"
    TRANSFERRED = "transferred", "Transferred to a person"
    CONNECTION_LOST = "connection_lost", "Connection to the caller was lost"
    UPSTREAM_STALLED = "upstream_stalled", "The AI service stopped answering"
    SERVER_LOST = "server_lost", "The server process handling the call died"
    STAFF_ENDED = "staff_ended", "Staff hung up the call"
    NOT_CONNECTED = "not_connected", "The call never reached the agent"
    ERROR = "error", "Internal error"


class Outcome(models.TextChoices):
    """What the call achieved, decided by its summary."""

    CONTACT_CAPTURED = "contact_captured", "Contact captured"
    APPOINTMENT_BOOKED = "appointment_booked", "Appointment booked"
    QUESTION_ANSWERED = "question_answered", "Question answered"
    TRANSFERRED = "transferred", "Transferred"
    NO_ACTION = "no_action", "No action"
    ABANDONED = "abandoned", "Abandoned"


class TransferStatus(models.TextChoices):
    """How a transfer to a person went (the provider's dial result)."""

    NONE = "", "No transfer"
    DIALLING = "dialling", "Dialling"
    ANSWERED = "answered", "Answered"
    NO_ANSWER = "no_answer", "Not answered (back to the agent)"
    FAILED = "failed", "Failed"
    # A SIP call handed to the trunk (REFER, blind): what follows is the carrier's.
    REFERRED = "referred", "Referred to the trunk (SIP)"


class SummaryStatus(models.TextChoices):
    NONE = "", "Not asked for"
    PENDING = "pending", "Pending"
    DONE = "done", "Done"
    FAILED = "failed", "Failed (retrying)"


class CallLog(TimeStampedModel):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agent = models.ForeignKey("agents.Agent", on_delete=models.PROTECT, related_name="calls")
    channel = models.CharField(max_length=10, choices=Channel)
    direction = models.CharField(max_length=10, choices=Direction, default=Direction.INBOUND)
    status = models.CharField(max_length=12, choices=CallStatus, default=CallStatus.CONNECTING)
    # The engine registry is the list (calls/realtime/engines); the check constraint below
    # follows it (a new engine gets its migration from `makemigrations`).
    engine = models.CharField(max_length=10, choices=engine_choices)
    realtime_model = models.CharField(max_length=64, blank=True)

    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    duration_seconds = models.PositiveIntegerField("duration (s)", null=True, blank=True)
    end_reason = models.CharField(max_length=24, choices=EndReason, blank=True)
    error_message = models.TextField(blank=True)

    caller_number = models.CharField(
        max_length=20, blank=True, help_text="Caller's phone number (E.164) for phone calls."
    )
    caller_ip_hash = models.CharField(
        "caller IP hash",
        max_length=64,
        blank=True,
        help_text="Keyed hash of the caller's IP address (web calls); the address itself "
        "is not stored.",
    )
    contact = models.ForeignKey(
        "contacts.Contact",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="calls",
    )
    user_info = models.JSONField(
        default=dict, blank=True, help_text="Name, email and phone captured during the call."
    )
    metadata = models.JSONField(
        default=dict,
        blank=True,
        help_text="What the website's backend attached to the call's session token.",
    )
    summary = models.TextField(blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome, blank=True)
    summary_data = models.JSONField(
        default=dict,
        blank=True,
        help_text="The structured summary: intent, outcome, follow-ups, sentiment, language.",
    )
    summary_status = models.CharField(
        max_length=8, choices=SummaryStatus, blank=True, default=SummaryStatus.NONE
    )
    summary_model = models.CharField(
        max_length=64, blank=True, help_text="The model that wrote the summary, or 'extractive'."
    )
    summary_cost_usd = models.DecimalField(
        "summary cost (USD)", max_digits=10, decimal_places=6, default=Decimal(0)
    )
    summary_attempts = models.PositiveSmallIntegerField(default=0)
    summary_error = models.TextField(blank=True)
    usage = models.JSONField(
        default=dict,
        blank=True,
        help_text="Token usage by modality (input/output text and audio, cached input).",
    )
    cost_usd = models.DecimalField(max_digits=10, decimal_places=6, default=Decimal(0))
    recording = models.FileField(upload_to="recordings/%Y/%m/", blank=True)
    latency_p50_ms = models.PositiveIntegerField(
        "turn latency p50 (ms)",
        null=True,
        blank=True,
        help_text="Median time from the end of the caller's speech to the agent's first audio.",
    )
    latency_p95_ms = models.PositiveIntegerField(
        "turn latency p95 (ms)",
        null=True,
        blank=True,
        help_text="95th percentile of the same turn latency.",
    )
    provider_call_id = models.CharField(
        max_length=64,
        blank=True,
        help_text="Twilio CallSid, Plivo CallUUID or OpenAI SIP call id (rtc_…).",
    )
    provider_stream_id = models.CharField(
        max_length=64, blank=True, help_text="Twilio StreamSid or Plivo stream id."
    )
    called_number = models.CharField(
        max_length=20, blank=True, help_text="The number the caller dialled (phone calls)."
    )
    # What the provider says of the call (status callbacks), beside what the bridge saw.
    provider_status = models.CharField(
        max_length=20, blank=True, help_text="The provider's final status (completed, busy…)."
    )
    provider_duration_seconds = models.PositiveIntegerField(
        "provider duration (s)", null=True, blank=True, help_text="Billed by the provider."
    )
    provider_price = models.DecimalField(
        max_digits=10, decimal_places=5, null=True, blank=True, help_text="Where given."
    )
    provider_price_unit = models.CharField(max_length=3, blank=True)
    # A transfer to a person (the transfer_call tool).
    transfer_target = models.CharField(max_length=20, blank=True)
    transfer_reason = models.TextField(blank=True)
    transfer_mode = models.CharField(max_length=4, choices=TransferMode, blank=True)
    transfer_status = models.CharField(
        max_length=10, choices=TransferStatus, blank=True, default=TransferStatus.NONE
    )
    transfer_summary = models.TextField(
        blank=True, help_text="What the person heard before a warm transfer."
    )
    transfer_error = models.TextField(blank=True)
    server_instance = models.UUIDField(
        null=True,
        blank=True,
        editable=False,
        help_text="The server process that ran the call (see Server instances).",
    )
    # PostgreSQL only (an unused column elsewhere): the whole transcript's words, written
    # when the call ends, searched through a GIN index (migration 0010).
    search_document = SearchVectorField(null=True, editable=False)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = "call log"
        indexes = [
            models.Index(fields=["agent", "-started_at"], name="call_agent_started"),
            models.Index(fields=["status", "-started_at"], name="call_status_started"),
            models.Index(fields=["channel", "-started_at"], name="call_channel_started"),
            models.Index(fields=["-started_at"], name="call_started"),
            models.Index(
                fields=["server_instance"],
                condition=Q(status__in=["connecting", "active"]),
                name="call_live_by_instance",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=CallStatus.values), name="call_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(channel__in=Channel.values), name="call_channel_valid"
            ),
            models.CheckConstraint(
                condition=Q(direction__in=Direction.values), name="call_direction_valid"
            ),
            models.CheckConstraint(condition=Q(engine__in=list(ENGINES)), name="call_engine_valid"),
            models.CheckConstraint(
                condition=Q(outcome="") | Q(outcome__in=Outcome.values), name="call_outcome_valid"
            ),
            models.CheckConstraint(
                condition=Q(end_reason="") | Q(end_reason__in=EndReason.values),
                name="call_end_reason_valid",
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=F("started_at")),
                name="call_ends_after_start",
            ),
            models.CheckConstraint(condition=Q(cost_usd__gte=0), name="call_cost_not_negative"),
            models.CheckConstraint(
                condition=Q(transfer_status__in=TransferStatus.values),
                name="call_transfer_status_valid",
            ),
            models.UniqueConstraint(
                fields=["channel", "provider_call_id"],
                condition=~Q(provider_call_id=""),
                name="call_unique_provider_call_id",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} call {self.started_at:%Y-%m-%d %H:%M} UTC"

    @property
    def is_live(self) -> bool:
        return self.status in (CallStatus.CONNECTING, CallStatus.ACTIVE)


class Role(models.TextChoices):
    USER = "user", "Caller"
    ASSISTANT = "assistant", "Agent"
    SYSTEM = "system", "System"


class TranscriptTurn(models.Model):
    """One utterance. ``seq`` orders the conversation and is shared with tool invocations."""

    call = models.ForeignKey(CallLog, on_delete=models.CASCADE, related_name="turns")
    seq = models.PositiveIntegerField()
    role = models.CharField(max_length=10, choices=Role)
    text = models.TextField(blank=True)
    item_id = models.CharField(max_length=64, blank=True)
    started_ms = models.PositiveIntegerField(
        null=True, blank=True, help_text="Milliseconds from the start of the call."
    )
    interrupted = models.BooleanField(
        default=False, help_text="The caller interrupted this turn; the text is what was heard."
    )
    latency_ms = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Agent turns: from the end of the caller's speech to this turn's first audio.",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["call", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["call", "seq"], name="turn_unique_call_seq"),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="turn_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.text[:60]}"


class ToolInvocation(models.Model):
    """A function call the model made during a call, with its result."""

    call = models.ForeignKey(CallLog, on_delete=models.CASCADE, related_name="tool_invocations")
    seq = models.PositiveIntegerField()
    function_call_id = models.CharField(
        max_length=64, blank=True, help_text="The model's call_id for this function call."
    )
    name = models.CharField(max_length=64)
    arguments = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)
    ok = models.BooleanField()
    error = models.TextField(blank=True)
    latency_ms = models.PositiveIntegerField()
    started_ms = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["call", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["call", "seq"], name="tool_unique_call_seq"),
            models.UniqueConstraint(
                fields=["call", "function_call_id"],
                condition=~Q(function_call_id=""),
                name="tool_unique_function_call_id",
            ),
        ]
        indexes = [models.Index(fields=["name", "ok"], name="tool_name_ok")]

    def __str__(self) -> str:
        return f"{self.name} ({'ok' if self.ok else 'failed'}, {self.latency_ms} ms)"


class ServerInstance(models.Model):
    """One run of a server process that serves calls, alive while it heartbeats.

    A call left live by a process that died (SIGKILL, crash, lost host) is closed as
    ``server_lost`` once its process is known dead: at once by the next process in the
    same pid namespace (its pid is gone or belongs to another process now) or with the
    same instance name, or by any process once its heartbeat is stale.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(
        max_length=200,
        blank=True,
        help_text="VOICEAGENT_INSTANCE_NAME: a stable name across restarts, if set.",
    )
    hostname = models.CharField(max_length=200)
    pid_namespace = models.CharField(
        max_length=100,
        blank=True,
        help_text="Boot id and pid namespace: where the pid means this process.",
    )
    pid = models.PositiveIntegerField()
    process_started = models.BigIntegerField(
        null=True, blank=True, help_text="Start time in clock ticks since boot (pid reuse)."
    )
    started_at = models.DateTimeField(default=timezone.now)
    heartbeat_at = models.DateTimeField(default=timezone.now)
    stopped_at = models.DateTimeField(
        null=True, blank=True, help_text="When its calls were closed as orphans."
    )

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["heartbeat_at"], name="instance_heartbeat")]

    def __str__(self) -> str:
        return f"{self.name or self.hostname} (pid {self.pid})"


class WebhookReceipt(models.Model):
    """A webhook delivery already taken, by its sender's delivery id: a delivery sent
    again (providers retry for days) is recognised by the unique row, in every process."""

    source = models.CharField(max_length=20)  # who sent it, e.g. openai_sip
    delivery_id = models.CharField(max_length=100)
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "delivery_id"], name="webhook_receipt_unique_delivery"
            )
        ]
        indexes = [models.Index(fields=["received_at"], name="webhook_receipt_received")]

    def __str__(self) -> str:
        return f"{self.source} {self.delivery_id}"
