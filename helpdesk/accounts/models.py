"""People and the organisations they belong to: the core every other app builds on."""

from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractBaseUser, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .validators import validate_language, validate_time_zone


class Organisation(models.Model):
    """A client organisation (holds licenses, files tickets) or a partner (dealer)."""

    class Kind(models.TextChoices):
        CLIENT = "client", _("Client")
        PARTNER = "partner", _("Partner (dealer)")

    class PartnerLevel(models.TextChoices):
        NONE = "", _("Not a partner")
        SILVER = "silver", _("Silver")
        GOLD = "gold", _("Gold")
        PLATINUM = "platinum", _("Platinum")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.CLIENT)
    partner_level = models.CharField(
        _("partner level"), max_length=16, choices=PartnerLevel.choices, blank=True, default=""
    )
    # The dealer that serves this client: its people see and file this client's tickets.
    dealer = models.ForeignKey(
        "self",
        verbose_name=_("served by dealer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="clients",
        limit_choices_to={"kind": "partner"},
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    # Emails to a member with no saved language go out in this one (mail.email_language).
    language = models.CharField(
        _("language of correspondence"), max_length=8, blank=True, default="", validators=[validate_language],
        help_text=_("For members who have not chosen a language. Set at sign-up from the founder's."),
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("name"), name="organisation_name_ci_unique")]
        indexes = [models.Index(Lower("name"), name="organisation_name_lower_idx")]

    def __str__(self):
        return self.name


class SupportLevel(models.TextChoices):
    """Support levels, the one definition: an engineer's reach and a ticket's level."""

    L1 = "L1", _("L1 — first line")
    L2 = "L2", _("L2 — specialist")
    L3 = "L3", _("L3 — expert")


# Optional notifications a user may switch off in their settings: key → (label, audience).
# Everything else is required and always sent: the confirmation of a new request, each
# public reply from support, "waiting for you", commitments, SLA alerts to engineers.
OPTIONAL_NOTIFICATIONS = {
    "status_changes": (_("When my request is resolved or closed"), "customer"),
    "assigned_to_me": (_("When a ticket is assigned to me"), "engineer"),
    "customer_replied": (_("When a customer replies on my tickets"), "engineer"),
}


def default_time_zone():
    """New accounts start in ``DEFAULT_USER_TIME_ZONE`` unless sign-up learnt the browser's."""
    from django.conf import settings

    return settings.DEFAULT_USER_TIME_ZONE


class UserManager(BaseUserManager):
    use_in_migrations = True

    def leads(self):
        """Active leads: the query form of ``User.is_lead`` (L3 engineers and admins)."""
        return self.filter(role="engineer", is_active=True).filter(
            models.Q(is_staff=True) | models.Q(support_level=SupportLevel.L3)
        )

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True, role=User.Role.ENGINEER)
        extra.setdefault("support_level", User.Level.L3)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, email):
        return self.get(email__iexact=email)


class User(AbstractBaseUser, PermissionsMixin):
    """Everyone who logs in. Customers belong to an organisation; engineers have a level.

    Logs in with the email address; emails are unique regardless of case.
    """

    class Role(models.TextChoices):
        CUSTOMER = "customer", _("Customer")
        ENGINEER = "engineer", _("Support engineer")

    Level = SupportLevel

    email = models.EmailField(_("email address"), max_length=254, unique=True)
    full_name = models.CharField(_("full name"), max_length=200)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
    )
    # An existing organisation named at sign-up: an admin confirms membership.
    requested_organisation = models.CharField(
        _("organisation asked to join"), max_length=200, blank=True, default=""
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.CUSTOMER)
    support_level = models.CharField(
        _("support level"), max_length=2, choices=Level.choices, blank=True, default=""
    )
    language = models.CharField(_("language"), max_length=8, blank=True, default="", validators=[validate_language])
    time_zone = models.CharField(
        _("time zone"), max_length=64, default=default_time_zone, validators=[validate_time_zone]
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(
        _("admin access"), default=False, help_text=_("May log in to the admin site.")
    )
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)
    # {"status_changes": false, ...}: only optional notifications (OPTIONAL_NOTIFICATIONS)
    # are read from here; a missing key means on.
    notification_prefs = models.JSONField(_("notification settings"), default=dict, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
            models.CheckConstraint(
                condition=models.Q(role="customer", support_level="")
                | models.Q(role="engineer"),
                name="user_level_only_for_engineers",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "full_name"], name="user_org_name_idx"),
            models.Index(fields=["role", "support_level"], name="user_role_level_idx"),
        ]

    def __str__(self):
        return f"{self.full_name} <{self.email}>" if self.full_name else self.email

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email

    def email_language(self, *fallbacks):
        """The language emails to this person go out in: their own, else what caused the
        email (``fallbacks``: the request's, the ticket's), else their organisation's,
        else ``LANGUAGE_CODE`` (``helpdesk.mail.services.email_language``)."""
        from helpdesk.mail.services import email_language

        found = email_language(self.language, *fallbacks, default="")
        if found or not self.organisation_id:  # the organisation is read only when needed
            return email_language(found)
        return email_language(self.organisation.language)

    def wants_notification(self, key):
        """False only for an optional notification the user switched off."""
        if key not in OPTIONAL_NOTIFICATIONS:
            return True
        return bool((self.notification_prefs or {}).get(key, True))

    @property
    def is_engineer(self):
        return self.is_active and self.role == self.Role.ENGINEER

    @property
    def is_lead(self):
        """Leads (L3 engineers and admins) see reports, send tickets down, hear of bad ratings."""
        return self.is_engineer and (self.is_staff or self.support_level == SupportLevel.L3)

    @property
    def is_customer(self):
        return self.is_active and self.role == self.Role.CUSTOMER

    @property
    def awaiting_activation(self):
        """Never used yet: signed up without following the link, or created from an
        email (no password). An account that has logged in and was then deactivated by
        an admin is not awaiting activation, and no emailed link reopens it."""
        return not self.is_active and self.last_login is None


class PersonalDataConsent(models.Model):
    """Proof that a user agreed to a given version of the personal-data agreement."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="consents")
    version = models.CharField(_("agreement version"), max_length=32)
    consented_at = models.DateTimeField(_("consented at"), default=timezone.now)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=400, blank=True, default="")

    class Meta:
        verbose_name = _("personal-data consent")
        verbose_name_plural = _("personal-data consents")
        ordering = ["-consented_at"]

    def __str__(self):
        return f"{self.user_id} v{self.version} @ {self.consented_at:%Y-%m-%d %H:%M}"
