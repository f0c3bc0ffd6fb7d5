"""Incidents in the API: the public view (status), the engineers' view, and inputs."""

from rest_framework import serializers

from incidents.forms import OPEN_STATE_CHOICES
from incidents.models import LANGUAGES, Incident, IncidentUpdate, State

from .fields import Text

MAX_TEXT = 20_000


def _per_language(obj, prefix):
    return {code: getattr(obj, f"{prefix}_{code}") for code in LANGUAGES}


class PublicUpdateSerializer(serializers.ModelSerializer):
    text = serializers.SerializerMethodField(help_text="The update in each language (empty when not written).")

    class Meta:
        model = IncidentUpdate
        fields = ["state", "created_at", "text"]

    def get_text(self, obj) -> dict:
        return _per_language(obj, "body")


class PublicIncidentSerializer(serializers.ModelSerializer):
    """Only the public text: nothing about tickets, organisations or who is affected."""

    title = serializers.SerializerMethodField()
    status_text = serializers.SerializerMethodField()
    updates = PublicUpdateSerializer(many=True, read_only=True)

    class Meta:
        model = Incident
        fields = ["id", "state", "title", "status_text", "declared_at", "resolved_at", "resolution_summary",
                  "prevention", "updates"]

    def get_title(self, obj) -> dict:
        return _per_language(obj, "title")

    def get_status_text(self, obj) -> dict:
        return _per_language(obj, "status_text")


class IncidentSerializer(PublicIncidentSerializer):
    affects_everyone = serializers.BooleanField()
    organisations = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    editions = serializers.SlugRelatedField(many=True, read_only=True, slug_field="code")
    tariffs = serializers.SlugRelatedField(many=True, read_only=True, slug_field="code")
    tickets = serializers.SerializerMethodField(help_text="Numbers of the linked tickets.")

    class Meta(PublicIncidentSerializer.Meta):
        fields = [*PublicIncidentSerializer.Meta.fields, "affects_everyone", "organisations", "editions", "tariffs",
                  "tickets"]

    def get_tickets(self, obj) -> list[int]:
        return [link.ticket.number for link in obj.links.all()]


def _texts(prefix, label):
    return {f"{prefix}_{code}": Text(max_length=MAX_TEXT if prefix != "title" else 200, required=False,
                                    allow_blank=True, default="", help_text=f"{label} ({code})")
            for code in LANGUAGES}


class IncidentDeclareSerializer(serializers.Serializer):
    locals().update(_texts("title", "Title"))
    locals().update(_texts("status_text", "Public status text"))
    state = serializers.ChoiceField(choices=OPEN_STATE_CHOICES, default=State.INVESTIGATING)
    affects_everyone = serializers.BooleanField(default=False)
    organisations = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=2**62), required=False,
                                          default=list, max_length=1000)
    editions = serializers.ListField(child=Text(max_length=32), required=False, default=list, max_length=1000)
    tariffs = serializers.ListField(child=Text(max_length=32), required=False, default=list, max_length=1000)


class IncidentUpdateSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=OPEN_STATE_CHOICES)
    locals().update(_texts("body", "Update"))


class IncidentResolveSerializer(serializers.Serializer):
    summary = Text(max_length=MAX_TEXT, help_text="What was fixed.")
    prevention = Text(max_length=MAX_TEXT, help_text="How it is prevented.")
    locals().update(_texts("body", "Closing update"))


class IncidentLinkSerializer(serializers.Serializer):
    tickets = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=2**62), min_length=1,
                                    max_length=1000, help_text="Ticket numbers (HD-<number>).")


class IncidentLinkResultSerializer(serializers.Serializer):
    linked = serializers.IntegerField()
    failures = serializers.ListField(child=serializers.DictField())
