"""Sign-up, activation and consent: the rules for how people join the portal."""

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from helpdesk.mail.services import email_enqueue

from .models import Organisation, PersonalDataConsent, User


class ActivationTokenGenerator(PasswordResetTokenGenerator):
    """Links in the sign-up email; single use because activation changes ``is_active``."""

    key_salt = "helpdesk.accounts.activation"

    def _make_hash_value(self, user, timestamp):
        return f"{user.pk}{user.is_active}{user.password}{timestamp}"


activation_token = ActivationTokenGenerator()


def _activation_link(user):
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    path = reverse("accounts:activate", args=[uid, activation_token.make_token(user)])
    return settings.SITE_URL + path


@transaction.atomic
def user_signup(*, full_name, email, password, organisation_name, language, ip_address, user_agent, time_zone=""):
    """A visitor signs up; the account is inactive until the emailed link is followed.

    The answer never reveals whether the email is registered: for a known address the
    owner gets an email saying so (with a link to reset the password) and nothing changes.
    A new organisation name creates the organisation; joining an existing one needs an
    admin, because a typed name is no proof of membership.
    """
    email = email.strip().lower()
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None:
        email_enqueue(
            to=existing.email,
            template="accounts/email/signup_existing",
            context={"user": existing, "reset_url": settings.SITE_URL + reverse("accounts:password_reset")},
            language=existing.language or language,
            topic="signup-existing",
        )
        return None
    organisation = Organisation.objects.filter(name__iexact=organisation_name.strip()).first()
    requested = ""
    if organisation is None:
        try:
            with transaction.atomic():
                organisation = Organisation.objects.create(name=organisation_name.strip())
        except IntegrityError:  # created concurrently by someone else: treat as existing
            organisation = None
            requested = organisation_name.strip()
    else:
        organisation, requested = None, organisation_name.strip()
    user = User.objects.create_user(
        email=email,
        password=password,
        full_name=full_name.strip(),
        organisation=organisation,
        requested_organisation=requested,
        language=language,
        time_zone=time_zone or settings.DEFAULT_USER_TIME_ZONE,
        is_active=False,
    )
    PersonalDataConsent.objects.create(
        user=user,
        version=settings.PERSONAL_DATA_AGREEMENT_VERSION,
        ip_address=ip_address,
        user_agent=(user_agent or "")[:400],
    )
    email_enqueue(
        to=user.email,
        template="accounts/email/activate",
        context={"user": user, "activation_url": _activation_link(user)},
        language=language,
        topic="signup",
    )
    return user


def user_activate(user):
    """Following the emailed link (and pressing the button) activates the account."""
    user.is_active = True
    user.save(update_fields=["is_active"])
    return user
