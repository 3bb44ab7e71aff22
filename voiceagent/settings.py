"""Settings for the voice agent platform, all read from the environment.

Every variable is documented in ``.env.example`` and in the README. With nothing
set the product runs on its embedded defaults: SQLite under ``data/``, the
in-memory channel layer, tasks executed in-process and the offline engine.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from calls.realtime.engines import ENGINES
from voiceagent import config
from voiceagent.env import Env

BASE_DIR = Path(__file__).resolve().parent.parent

env = Env()
if env.bool("DJANGO_READ_DOT_ENV_FILE", True) and (BASE_DIR / ".env").is_file():
    # Values already in the environment win over the file.
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DATA_DIR = Path(env.str("VOICEAGENT_DATA_DIR", str(BASE_DIR / "data"))).resolve()

# GENERAL
# ------------------------------------------------------------------------------
# Development-first like `startproject`: production sets DJANGO_DEBUG=false and
# then must provide DJANGO_SECRET_KEY and FIELD_ENCRYPTION_KEY.
DEBUG = env.bool("DJANGO_DEBUG", True)
SECRET_KEY = config.secret_key(env, debug=DEBUG, data_dir=DATA_DIR)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS")
# This server's public address, when set. Links are made by voiceagent.links, which
# falls back (development) on the request's own address, else on DEV_BASE_URL: the
# HOST and PORT `make run` serves on (PORT=8123 make run moves every link).
PUBLIC_BASE_URL = env.url("PUBLIC_BASE_URL", "").rstrip("/")
DEV_BASE_URL = config.dev_base_url(env) if DEBUG else ""

TIME_ZONE = env.str("DJANGO_TIME_ZONE", "UTC")
USE_TZ = True
LANGUAGE_CODE = "en-us"
USE_I18N = True

ROOT_URLCONF = "voiceagent.urls"
ASGI_APPLICATION = "voiceagent.asgi.application"
WSGI_APPLICATION = None
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    # daphne makes `runserver` serve WebSockets; production runs uvicorn/daphne directly.
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    # Before channels: its `runworker` also re-attaches SIP calls' sidebands at start.
    "calls.sip",
    "channels",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "voiceagent",
    "agents",
    "phone_numbers",
    "outbound",
    "calls",
    "contacts",
    "appointments",
    "notifications",
    "accounts",
    "dashboard",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "voiceagent.middleware.ContentSecurityPolicyMiddleware",
    "voiceagent.links.CurrentRequestMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# DATABASES
# ------------------------------------------------------------------------------
DATA_DIR.mkdir(parents=True, exist_ok=True)
_default_db = env.database("DATABASE_URL", f"sqlite:///{DATA_DIR / 'db.sqlite3'}")
if _default_db["ENGINE"] == "django.db.backends.sqlite3":
    _sqlite_options = _default_db.setdefault("OPTIONS", {})
    if not isinstance(_sqlite_options, dict):
        raise ImproperlyConfigured("DATABASE_URL gave database OPTIONS that are not a mapping.")
    _sqlite_options.update(
        {
            # WAL lets readers and one writer work at once; IMMEDIATE takes the write
            # lock at BEGIN so that concurrent writers wait instead of failing.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
    # Tests use a file too, not Django's shared-cache in-memory database: there a write
    # from a second thread (the after-commit work) fails at once with "table is locked"
    # instead of waiting, which no deployment would do.
    _default_db["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}
else:
    _default_db["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", 0, min_value=0)
    _default_db["CONN_HEALTH_CHECKS"] = True
DATABASES = {"default": _default_db}

# CHANNELS AND CELERY
# ------------------------------------------------------------------------------
REDIS_URL = env.url("REDIS_URL", "", schemes=("redis", "rediss", "unix"))
CHANNEL_LAYERS = config.channel_layers(REDIS_URL)
# Shared by all processes with Redis (rate limits, greeting cache index).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        # Admission reads it in the database thread every call shares: an unreachable
        # Redis must fail fast (a refusal), never hang that thread.
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
    }
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

CELERY_BROKER_URL, CELERY_TASK_ALWAYS_EAGER = config.celery_broker(env, redis_url=REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = env.bool("CELERY_TASK_EAGER_PROPAGATES", False)
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# Outcomes live in status rows on our own models, not in a result backend.
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", 60, min_value=1)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", 90, min_value=1)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A task a lost worker held (acks_late) goes back to the queue after this many seconds.
# It must exceed the longest retry countdown (15 min for calendars), or a waiting retry
# would be handed out twice.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 3,
    "socket_timeout": 5,
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", 3600, min_value=1),
    # Look for such tasks every 10 s (one sorted-set range read), not every 100 s.
    "unacked_restore_interval": 10,
    "unacked_restore_throttle": 1,
}
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", "celery")
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE = {
    "purge-expired-calls": {
        "task": "calls.tasks.call_logs_purge_expired_task",
        "schedule": 6 * 60 * 60,
    },
    "close-orphaned-calls": {
        "task": "calls.tasks.call_logs_close_orphans_task",
        "schedule": 5 * 60,
    },
    "resume-call-summaries": {
        "task": "calls.tasks.call_summaries_resume_task",
        "schedule": 5 * 60,
    },
    "resume-calendar-events": {
        "task": "appointments.tasks.appointments_calendar_resume_task",
        "schedule": 60,
    },
    "send-due-outbox": {
        "task": "notifications.tasks.outbox_due_task",
        "schedule": 30,
    },
    # Campaigns' calls and scheduled retries as lines free up; silent attempts closed.
    "dispatch-outbound-calls": {
        "task": "outbound.tasks.outbound_dispatch_task",
        "schedule": env.float("OUTBOUND_DISPATCH_SECONDS", 10.0, min_value=1.0, max_value=300.0),
    },
}

# REALTIME ENGINE AND PROVIDERS
# ------------------------------------------------------------------------------
OPENAI_API_KEY = env.secret("OPENAI_API_KEY", "")
OPENAI_BASE_URL = env.url("OPENAI_BASE_URL", "https://api.openai.com/v1")
OPENAI_REALTIME_URL = env.url(
    "OPENAI_REALTIME_URL", "wss://api.openai.com/v1/realtime", schemes=("ws", "wss")
)
OPENAI_REALTIME_MODEL = env.str("OPENAI_REALTIME_MODEL", "gpt-realtime")
# The model that summarises finished calls; "extractive": no request, the summary is
# extracted from the transcript (also what happens without OPENAI_API_KEY).
SUMMARY_MODEL = env.str("SUMMARY_MODEL", "gpt-4o-mini")
# Transcript tokens sent to it; longer calls lose their middle.
# The first wait before a failed summary request is tried again (then doubled, jittered).
SUMMARY_RETRY_SECONDS = env.float("SUMMARY_RETRY_SECONDS", 30.0, min_value=0.1)
SUMMARY_INPUT_TOKENS = env.int("SUMMARY_INPUT_TOKENS", 6000, min_value=500, max_value=100_000)
# USD per 1M tokens, for the summary's cost on the call log.
SUMMARY_PRICES = {"gpt-4o-mini": {"text_in": 0.15, "text_out": 0.6}}
VOICEAGENT_ENGINE = env.choice(
    "VOICEAGENT_ENGINE", "openai" if OPENAI_API_KEY else "offline", tuple(ENGINES)
)
# The cascaded engine (docs/calls.md, "Engines"): its models, and ElevenLabs for its voice
# (without ELEVENLABS_API_KEY, OpenAI's speech speaks in the agent's voice).
CASCADE_LLM_MODEL = env.str("CASCADE_LLM_MODEL", "gpt-4o-mini")
CASCADE_STT_MODEL = env.str("CASCADE_STT_MODEL", "gpt-4o-transcribe")
CASCADE_TTS_MODEL = env.str("CASCADE_TTS_MODEL", "gpt-4o-mini-tts")
# Seconds a stage may take to answer (first token, first audio) before it is retried once.
CASCADE_STAGE_TIMEOUT = env.float("CASCADE_STAGE_TIMEOUT", 10.0, min_value=0.5, max_value=60.0)
ELEVENLABS_API_KEY = env.secret("ELEVENLABS_API_KEY", "")
ELEVENLABS_BASE_URL = env.url("ELEVENLABS_BASE_URL", "https://api.elevenlabs.io")
ELEVENLABS_VOICE_ID = env.str("ELEVENLABS_VOICE_ID", "")
ELEVENLABS_MODEL_ID = env.str("ELEVENLABS_MODEL_ID", "eleven_flash_v2_5")
# The cascade's prices (verify against the providers' pages): the LLM per 1M tokens as
# REALTIME_PRICES keys them, speech per 1M characters, transcription per minute of audio.
CASCADE_PRICES = {
    "text_in": 0.15,
    "text_cached": 0.075,
    "text_out": 0.6,
    "audio_in": 0.0,
    "audio_cached": 0.0,
    "audio_out": 0.0,
    "stt_per_minute": 0.006,
    "tts_per_1m_characters": 15.0,  # OpenAI gpt-4o-mini-tts, about $0.015 a minute
    "elevenlabs_tts_per_1m_characters": 100.0,  # Flash v2.5 at $0.10 per 1 000 characters
}
# Seconds to reach and configure the realtime service before a call fails.
REALTIME_CONNECT_TIMEOUT = env.float(
    "REALTIME_CONNECT_TIMEOUT", 10.0, min_value=0.5, max_value=60.0
)
# Seconds without any event from the realtime service, while a reply is under way,
# before the call is declared stalled: the caller is told and the call ends.
REALTIME_STALL_TIMEOUT = env.float("REALTIME_STALL_TIMEOUT", 15.0, min_value=1.0, max_value=300.0)
# Each server process records a heartbeat this often; one silent for six heartbeats is
# dead and its live calls are closed (a restarted process on the same host closes its
# previous run's calls at once).
SERVER_HEARTBEAT_SECONDS = env.float(
    "VOICEAGENT_HEARTBEAT_SECONDS", 10.0, min_value=1.0, max_value=300.0
)
# A name that stays the same across restarts of one server process (e.g. web-1); when
# set, a process closes the calls of its same-named predecessor at start, on any host.
SERVER_INSTANCE_NAME = env.str("VOICEAGENT_INSTANCE_NAME", "")
# Knowledge sources of kind "web page" are fetched over outbound HTTP(S).
KNOWLEDGE_ALLOW_URL_FETCH = env.bool("KNOWLEDGE_ALLOW_URL_FETCH", True)
# Web call starts allowed per caller IP address per minute.
CALL_RATE_LIMIT_PER_MINUTE = env.int("CALL_RATE_LIMIT_PER_MINUTE", 10, min_value=1)
# USD per 1M tokens (verify against OpenAI's model pages); unknown models cost 0.
REALTIME_PRICES = {
    "gpt-realtime": {
        "text_in": 4.0,
        "text_cached": 0.4,
        "text_out": 16.0,
        "audio_in": 32.0,
        "audio_cached": 0.4,
        "audio_out": 64.0,
    },
    "gpt-realtime-mini": {
        "text_in": 0.6,
        "text_cached": 0.06,
        "text_out": 2.4,
        "audio_in": 10.0,
        "audio_cached": 0.3,
        "audio_out": 20.0,
    },
}
if ENGINES[VOICEAGENT_ENGINE].needs_openai_key and not OPENAI_API_KEY:
    raise ImproperlyConfigured(f"VOICEAGENT_ENGINE={VOICEAGENT_ENGINE} needs OPENAI_API_KEY.")

GOOGLE_CLIENT_ID = env.str("GOOGLE_CLIENT_ID", "")
GOOGLE_CLIENT_SECRET = env.secret("GOOGLE_CLIENT_SECRET", "")
GOOGLE_API_ENDPOINT = env.url("GOOGLE_API_ENDPOINT", "")
# Google's OAuth endpoints; tests and local development point them at a fake.
GOOGLE_OAUTH_AUTH_URI = env.url(
    "GOOGLE_OAUTH_AUTH_URI", "https://accounts.google.com/o/oauth2/auth"
)
GOOGLE_OAUTH_TOKEN_URI = env.url("GOOGLE_OAUTH_TOKEN_URI", "https://oauth2.googleapis.com/token")
GOOGLE_OAUTH_REVOKE_URI = env.url("GOOGLE_OAUTH_REVOKE_URI", "https://oauth2.googleapis.com/revoke")
MICROSOFT_CLIENT_ID = env.str("MICROSOFT_CLIENT_ID", "")
MICROSOFT_CLIENT_SECRET = env.secret("MICROSOFT_CLIENT_SECRET", "")
MICROSOFT_TENANT = env.str("MICROSOFT_TENANT", "common")
MICROSOFT_GRAPH_URL = env.url("MICROSOFT_GRAPH_URL", "https://graph.microsoft.com/v1.0")
MICROSOFT_AUTHORITY_HOST = env.url("MICROSOFT_AUTHORITY_HOST", "https://login.microsoftonline.com")
# How long a booking tool waits for a calendar's free/busy before going on with local
# bookings only (the answer still fills the cache for the next question).
CALENDAR_FREEBUSY_TIMEOUT = env.float(
    "CALENDAR_FREEBUSY_TIMEOUT", 2.5, min_value=0.1, max_value=30.0
)
TWILIO_ACCOUNT_SID = env.str("TWILIO_ACCOUNT_SID", "")
TWILIO_AUTH_TOKEN = env.secret("TWILIO_AUTH_TOKEN", "")
PLIVO_AUTH_ID = env.str("PLIVO_AUTH_ID", "")
PLIVO_AUTH_TOKEN = env.secret("PLIVO_AUTH_TOKEN", "")
# The providers' call-control REST APIs (hang-up, transfer): settings so that tests and
# regional edges can point elsewhere.
TWILIO_API_BASE_URL = env.url("TWILIO_API_BASE_URL", "https://api.twilio.com")
PLIVO_API_BASE_URL = env.url("PLIVO_API_BASE_URL", "https://api.plivo.com")
# A call-control request that takes longer fails (the call is then ended or goes on).
TELEPHONY_API_TIMEOUT = env.float("TELEPHONY_API_TIMEOUT", 5.0, min_value=0.5, max_value=30.0)
# How long a transfer rings the person before the caller comes back to the agent.
TRANSFER_RING_SECONDS = env.int("TRANSFER_RING_SECONDS", 25, min_value=5, max_value=120)
# SIP trunks through OpenAI's SIP connector (docs/telephony.md, "SIP trunks"): the
# signing secret of the project's `realtime.call.incoming` webhook (whsec_…); without it
# the webhook answers 503.
OPENAI_WEBHOOK_SECRET = env.secret("OPENAI_WEBHOOK_SECRET", "")
# A request to OpenAI's call control (accept, reject, refer, hang-up) that takes longer fails.
OPENAI_SIP_API_TIMEOUT = env.float("OPENAI_SIP_API_TIMEOUT", 5.0, min_value=0.5, max_value=30.0)
# Where SIP calls' sideband sessions run: "worker" (`manage.py runworker sip-sideband`,
# through the Redis channel layer) or "inprocess" (a task of the server that accepted
# the call). Default: worker when REDIS_URL is set.
SIP_SIDEBAND_MODE = env.choice(
    "SIP_SIDEBAND_MODE", "worker" if REDIS_URL else "inprocess", ("worker", "inprocess")
)
SIP_SIDEBAND_CHANNEL = env.str("SIP_SIDEBAND_CHANNEL", "sip-sideband")
# After a SIP transfer (REFER) OpenAI accepted, the call should leave us: if its sideband
# is still open this many seconds later, the transfer failed and the caller is told.
SIP_REFER_TIMEOUT_SECONDS = env.float(
    "SIP_REFER_TIMEOUT_SECONDS", 8.0, min_value=1.0, max_value=60.0
)

# Fernet keys for secrets at rest (calendar tokens); first one encrypts.
FIELD_ENCRYPTION_KEYS = config.field_encryption_keys(env, debug=DEBUG, data_dir=DATA_DIR)

# EMAIL
# ------------------------------------------------------------------------------
_email = env.email("EMAIL_URL", "consolemail://")
globals().update({k: v for k, v in _email.items() if k.startswith("EMAIL_")})
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", "Voice agent <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# A hung SMTP server must fail the send (the outbox retries it), not hold a worker.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", 10, min_value=1, max_value=300)

# STATIC AND MEDIA
# ------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("DJANGO_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("DJANGO_MEDIA_ROOT", str(DATA_DIR / "media")))
# Recorded calls are written here while they run (unnamed files, deleted when stored),
# then saved through the default storage under recordings/. On disk, not in /tmp, which
# is often memory (tmpfs): a four-hour call takes 1.4 GB.
RECORDINGS_SPOOL_DIR = Path(env.str("RECORDINGS_SPOOL_DIR", str(DATA_DIR / "spool")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG
# WhiteNoise streams files with synchronous iterators, which Django's ASGI handler
# consumes in a thread; the warning about it is expected and not actionable.
warnings.filterwarnings(
    "ignore", message="StreamingHttpResponse must consume synchronous iterators"
)

# SECURITY
# ------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if env.bool("DJANGO_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", not DEBUG)
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", 0, min_value=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# REST FRAMEWORK
# ------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "voiceagent.api.pagination.NewestFirstCursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["voiceagent.api.filtering.StrictFilterBackend"],
    "DEFAULT_THROTTLE_CLASSES": ["voiceagent.api.throttling.ApiKeyRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"api_key": env.str("API_RATE_LIMIT", "600/minute")},
    "EXCEPTION_HANDLER": "voiceagent.api.errors.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Voice agent platform API",
    "DESCRIPTION": "Call logs, contacts, appointments and agents. Authenticate with "
    "`Authorization: Bearer <key>` (API keys are made in the admin).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The interactive docs' assets come from the installed sidecar package, not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a "status"; each list gets its own name in the schema.
    "ENUM_NAME_OVERRIDES": {
        "CallStatusEnum": "calls.models.CallStatus",
        "ContactStatusEnum": "contacts.models.ContactStatus",
        "AppointmentStatusEnum": "appointments.models.AppointmentStatus",
        "KnowledgeSourceStatusEnum": "agents.models.SourceStatus",
        "CalendarConnectionStatusEnum": "appointments.models.ConnectionStatus",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "voiceagent.api.schema.add_error_responses",
    ],
}

# LOGGING
# ------------------------------------------------------------------------------
LOG_LEVEL = env.choice("LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # Its INFO lines include every admin request; warnings are what matter.
        "django.server": {"level": "WARNING"},
        # At DEBUG they log OAuth token responses and client credentials verbatim
        # (the Google calendar connection's code exchange goes through them).
        "requests_oauthlib": {"level": "INFO"},
        "oauthlib": {"level": "INFO"},
    },
}
