"""The engineer's side: the queue, assign (take or hand over), set urgency, resolve,
list engineers."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from helpdesk.accounts.models import User
from tickets import selectors, services
from workspace import services as services_workspace
from workspace.queue import queue_tickets

from ..pagination import BY_PK, KeysetPagination
from ..permissions import IsEngineer
from ..serializers.ticket_input import (
    AssignSerializer,
    CommitSerializer,
    EscalateSerializer,
    QueueFilterSerializer,
    RefuseSerializer,
    ResolveSerializer,
    UrgencySerializer,
)
from ..serializers.tickets import TicketDetailSerializer, TicketSerializer
from ..serializers.users import EngineerSerializer
from ._common import detail_response_data
from .tickets import ORDERINGS, list_rows


class QueueView(generics.ListAPIView):
    """The queue page as data: the same selector, filters and defaults."""

    permission_classes = [IsEngineer]
    serializer_class = TicketSerializer
    pagination_class = KeysetPagination

    def _filters(self):
        if not hasattr(self, "_filter_data"):
            filters = QueueFilterSerializer(data=self.request.query_params)
            filters.is_valid(raise_exception=True)
            self._filter_data = filters.validated_data
        return self._filter_data

    def get_ordering(self):
        return ORDERINGS[self._filters()["order"]]

    def get_queryset(self):
        return list_rows(queue_tickets(self.request.user, self._filters()))

    @extend_schema(
        operation_id="queue_list", parameters=[QueueFilterSerializer], summary="The engineers' queue",
        description="Open tickets, nearest SLA deadline first, unless the filters say otherwise.",
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class _TicketAction(APIView):
    """POST to a ticket the engineer can see: validate the body, call one service, answer
    with the ticket as it is now."""

    permission_classes = [IsEngineer]
    input_serializer = None

    def act(self, ticket, data):
        raise NotImplementedError  # each subclass names its service

    def post(self, request, number):
        ticket = selectors.ticket_for(request.user, number)
        serializer = self.input_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self.act(ticket, serializer.validated_data)
        return Response(detail_response_data(request, selectors.ticket_for(request.user, number)))


@extend_schema(
    operation_id="tickets_assign", summary="Take a ticket or hand it to another engineer",
    description="A new ticket becomes open when someone takes it.",
    request=AssignSerializer, responses=TicketDetailSerializer,
)
class TicketAssignView(_TicketAction):
    input_serializer = AssignSerializer

    def act(self, ticket, data):
        services.ticket_assign(ticket=ticket, actor=self.request.user, assignee=data["assignee"])


@extend_schema(
    operation_id="tickets_set_urgency", summary="Set the urgency (triage)",
    description="The SLA deadlines follow the new urgency's targets.",
    request=UrgencySerializer, responses=TicketDetailSerializer,
)
class TicketUrgencyView(_TicketAction):
    input_serializer = UrgencySerializer

    def act(self, ticket, data):
        services.ticket_set_urgency(ticket=ticket, actor=self.request.user, urgency=data["urgency"])


@extend_schema(
    operation_id="tickets_resolve", summary="Resolve, saying what was fixed and how to prevent it",
    description="Both reach the customer; for a system error both are required.",
    request=ResolveSerializer, responses=TicketDetailSerializer,
)
class TicketResolveView(_TicketAction):
    input_serializer = ResolveSerializer

    def act(self, ticket, data):
        services_workspace.ticket_resolve(ticket=ticket, actor=self.request.user, **data)


@extend_schema(
    operation_id="tickets_commit", summary="Commit to a completion date and tell the customer",
    description="Meets the SLA commitment target (seed 001: a date, or a justified refusal).",
    request=CommitSerializer, responses=TicketDetailSerializer,
)
class TicketCommitView(_TicketAction):
    input_serializer = CommitSerializer

    def act(self, ticket, data):
        services_workspace.ticket_commit(ticket=ticket, actor=self.request.user, planned_at=data["planned_at"])


@extend_schema(
    operation_id="tickets_refuse", summary="Refuse with a reason for the customer",
    description="Also meets the SLA commitment target.",
    request=RefuseSerializer, responses=TicketDetailSerializer,
)
class TicketRefuseView(_TicketAction):
    input_serializer = RefuseSerializer

    def act(self, ticket, data):
        services_workspace.ticket_refuse(ticket=ticket, actor=self.request.user, reason=data["reason"])


@extend_schema(
    operation_id="tickets_escalate", summary="Move the ticket to another level (L1, L2, L3)",
    description="Anyone may raise a ticket within reach; only leads send one back down.",
    request=EscalateSerializer, responses=TicketDetailSerializer,
)
class TicketEscalateView(_TicketAction):
    input_serializer = EscalateSerializer

    def act(self, ticket, data):
        services_workspace.ticket_escalate(
            ticket=ticket, actor=self.request.user, to_level=data["to_level"], reason=data["reason"]
        )


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
