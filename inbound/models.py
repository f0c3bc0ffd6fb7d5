"""Mailboxes the portal reads, and every message it fetched from them.

An ``InboundMessage`` row is written (raw bytes included) before the message is
flagged or deleted on the server, and is unique per mailbox by Message-ID (or by the
hash of the bytes when there is none): fetching the same message twice, after a crash
between "stored" and "flagged", imports it once.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import credentials


class Mailbox(models.Model):
    class Protocol(models.TextChoices):
        IMAP = "imap", "IMAP"
        POP3 = "pop3", "POP3"

    class Security(models.TextChoices):
        TLS = "tls", _("TLS (IMAPS 993 / POP3S 995)")
        STARTTLS = "starttls", _("STARTTLS")
        PLAIN = "plain", _("None (local test servers only)")

    class UnknownSenders(models.TextChoices):
        CONTACT = "contact", _("Open a ticket for a new unverified contact")
        INSTRUCTIONS = "instructions", _("Answer with instructions and open nothing")

    name = models.CharField(_("name"), max_length=100, unique=True)
    address = models.EmailField(
        _("support address"), help_text=_("The address customers write to, as shown to them.")
    )
    protocol = models.CharField(_("protocol"), max_length=4, choices=Protocol.choices, default=Protocol.IMAP)
    security = models.CharField(_("security"), max_length=8, choices=Security.choices, default=Security.TLS)
    host = models.CharField(_("server"), max_length=200)
    port = models.PositiveIntegerField(_("port"), null=True, blank=True, help_text=_("Empty: the protocol's default."))
    username = models.CharField(_("user name"), max_length=200)
    password_encrypted = models.TextField(_("password (encrypted)"), blank=True, default="", editable=False)
    password_env = models.CharField(
        _("password from environment variable"), max_length=100, blank=True, default="",
        help_text=_("Name of an environment variable that holds the password; then nothing secret is stored here."),
    )
    folder = models.CharField(_("IMAP folder"), max_length=200, default="INBOX")
    delete_after_import = models.BooleanField(
        _("delete from the server after import"), default=False,
        help_text=_("IMAP: otherwise messages are only flagged as read. POP3 always deletes."),
    )
    unknown_senders = models.CharField(
        _("mail from unknown senders"), max_length=12, choices=UnknownSenders.choices,
        default=UnknownSenders.INSTRUCTIONS,
    )
    language = models.CharField(
        _("language for unknown senders"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    is_active = models.BooleanField(_("active"), default=True)
    # IMAP: the highest UID stored, valid while the folder's UIDVALIDITY stays the same.
    imap_uidvalidity = models.BigIntegerField(null=True, blank=True, editable=False)
    imap_last_uid = models.BigIntegerField(default=0, editable=False)
    last_polled_at = models.DateTimeField(_("last polled"), null=True, blank=True, editable=False)
    last_error = models.TextField(_("last error"), blank=True, default="", editable=False)

    class Meta:
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} <{self.address}>"

    def set_password(self, plain):
        self.password_encrypted = credentials.encrypt(plain) if plain else ""

    def secret_problem(self):
        """Why the password must not be sent to this server, as {field: message}, or {}."""
        problems = {}
        if self.password_env and not credentials.env_name_allowed(self.password_env):
            problems["password_env"] = _("The variable’s name must start with %(prefix)s.") % {"prefix": credentials.ENV_PREFIX}
        internal = credentials.host_is_internal(self.host) if self.host else False
        if internal and not settings.MAILBOX_ALLOW_PRIVATE_HOSTS:
            problems["host"] = _(
                "This server is on this machine or a private network; such servers are refused "
                "unless MAILBOX_ALLOW_PRIVATE_HOSTS is on."
            )
        elif self.security == self.Security.PLAIN and not internal:
            problems["security"] = _(
                "Without TLS the password would cross the internet readable by anyone on the way; "
                "choose TLS or STARTTLS (plain text is for servers on this machine or a private network)."
            )
        return problems

    def clean(self):
        super().clean()
        problems = self.secret_problem()
        if problems:
            raise ValidationError(problems)

    def check_may_connect(self):
        """Raises credentials.SecretUnavailable when ``secret_problem`` finds a reason;
        checked at every poll, before connecting, and again before the password is read."""
        problems = self.secret_problem()
        if problems:
            raise credentials.SecretUnavailable(" ".join(str(m) for m in problems.values()))

    def get_password(self):
        """Raises credentials.SecretUnavailable when it cannot be had, or must not be sent
        to this server."""
        self.check_may_connect()
        if self.password_env:
            return credentials.from_environment(self.password_env)
        return credentials.decrypt(self.password_encrypted)

    @property
    def effective_port(self):
        if self.port:
            return self.port
        defaults = {
            (self.Protocol.IMAP, self.Security.TLS): 993, (self.Protocol.POP3, self.Security.TLS): 995,
            (self.Protocol.IMAP, self.Security.STARTTLS): 143, (self.Protocol.POP3, self.Security.STARTTLS): 110,
            (self.Protocol.IMAP, self.Security.PLAIN): 143, (self.Protocol.POP3, self.Security.PLAIN): 110,
        }
        return defaults[(self.protocol, self.security)]


class InboundMessage(models.Model):
    class State(models.TextChoices):
        NEW = "new", _("New (not processed yet)")
        IMPORTED = "imported", _("Imported")
        IGNORED = "ignored", _("Ignored (auto-reply or bounce)")
        REJECTED = "rejected", _("Rejected")
        PARKED = "parked", _("Parked (malformed or failed)")

    class Outcome(models.TextChoices):
        NONE = "", "—"
        NEW_TICKET = "new_ticket", _("opened a ticket")
        REPLY = "reply", _("added to a ticket")
        INSTRUCTIONS = "instructions", _("answered with instructions")

    mailbox = models.ForeignKey(Mailbox, verbose_name=_("mailbox"), on_delete=models.PROTECT, related_name="messages")
    # "mid:<Message-ID>" or "sha256:<hash of the bytes>": the same message is stored once.
    message_key = models.CharField(max_length=1000, editable=False)
    message_id = models.CharField(_("Message-ID"), max_length=1000, blank=True, default="")
    remote_uid = models.CharField(_("server's id"), max_length=200, blank=True, default="")
    raw = models.BinaryField(_("raw message"), editable=False)
    size = models.PositiveIntegerField(_("size"), default=0)
    from_address = models.CharField(_("from"), max_length=254, blank=True, default="")
    from_name = models.CharField(_("sender name"), max_length=200, blank=True, default="")
    subject = models.CharField(_("subject"), max_length=300, blank=True, default="")
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.NEW)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, blank=True, default="")
    reason = models.TextField(_("reason"), blank=True, default="")
    ticket = models.ForeignKey(
        "tickets.Ticket", verbose_name=_("ticket"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="inbound_messages",
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    fetched_at = models.DateTimeField(_("fetched"), default=timezone.now)
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)

    class Meta:
        verbose_name = _("incoming email")
        verbose_name_plural = _("incoming emails")
        ordering = ["-fetched_at"]
        constraints = [
            models.UniqueConstraint(fields=["mailbox", "message_key"], name="inbound_once_per_mailbox"),
        ]
        indexes = [
            models.Index(fields=["state", "fetched_at"], name="inbound_state_idx"),
            # Rate limit of instruction answers per sender.
            models.Index(fields=["from_address", "outcome", "processed_at"], name="inbound_sender_idx"),
        ]

    def __str__(self):
        return f"{self.from_address}: {self.subject}"
