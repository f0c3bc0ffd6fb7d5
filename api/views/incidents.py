"""Incidents: the public status, the customer's "affecting me" and "notify me", and the
engineers' declare, update, link and resolve (the same services as the web pages)."""

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from helpdesk.accounts.models import Organisation
from incidents import selectors, services
from incidents.models import Incident
from sla.models import Edition, Tariff
from tickets.models import Ticket

from ..pagination import BY_PK, KeysetPagination
from ..permissions import IsCustomer, IsEngineer
from ..serializers.incidents import (
    IncidentDeclareSerializer,
    IncidentLinkResultSerializer,
    IncidentLinkSerializer,
    IncidentResolveSerializer,
    IncidentSerializer,
    IncidentUpdateSerializer,
    PublicIncidentSerializer,
    PublicUpdateSerializer,
)


def _engineers_incidents():
    return Incident.objects.prefetch_related("updates", "organisations", "editions", "tariffs", "links__ticket")


def _incident(pk):
    incident = _engineers_incidents().filter(pk=pk).first()
    if incident is None:
        raise Http404
    return incident


class StatusView(APIView):
    """The public status page as data: no login, only the public text."""

    permission_classes = []

    @extend_schema(operation_id="status_list", summary="Open and recent incidents (public)",
                   responses=PublicIncidentSerializer(many=True))
    def get(self, request):
        return Response(PublicIncidentSerializer(selectors.status_page_incidents(), many=True).data)


class IncidentsForMeView(APIView):
    permission_classes = [IsCustomer]

    @extend_schema(operation_id="incidents_for_me", summary="Open incidents affecting my organisation",
                   responses=PublicIncidentSerializer(many=True))
    def get(self, request):
        rows = selectors.incidents_affecting(request.user.organisation_id).prefetch_related("updates")
        return Response(PublicIncidentSerializer(rows, many=True).data)


class IncidentSubscribeView(APIView):
    permission_classes = [IsCustomer]

    @extend_schema(operation_id="incidents_subscribe", summary="Notify me of this incident's updates",
                   request=None, responses={201: OpenApiTypes.OBJECT, 200: OpenApiTypes.OBJECT})
    def post(self, request, pk):
        incident = selectors.incident_for_customer(request.user, pk)
        if incident is None:
            raise Http404
        _sub, created = services.incident_subscribe(incident=incident, user=request.user)
        return Response({"subscribed": True}, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class IncidentListView(generics.ListAPIView):
    permission_classes = [IsEngineer]
    serializer_class = IncidentSerializer
    pagination_class = KeysetPagination

    def get_ordering(self):
        return BY_PK

    def get_queryset(self):
        return _engineers_incidents()

    @extend_schema(operation_id="incidents_list", summary="Incidents (engineers)")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(operation_id="incidents_declare", summary="Declare an incident (engineers)",
                   request=IncidentDeclareSerializer, responses={201: IncidentSerializer})
    def post(self, request):
        serializer = IncidentDeclareSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        incident = services.incident_declare(
            actor=request.user, data=data,
            organisations=list(Organisation.objects.filter(pk__in=data["organisations"])),
            editions=list(Edition.objects.filter(code__in=data["editions"])),
            tariffs=list(Tariff.objects.filter(code__in=data["tariffs"])),
        )
        return Response(IncidentSerializer(_incident(incident.pk)).data, status=status.HTTP_201_CREATED)


class IncidentDetailView(APIView):
    permission_classes = [IsEngineer]

    @extend_schema(operation_id="incidents_retrieve", summary="An incident (engineers)", responses=IncidentSerializer)
    def get(self, request, pk):
        return Response(IncidentSerializer(_incident(pk)).data)


class IncidentUpdatePostView(APIView):
    permission_classes = [IsEngineer]

    @extend_schema(operation_id="incidents_update", summary="Post a public update (engineers)",
                   description="Delivered by a worker: once into every linked ticket, one email per person.",
                   request=IncidentUpdateSerializer, responses={201: PublicUpdateSerializer})
    def post(self, request, pk):
        incident = _incident(pk)
        serializer = IncidentUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        update = services.incident_update_post(incident=incident, actor=request.user,
                                               state=serializer.validated_data["state"], texts=serializer.validated_data)
        return Response(PublicUpdateSerializer(update).data, status=status.HTTP_201_CREATED)


class IncidentResolveView(APIView):
    permission_classes = [IsEngineer]

    @extend_schema(operation_id="incidents_resolve", summary="Resolve the incident and its linked tickets (engineers)",
                   request=IncidentResolveSerializer, responses={201: PublicUpdateSerializer})
    def post(self, request, pk):
        incident = _incident(pk)
        serializer = IncidentResolveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        update = services.incident_resolve(incident=incident, actor=request.user, summary=data["summary"],
                                           prevention=data["prevention"], texts=data)
        return Response(PublicUpdateSerializer(update).data, status=status.HTTP_201_CREATED)


class IncidentLinkView(APIView):
    permission_classes = [IsEngineer]

    @extend_schema(operation_id="incidents_link", summary="Link tickets to an open incident (engineers)",
                   request=IncidentLinkSerializer, responses=IncidentLinkResultSerializer)
    def post(self, request, pk):
        incident = _incident(pk)
        serializer = IncidentLinkSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        linked, failures = services.incident_link_many(incident=incident, numbers=serializer.validated_data["tickets"],
                                                       actor=request.user, source="engineer")
        return Response({"linked": linked, "failures": [{"ticket": ref, "reason": str(reason)} for ref, reason in failures]})


class IncidentUnlinkView(APIView):
    permission_classes = [IsEngineer]

    @extend_schema(operation_id="incidents_unlink", summary="Unlink a ticket (engineers)", responses={204: None})
    def delete(self, request, pk, number):
        incident = _incident(pk)
        ticket = Ticket.objects.filter(number=number).first()
        if ticket is None or not services.incident_unlink(incident=incident, ticket=ticket, actor=request.user):
            raise Http404
        return Response(status=status.HTTP_204_NO_CONTENT)
