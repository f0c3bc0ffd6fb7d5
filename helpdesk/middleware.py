import zoneinfo

from django.utils import timezone
from django.utils.cache import patch_cache_control


class UserTimezoneMiddleware:
    """Show times in the user's own time zone; the database keeps UTC."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        tz_name = getattr(request.user, "time_zone", "") if request.user.is_authenticated else ""
        try:
            timezone.activate(zoneinfo.ZoneInfo(tz_name)) if tz_name else timezone.deactivate()
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            timezone.deactivate()
        return self.get_response(request)


class NoStoreForAuthenticatedMiddleware:
    """Pages and API answers for a signed-in user (or a token) are never stored by the
    browser or a shared cache: ``Cache-Control: no-store`` unless the view chose."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        authenticated = (user is not None and user.is_authenticated) or "HTTP_AUTHORIZATION" in request.META
        if authenticated or request.path.startswith("/api/"):
            patch_cache_control(response, private=True, no_store=True)
        return response
