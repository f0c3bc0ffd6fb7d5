from rest_framework import serializers

from billing.models import Order, WalletEntry


class OrderSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    organisation = serializers.CharField(source="organisation.name", read_only=True)
    tariff = serializers.CharField(source="tariff.code", read_only=True, allow_null=True, default=None)
    license = serializers.CharField(source="license.serial", read_only=True, allow_null=True, default=None)
    pack = serializers.CharField(source="pack.code", read_only=True, allow_null=True, default=None)

    class Meta:
        model = Order
        fields = [
            "reference", "number", "organisation", "status", "tariff", "license", "months", "pack", "amount",
            "currency", "starts_on", "ends_on", "created_at", "invoiced_at", "paid_at", "activated_at",
            "cancelled_at", "payment_reference",
        ]
        read_only_fields = fields


class OrderPaySerializer(serializers.Serializer):
    payment_reference = serializers.CharField(max_length=100, allow_blank=True, required=False, default="")


class WalletEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = WalletEntry
        fields = ["id", "kind", "points", "expires_on", "item", "ticket_number", "unpaid_points", "reason", "created_at"]
        read_only_fields = fields


class WalletSerializer(serializers.Serializer):
    balance = serializers.IntegerField()
    entries = WalletEntrySerializer(many=True)
