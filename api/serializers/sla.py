"""Tariffs and licenses, read-only, for admins."""

from rest_framework import serializers

from sla.models import Subscription

from .common import OrganisationRefSerializer, TariffRefSerializer


class TariffPriceSerializer(serializers.Serializer):
    months = serializers.IntegerField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, coerce_to_string=True)
    currency = serializers.CharField()


class TariffSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    rank = serializers.IntegerField()
    is_default = serializers.BooleanField()
    is_active = serializers.BooleanField()
    allows_web = serializers.BooleanField()
    allows_email = serializers.BooleanField()
    allows_phone = serializers.BooleanField()
    phone_number = serializers.CharField()
    calendar = serializers.CharField(source="calendar.name")
    first_response_minutes = serializers.IntegerField(help_text="Business minutes.")
    commitment_minutes = serializers.IntegerField(allow_null=True)
    resolution_minutes = serializers.IntegerField(allow_null=True)
    warn_at_percent = serializers.IntegerField()
    prices = TariffPriceSerializer(many=True, source="prices.all")


class EditionSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class SubscriptionSerializer(serializers.Serializer):
    tariff = TariffRefSerializer()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    source = serializers.ChoiceField(choices=Subscription.Source.choices)


class LicenseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    serial = serializers.CharField()
    edition = EditionSerializer()
    organisation = OrganisationRefSerializer()
    support_until = serializers.DateField()
    created_at = serializers.DateTimeField()
    subscriptions = SubscriptionSerializer(many=True, source="subscriptions.all")


class LicenseFilterSerializer(serializers.Serializer):
    organisation = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1, help_text="Owner's id.")
