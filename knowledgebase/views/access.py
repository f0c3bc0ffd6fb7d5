from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.utils.translation import get_language

from ..selectors import can_edit

LANGUAGE_CODES = ("ru", "pl", "en")


def visitor_language():
    code = (get_language() or "en")[:2]
    return code if code in LANGUAGE_CODES else "en"


def _requires(check):
    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not check(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


editor_required = _requires(can_edit)
staff_required = _requires(lambda user: user.is_active and user.is_staff)
