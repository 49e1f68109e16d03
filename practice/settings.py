"""Settings, read from the environment (see .env.example for every variable).

The embedded default needs no server: SQLite under var/, a file-system Celery
broker under var/, and emails written to files under var/. Point DATABASE_URL
and REDIS_URL at PostgreSQL and Redis for production and for the full test run.
"""

import os
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
# Only when asked: an image built with `COPY . .` must never carry a .env's
# secrets into its settings (docker compose passes .env as the environment).
if env.bool("READ_DOT_ENV", default=False):
    environ.Env.read_env(env.str("DOT_ENV_FILE", default="") or str(BASE_DIR / ".env"))


def env_prefixed(prefix: str) -> dict[str, str]:
    """Every variable named PREFIX<NAME>, as {NAME: value} (provider settings)."""
    return {k.removeprefix(prefix): v for k, v in os.environ.items() if k.startswith(prefix)}


DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY is required when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-only-for-debug-mode-0123456789"  # noqa: S105
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
CSRF_FAILURE_VIEW = "practice.errors.csrf_failure"

# --- HTTPS and headers: on unless DEBUG (the demo) or HTTPS=0 ------------------
HTTPS = env.bool("HTTPS", default=not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=HTTPS)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=HTTPS)
if env.bool("BEHIND_TLS_PROXY", default=False):
    # Only behind a proxy that sets this header itself and strips it from clients.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# No inline script or style anywhere on our pages, so the policy can be strict.
# The admin and the Swagger UI page (both third-party markup) are left out.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/admin/", "/api/docs/"],
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

INSTALLED_APPS = [
    # The admin, behind the same role and two-factor checks as the staff pages.
    "practice.apps.PracticeAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "csp",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "anymail",
    "practice",
    "clients",
    "booking",
]

