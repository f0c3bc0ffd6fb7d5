from rest_framework import serializers

from helpdesk.accounts.models import User

from .common import OrganisationRefSerializer


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    full_name = serializers.CharField()
    role = serializers.ChoiceField(choices=User.Role.choices)
    support_level = serializers.CharField(help_text="L1, L2 or L3 for engineers; empty for customers.")
    is_staff = serializers.BooleanField(help_text="An admin: may read tariffs and licenses.")
    organisation = OrganisationRefSerializer(allow_null=True)


class EngineerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    full_name = serializers.CharField()
    email = serializers.EmailField()
    support_level = serializers.CharField()
