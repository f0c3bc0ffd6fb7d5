"""Small read-only shapes used in several responses."""

from rest_framework import serializers


class UserRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    full_name = serializers.CharField()


class OrganisationRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class TariffRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
