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
# The IMAP/POP3 tests talk to dovecot on 127.0.0.1.
MAILBOX_ALLOW_PRIVATE_HOSTS = True
# Two-factor for staff is on in production; a test that checks it turns it on.
STAFF_OTP_REQUIRED = False
