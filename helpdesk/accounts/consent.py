"""A new version of the personal-data agreement is accepted at the next sign-in.

A customer whose accepted versions (``PersonalDataConsent`` rows) do not include
``settings.PERSONAL_DATA_AGREEMENT_VERSION`` is sent to ``accounts:consent`` before any
other page; accepting records the version, time, IP and browser. Checked once at login
(``user_logged_in``) and remembered in the session, so pages cost no query for it; a
session opened before the version changed is checked again on its next request.

Who is asked: customers who accepted an earlier version at sign-up. People who never
accepted one (contacts created from an email, accounts an admin made, engineers, whose
employment covers their data) were never bound by the old text, so a new version does
not change what they agreed to.

What stays reachable without accepting: the agreement page itself, logging out, the
language switch, the personal-data page (a person who refuses may still ask for a copy
or for erasure), static files, the health check, and the REST API. API clients are
integrations (a customer's server with a token), not a person who can read and accept
a text; blocking them would stop a customer's automation on the day a lawyer changes a
word, while the agreement is still put to the person at their next sign-in.
"""

from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from helpdesk.throttle import client_ip

from .models import PersonalDataConsent, User
from .services import consent_record

SESSION_KEY = "consent_version"
OPEN_URL_NAMES = {
    "accounts:consent", "accounts:logout", "set_language", "healthz",
    "privacy:page", "privacy:export", "privacy:export_download", "privacy:erase",
}
OPEN_PREFIXES = ("/api/",)


def consent_outdated(user):
    """True for a customer who accepted an earlier version of the agreement and not the
    current one (see the module's docstring for who is asked)."""
    if not (user.is_authenticated and user.role == User.Role.CUSTOMER):
        return False
    versions = set(PersonalDataConsent.objects.filter(user=user).values_list("version", flat=True))
    return bool(versions) and settings.PERSONAL_DATA_AGREEMENT_VERSION not in versions


def remember_at_login(sender, request, user, **kwargs):
    """At login, note in the session that the current version needs nothing from this
    user (the check's one query is spent here, not on every page)."""
    if request is not None and hasattr(request, "session") and not consent_outdated(user):
        request.session[SESSION_KEY] = settings.PERSONAL_DATA_AGREEMENT_VERSION


class ConsentRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        current = settings.PERSONAL_DATA_AGREEMENT_VERSION
        if user.is_authenticated and request.session.get(SESSION_KEY) != current and not self._is_open(request):
            if consent_outdated(user):
                # Back to the page asked for; a refused POST goes home (its URL has no page).
                back = request.get_full_path() if request.method in ("GET", "HEAD") else reverse("home")
                target = f"{reverse('accounts:consent')}?{urlencode({'next': back})}"
                if request.headers.get("HX-Request") == "true":  # a fragment request: htmx loads the page
                    response = HttpResponse(status=204)
                    response["HX-Redirect"] = target
                    return response
                return redirect(target)
            request.session[SESSION_KEY] = current
        return self.get_response(request)

    @staticmethod
    def _is_open(request):
        path = request.path_info
        if path.startswith(OPEN_PREFIXES) or path.startswith("/" + settings.STATIC_URL.lstrip("/")):
            return True
        try:
            match = resolve(path)
        except Resolver404:
            return False
        return match.view_name in OPEN_URL_NAMES


class ConsentForm(forms.Form):
    accept = forms.BooleanField(
        label=_("I agree to the processing of my personal data under the personal-data agreement"),
        error_messages={"required": _("To go on using the portal, accept the agreement (or log out).")},
    )


def _next(request):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("home")


@login_required
@require_http_methods(["GET", "POST"])
def consent(request):
    """The current agreement, the versions this person accepted, and "I agree"."""
    form = ConsentForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        consent_record(
            user=request.user, ip_address=client_ip(request) or None,
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
        )
        request.session[SESSION_KEY] = settings.PERSONAL_DATA_AGREEMENT_VERSION
        return redirect(_next(request))
    history = PersonalDataConsent.objects.filter(user=request.user).order_by("-consented_at")
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/consent.html", {
        "form": form, "history": history, "next": _next(request), "version": settings.PERSONAL_DATA_AGREEMENT_VERSION,
        "outdated": consent_outdated(request.user),
    }, status=status)
