"""Mailbox passwords are never stored in plain text.

Either the mailbox names an environment variable that holds the password (nothing
secret in the database at all), or the password is stored encrypted with Fernet
(AES-128-CBC + HMAC-SHA256, from ``cryptography``). The key comes from ``MAILBOX_KEY``
(a Fernet key, ``Fernet.generate_key()``) when set, else it is derived from
``SECRET_KEY`` with HKDF, so rotating SECRET_KEY without MAILBOX_KEY means entering
the mailbox passwords again (the admin says so when a password cannot be read).

A password is released only to a mailbox that may have it (``Mailbox.secret_problem``):
an environment variable's name must start with ``ENV_PREFIX`` (so a mailbox cannot read
``DJANGO_SECRET_KEY``), a server on a loopback or private address needs
``MAILBOX_ALLOW_PRIVATE_HOSTS``, and a password travels without TLS only to such a server.
"""

import base64
import ipaddress
import os
import socket

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# The only environment variables a mailbox may read its password from.
ENV_PREFIX = "HELPDESK_MAILBOX_"


class SecretUnavailable(Exception):
    pass


def env_name_allowed(name):
    return name.startswith(ENV_PREFIX) and len(name) > len(ENV_PREFIX)


def host_is_internal(host):
    """True when the name or address points at this machine or a private network
    (loopback, RFC 1918, link-local, unique-local, unspecified): any address it resolves to."""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return False  # unresolvable: the connection fails on its own
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if address.is_loopback or address.is_private or address.is_link_local or address.is_unspecified or address.is_reserved:
            return True
    return False


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
    if not env_name_allowed(name):
        raise SecretUnavailable(f"a mailbox password may come only from a variable named {ENV_PREFIX}…")
    value = os.environ.get(name)
    if value is None:
        raise SecretUnavailable(f"environment variable {name} is not set")
    return value
