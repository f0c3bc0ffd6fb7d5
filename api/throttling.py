"""API rate limits: the web's mechanism (``helpdesk.throttle``, django-ratelimit) and
settings (``RATELIMITS``), as DRF throttle classes so a refusal is the API's one error
shape (429, ``code: throttled``, ``Retry-After``).

``PerTokenThrottle``: every call counts against the "api" group. Each token is its own
bucket, so one runaway integration cannot starve the others of the same user; browser
sessions (Swagger UI) are counted per user, anonymous calls per IP.

``ViewRatelimitThrottle``: a view's ``ratelimit = {"POST": "ticket_create"}`` counts
those requests against the same group (and per-user counter) as the web form, so filing
by API and by browser share one limit.
"""

from rest_framework.throttling import BaseThrottle

from helpdesk.throttle import client_ip, retry_after

from .models import ApiToken


def _per_token(group, request):
    if isinstance(request.auth, ApiToken):
        return f"t{request.auth.pk}"
    if request.user and request.user.is_authenticated:
        return f"u{request.user.pk}"
    return f"ip{client_ip(request)}"


class _Throttle(BaseThrottle):
    _wait = None

    def _check(self, request, group, key):
        self._wait = retry_after(request, group, key=key) or None
        return self._wait is None

    def wait(self):
        return self._wait


class PerTokenThrottle(_Throttle):
    def allow_request(self, request, view):
        return self._check(request, "api", _per_token)


class ViewRatelimitThrottle(_Throttle):
    def allow_request(self, request, view):
        group = getattr(view, "ratelimit", {}).get(request.method)
        return group is None or self._check(request, group, "user_or_ip")
