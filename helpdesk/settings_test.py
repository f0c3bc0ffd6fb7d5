"""Only what tests must change."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-secret-key")

from .settings import *  # noqa: F401,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
STORAGES = {  # noqa: F405
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tests speak plain HTTP to the test client; the production HTTPS settings have their
# own test (tests/security/test_headers.py runs check --deploy).
SECURE_SSL_REDIRECT = False
SECURE_PROXY_SSL_HEADER = None
SECURE_HSTS_SECONDS = 0
# Request limits and login lockout stay on (RATELIMITS, AXES_*): each test counts under
# its own key prefix (root conftest.py) and lowers a limit through the settings fixture.
# The IMAP/POP3 tests talk to dovecot on 127.0.0.1.
MAILBOX_ALLOW_PRIVATE_HOSTS = True
# Two-factor for staff is on in production; a test that checks it turns it on.
STAFF_OTP_REQUIRED = False
