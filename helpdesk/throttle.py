"""Request limits: one mechanism (django-ratelimit) for web views and the API, with the
rates in ``settings.RATELIMITS``; login lockout is django-axes (``AXES_*`` settings).

A limit is a *group* ("signup", "ticket_create", …) counted per client: the user when
logged in (the API: the token for the "api" group), else the client IP. The counters
live in the Redis cache; when Redis is unreachable the cache answers nothing and the
request is let through (``RATELIMIT_FAIL_OPEN``): a limit is a guard, never a reason
for the site to be down. A refused request gets ``too_many_requests``: a 429 page (or
htmx fragment) in the user's language saying when to retry, with ``Retry-After``.

The client IP is ``client_ip``: ``REMOTE_ADDR`` unless ``TRUSTED_PROXY_COUNT`` proxies
stand in front of us, in which case it is the address the outermost of them saw.
"""

import functools
import ipaddress
import logging
import math

from django.conf import settings
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_ratelimit import ALL  # also what views pass as methods=ALL
from django_ratelimit.core import get_usage

log = logging.getLogger(__name__)


def client_ip(request):
    """The client's address, trusting only the proxies the settings say are ours.

    Each proxy appends the address it received the request from to ``X-Forwarded-For``;
    with ``TRUSTED_PROXY_COUNT`` = N the client is the N-th entry from the right (what
    a client writes itself into the header stays to the left and is ignored). With 0
    the header is ignored altogether: anyone can send it.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if not forwarded:
        return remote
    candidate = forwarded[-min(count, len(forwarded))]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def _key_user_or_ip(group, request):
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"u{user.pk}"
    return f"ip{client_ip(request)}"


def _key_ip(group, request):
    return f"ip{client_ip(request)}"


KEYS = {"user_or_ip": _key_user_or_ip, "ip": _key_ip}


def _rate(group, request):
    return settings.RATELIMITS.get(group)


def retry_after(request, group, *, key="user_or_ip"):
    """Count this request against ``group``; seconds to wait if over the limit, else 0.

    The web views and the API count the same group in the same counter (django-ratelimit
    keys on the methods too, so they are always ALL here; callers filter methods)."""
    keyfn = KEYS[key] if isinstance(key, str) else key
    usage = get_usage(request, group=group, key=keyfn, rate=_rate, method=ALL, increment=True)
    if usage is None or not usage["should_limit"]:
        return 0
    log.warning("rate limit %s reached by %s (%s)", group, keyfn(group, request), request.path)
    return max(1, int(usage["time_left"]))


def retry_message(seconds):
    """"Try again in 3 minutes." in the active language."""
    if seconds < 60:
        return ngettext("Please try again in %(count)d second.", "Please try again in %(count)d seconds.",
                        seconds) % {"count": seconds}
    minutes = math.ceil(seconds / 60)
    return ngettext("Please try again in %(count)d minute.", "Please try again in %(count)d minutes.",
                    minutes) % {"count": minutes}


def too_many_requests(request, seconds, *, fragment=None):
    """The 429 answer: a page, or for htmx a fragment, and ``Retry-After``."""
    context = {"retry_message": retry_message(seconds), "retry_after": seconds,
               "detail": _("Too many requests in a short time.")}
    template = fragment or "429.html"
    response = render(request, template, {**context, "limited": True}, status=429)
    response["Retry-After"] = str(seconds)
    return response


def ratelimit(group, *, methods=("POST",), key="user_or_ip", fragment=None):
    """View decorator: requests of ``methods`` count against ``settings.RATELIMITS[group]``.

    ``methods=ALL`` counts every request (pages people could walk through by id).
    """

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            counted = methods is ALL or request.method in methods
            seconds = retry_after(request, group, key=key) if counted else 0
            if seconds:
                return too_many_requests(request, seconds, fragment=fragment)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def axes_username(request, credentials):
    """One lockout counter per account whatever the case of the typed address."""
    value = (credentials or {}).get(settings.AXES_USERNAME_FORM_FIELD) or request.POST.get(
        settings.AXES_USERNAME_FORM_FIELD, "")
    return str(value).strip().lower()


def axes_lockout_response(request, original_response=None, credentials=None):
    """django-axes: too many failed logins for this account or from this address."""
    seconds = int(settings.AXES_COOLOFF_TIME.total_seconds())
    return too_many_requests(request, seconds)