MIDDLEWARE = [
    "practice.logging.RequestIdMiddleware",
    # Before the security middleware: container probes on 127.0.0.1 over plain HTTP.
    "practice.health.HealthCheckMiddleware",
    # A dropped database connection in a view: 503 with Retry-After (practice/dbfaults.py).
    "practice.errors.DatabaseUnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After whitenoise (static files stay cacheable): no-store unless the route is public.
    "practice.cache_control.NoStoreMiddleware",
    "csp.middleware.CSPMiddleware",
    # Between CSP and CSRF: frame-ancestors for /book/, partitioned cookies in a frame.
    "practice.embedding.BookingEmbedMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # An empty 405 (a form's address opened as a page): the practice's page.
    "practice.errors.MethodNotAllowedPageMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "practice.display.ClockMiddleware",  # times on the practice's 12- or 24-hour clock
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a locked-out login into a 429.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "practice.urls"
WSGI_APPLICATION = "practice.wsgi.application"

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

# --- Database -----------------------------------------------------------------
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
# A persistent connection (CONN_MAX_AGE > 0) that died while idle (a database
# restart, a failover, a pooler's recycling) is replaced before a request or a
# Celery task uses it, instead of failing that request.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("CONN_HEALTH_CHECKS", default=True)
# The hottest hand-written reads are prepared on PostgreSQL (practice/sql.py): psycopg
# prepares what a server-binding cursor runs for the second time on a connection (so a
# connection used once, CONN_MAX_AGE=0, pays no extra round trip); Django's own cursors
# bind on the client and prepare nothing, whatever this says. Off for a pooler that
# cannot keep prepared statements (PgBouncer before 1.21).
PREPARED_STATEMENTS = env.bool("PREPARED_STATEMENTS", default=True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and PREPARED_STATEMENTS:
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("prepare_threshold", 1)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(exist_ok=True)
    # SQLite has no exclusion constraints. BEGIN IMMEDIATE takes the write lock
    # at the start of every atomic block, so the booking service's overlap
    # re-check and its insert cannot interleave with another writer's.
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}
    # A file (not the shared in-memory database) so that concurrent test
    # threads see real SQLite locking.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
    # One feed per owner is a unique constraint with NULLS NOT DISTINCT, which
    # SQLite lacks; the service's get_or_create keeps it there.
    SILENCED_SYSTEM_CHECKS = ["models.W047"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Time ---------------------------------------------------------------------
USE_TZ = True
TIME_ZONE = "UTC"
LANGUAGE_CODE = "en-us"
USE_I18N = True

# --- Static -------------------------------------------------------------------
STATIC_URL = "static/"
# Production serves collected files from here; DEBUG (the demo) and the tests
# serve straight from the apps' and project's static folders.
# (An empty value, as a copied .env.example gives through compose, means the default.)
STATIC_ROOT = None if DEBUG else env.str("STATIC_ROOT", default="") or str(VAR_DIR / "static")
WHITENOISE_USE_FINDERS = DEBUG
STATICFILES_DIRS = [BASE_DIR / "static"]
# Served by the app (whitenoise), with content-hashed names outside DEBUG:
# run `manage.py collectstatic` at deploy (the Dockerfile does).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- Media (therapists' photos) ----------------------------------------------
# Uploaded photos, re-encoded by practice/photos.py, live here: a volume of its
# own in docker-compose.yml (docs/deployment.md). Served by the app itself
# (practice.photos.therapist_photo), never as a directory.
MEDIA_ROOT = env.str("MEDIA_ROOT", default="") or str(VAR_DIR / "media")
MEDIA_URL = "/media/"
# A photo upload larger than this is refused before it is read as an image.
PHOTO_MAX_BYTES = env.int("PHOTO_MAX_BYTES", default=8 * 1024 * 1024)

# --- Auth ---------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "staff-login"
LOGIN_REDIRECT_URL = "staff-home"
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out login before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Practice owners hold every model permission (the admin is theirs alone).
    "practice.backends.PracticeOwnerBackend",
]
# Staff sessions end when the browser closes, and after 8 idle hours at most.
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_AGE = 8 * 60 * 60
# Password-reset links (emailed; practice.passwords) work once, for this long.
PASSWORD_RESET_TIMEOUT = 2 * 60 * 60

# Login rate limiting (django-axes): after LOGIN_FAILURE_LIMIT failed logins for
# one user name from one address, that pair is locked out for LOGIN_LOCKOUT_MINUTES.
# The address is the client's behind NUM_PROXIES trusted proxies, by the same
# rule as the rate limits (practice.ratelimit.client_address), never the proxy's.
# Across user names, RATE_LIMIT_LOGIN caps sign-in attempts per address.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.int("LOGIN_LOCKOUT_MINUTES", default=15) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "practice.auth.lockout_response"
AXES_CLIENT_IP_CALLABLE = "practice.ratelimit.client_address"
AXES_VERBOSE = False
# Two-factor codes: the issuer shown in authenticator apps.
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Practice booking")

# --- Encryption of intake answers and screener results --------------------------
# Comma-separated Fernet keys; the first encrypts, all decrypt (rotation: put a
# new key first, run `manage.py rotate_field_encryption`, then drop the old one).
# Without these keys the answers are unreadable: back them up apart from the database.
# Required in production. Without a usable key nothing is ever stored in
# clear: encrypting refuses (ImproperlyConfigured), `check --deploy` fails
# (practice.E001; the compose `migrate` step runs it first, so a deployment
# stops there) and /readyz answers 503. Commands that touch no answers
# (makemigrations, collectstatic) run without it.
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[])
if not FIELD_ENCRYPTION_KEYS and DEBUG:
    # The demo only: a fixed key, so its answers survive a restart.
    FIELD_ENCRYPTION_KEYS = ["ZGVtby1vbmx5LWtleS1uZXZlci1wcm9kdWN0aW9uISE="]

# --- Cache and Celery ---------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        # Calendar feeds cache one entry per event: room for a few large feeds.
        "OPTIONS": {"MAX_ENTRIES": 50_000},
    }
}
if REDIS_URL:
    # Fails open: with Redis away, each process caches (and rate-limits) in its
    # own memory until Redis is back (practice/cache.py).
    CACHES = {"default": {"BACKEND": "practice.cache.FailOpenRedisCache", "LOCATION": REDIS_URL}}

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="") or REDIS_URL or "filesystem://"
if CELERY_BROKER_URL == "filesystem://":
    _broker_dir = VAR_DIR / "broker"
    for _sub in ("queue", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
        "control_folder": str(_broker_dir / "control"),
    }
