import zoneinfo

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.db.models import Q
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from helpdesk.mail.services import Kind as EmailKind
from helpdesk.mail.services import email_enqueue, email_enqueue_dry_run, email_language

from .models import OPTIONAL_NOTIFICATIONS, User
from .services import user_activation_send
from .validators import time_zone_choices

RESET_TEMPLATE = "accounts/email/password_reset"


class SignupForm(forms.Form):
    full_name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(label=_("Email"), max_length=254)
    password = forms.CharField(
        label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}), strip=False
    )
    organisation = forms.CharField(
        label=_("Organisation"), max_length=200, help_text=_("The company you file requests for.")
    )
    consent = forms.BooleanField(
        label=_("I agree to the processing of my personal data under the personal-data agreement"),
        required=True,
    )
    # Filled by static/js/timezone.js from the browser; without JavaScript the default applies.
    time_zone = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def clean_time_zone(self):
        """The browser's IANA zone if it is one zoneinfo knows; otherwise '' (the default)."""
        name = self.cleaned_data.get("time_zone", "").strip()
        return name if name in zoneinfo.available_timezones() else ""

    def clean(self):
        data = super().clean()
        if data.get("password"):
            candidate = User(email=data.get("email", ""), full_name=data.get("full_name", ""))
            try:
                password_validation.validate_password(data["password"], candidate)
            except forms.ValidationError as exc:
                self.add_error("password", exc)
        return data


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(label=_("Email"), widget=forms.EmailInput(attrs={"autofocus": True}))
    error_messages = {
        # One message for unknown email, wrong password and inactive account alike.
        "invalid_login": _("Email or password is incorrect, or the account is not activated yet."),
        "inactive": _("Email or password is incorrect, or the account is not activated yet."),
    }


class OutboxPasswordResetForm(PasswordResetForm):
    """Django's reset form, delivering through the outbox instead of SMTP in the request.

    An account awaiting activation (signed up without following the link, or created
    from an email without a password) gets a fresh activation link instead, where it
    chooses a password if it has none: a reset link would lead nowhere for it.

    An unknown address costs the same as a known one: the same email is built and
    stored in a savepoint that is rolled back (``email_enqueue_dry_run``).
    """

    def get_users(self, email):
        """Everyone at ``email`` who may get a link, in one query: active accounts with a
        usable password (Django's rule) and accounts awaiting activation."""
        candidates = User.objects.filter(email__iexact=email).filter(
            Q(is_active=True) | Q(is_active=False, last_login__isnull=True))
        return [u for u in candidates if not u.is_active or u.has_usable_password()]

    def save(self, *args, token_generator=default_token_generator, **kwargs):
        """The same work whatever the address: one lookup, then one email built, capped
        and inserted in one savepoint, kept for an account and rolled back for an
        unknown address."""
        email = self.cleaned_data["email"]
        users = self.get_users(email)
        if not users:
            email_enqueue_dry_run(**self._email(email, None, "MQ", "set-password-token-of-equal-length"))
        for user in users:
            if user.awaiting_activation:
                user_activation_send(user, get_language())
                continue
            uid = urlsafe_base64_encode(force_bytes(user.pk))
            email_enqueue(**self._email(user.email, user, uid, token_generator.make_token(user)))

    @staticmethod
    def _email(to, user, uid, token):
        return {
            "to": to,
            "template": RESET_TEMPLATE,
            "context": {"user": user, "reset_url": f"{settings.SITE_URL}/accounts/reset/{uid}/{token}/"},
            # A user without a saved language gets it in the language of the page
            # they asked from (the request's, activated by LocaleMiddleware).
            "language": user.email_language(get_language()) if user else email_language(get_language()),
            "topic": "password-reset",
            "kind": EmailKind.ACCOUNT,
        }


class ProfileForm(forms.ModelForm):
    """Name, language, time zone, and the optional notifications of the user's audience
    (one checkbox each, ``notify_<key>``); required notifications have no switch."""

    class Meta:
        model = User
        fields = ["full_name", "language", "time_zone"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"] = forms.ChoiceField(
            label=_("Language"), required=False, choices=[("", _("Browser's choice")), *settings.LANGUAGES]
        )
        self.fields["time_zone"] = forms.ChoiceField(label=_("Time zone"), choices=time_zone_choices())
        audience = "engineer" if self.instance.role == User.Role.ENGINEER else "customer"
        self.notification_keys = [k for k, (_label, who) in OPTIONAL_NOTIFICATIONS.items() if who == audience]
        for key in self.notification_keys:
            self.fields[f"notify_{key}"] = forms.BooleanField(
                label=OPTIONAL_NOTIFICATIONS[key][0],
                required=False,
                initial=self.instance.wants_notification(key),
            )

    def save(self, commit=True):
        prefs = dict(self.instance.notification_prefs or {})
        for key in self.notification_keys:
            prefs[key] = bool(self.cleaned_data.get(f"notify_{key}"))
        self.instance.notification_prefs = prefs
        return super().save(commit=commit)


class ActivationResendForm(forms.Form):
    email = forms.EmailField(label=_("Email"), max_length=254)
