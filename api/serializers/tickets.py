"""Tickets as the API shows them: a customer sees what the portal shows them, an engineer
what the workspace shows. Fields only engineers see are present for everyone and null
for customers, so there is one ``Ticket`` shape to code against."""

from django.urls import reverse
from rest_framework import serializers

from tickets.models import Channel, Event, Kind, Level, Status, TicketLink, Urgency
from tickets.models import SlaTarget as _SlaTarget

from .common import OrganisationRefSerializer, TariffRefSerializer, UserRefSerializer

ENGINEER_ONLY = ("urgency", "level", "root_cause", "effort_minutes")


class AttachmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="original_name")
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    download_url = serializers.SerializerMethodField()

    def get_download_url(self, attachment) -> str:
        path = reverse("api:ticket-attachment", args=[self.context["ticket_number"], attachment.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class MessageSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    author = UserRefSerializer(allow_null=True)
    body = serializers.CharField()
    internal = serializers.BooleanField(source="is_internal", help_text="An internal note: only engineers see these.")
    by_staff = serializers.BooleanField(help_text="Written by support.")
    channel = serializers.ChoiceField(choices=Channel.choices)
    attachments = AttachmentSerializer(many=True, source="attachments.all")


class EventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    actor = UserRefSerializer(allow_null=True)
    kind = serializers.ChoiceField(choices=Event.Kind.choices)
    field = serializers.CharField()
    old_value = serializers.CharField()
    new_value = serializers.CharField()


class SlaTargetSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=_SlaTarget._meta.get_field("kind").choices)
    due_at = serializers.DateTimeField(allow_null=True, help_text="Null while the clock is paused.")
    met_at = serializers.DateTimeField(allow_null=True)
    breached_at = serializers.DateTimeField(
        allow_null=True, help_text="Set when the deadline was missed, also when the answer came late."
    )
    outcome = serializers.ChoiceField(
        choices=_SlaTarget.Outcome.choices,
        help_text="met, met_late (a breach), breached, running, paused, or merged (the ticket was merged into "
        "another one: neither met nor breached).",
    )
    merged_at = serializers.DateTimeField(allow_null=True, help_text="When a merge closed this target.")


class TicketRefSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    reference = serializers.CharField()
    subject = serializers.CharField()
    status = serializers.ChoiceField(choices=Status.choices)


class TicketLinkSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="link.id")
    kind = serializers.ChoiceField(
        choices=TicketLink.Wording.choices,
        help_text="How the link reads from this ticket: related, causes (this ticket causes the other) or "
        "caused_by. Customers see only links to tickets they may see.",
    )
    ticket = TicketRefSerializer(source="other")
    created_at = serializers.DateTimeField(source="link.created_at")


class TicketSerializer(serializers.Serializer):
    """One row of a ticket list."""

    number = serializers.IntegerField()
    reference = serializers.CharField(help_text="HD-<number>, as customers quote it.")
    subject = serializers.CharField()
    kind = serializers.ChoiceField(choices=Kind.choices)
    status = serializers.ChoiceField(choices=Status.choices)
    customer_urgency = serializers.ChoiceField(choices=Urgency.choices, help_text="Urgency as the customer saw it.")
    urgency = serializers.ChoiceField(
        choices=Urgency.choices, allow_null=True, help_text="Set at triage. Engineers only (null for customers)."
    )
    level = serializers.ChoiceField(
        choices=Level.choices, allow_null=True, help_text="Support level. Engineers only (null for customers)."
    )
    channel = serializers.ChoiceField(choices=Channel.choices)
    organisation = OrganisationRefSerializer()
    requester = UserRefSerializer()
    assignee = UserRefSerializer(allow_null=True)
    tariff = TariffRefSerializer(allow_null=True)
    next_due_at = serializers.DateTimeField(allow_null=True, help_text="The nearest running SLA deadline.")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField(help_text="Last activity.")

    def to_representation(self, ticket):
        data = super().to_representation(ticket)
        request = self.context.get("request")
        if request is None or not request.user.is_engineer:
            for name in ENGINEER_ONLY:
                data[name] = None
        return data


class TicketDetailSerializer(TicketSerializer):
    """A ticket with its whole conversation (internal notes only for engineers)."""

    is_integration = serializers.BooleanField()
    body = serializers.CharField()
    reproduced_at = serializers.DateTimeField(allow_null=True)
    browser = serializers.CharField()
    suspected_cause = serializers.CharField()
    license = serializers.CharField(source="license.serial", allow_null=True, default=None)
    root_cause = serializers.CharField(
        source="root_cause.name", allow_null=True, default=None, help_text="Triage. Engineers only (null for customers).",
    )
    effort_minutes = serializers.IntegerField(allow_null=True, help_text="Estimated effort. Engineers only.")
    planned_at = serializers.DateTimeField(allow_null=True, help_text="The completion date support committed to.")
    refusal_reason = serializers.CharField(help_text="Why support cannot do it (empty unless refused).")
    resolution_summary = serializers.CharField(help_text="What was fixed.")
    prevention = serializers.CharField(help_text="How to prevent it.")
    first_response_at = serializers.DateTimeField(allow_null=True)
    resolved_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    transitions = serializers.ListField(
        child=serializers.ChoiceField(choices=Status.choices), source="api_transitions",
        help_text="The statuses you may move this ticket to now.",
    )
    sla_targets = SlaTargetSerializer(many=True, source="api_sla_targets")
    promise = serializers.ListField(
        child=serializers.CharField(), source="api_promise",
        help_text="What support promises for the running deadlines, worded as in the email and the portal, "
        "in your language and time zone.",
    )
    time_zone = serializers.CharField(source="api_time_zone", help_text="The time zone the promise is worded in.")
    attachments = AttachmentSerializer(many=True, source="api_files", help_text="Files filed with the ticket.")
    messages = MessageSerializer(many=True, source="api_messages", help_text="Replies (and notes), oldest first.")
    events = EventSerializer(many=True, source="api_events", help_text="Status changes, assignments…, oldest first.")
    merged_into = TicketRefSerializer(
        source="api_merged_into", allow_null=True,
        help_text="The ticket this one was merged into (its conversation continues there), or null.",
    )
    merged_tickets = TicketRefSerializer(many=True, source="api_merged_here", help_text="Duplicates merged into this one.")
    links = TicketLinkSerializer(many=True, source="api_links", help_text="Links to other tickets.")