else:
    # Handing a task to a broker that is down fails in about 0.1 s instead of
    # 6 (kombu's default reconnect loop): a booking made while Redis is away is
    # not held up, and its message waits in the database for the scanner.
    # (The worker's own reconnect loop is separate: broker_connection_max_retries.)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "max_retries": 1,
        "interval_start": 0,
        "interval_step": 0.2,
        "interval_max": 0.5,
    }
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "UTC"
# A hung SMTP server or SMS provider cannot hold a worker: past the soft limit the
# send raises (a transient failure, retried with back-off); past the hard one the
# worker process is replaced. Keep both under NOTIFICATION_STUCK_AFTER_SECONDS.
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=60)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=90)
# Worker and beat log through LOGGING (JSON, redacted): practice/celery.py.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# --- Email --------------------------------------------------------------------
# EMAIL_URL is the transport (smtp://, smtp+tls://user:pass@host:587, smtp+ssl://,
# consolemail://, filemail://); EMAIL_BACKEND, when set, wins: an HTTP provider
# through django-anymail (anymail.backends.postmark.EmailBackend, ...), whose
# settings are the ANYMAIL_* variables. Neither set: files under var/mail.
EMAIL_URL = env.str("EMAIL_URL", default="")
_email = environ.Env.email_url_config(EMAIL_URL) if EMAIL_URL else {}
EMAIL_BACKEND = (
    env.str("EMAIL_BACKEND", default="")
    or _email.get("EMAIL_BACKEND")
    or "django.core.mail.backends.filebased.EmailBackend"
)
EMAIL_HOST = _email.get("EMAIL_HOST") or "localhost"
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
EMAIL_PORT = _email.get("EMAIL_PORT") or (465 if EMAIL_USE_SSL else 587 if EMAIL_USE_TLS else 25)
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER") or ""
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD") or ""
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default="") or str(VAR_DIR / "mail")
# Seconds an SMTP server may keep us waiting per operation (a timeout is retried).
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="bookings@localhost")
# django-anymail: every ANYMAIL_<NAME> variable becomes ANYMAIL["<NAME>"], e.g.
# ANYMAIL_POSTMARK_SERVER_TOKEN, ANYMAIL_MAILGUN_API_KEY, ANYMAIL_WEBHOOK_SECRET.
ANYMAIL = env_prefixed("ANYMAIL_")

# --- Text messages ------------------------------------------------------------
SMS_BACKEND = env.str("SMS_BACKEND", default="booking.notify.sms.FileBackend")
SMS_FILE_PATH = env.str("SMS_FILE_PATH", default="") or str(VAR_DIR / "sms")
TWILIO_ACCOUNT_SID = env.str("TWILIO_ACCOUNT_SID", default="")
TWILIO_AUTH_TOKEN = env.str("TWILIO_AUTH_TOKEN", default="")
TWILIO_FROM_NUMBER = env.str("TWILIO_FROM_NUMBER", default="")

# --- Video sessions -----------------------------------------------------------
# Each provider a practice (or therapist) may choose, by its dotted path (booking/video.py).
VIDEO_PROVIDERS = {
    "none": "booking.video.NoVideo",
    "jitsi": "booking.video.JitsiProvider",
    "personal_room": "booking.video.PersonalRoomProvider",
}
# A self-hosted Jitsi Meet: each session gets a room under this address.
JITSI_BASE_URL = env.str("JITSI_BASE_URL", default="").rstrip("/")
# When the Jitsi server requires a token (prosody token auth): app id and secret (HS256).
JITSI_JWT_APP_ID = env.str("JITSI_JWT_APP_ID", default="")
JITSI_JWT_SECRET = env.str("JITSI_JWT_SECRET", default="")
# The token's "aud" and "sub" (Jitsi's defaults: "jitsi" and the server's host name).
JITSI_JWT_AUDIENCE = env.str("JITSI_JWT_AUDIENCE", default="jitsi")
JITSI_JWT_SUBJECT = env.str("JITSI_JWT_SUBJECT", default="")

