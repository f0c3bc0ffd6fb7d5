"""One settings module, driven by environment variables.

Development defaults are safe; production (DJANGO_DEBUG unset/false) fails fast when a
required value is missing. Tests change only what they must in ``settings_test``.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=False)

SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
# The absolute address of the portal, used for links in emails.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "template_partials",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "auditlog",
    "helpdesk.accounts",
    "helpdesk.mail",
    "sla",
    "billing",
    "knowledgebase",
    "tickets",
    "workspace",
    "api",
    "inbound",
    "privacy",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "helpdesk.request_limits.RequestSizeLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "helpdesk.accounts.two_factor.StaffTwoFactorMiddleware",
    "helpdesk.accounts.audit.AuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "helpdesk.middleware.UserTimezoneMiddleware",
]

ROOT_URLCONF = "helpdesk.urls"
WSGI_APPLICATION = "helpdesk.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# PostgreSQL only: full-text search, row locks and constraints rely on it.
DATABASES = {"default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/helpdesk")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "helpdesk",
    }
}

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ru", _("Russian")), ("pl", _("Polish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
# A new account's time zone when the browser does not say (sign-up reads the browser's).
DEFAULT_USER_TIME_ZONE = env("DEFAULT_USER_TIME_ZONE", default="Europe/Moscow")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    # Attachments live outside the static root and are served only by a view that
    # checks access (tickets.views.attachments).
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": env.path("ATTACHMENTS_ROOT", default=str(VAR_DIR / "attachments")), "base_url": None},
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = str(VAR_DIR / "attachments")

# Attachment limits (bytes). The allow-list is checked against the content's real type.
ATTACHMENT_MAX_FILE_BYTES = env.int("ATTACHMENT_MAX_FILE_BYTES", default=25 * 1024 * 1024)
ATTACHMENT_MAX_TICKET_BYTES = env.int("ATTACHMENT_MAX_TICKET_BYTES", default=100 * 1024 * 1024)
# Files per message (web, API, email), and archives: the unpacked size they declare
# (zip directory, gzip trailer) may be at most this, and at most RATIO times their size.
ATTACHMENT_MAX_FILES_PER_MESSAGE = env.int("ATTACHMENT_MAX_FILES_PER_MESSAGE", default=20)
ATTACHMENT_ARCHIVE_MAX_UNPACKED_BYTES = env.int("ATTACHMENT_ARCHIVE_MAX_UNPACKED_BYTES", default=1024 * 1024 * 1024)
ATTACHMENT_ARCHIVE_MAX_RATIO = env.int("ATTACHMENT_ARCHIVE_MAX_RATIO", default=200)
ATTACHMENT_ARCHIVE_MAX_ENTRIES = env.int("ATTACHMENT_ARCHIVE_MAX_ENTRIES", default=10_000)
# Form fields other than files (a pasted log bigger than this is a 413 page, smaller but
# over the 100,000-character body limit a form error); files in memory up to 2.5 MB.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# More files than this is refused by Django itself; between the per-message limit and
# this the form names the limit. Both answer with a page saying what to do.
DATA_UPLOAD_MAX_NUMBER_FILES = 5 * ATTACHMENT_MAX_FILES_PER_MESSAGE
# Any request with a bigger body is refused before it is read (413, helpdesk.middleware).
REQUEST_MAX_BYTES = env.int(
    "REQUEST_MAX_BYTES", default=ATTACHMENT_MAX_TICKET_BYTES + DATA_UPLOAD_MAX_MEMORY_SIZE + 1024 * 1024
)

# SLA: how often beat sweeps deadlines, and who hears of warnings on unassigned tickets.
SLA_SWEEP_SECONDS = env.float("SLA_SWEEP_SECONDS", default=60.0)
SUPPORT_QUEUE_EMAIL = env("SUPPORT_QUEUE_EMAIL", default="queue@helpdesk.localhost")
# A recipient with more than this many targets falling due in one sweep gets one digest.
SLA_DIGEST_THRESHOLD = env.int("SLA_DIGEST_THRESHOLD", default=3)
# A digest lists this many, most urgent first, and counts the rest (linked to the queue).
SLA_DIGEST_MAX_ROWS = env.int("SLA_DIGEST_MAX_ROWS", default=100)

# Personal data (privacy/): one export per this many hours; the download link lasts this long.
PRIVACY_EXPORT_INTERVAL_HOURS = env.int("PRIVACY_EXPORT_INTERVAL_HOURS", default=24)
PRIVACY_EXPORT_LINK_HOURS = env.int("PRIVACY_EXPORT_LINK_HOURS", default=72)

# Satisfaction: a rating may be changed for this many days after it was first given.
CSAT_CHANGE_DAYS = env.int("CSAT_CHANGE_DAYS", default=7)

# Selling support (billing/README.md). The supplier on pro-forma invoices:
VENDOR_NAME = env("VENDOR_NAME", default="Helpdesk Vendor Ltd")
VENDOR_ADDRESS = env("VENDOR_ADDRESS", default="1 Example Street\n00-001 Warsaw").replace("\\n", "\n")
VENDOR_TAX_ID = env("VENDOR_TAX_ID", default="")
VENDOR_BANK = env("VENDOR_BANK", default="")
# Days before a tariff period or a license's support ends when customers are reminded.
RENEWAL_REMINDER_DAYS = [int(d) for d in env.list("RENEWAL_REMINDER_DAYS", default=["30", "7"])]
# A refund of points lasts at least this many days, even if the points it returns expire sooner.
POINTS_REFUND_MIN_DAYS = env.int("POINTS_REFUND_MIN_DAYS", default=30)

# Knowledge-base suggestions: (requests, seconds) per client (user or IP).
KB_SUGGEST_RATE = (env.int("KB_SUGGEST_PER_MINUTE", default=60), 60)

# The personal-data agreement a user consents to at sign-up; bump the version when its
# text changes so that consent records say which text was agreed to.
PERSONAL_DATA_AGREEMENT_VERSION = env("PERSONAL_DATA_AGREEMENT_VERSION", default="2026-11")

EMAIL_CONFIG = env.email("EMAIL_URL", default="consolemail://" if DEBUG else "smtp://127.0.0.1:25")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Helpdesk <support@helpdesk.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# A stalled SMTP server must not hold a worker forever (seconds).
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)

# Email channel (inbound/README.md). Ticket notifications carry Reply-To: this address
# with the ticket's unguessable token; empty turns reply-by-email off.
SUPPORT_REPLY_ADDRESS = env("SUPPORT_REPLY_ADDRESS", default="support+{token}@helpdesk.localhost")
# Fernet key for mailbox passwords (Fernet.generate_key()); empty: derived from SECRET_KEY.
MAILBOX_KEY = env("MAILBOX_KEY", default="")
# How often beat polls the mailboxes, and the largest message imported (bigger ones are
# recorded as rejected without their bytes).
INBOUND_POLL_SECONDS = env.float("INBOUND_POLL_SECONDS", default=60.0)
INBOUND_MAX_MESSAGE_BYTES = env.int("INBOUND_MAX_MESSAGE_BYTES", default=40 * 1024 * 1024)
# Mailbox servers on loopback or private addresses are refused (a mailbox must not be a
# way to probe the internal network) unless this is on; passwords from the environment
# come only from variables named HELPDESK_MAILBOX_… (inbound/credentials.py).
MAILBOX_ALLOW_PRIVATE_HOSTS = env.bool("MAILBOX_ALLOW_PRIVATE_HOSTS", default=False)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Two-factor (helpdesk/accounts/two_factor.py): a staff member (admin access) must
# enrol a TOTP app and confirm a code after the password before any page but the
# 2FA pages; anyone who enrolled is asked for a code. On by default in production.
STAFF_OTP_REQUIRED = env.bool("STAFF_OTP_REQUIRED", default=not DEBUG)
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", default="Helpdesk")

# Audit log of admin changes (django-auditlog, shown in admin under "Log entries"):
# who changed which tariff, calendar, license, points price, user, organisation or
# mailbox, when and
# what. Secrets are masked, polling bookkeeping is left out.
AUDITLOG_INCLUDE_TRACKING_MODELS = (
    "sla.Tariff", "sla.TariffUrgencyRule", "sla.TariffPrice",
    "sla.BusinessCalendar", "sla.WorkingInterval", "sla.Holiday",
    "sla.Edition", "sla.License", "sla.Subscription", "sla.EntitlementRule",
    "billing.PointsPack", "billing.PointsPlan", "billing.PointsRule",
    "accounts.Organisation",
    {"model": "accounts.User", "exclude_fields": ["password", "last_login"], "m2m_fields": {"groups", "user_permissions"}},
    {"model": "auth.Group", "m2m_fields": {"permissions"}},
    {
        "model": "inbound.Mailbox", "mask_fields": ["password_encrypted"],
        "exclude_fields": ["imap_uidvalidity", "imap_last_uid", "last_polled_at", "last_error"],
    },
    {
        "model": "otp_totp.TOTPDevice",
        "include_fields": ["user", "name", "confirmed"],
    },
)

# Celery: one app in helpdesk/celery.py, configured from here.
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = None
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_TIME_LIMIT = 120
CELERY_TASK_SOFT_TIME_LIMIT = 100
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing must not hang a web request when Redis is away.
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5, "max_retries": 1}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}
CELERY_TIMEZONE = "UTC"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}

# REST API (api/README.md): Bearer tokens (or the browser session), cursor pagination,
# one error shape, per-token throttling in the Redis cache.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.PerTokenThrottle"],
    "DEFAULT_THROTTLE_RATES": {"api_token": env("API_THROTTLE_RATE", default="1200/hour")},
    "EXCEPTION_HANDLER": "api.exceptions.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "api.schema.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Helpdesk API",
    "DESCRIPTION": "Tickets, the conversation and the queue for integrations. See api/README.md.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/",
    # Swagger UI assets come from drf-spectacular-sidecar: served locally, no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "TicketStatusEnum": "tickets.models.Status",
        "TicketKindEnum": "tickets.models.Kind",
        "UrgencyEnum": "tickets.models.Urgency",
        "EventKindEnum": "api.schema.EVENT_KIND_CHOICES",
    },
}
