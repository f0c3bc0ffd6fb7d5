"""Tariffs and licenses, read-only, for admins (staff) who hold the model's view permission."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from sla.models import License, Tariff

from ..pagination import BY_PK, KeysetPagination
from ..permissions import ADMIN_PERMISSIONS
from ..serializers.sla import LicenseFilterSerializer, LicenseSerializer, TariffSerializer


def _tariffs():
    return Tariff.objects.select_related("calendar").prefetch_related("prices")


def _licenses():
    return License.objects.select_related("edition", "organisation").prefetch_related("subscriptions__tariff")


class TariffListView(generics.ListAPIView):
    permission_classes = ADMIN_PERMISSIONS
    serializer_class = TariffSerializer
    pagination_class = KeysetPagination

    def get_ordering(self):
        return BY_PK

    def get_queryset(self):
        return _tariffs()

    @extend_schema(operation_id="tariffs_list", summary="Tariffs with prices (admins)")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class TariffDetailView(APIView):
    permission_classes = ADMIN_PERMISSIONS
    queryset = Tariff.objects.none()  # names the model for HasModelPermissions

    @extend_schema(operation_id="tariffs_retrieve", summary="A tariff by code (admins)", responses=TariffSerializer)
    def get(self, request, code):
        return Response(TariffSerializer(get_object_or_404(_tariffs(), code=code)).data)


class LicenseListView(generics.ListAPIView):
    permission_classes = ADMIN_PERMISSIONS
    serializer_class = LicenseSerializer
    pagination_class = KeysetPagination

    def get_ordering(self):
        return BY_PK

    def get_queryset(self):
        filters = LicenseFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        queryset = _licenses()
        if "organisation" in filters.validated_data:
            queryset = queryset.filter(organisation_id=filters.validated_data["organisation"])
        return queryset

    @extend_schema(operation_id="licenses_list", summary="Licenses with subscriptions (admins)", parameters=[LicenseFilterSerializer])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class LicenseDetailView(APIView):
    permission_classes = ADMIN_PERMISSIONS
    queryset = License.objects.none()

    @extend_schema(operation_id="licenses_retrieve", summary="A license by serial (admins)", responses=LicenseSerializer)
    def get(self, request, serial):
        return Response(LicenseSerializer(get_object_or_404(_licenses(), serial=serial)).data)