# --- Notifications -------------------------------------------------------------
# A claimed message whose send has not finished after this long is taken back
# by the scanner (its worker died, or its task was lost with the broker).
NOTIFICATION_STUCK_AFTER_SECONDS = env.int("NOTIFICATION_STUCK_AFTER_SECONDS", default=600)
NOTIFICATION_MAX_ATTEMPTS = env.int("NOTIFICATION_MAX_ATTEMPTS", default=5)
CELERY_BEAT_SCHEDULE = {
    "dispatch-due-notifications": {
        "task": "booking.tasks.dispatch_due_notifications",
        "schedule": env.float("NOTIFICATION_SCAN_SECONDS", default=60.0),
    },
    "release-expired-holds": {
        "task": "booking.tasks.release_expired_holds",
        "schedule": 5 * 60.0,
    },
    "release-unconfirmed-bookings": {
        "task": "booking.tasks.release_unconfirmed_bookings",
        "schedule": 5 * 60.0,
    },
    "schedule-daily-agendas": {
        "task": "booking.tasks.schedule_daily_agendas",
        "schedule": 15 * 60.0,
    },
    "schedule-failure-summaries": {
        "task": "booking.notify.tasks.schedule_failure_summaries",
        "schedule": 60 * 60.0,
    },
    "escalate-overdue-requests": {
        "task": "booking.notify.tasks.escalate_overdue_requests",
        "schedule": 15 * 60.0,
    },
}

# --- The practice -------------------------------------------------------------
# Intake links stop working after this many days (resending makes a new one).
INTAKE_LINK_MAX_AGE_DAYS = env.int("INTAKE_LINK_MAX_AGE_DAYS", default=14)
# Absolute links in emails and texts start with this.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# One deployment serves one practice for now; every practice-owned row already
# points at its Practice so several can share a deployment later.
PRACTICE_SLUG = env.str("PRACTICE_SLUG", default="")


# Websites that may show the booking pages in a frame (comma-separated origins,
# e.g. https://www.lakeside-therapy.example); the practice can add more in the
# admin. Empty: the booking pages cannot be framed (practice/embedding.py).
def _origins(values: list[str]) -> list[str]:
    from practice.origins import validate_origin

    try:
        return [validate_origin(v) for v in values if v.strip()]
    except Exception as exc:  # noqa: BLE001 (a settings error says which value)
        raise ImproperlyConfigured(f"BOOKING_EMBED_ORIGINS: {exc}") from exc


BOOKING_EMBED_ORIGINS = _origins(env.list("BOOKING_EMBED_ORIGINS", default=[]))
# The booking flow's cookies besides CSRF's, kept inside a frame (partitioned).
BOOKING_FRAME_COOKIES = ("booking_browser",)
PHONE_DEFAULT_REGION = env.str("PHONE_DEFAULT_REGION", default="US")

# --- API ----------------------------------------------------------------------
REST_FRAMEWORK = {
    # Secure by default: public endpoints opt out explicitly.
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "practice.exception_handler.api_exception_handler",
    # Per client address, per scope; see practice/ratelimit.py. "N/second|minute|hour|day".
    "DEFAULT_THROTTLE_RATES": {
        "slots": env.str("RATE_LIMIT_SLOTS", default="120/minute"),
        "booking": env.str("RATE_LIMIT_BOOKING", default="20/minute"),
        "manage": env.str("RATE_LIMIT_MANAGE", default="30/minute"),
        "feed": env.str("RATE_LIMIT_FEED", default="120/hour"),
        "intake": env.str("RATE_LIMIT_INTAKE", default="60/minute"),
        # Sign-in attempts (POSTs) per address, whatever the user name.
        "login": env.str("RATE_LIMIT_LOGIN", default="30/hour"),
        "password_reset": env.str("RATE_LIMIT_PASSWORD_RESET", default="5/hour"),
    },
    # Behind N trusted proxies, the client is the Nth address from the right
    # of X-Forwarded-For; 0 (none) uses REMOTE_ADDR.
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0),
}
# Times one client address may hold on the booking pages without giving details
# (booking/holds.py); each browser holds one at a time.
HOLDS_PER_ADDRESS = env.int("HOLDS_PER_ADDRESS", default=5)
SPECTACULAR_SETTINGS = {
    "TITLE": "Therapy practice booking API",
    "DESCRIPTION": "Public booking API: therapists, session types, free slots, bookings.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Logging ------------------------------------------------------------------
# JSON lines with a request id (LOG_FORMAT=text for reading by eye, as the demo
# does). practice.logging.ContextFilter strips tokens from logged paths.
LOG_FORMAT = env.str("LOG_FORMAT", default="json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "practice.logging.ContextFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["context"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
