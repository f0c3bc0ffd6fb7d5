"""Sign-up, activation and consent: the rules for how people join the portal."""

import uuid

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from helpdesk.mail.services import Kind as EmailKind
from helpdesk.mail.services import email_enqueue, email_enqueue_dry_run

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
    """Queue the email with the activation link (in the user's language). It carries
    nothing the visitor typed (no name): the address has not confirmed itself yet."""
    email_enqueue(
        to=user.email,
        template="accounts/email/activate",
        context={"activation_url": activation_link(user)},
        language=user.email_language(language),
        topic="signup",
        kind=EmailKind.ACCOUNT,
    )


def user_activation_resend(*, email, language):
    """"Send me a new link": a fresh activation link to an account awaiting activation
    (an expired link, or a contact created from an email who wants a password). The
    caller answers the same whether or not anything was sent."""
    user = User.objects.filter(email__iexact=email.strip()).first()
    if user is None or not user.awaiting_activation:
        # The same work as sending, so the answer's timing tells nothing either.
        email_enqueue_dry_run(to=email.strip(), template="accounts/email/activate",
                              context={"activation_url": settings.SITE_URL + reverse("accounts:signup")},
                              language=language, topic="signup", kind=EmailKind.ACCOUNT)
        return False
    user_activation_send(user, language)
    return True


class _RolledBack(Exception):
    pass


def _signup_rows(email, fields, consent):
    user = User.objects.create(email=email, organisation=None, is_active=False, **fields)
    consent_record(user=user, **consent)
    return user


@transaction.atomic
def user_signup(*, full_name, email, password, organisation_name, language, ip_address, user_agent, time_zone=""):
    """A visitor signs up; the account is inactive until the emailed link is followed.

    The answer never reveals whether the email is registered, neither by its content nor
    by its timing: for a known address the password is hashed all the same (and thrown
    away), the owner gets an email saying someone tried (with a link to reset the
    password) and nothing changes.

    Nothing the visitor typed goes into a mail to an address that has not confirmed
    itself (the activation mail carries no name), and nothing is created for anyone
    else: the organisation is only remembered (``requested_organisation``) and made at
    activation (``user_activate``). Both mails are account mails, capped per recipient
    by the outbox.
    """
    email = email.strip().lower()
    password_hash = make_password(password)  # on both paths: equal cost
    existing = User.objects.filter(email__iexact=email).first()
    fields = {"password": password_hash, "full_name": full_name.strip(),
              "requested_organisation": organisation_name.strip(), "language": language,
              "time_zone": time_zone or settings.DEFAULT_USER_TIME_ZONE}
    consent = {"ip_address": ip_address, "user_agent": (user_agent or "")[:400]}
    if existing is not None:
        email_enqueue(
            to=existing.email,
            template="accounts/email/signup_existing",
            context={"reset_url": settings.SITE_URL + reverse("accounts:password_reset")},
            language=existing.email_language(language),
            topic="signup-existing",
            kind=EmailKind.ACCOUNT,
        )
        # The rows a new sign-up writes, written and rolled back: equal cost again.
        try:
            with transaction.atomic():
                _signup_rows(f"{uuid.uuid4().hex}@signup.invalid", fields, consent)
                raise _RolledBack
        except _RolledBack:
            pass
        return None
    try:
        with transaction.atomic():
            user = _signup_rows(email, fields, consent)
    except IntegrityError:
        # The same sign-up submitted twice at once: the first one created the account
        # and sends its link; this one changes nothing.
        transaction.set_rollback(True)
        return None
    user_activation_send(user, language)
    return user


def consent_record(*, user, ip_address=None, user_agent=""):
    """Store that ``user`` accepted the current personal-data agreement
    (``PERSONAL_DATA_AGREEMENT_VERSION``): version, time, IP and browser. Every
    acceptance is a new row, so the history of versions accepted is kept."""
    return PersonalDataConsent.objects.create(
        user=user,
        version=settings.PERSONAL_DATA_AGREEMENT_VERSION,
        ip_address=ip_address,
        user_agent=(user_agent or "")[:400],
    )


@transaction.atomic
def user_activate(user, password=None):
    """Following the emailed link (and pressing the button) activates the account. An
    account without a password (created from an email) chooses one here: the link
    proves the address is theirs.

    Only now, with the address proven, is the organisation named at sign-up created
    and the user made its member. Naming an organisation that already exists grants
    nothing: the name stays in ``requested_organisation`` for an admin to confirm.
    """
    user.is_active = True
    fields = ["is_active"]
    if password is not None:
        user.set_password(password)
        fields.append("password")
    name = (user.requested_organisation or "").strip()
    if name and user.organisation_id is None and not Organisation.objects.filter(name__iexact=name).exists():
        try:
            with transaction.atomic():
                user.organisation = Organisation.objects.create(name=name, language=user.language)
            user.requested_organisation = ""
            fields += ["organisation", "requested_organisation"]
        except IntegrityError:  # created concurrently by someone else: an admin confirms
            pass
    user.save(update_fields=fields)
    return user
