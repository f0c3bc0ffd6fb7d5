"""Tickets for customers and engineers alike: list, file, read, reply, change status,
download files. Who sees which ticket is decided by tickets.selectors, as in the UI."""

import re

from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.response import Response
from rest_framework.views import APIView

from helpdesk.translated import translated_columns
from tickets import selectors, services
from tickets.models import Channel
from tickets.views.files import attachment_response

from ..pagination import KeysetPagination, Ordering
from ..permissions import IsCustomer
from ..serializers.ticket_input import (
    ReplySerializer,
    TicketCreateSerializer,
    TicketFilterSerializer,
    TransitionSerializer,
)
from ..serializers.tickets import MessageSerializer, TicketDetailSerializer, TicketSerializer
from ._common import detail_response_data

# The columns a list row shows (TicketSerializer), and the rows' related objects in the
# same query: lists cost the same whatever their length.
ROW_RELATED = ("organisation", "requester", "assignee", "tariff")
ROW_FIELDS = (
    "number", "subject", "kind", "status", "customer_urgency", "urgency", "level", "channel",
    "next_due_at", "created_at", "updated_at", "organisation__name", "requester__full_name",
    "assignee__full_name", "tariff__code", *translated_columns("tariff__name"),
)


IDEMPOTENCY_KEY = re.compile(r"[\x21-\x7e]{1,200}")


def list_rows(queryset):
    return queryset.select_related(*ROW_RELATED).only(*ROW_FIELDS)


ORDERINGS = {
    "-created_at": Ordering("created_at", descending=True),
    "created_at": Ordering("created_at"),
    "due": Ordering("next_due_at", nullable=True),
}


class TicketListView(generics.ListAPIView):
    serializer_class = TicketSerializer
    ratelimit = {"POST": "ticket_create"}
    pagination_class = KeysetPagination

    def get_permissions(self):
        if self.request.method == "POST":
            return [permission() for permission in (*self.permission_classes, IsCustomer)]
        return super().get_permissions()

    def _filters(self):
        if not hasattr(self, "_filter_data"):
            filters = TicketFilterSerializer(data=self.request.query_params)
            filters.is_valid(raise_exception=True)
            self._filter_data = filters.validated_data
        return self._filter_data

    def get_ordering(self):
        return ORDERINGS[self._filters()["order"]]

    def get_queryset(self):
        f = self._filters()
        return list_rows(selectors.ticket_list(
            self.request.user, status=f.get("status", ""), kind=f.get("kind", ""), query=f.get("q", ""),
        ))

    @extend_schema(
        operation_id="tickets_list", parameters=[TicketFilterSerializer],
        summary="List tickets",
        description="Customers: their organisation's tickets (a dealer's also its clients'). Engineers: every ticket.",
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="tickets_create", summary="File a ticket (customers)",
        description="With an `Idempotency-Key` header (up to 200 visible ASCII characters), a repeat of the "
        "request with the same key by the same user files nothing and answers with the first one's ticket.",
        parameters=[OpenApiParameter(
            "Idempotency-Key", OpenApiTypes.STR, OpenApiParameter.HEADER, required=False,
            description="Your unique key for this submission; a retry with the same key files no second ticket.",
        )],
        request={"application/json": TicketCreateSerializer, "multipart/form-data": TicketCreateSerializer},
        responses={201: TicketDetailSerializer},
    )
    def post(self, request, *args, **kwargs):
        key = request.headers.get("Idempotency-Key", "")
        if key and not IDEMPOTENCY_KEY.fullmatch(key):
            raise ValidationError({"Idempotency-Key": [_("Use up to 200 visible ASCII characters.")]})
        serializer = TicketCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        files = data.pop("attachments")
        organisation = data.pop("organisation")
        ticket = services.ticket_create(
            requester=request.user, organisation=organisation, data=data, files=files,
            channel=Channel.API, language=get_language() or "en",
            submission_key=f"api:{key}" if key else "",
        )
        ticket = selectors.ticket_for(request.user, ticket.number)
        location = reverse("api:ticket-detail", args=[ticket.number])
        return Response(detail_response_data(request, ticket), status=status.HTTP_201_CREATED, headers={"Location": location})


class TicketDetailView(APIView):
    @extend_schema(operation_id="tickets_retrieve", summary="A ticket with its conversation", responses=TicketDetailSerializer)
    def get(self, request, number):
        ticket = selectors.ticket_for(request.user, number)
        return Response(detail_response_data(request, ticket))


class TicketReplyView(APIView):
    ratelimit = {"POST": "reply"}
    @extend_schema(
        operation_id="tickets_reply", summary="Reply, or add an internal note (engineers)",
        description="A customer's reply reopens a ticket waiting for them or resolved; a closed ticket "
        "must be reopened first. An engineer's first public reply is the first response.",
        request={"application/json": ReplySerializer, "multipart/form-data": ReplySerializer},
        responses={201: MessageSerializer},
    )
    def post(self, request, number):
        ticket = selectors.ticket_for(request.user, number)
        serializer = ReplySerializer(data=request.data, context={"request": request, "ticket": ticket})
        serializer.is_valid(raise_exception=True)
        message = services.ticket_reply(
            ticket=ticket, author=request.user, body=serializer.validated_data["body"],
            files=serializer.validated_data["attachments"], internal=serializer.validated_data["internal"],
            channel=Channel.API, wait_for_customer=serializer.validated_data["wait_for_customer"],
        )
        context = {"request": request, "ticket_number": ticket.number}
        return Response(MessageSerializer(message, context=context).data, status=status.HTTP_201_CREATED)


class TicketTransitionView(APIView):
    @extend_schema(
        operation_id="tickets_transition", summary="Change status (close, reopen, resolve, …)",
        description="Customers may close a ticket and reopen a resolved or closed one; engineers move it "
        "along the whole workflow. The ticket's `transitions` lists what is allowed now.",
        request=TransitionSerializer, responses=TicketDetailSerializer,
    )
    def post(self, request, number):
        ticket = selectors.ticket_for(request.user, number)
        serializer = TransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.ticket_transition(ticket=ticket, actor=request.user, to_status=serializer.validated_data["status"])
        ticket = selectors.ticket_for(request.user, number)
        return Response(detail_response_data(request, ticket))


class AnyAccept(BaseContentNegotiation):
    """A download answers with the file whatever Accept says; errors are JSON."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class AttachmentDownloadView(APIView):
    content_negotiation_class = AnyAccept

    @extend_schema(
        operation_id="tickets_attachment", summary="Download a file",
        responses={(200, "*/*"): OpenApiResponse(OpenApiTypes.BINARY, description="The file, as a download.")},
    )
    def get(self, request, number, attachment_id):
        return attachment_response(selectors.attachment_for(request.user, number, attachment_id))
