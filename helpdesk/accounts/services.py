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
        login = "" if user.last_login is None else user.last_login.replace(microsecond=0, tzinfo=None)
        return f"{user.pk}{user.is_active}{user.password}{login}{timestamp}"


activation_token = ActivationTokenGenerator()


def activation_link(user):
    """The absolute link of the activation page, with a token valid for
    ``PASSWORD_RESET_TIMEOUT`` and dead once the account is active or used."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    path = reverse("accounts:activate", args=[uid, activation_token.make_token(user)])
    return settings.SITE_URL + path


def user_activation_send(user, language=None):
    """Queue the email with the activation link (in the user's language)."""
    email_enqueue(
        to=user.email,
        template="accounts/email/activate",
        context={"user": user, "activation_url": activation_link(user)},
        language=user.language or language,
        topic="signup",
    )


def user_activation_resend(*, email, language):
    """"Send me a new link": a fresh activation link to an account awaiting activation
    (an expired link, or a contact created from an email who wants a password). The
    caller answers the same whether or not anything was sent."""
    user = User.objects.filter(email__iexact=email.strip()).first()
    if user is None or not user.awaiting_activation:
        return False
    user_activation_send(user, language)
    return True


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
    try:
        with transaction.atomic():
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
    except IntegrityError:
        # The same sign-up submitted twice at once: the first one created the account
        # and sends its link; this one changes nothing (the organisation goes too).
        transaction.set_rollback(True)
        return None
    PersonalDataConsent.objects.create(
        user=user,
        version=settings.PERSONAL_DATA_AGREEMENT_VERSION,
        ip_address=ip_address,
        user_agent=(user_agent or "")[:400],
    )
    user_activation_send(user, language)
    return user


def user_activate(user, password=None):
    """Following the emailed link (and pressing the button) activates the account. An
    account without a password (created from an email) chooses one here: the link
    proves the address is theirs."""
    user.is_active = True
    fields = ["is_active"]
    if password is not None:
        user.set_password(password)
        fields.append("password")
    user.save(update_fields=fields)
    return user
