"""Merge, split and links (engineers act; anyone who may see a ticket reads its links,
only those to tickets they may see). The services are tickets.relations, as in the
workspace."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from tickets import relations, selectors
from tickets.models import Message, TicketLink

from ..permissions import IsEngineer
from ..serializers.ticket_input import LinkSerializer, MergeSerializer, SplitSerializer
from ..serializers.tickets import TicketDetailSerializer, TicketLinkSerializer
from ._common import detail_response_data


def _other(user, text, field):
    other = selectors.ticket_by_reference(user, text)
    if other is None:
        raise ValidationError({field: [_("No ticket with that reference.")]})
    return other


def _links_data(request, ticket):
    rows = [{"kind": w, "link": link, "other": other} for w, link, other in selectors.ticket_links(ticket, request.user)]
    return TicketLinkSerializer(rows, many=True).data


class TicketMergeView(APIView):
    permission_classes = [IsEngineer]

    @extend_schema(
        operation_id="tickets_merge", summary="Merge this duplicate into another ticket (engineers)",
        description="Same organisation only. The conversation and files move, the duplicate is closed with "
        "`merged_into`, its running SLA targets end as `merged`, its requester is emailed once, and mail to its "
        "reply address threads into the target. Answers with the target.",
        request=MergeSerializer, responses=TicketDetailSerializer,
    )
    def post(self, request, number):
        ticket = selectors.ticket_for(request.user, number)
        serializer = MergeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        into = _other(request.user, serializer.validated_data["into"], "into")
        target = relations.ticket_merge(ticket=ticket, into=into, actor=request.user)
        return Response(detail_response_data(request, selectors.ticket_for(request.user, target.number)))


class TicketSplitView(APIView):
    permission_classes = [IsEngineer]

    @extend_schema(
        operation_id="tickets_split", summary="Make one message a new ticket (engineers)",
        description="The public message moves to a new ticket of the same requester, linked back as related.",
        request=SplitSerializer, responses={201: TicketDetailSerializer},
    )
    def post(self, request, number):
        ticket = selectors.ticket_for(request.user, number)
        serializer = SplitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        message = Message.objects.filter(ticket=ticket, pk=serializer.validated_data["message"]).first()
        if message is None:
            raise ValidationError({"message": [_("That message is not on this ticket.")]})
        new = relations.ticket_split(
            ticket=ticket, message=message, actor=request.user, subject=serializer.validated_data["subject"]
        )
        data = detail_response_data(request, selectors.ticket_for(request.user, new.number))
        return Response(data, status=status.HTTP_201_CREATED)


class TicketLinksView(APIView):
    def get_permissions(self):
        if self.request.method == "POST":
            return [IsEngineer()]
        return super().get_permissions()

    @extend_schema(operation_id="tickets_links", summary="The ticket's links", responses=TicketLinkSerializer(many=True))
    def get(self, request, number):
        return Response(_links_data(request, selectors.ticket_for(request.user, number)))

    @extend_schema(
        operation_id="tickets_link", summary="Link to another ticket (engineers)",
        description="One link per pair of tickets. `kind` is how it reads from this ticket.",
        request=LinkSerializer, responses={201: TicketLinkSerializer(many=True)},
    )
    def post(self, request, number):
        ticket = selectors.ticket_for(request.user, number)
        serializer = LinkSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        other = _other(request.user, serializer.validated_data["ticket"], "ticket")
        relations.ticket_link(ticket=ticket, other=other, kind=serializer.validated_data["kind"], actor=request.user)
        return Response(_links_data(request, ticket), status=status.HTTP_201_CREATED)


class TicketLinkDeleteView(APIView):
    permission_classes = [IsEngineer]

    @extend_schema(operation_id="tickets_unlink", summary="Remove a link (engineers)", request=None, responses={204: None})
    def delete(self, request, number, link_id):
        ticket = selectors.ticket_for(request.user, number)
        link = TicketLink.objects.select_related("source", "target").filter(pk=link_id).first()
        if link is None or ticket.pk not in (link.source_id, link.target_id):
            raise NotFound()
        relations.ticket_unlink(ticket=ticket, link=link, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
