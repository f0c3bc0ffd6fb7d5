"""Writes for API tokens: create (the secret is returned once, never stored) and revoke."""

import hashlib
import secrets

from django.utils import timezone

from .models import PREFIX_LENGTH, ApiToken

# A token is used at most this often in the database: last_used_at is a hint for people
# ("is this token still in use?"), not an audit log, so it need not cost a write per request.
LAST_USED_RESOLUTION_SECONDS = 60


def hash_secret(raw):
    return hashlib.sha256(raw.encode()).hexdigest()


def api_token_create(*, user, name):
    """Make a token for the user; return (token, raw secret). Only the hash is kept."""
    raw = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name.strip(), prefix=raw[:PREFIX_LENGTH], hashed_secret=hash_secret(raw)
    )
    return token, raw


def api_token_revoke(*, token):
    """A revoked token stops working at once and stays listed, marked revoked."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def api_token_touch(token, now=None):
    """Record use, at most once a minute per token (one conditional UPDATE)."""
    now = now or timezone.now()
    last = token.last_used_at
    if last is not None and (now - last).total_seconds() < LAST_USED_RESOLUTION_SECONDS:
        return
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now
