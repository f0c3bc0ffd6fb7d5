"""A fixed-window request counter per client in Django's cache (Redis), shared by every
web process. When the cache is unreachable the request is let through: suggestions are
an extra, never a reason to fail."""

import logging
import time

from django.core.cache import cache

logger = logging.getLogger(__name__)


def client_key(request):
    if request.user.is_authenticated:
        return f"u{request.user.pk}"
    return f"ip{request.META.get('REMOTE_ADDR', '')}"


def allow(request, scope, *, limit, window):
    """True while the client has made at most ``limit`` requests in this ``window`` (s)."""
    bucket = int(time.time() // window)
    key = f"kb:rate:{scope}:{client_key(request)}:{bucket}"
    try:
        cache.add(key, 0, timeout=window + 1)
        return cache.incr(key) <= limit
    except Exception:
        logger.warning("rate limit cache unavailable", exc_info=True)
        return True
