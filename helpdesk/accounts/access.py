"""View decorators for who may open a page: one implementation for every app."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied


def user_passes(check):
    """Anonymous visitors go to the login page; a logged-in user who fails ``check`` gets 403."""

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


customer_required = user_passes(lambda user: user.is_customer)
engineer_required = user_passes(lambda user: user.is_engineer)
staff_required = user_passes(lambda user: user.is_active and user.is_staff)
