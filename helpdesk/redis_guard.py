"""Redis is an accelerator here (cache, rate-limit counters, the Celery broker), never a
reason for a page to fail or hang. Two guards:

* short socket timeouts (``REDIS_SOCKET_TIMEOUT``) and django-redis's
  ``IGNORE_EXCEPTIONS``: a failed cache call answers "nothing cached" (rate limits and
  throttles then let the request through, ``RATELIMIT_FAIL_OPEN``);
* this module's per-process circuit breaker: the first connection error or timeout marks
  Redis down for ``REDIS_DOWN_RETRY_SECONDS``, and until then every cache call fails at
  once instead of waiting for its own timeout, and the outbox does not try to publish
  (its beat sweep sends those emails). So a paused Redis (connections accepted, nothing
  answered) costs one request one timeout, not every call of every request.
"""

import logging
import time

import redis
from django.conf import settings

log = logging.getLogger(__name__)

_down_until = 0.0


def redis_is_down():
    """True while this process saw Redis fail in the last ``REDIS_DOWN_RETRY_SECONDS``."""
    return time.monotonic() < _down_until


def redis_mark_down(error):
    global _down_until
    if not redis_is_down():
        log.warning("Redis unreachable (%s); skipping it for %s s", error, settings.REDIS_DOWN_RETRY_SECONDS)
    _down_until = time.monotonic() + settings.REDIS_DOWN_RETRY_SECONDS


class FailFastConnection(redis.Connection):
    """A redis-py connection that obeys the breaker (the cache's ``connection_class``)."""

    def _guarded(self, call, *args, **kwargs):
        if redis_is_down():
            raise redis.ConnectionError("Redis was unreachable moments ago; not trying again yet")
        try:
            return call(*args, **kwargs)
        except (redis.ConnectionError, redis.TimeoutError) as error:
            redis_mark_down(error)
            raise

    def connect_check_health(self, *args, **kwargs):
        return self._guarded(super().connect_check_health, *args, **kwargs)

    def send_packed_command(self, *args, **kwargs):
        return self._guarded(super().send_packed_command, *args, **kwargs)

    def read_response(self, *args, **kwargs):
        try:
            return super().read_response(*args, **kwargs)
        except (redis.ConnectionError, redis.TimeoutError) as error:
            redis_mark_down(error)
            raise


class FailFastConnectionPool(redis.ConnectionPool):
    """The cache's pool (django-redis ``CONNECTION_POOL_CLASS``): plain TCP connections
    are ``FailFastConnection``; TLS and socket connections keep redis-py's classes."""

    def __init__(self, connection_class=redis.Connection, **kwargs):
        if connection_class is redis.Connection:
            connection_class = FailFastConnection
        super().__init__(connection_class=connection_class, **kwargs)
