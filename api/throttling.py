"""Rate limits per API token, counted in the shared (Redis) cache.

Each token is its own bucket, so one runaway integration cannot starve the others of the
same user; browser sessions (Swagger UI) are counted per user, anonymous calls per IP.
"""

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from .models import ApiToken


class PerTokenThrottle(SimpleRateThrottle):
    scope = "api_token"

    def get_rate(self):
        # Read at call time (not at import) so settings overrides take effect.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiToken):
            ident = f"token:{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user:{request.user.pk}"
        else:
            ident = f"ip:{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
