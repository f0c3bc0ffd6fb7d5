"""Reads for API tokens."""

import hmac

from .models import PREFIX_LENGTH, ApiToken
from .services import hash_secret


def tokens_of(user):
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-pk")


def token_for_secret(raw):
    """The active token whose secret this is, with its user; None otherwise.

    Candidates are found by the indexed prefix; the hashes are compared in constant time.
    """
    if not raw or len(raw) < PREFIX_LENGTH or len(raw) > 200:
        return None
    digest = hash_secret(raw)
    candidates = ApiToken.objects.select_related("user").filter(prefix=raw[:PREFIX_LENGTH], revoked_at__isnull=True)
    for token in candidates:
        if hmac.compare_digest(token.hashed_secret, digest):
            return token
    return None
