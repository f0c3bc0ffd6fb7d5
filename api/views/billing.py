"""Orders and the points wallet for customers; marking an order paid for integrations
(a payment provider's webhook relay): authenticated, model permission, idempotent."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.exceptions import PermissionDenied as ApiPermissionDenied
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from billing import selectors, services

from ..permissions import IsCustomer
from ..serializers.billing import OrderPaySerializer, OrderSerializer, WalletSerializer


class OrderListView(generics.ListAPIView):
    """The orders of the caller's organisation (and, for a dealer, of its clients)."""

    permission_classes = [IsCustomer]
    serializer_class = OrderSerializer
    pagination_class = None

    def get_queryset(self):
        return selectors.orders_visible_to(self.request.user)[:200]


class OrderPayView(APIView):
    """Mark an order paid and active. Repeating the call with the same payment reference
    returns the same order (200); another reference for a paid order is a 400."""

    @extend_schema(request=OrderPaySerializer, responses=OrderSerializer)
    def post(self, request, number):
        user = request.user
        if not (user.is_staff and user.has_perm("billing.change_order")):
            raise ApiPermissionDenied()
        order = selectors.order_for(user, number)
        if order is None:
            raise Http404
        data = OrderPaySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            order = services.order_pay(order=order, actor=user, payment_reference=data.validated_data["payment_reference"])
        except PermissionDenied as exc:
            raise ApiPermissionDenied(str(exc)) from exc
        except ValidationError as exc:
            raise ApiValidationError({"detail": exc.messages}) from exc
        return Response(OrderSerializer(order).data)


class WalletView(APIView):
    """The balance of the caller's organisation and its latest ledger rows."""

    permission_classes = [IsCustomer]

    @extend_schema(responses=WalletSerializer)
    def get(self, request):
        organisation = request.user.organisation
        if organisation is None:
            raise Http404
        body = {"balance": selectors.wallet_balance(organisation), "entries": list(selectors.wallet_history(organisation, 100))}
        return Response(WalletSerializer(body).data)
