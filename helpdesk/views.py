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
