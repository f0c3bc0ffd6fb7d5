from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from helpdesk.throttle import client_ip, ratelimit

from . import services
from .forms import ActivationResendForm, EmailAuthenticationForm, OutboxPasswordResetForm, ProfileForm, SignupForm
from .models import User


@require_http_methods(["GET", "POST"])
@ratelimit("signup", key="ip")
def signup(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.user_signup(
            full_name=form.cleaned_data["full_name"],
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password"],
            organisation_name=form.cleaned_data["organisation"],
            language=get_language() or "en",
            time_zone=form.cleaned_data["time_zone"],
            ip_address=client_ip(request) or None,
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
        )
        # The same page whether or not the address was already registered.
        return redirect("accounts:signup_done")
    return render(request, "accounts/signup.html", {"form": form})


def signup_done(request):
    return render(request, "accounts/signup_done.html")


@require_http_methods(["GET", "POST"])
def activate(request, uidb64, token):
    """GET shows a button; only the POST activates (no state change on GET). An account
    without a password (created from an email) chooses one on the same page. A dead
    link offers a new one (``activation_resend``)."""
    try:
        user = User.objects.get(pk=int(force_str(urlsafe_base64_decode(uidb64))))
    except (ValueError, TypeError, OverflowError, User.DoesNotExist):
        user = None
    valid = user is not None and user.awaiting_activation and services.activation_token.check_token(user, token)
    if not valid:
        return render(request, "accounts/activate.html", {"valid": False, "resend_form": ActivationResendForm()}, status=400)
    password_form = None if user.has_usable_password() else SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and (password_form is None or password_form.is_valid()):
        password = password_form.cleaned_data["new_password1"] if password_form else None
        services.user_activate(user, password=password)
        # The link and the button proved the address: signed in at once, no second login.
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Your account is active. Welcome!"))
        return redirect("home")
    return render(request, "accounts/activate.html", {"valid": True, "password_form": password_form})


@require_http_methods(["GET", "POST"])
@ratelimit("activation_resend", key="ip")
def activation_resend(request):
    """"Send me a new activation link": the same answer whether or not the address
    has an account awaiting activation (rate-limited with the other mail-sending views)."""
    form = ActivationResendForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.user_activation_resend(email=form.cleaned_data["email"], language=get_language() or "en")
        return render(request, "accounts/activation_resent.html")
    return render(request, "accounts/activation_resend.html", {"form": form})


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True


@method_decorator(ratelimit("password_reset", key="ip"), name="dispatch")
class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    form_class = OutboxPasswordResetForm
    success_url = reverse_lazy("accounts:password_reset_done")


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your settings are saved."))
        response = redirect("accounts:profile")
        if request.user.language:
            from django.conf import settings

            response.set_cookie(settings.LANGUAGE_COOKIE_NAME, request.user.language, samesite="Lax")
        return response
    return render(request, "accounts/profile.html", {"form": form})


