"""What clients send. Validation only; the writes happen in tickets.services."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from helpdesk.accounts.models import User
from sla.selectors import licenses_of
from sla.serials import validate_serial
from tickets.attachments import attached_bytes, check_file_count, check_uploads
from tickets.models import Kind, Level, Status, Urgency
from tickets.selectors import organisations_filing_for

from .fields import Files, Text


def _check_files(files, already_attached_bytes=0):
    """The web form's limits, reported on the ``attachments`` field before any write."""
    try:
        check_file_count(files)
        check_uploads(files, already_attached_bytes=already_attached_bytes)
    except DjangoValidationError as exc:
        raise serializers.ValidationError(exc.messages) from None
    return files


class TicketCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Kind.choices, default=Kind.QUESTION)
    is_integration = serializers.BooleanField(default=False, help_text="Concerns an integration or a template import.")
    subject = Text(max_length=200)
    body = Text(max_length=100_000, help_text="Steps to reproduce, the exact error text.")
    reproduced_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    browser = Text(max_length=120, required=False, allow_blank=True, default="")
    customer_urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.NORMAL)
    suspected_cause = Text(max_length=10_000, required=False, allow_blank=True, default="")
    license = Text(
        max_length=60, required=False, allow_blank=True, default="",
        help_text="Serial number of one of your organisation's licenses (any spacing or case).",
    )
    organisation = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1, max_value=2**63 - 1,
        help_text="Dealers: the client organisation this is filed for (default: your own).",
    )
    attachments = Files(help_text="Screenshots, screen videos, logs, PDF, archives (multipart/form-data).")

    def validate_subject(self, value):
        subject = " ".join(value.split())
        if not subject:
            raise serializers.ValidationError(_("Please give the request a subject."))
        return subject

    def validate_license(self, value):
        if not value.strip():
            return None
        try:
            serial = validate_serial(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None
        user = self.context["request"].user
        license = licenses_of(user.organisation).filter(serial=serial).first() if user.organisation_id else None
        if license is None:
            raise serializers.ValidationError(_("None of your organisation's licenses has this serial number."))
        return license

    def validate_organisation(self, value):
        if value is None:
            return None
        organisation = organisations_filing_for(self.context["request"].user).filter(pk=value).first()
        if organisation is None:
            raise serializers.ValidationError(_("You cannot file requests for this organisation."))
        return organisation

    def validate_attachments(self, files):
        return _check_files(files)


class ReplySerializer(serializers.Serializer):
    body = Text(max_length=100_000)
    internal = serializers.BooleanField(default=False, help_text="An internal note (engineers only).")
    wait_for_customer = serializers.BooleanField(
        default=False, help_text="Engineers: a public reply that puts the ticket into waiting for the customer."
    )
    attachments = Files()

    def validate_attachments(self, files):
        if not files:
            return files
        return _check_files(files, already_attached_bytes=attached_bytes(self.context["ticket"]))


class TransitionSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Status.choices, help_text="See the ticket's `transitions`.")


class AssignSerializer(serializers.Serializer):
    assignee = serializers.IntegerField(
        allow_null=True, min_value=1, max_value=2**63 - 1,
        help_text="An engineer's id (your own to take the ticket; see /api/me/), or null to unassign.",
    )

    def validate_assignee(self, value):
        if value is None:
            return None
        engineer = User.objects.filter(pk=value, role=User.Role.ENGINEER, is_active=True).first()
        if engineer is None:
            raise serializers.ValidationError(_("Only engineers can be assigned to tickets."))
        return engineer


class ResolveSerializer(serializers.Serializer):
    summary = Text(max_length=20_000, allow_blank=True, help_text="What was fixed (required).")
    prevention = Text(
        max_length=20_000, allow_blank=True, required=False, default="",
        help_text="How to prevent it (required for system errors).",
    )


class UrgencySerializer(serializers.Serializer):
    urgency = serializers.ChoiceField(choices=Urgency.choices)


class TicketFilterSerializer(serializers.Serializer):
    """Query parameters of the ticket list: the queue's filters, on indexed columns only."""

    ORDERS = [
        ("-created_at", "Newest first"), ("created_at", "Oldest first"),
        ("due", "Nearest SLA deadline first (tickets without one last)"),
    ]
    status = serializers.ChoiceField(
        choices=[("open", "Any open status (new, open, waiting)"), *(c for c in Status.choices if c[0] != Status.OPEN)],
        required=False, allow_blank=True,
        help_text="One status, or `open` for any open one. Default: every status.",
    )
    kind = serializers.ChoiceField(choices=Kind.choices, required=False, allow_blank=True)
    q = Text(max_length=200, required=False, allow_blank=True, help_text="A reference (HD-10042) or words.")
    order = serializers.ChoiceField(choices=ORDERS, required=False, default="-created_at")


class QueueFilterSerializer(serializers.Serializer):
    """The queue page's filters (workspace.forms.QueueFilterForm), same defaults."""

    VIEWS = [("mine", "Assigned to me"), ("unassigned", "Unassigned"), ("due_soon", "Due within the hour"),
             ("my_level", "At my support level")]
    SLA_STATES = [("breached", "Deadline passed"), ("soon", "Due within the hour"), ("ok", "On track")]
    view = serializers.ChoiceField(choices=VIEWS, required=False, allow_blank=True)
    status = serializers.ChoiceField(
        choices=[("open", "Any open status (new, open, waiting)"), *(c for c in Status.choices if c[0] != Status.OPEN)],
        required=False, allow_blank=True, default="open", help_text="Default `open`; empty for every status.",
    )
    kind = serializers.ChoiceField(choices=Kind.choices, required=False, allow_blank=True)
    urgency = serializers.ChoiceField(choices=Urgency.choices, required=False, allow_blank=True)
    level = serializers.ChoiceField(choices=Level.choices, required=False, allow_blank=True)
    sla = serializers.ChoiceField(choices=SLA_STATES, required=False, allow_blank=True)
    tariff = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1, help_text="Tariff id.")
    assignee = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1, help_text="Engineer id.")
    organisation = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1, help_text="Organisation id.")
    q = Text(max_length=200, required=False, allow_blank=True, help_text="A reference (HD-10042) or words.")
    order = serializers.ChoiceField(choices=TicketFilterSerializer.ORDERS, required=False, default="due")


class CommitSerializer(serializers.Serializer):
    planned_at = serializers.DateTimeField(help_text="The completion date promised to the customer (future).")


class RefuseSerializer(serializers.Serializer):
    reason = Text(max_length=5_000, help_text="Why it cannot be done, for the customer (a sentence or two).")


class EscalateSerializer(serializers.Serializer):
    to_level = serializers.ChoiceField(choices=Level.choices)
    reason = Text(max_length=500, help_text="Why the ticket changes level (kept in the history).")


class MergeSerializer(serializers.Serializer):
    into = serializers.CharField(max_length=40, help_text="The ticket to merge into: 'HD-10042' or 10042.")


class SplitSerializer(serializers.Serializer):
    message = serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text="The id of a public message of this ticket.")
    subject = Text(max_length=200, help_text="The new ticket's subject.")


class LinkSerializer(serializers.Serializer):
    ticket = serializers.CharField(max_length=40, help_text="The other ticket: 'HD-10042' or 10042.")
    kind = serializers.ChoiceField(
        choices=[("related", "related"), ("causes", "causes"), ("caused_by", "caused_by")], default="related",
        help_text="How the link reads from this ticket.",
    )
