"""The engineer's side: assign (take or hand over), set urgency, list engineers."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from helpdesk.accounts.models import User
from tickets import selectors, services

from ..pagination import BY_PK, KeysetPagination
from ..permissions import IsEngineer
from ..serializers.ticket_input import AssignSerializer, UrgencySerializer
from ..serializers.tickets import TicketDetailSerializer
from ..serializers.users import EngineerSerializer
from ._common import detail_response_data


class TicketAssignView(APIView):
    permission_classes = [IsEngineer]

    @extend_schema(
        operation_id="tickets_assign", summary="Take a ticket or hand it to another engineer",
        description="A new ticket becomes open when someone takes it.",
        request=AssignSerializer, responses=TicketDetailSerializer,
    )
    def post(self, request, number):
        ticket = selectors.ticket_for(request.user, number)
        serializer = AssignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.ticket_assign(ticket=ticket, actor=request.user, assignee=serializer.validated_data["assignee"])
        return Response(detail_response_data(request, selectors.ticket_for(request.user, number)))


class TicketUrgencyView(APIView):
    permission_classes = [IsEngineer]

    @extend_schema(
        operation_id="tickets_set_urgency", summary="Set the urgency (triage)",
        description="The SLA deadlines follow the new urgency's targets.",
        request=UrgencySerializer, responses=TicketDetailSerializer,
    )
    def post(self, request, number):
        ticket = selectors.ticket_for(request.user, number)
        serializer = UrgencySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.ticket_set_urgency(ticket=ticket, actor=request.user, urgency=serializer.validated_data["urgency"])
        return Response(detail_response_data(request, selectors.ticket_for(request.user, number)))


class EngineerListView(generics.ListAPIView):
    permission_classes = [IsEngineer]
    serializer_class = EngineerSerializer
    pagination_class = KeysetPagination

    def get_ordering(self):
        return BY_PK

    def get_queryset(self):
        return User.objects.filter(role=User.Role.ENGINEER, is_active=True)

    @extend_schema(operation_id="engineers_list", summary="Active engineers (to assign tickets to)")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
