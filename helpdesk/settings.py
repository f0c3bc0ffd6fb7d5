"""One settings module, driven by environment variables.

Development defaults are safe; production (DJANGO_DEBUG unset/false) fails fast when a
required value is missing. Tests change only what they must in ``settings_test``.
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONCE
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
    # Before the admin: its admin classes and per-language fields (tariffs, root causes…)
    "modeltranslation",
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
    "axes",
    "csp",
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
    "incidents",
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
    # After the second factor: a new personal-data agreement is accepted before other pages.
    "helpdesk.accounts.consent.ConsentRequiredMiddleware",
    "helpdesk.accounts.audit.AuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "helpdesk.middleware.UserTimezoneMiddleware",
    "helpdesk.middleware.NoStoreForAuthenticatedMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes requires: it turns a locked-out login into our 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "helpdesk.urls"
# A refused form gets the localised 403 page (templates/403.html) saying what to do.
CSRF_FAILURE_VIEW = "helpdesk.views.csrf_failure"
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
# django-redis, because it can ignore connection errors: with Redis down or paused the
# cache answers "nothing cached" within the socket timeouts instead of raising, so
# rate-limit counters, DRF throttles and cached counts fail open and no page waits on it.
REDIS_SOCKET_TIMEOUT = env.float("REDIS_SOCKET_TIMEOUT", default=0.5)
CACHES = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "helpdesk",
        "OPTIONS": {
            "SOCKET_CONNECT_TIMEOUT": REDIS_SOCKET_TIMEOUT,
            "SOCKET_TIMEOUT": REDIS_SOCKET_TIMEOUT,
            "IGNORE_EXCEPTIONS": True,
            # Remembers a failure for a few seconds so that later calls fail at once.
            "CONNECTION_POOL_CLASS": "helpdesk.redis_guard.FailFastConnectionPool",
        },
    }
}
# After a Redis error this process leaves Redis alone for this long (helpdesk.redis_guard).
REDIS_DOWN_RETRY_SECONDS = env.float("REDIS_DOWN_RETRY_SECONDS", default=5.0)

AUTH_USER_MODEL = "accounts.User"
# django-axes first: it refuses a locked-out login before the password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
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
# Dates and numbers as people read them (helpdesk/formats/<lang>/formats.py: 03.12.2026).
FORMAT_MODULE_PATH = ["helpdesk.formats"]
# Admin-entered text customers read (tariff names and descriptions, root causes, KB
# categories, product editions, points packs) is stored per language by
# django-modeltranslation (the apps' translation.py). Empty in the visitor's language:
# the default language, then whichever language an admin did fill in.
MODELTRANSLATION_DEFAULT_LANGUAGE = LANGUAGE_CODE
MODELTRANSLATION_LANGUAGES = tuple(code for code, _name in LANGUAGES)
MODELTRANSLATION_FALLBACK_LANGUAGES = (LANGUAGE_CODE, *(c for c in MODELTRANSLATION_LANGUAGES if c != LANGUAGE_CODE))
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
# Reports count days in one time zone (the roll-up's days, the period a lead picks); the
# page prints it. Beat refreshes the roll-up every REPORTS_ROLLUP_SECONDS; days touched
# since are read live, so a slower beat costs speed, never exactness.
REPORTS_TIME_ZONE = env("REPORTS_TIME_ZONE", default=DEFAULT_USER_TIME_ZONE)
REPORTS_ROLLUP_SECONDS = env.float("REPORTS_ROLLUP_SECONDS", default=300.0)
# The home page may publish the average first response in business hours over the last
# 30 days (seed 002's company does). Off unless the vendor switches it on.
PUBLIC_FIRST_RESPONSE_FIGURE = env.bool("PUBLIC_FIRST_RESPONSE_FIGURE", default=False)
# --- Abuse limits (README, "Running it in production") ---
# Reverse proxies in front of gunicorn that append to X-Forwarded-For (nginx, a load
# balancer). 0: clients connect directly and the header is ignored (anyone can send it).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# Request limits (helpdesk.throttle, django-ratelimit): "count/period", period s, m, h or
# d with an optional multiplier ("120/10m"). Counted per user, anonymous requests per
# client IP; the API's "api" group per token. Each can be set as RATELIMIT_<GROUP>.
RATELIMIT_DEFAULTS = {
    "signup": "10/h",  # sign-up posts per IP
    "password_reset": "10/h",  # reset requests per IP (and the email cap per address)
    "activation_resend": "5/h",  # "send a new activation link" per IP
    "ticket_create": "30/h",  # new tickets per user, web and API together
    "reply": "120/h",  # replies per user, web and API together
    "callback": "10/h",  # callback requests per user
    "kb_search": "60/m",  # knowledge-base searches per user or IP
    "kb_suggest": "60/m",  # suggestions beside the ticket form, per user or IP
    "ticket_similar": "60/m",  # possible duplicates beside the ticket form, per user
    "ticket_page": "300/10m",  # ticket pages a customer opens (walking ids), web and API
    "attachment": "300/10m",  # file downloads per user
    "api": env("API_THROTTLE_RATE", default="1200/h"),  # every API call, per token
}
RATELIMITS = {group: env(f"RATELIMIT_{group.upper()}", default=rate) for group, rate in RATELIMIT_DEFAULTS.items()}
RATELIMIT_FAIL_OPEN = True  # Redis unreachable: let requests through
RATELIMIT_CACHE_PREFIX = "rl:"
# Login lockout (django-axes): after AXES_FAILURE_LIMIT failed logins for one account,
# or from one IP, further attempts (right password included) get a 429 until the
# cool-off has passed. Failures are logged and kept in admin (Axes: access attempts).
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # either one locks
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "helpdesk.throttle.axes_username"
AXES_CLIENT_IP_CALLABLE = "helpdesk.throttle.client_ip"
AXES_LOCKOUT_CALLABLE = "helpdesk.throttle.axes_lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_SENSITIVE_PARAMETERS = ["password"]

# Selling support (billing/README.md). The supplier on pro-forma invoices:
VENDOR_NAME = env("VENDOR_NAME", default="Helpdesk Vendor Ltd")
VENDOR_ADDRESS = env("VENDOR_ADDRESS", default="1 Example Street\n00-001 Warsaw").replace("\\n", "\n")
VENDOR_TAX_ID = env("VENDOR_TAX_ID", default="")
VENDOR_BANK = env("VENDOR_BANK", default="")
# Days before a tariff period or a license's support ends when customers are reminded.
RENEWAL_REMINDER_DAYS = [int(d) for d in env.list("RENEWAL_REMINDER_DAYS", default=["30", "7"])]
# A refund of points lasts at least this many days, even if the points it returns expire sooner.
POINTS_REFUND_MIN_DAYS = env.int("POINTS_REFUND_MIN_DAYS", default=30)

# The personal-data agreement a user consents to at sign-up; bump the version when its
# text changes so that consent records say which text was agreed to.
PERSONAL_DATA_AGREEMENT_VERSION = env("PERSONAL_DATA_AGREEMENT_VERSION", default="2026-11")

EMAIL_CONFIG = env.email("EMAIL_URL", default="consolemail://" if DEBUG else "smtp://127.0.0.1:25")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Helpdesk <support@helpdesk.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Per-recipient caps on system email (helpdesk.mail.services.email_allowed): at most this
# many emails of a kind to one address in any hour; the excess is dropped and logged.
# "account": activation, password reset, "someone signed up with your address" (anyone
# can trigger them for any address); "notification": everything else.
EMAIL_CAPS_PER_HOUR = {
    "account": env.int("EMAIL_CAP_ACCOUNT_PER_HOUR", default=5),
    "notification": env.int("EMAIL_CAP_NOTIFICATION_PER_HOUR", default=60),
}
# Our own addresses, never capped (the queue hears of every unassigned ticket's reply).
EMAIL_CAP_EXEMPT = env.list("EMAIL_CAP_EXEMPT", default=[SUPPORT_QUEUE_EMAIL])
# A stalled SMTP server must not hold a worker forever (seconds).
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)

# Email channel (inbound/README.md). Ticket notifications carry Reply-To: this address
# with the ticket's unguessable token; empty turns reply-by-email off.
SUPPORT_REPLY_ADDRESS = env("SUPPORT_REPLY_ADDRESS", default="support+{token}@helpdesk.localhost")
# Fernet key for mailbox passwords (Fernet.generate_key()); empty: derived from SECRET_KEY.
MAILBOX_KEY = env("MAILBOX_KEY", default="")
# How often beat polls the mailboxes, and the largest message imported (bigger ones are
# parked with their first INBOUND_KEEP_BYTES_OF_LARGE, and the sender told).
INBOUND_POLL_SECONDS = env.float("INBOUND_POLL_SECONDS", default=60.0)
INBOUND_MAX_MESSAGE_BYTES = env.int("INBOUND_MAX_MESSAGE_BYTES", default=40 * 1024 * 1024)
# Who sent a message (inbound/README.md, "Who may post as whom"): the header our own
# mail server adds, and its authserv-id. Only the topmost such header counts; without
# an id nothing is verified (only failures are believed) and unknown senders get no mail.
INBOUND_AUTH_RESULTS_HEADER = env("INBOUND_AUTH_RESULTS_HEADER", default="Authentication-Results")
INBOUND_TRUSTED_AUTHSERV_ID = env("INBOUND_TRUSTED_AUTHSERV_ID", default="")
# Engineers whose mail our server DKIM-verifies for these domains may reply from any
# client; everyone else replies to the signed address of the notification they got.
INBOUND_ENGINEER_DKIM_DOMAINS = env.list("INBOUND_ENGINEER_DKIM_DOMAINS", default=[])
# Per sender address and per sender domain: at most N messages in a window; the rest is
# parked for review, unanswered.
INBOUND_SENDER_LIMIT = env.int("INBOUND_SENDER_LIMIT", default=10)
INBOUND_SENDER_WINDOW_SECONDS = env.int("INBOUND_SENDER_WINDOW_SECONDS", default=600)
INBOUND_DOMAIN_LIMIT = env.int("INBOUND_DOMAIN_LIMIT", default=60)
INBOUND_DOMAIN_WINDOW_SECONDS = env.int("INBOUND_DOMAIN_WINDOW_SECONDS", default=3600)
# MIME parts read per message (the rest is dropped and the sender told); the text kept
# of a message over INBOUND_MAX_MESSAGE_BYTES.
INBOUND_MAX_MIME_PARTS = env.int("INBOUND_MAX_MIME_PARTS", default=100)
INBOUND_KEEP_BYTES_OF_LARGE = env.int("INBOUND_KEEP_BYTES_OF_LARGE", default=256 * 1024)
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
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Production runs behind a TLS-terminating proxy (README, "Running it in production"):
# HTTPS only, told apart by the proxy's X-Forwarded-Proto (the proxy must set it and
# strip any the client sent). Off in development (DJANGO_DEBUG) and switchable for a
# plain-HTTP staging box with DJANGO_SECURE_SSL=0.
SECURE_SSL = env.bool("DJANGO_SECURE_SSL", default=not DEBUG)
SECURE_SSL_REDIRECT = SECURE_SSL
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if SECURE_SSL else None
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=60 * 60 * 24 * 365 if SECURE_SSL else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_HSTS_PRELOAD", default=True)
# /healthz answers the load balancer's plain-HTTP probe without a redirect.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Content-Security-Policy on every response (django-csp): scripts only from our static
# files or carrying the request's nonce (templates: {{ request.csp_nonce }}), no eval,
# no inline handlers, no plugins, no framing. Inline *styles* are allowed: progress
# bars, Django admin and Swagger UI set style attributes, and a style cannot run code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

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
# A web request publishes once (retry=False); a paused Redis costs it at most ~1 s, and the
# process then leaves Redis alone for a few seconds (helpdesk.redis_guard). The worker's
# BRPOP waits in the event loop, not under socket_timeout.
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 0.5, "socket_timeout": 1.0, "max_retries": 1}
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
    # The same mechanism and settings as the web's (helpdesk.throttle, RATELIMITS).
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.PerTokenThrottle", "api.throttling.ViewRatelimitThrottle"],
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
        "LevelEnum": "tickets.models.Level",
        "EventKindEnum": "api.schema.EVENT_KIND_CHOICES",
        "IncidentStateEnum": "incidents.models.State",
        "IncidentOpenStateEnum": "incidents.forms.OPEN_STATE_CHOICES",
    },
}
