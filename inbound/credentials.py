"""Mailbox passwords are never stored in plain text.

Either the mailbox names an environment variable that holds the password (nothing
secret in the database at all), or the password is stored encrypted with Fernet
(AES-128-CBC + HMAC-SHA256, from ``cryptography``). The key comes from ``MAILBOX_KEY``
(a Fernet key, ``Fernet.generate_key()``) when set, else it is derived from
``SECRET_KEY`` with HKDF, so rotating SECRET_KEY without MAILBOX_KEY means entering
the mailbox passwords again (the admin says so when a password cannot be read).
"""

import base64
import os

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class SecretUnavailable(Exception):
    pass


def _fernet():
    key = getattr(settings, "MAILBOX_KEY", "") or ""
    if key:
        try:
            return Fernet(key.encode() if isinstance(key, str) else key)
        except (ValueError, TypeError) as exc:
            raise ImproperlyConfigured("MAILBOX_KEY must be a Fernet key (Fernet.generate_key())") from exc
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"helpdesk.inbound.mailbox").derive(
        settings.SECRET_KEY.encode()
    )
    return Fernet(base64.urlsafe_b64encode(derived))


def encrypt(plain):
    return _fernet().encrypt(plain.encode("utf-8")).decode("ascii")


def decrypt(token):
    try:
        return _fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken as exc:
        raise SecretUnavailable("the stored password cannot be decrypted (was SECRET_KEY/MAILBOX_KEY changed?)") from exc


def from_environment(name):
    value = os.environ.get(name)
    if value is None:
        raise SecretUnavailable(f"environment variable {name} is not set")
    return value
