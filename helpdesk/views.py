from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from workspace.public_figures import public_first_response

from . import health


def home(request):
    """Each audience lands on its own start page."""
    user = request.user
    if not user.is_authenticated:
        return render(request, "home.html", {"first_response": public_first_response()})
    if user.is_engineer:
        return redirect("workspace:queue")
    if user.is_staff:
        return redirect("admin:index")
    return redirect("tickets:list")


@never_cache
def healthz(request):
    """JSON with the state of the database, Redis, the worker and beat; 503 if any is bad."""
    report = health.check(connection)
    return JsonResponse(report, status=200 if report["ok"] else 503)


def csrf_failure(request, reason=""):
    """A refused form (expired page, cookies off) in the visitor's language, not Django's
    English page; the 403 template with a reason that says what to do."""
    from django.utils.translation import gettext as _

    reason = _("This form has expired or your browser did not send its cookie. Go back, reload the page and send it again.")
    return render(request, "403.html", {"reason": reason}, status=403)
