"""Orders: placed → invoiced → paid → active, or cancelled. Each step emails the customer.

Paying calls ``sla.services.subscription_activate`` (the new period starts exactly when the
current one of the same tariff ends) and grants the period's or pack's points.
"""

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from helpdesk.mail.services import email_enqueue
from sla.models import EntitlementRule, Subscription, TariffPrice
from sla.services import subscription_activate

from ..models import ORDER_NUMBER_SEQUENCE, Order, PointsPack
from ..selectors import organisations_ordering_for, period_dates
from .grants import subscription_grant_points
from .wallet import wallet_grant


def _next_number():
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(%s)", [ORDER_NUMBER_SEQUENCE])
        return cursor.fetchone()[0]


def _order_email(order, step):
    """One email per step, to the person who placed the order, in the order's language."""
    email_enqueue(
        to=order.placed_by.email,
        template=f"billing/email/order_{step}",
        context={
            "reference": order.reference, "what": _order_text(order), "amount": order.amount,
            "currency": order.currency, "starts_on": order.starts_on, "ends_on": order.ends_on,
            "status": order.get_status_display(), "name": order.placed_by.full_name,
            "url": reverse("billing:order", args=[order.number]),
            "invoice_url": reverse("billing:invoice", args=[order.number]),
        },
        language=order.language,
        topic=f"order:{order.number}",
    )


def _order_text(order):
    from django.utils import translation

    with translation.override(order.language):
        return str(order.describe())


def _may_order_for(user, organisation):
    if not user.is_active or not organisations_ordering_for(user).filter(pk=organisation.pk).exists():
        raise PermissionDenied(_("You cannot order for this organisation."))


def order_place(*, user, license=None, price=None, pack=None, language=None, renewal_of=None):
    """A customer (or their dealer) orders a period of a tariff for a license, or a points
    pack. Partner-free tariffs are not sold to that partner; a second open order for the same
    license and tariff is refused (pay or cancel the first)."""
    language = language or user.language or settings.LANGUAGE_CODE
    with transaction.atomic():
        if pack is not None:
            if not isinstance(pack, PointsPack) or not pack.is_active:
                raise ValidationError(_("This points pack is not on sale."))
            organisation = user.organisation
            if organisation is None:
                raise PermissionDenied(_("Your account is not linked to an organisation yet."))
            _may_order_for(user, organisation)
            order = Order.objects.create(
                number=_next_number(), organisation=organisation, placed_by=user, pack=pack,
                amount=pack.amount, currency=pack.currency, language=language,
            )
        else:
            if license is None or not isinstance(price, TariffPrice):
                raise ValidationError(_("Choose a license and a period."))
            tariff = price.tariff
            if not tariff.is_active:
                raise ValidationError(_("This tariff is not on sale."))
            _may_order_for(user, license.organisation)
            level = license.organisation.partner_level
            if level and EntitlementRule.objects.filter(
                kind=EntitlementRule.Kind.PARTNER_LEVEL, partner_level=level, tariff=tariff, is_active=True
            ).exists():
                raise ValidationError(_("Your partner level includes this tariff free of charge."))
            if Order.objects.select_for_update().filter(
                license=license, tariff=tariff, status__in=[Order.Status.PLACED, Order.Status.INVOICED]
            ).exists():
                raise ValidationError(_("An order for this license and tariff is already open: pay or cancel it first."))
            starts_on, ends_on = period_dates(license, tariff, price.months)
            order = Order.objects.create(
                number=_next_number(), organisation=license.organisation, placed_by=user, license=license,
                tariff=tariff, months=price.months, amount=price.amount, currency=price.currency,
                starts_on=starts_on, ends_on=ends_on, language=language, renewal_of=renewal_of,
            )
        _order_email(order, "placed")
        transaction.on_commit(lambda: _invoice_later(order.pk))
    return order


def _invoice_later(order_id):
    from ..tasks import invoice_order

    try:
        invoice_order.apply_async((order_id,), retry=False)
    except Exception:  # noqa: BLE001 - broker down: the beat sweep invoices placed orders
        pass


def order_invoice(order_id):
    """Issue the pro-forma invoice (the PDF is drawn on request from the order's own data);
    safe to run twice."""
    with transaction.atomic():
        order = Order.objects.select_for_update(of=("self",)).select_related("placed_by", "pack", "tariff", "license").get(pk=order_id)
        if order.status != Order.Status.PLACED:
            return order
        order.status, order.invoiced_at = Order.Status.INVOICED, timezone.now()
        order.save(update_fields=["status", "invoiced_at"])
        _order_email(order, "invoiced")
    return order


def order_pay(*, order, actor, payment_reference=""):
    """Mark an order paid (admin or an integration) and activate it at once: a period
    starts exactly when the current one of its tariff ends; a pack's points are granted.
    Idempotent: paying a paid order with the same reference (or none) returns it unchanged;
    another reference is refused."""
    if not (actor.is_staff and actor.has_perm("billing.change_order")):
        raise PermissionDenied(_("Only an admin with the right to change orders can mark them paid."))
    payment_reference = (payment_reference or "").strip()[:100]
    with transaction.atomic():
        order = Order.objects.select_for_update(of=("self",)).select_related("placed_by", "license", "tariff", "pack").get(pk=order.pk)
        if order.status in (Order.Status.PAID, Order.Status.ACTIVE):
            if payment_reference and order.payment_reference and payment_reference != order.payment_reference:
                raise ValidationError(_("This order was already paid with another payment reference."))
            return order
        if order.status == Order.Status.CANCELLED:
            raise ValidationError(_("A cancelled order cannot be paid."))
        if payment_reference and Order.objects.filter(payment_reference=payment_reference).exclude(pk=order.pk).exists():
            raise ValidationError(_("This payment reference belongs to another order."))
        now = timezone.now()
        if order.status == Order.Status.PLACED:
            order.invoiced_at = now
        order.status, order.paid_at, order.paid_by, order.payment_reference = Order.Status.PAID, now, actor, payment_reference
        if order.pack_id:
            today = timezone.localdate()
            wallet_grant(
                organisation=order.organisation, points=order.pack.points, order=order, actor=actor,
                expires_on=today + relativedelta(months=order.pack.valid_months) - relativedelta(days=1),
                reason=order.describe(),
            )
        else:
            subscription = subscription_activate(
                license=order.license, tariff=order.tariff, months=order.months, source=Subscription.Source.BOUGHT,
            )
            order.subscription, order.starts_on, order.ends_on = subscription, subscription.starts_on, subscription.ends_on
            subscription_grant_points(subscription)
        order.status, order.activated_at = Order.Status.ACTIVE, now
        order.save()
        _order_email(order, "active")
    return order


def order_cancel(*, order, actor, reason=""):
    """The customer (before payment) or an admin cancels an open order."""
    with transaction.atomic():
        order = Order.objects.select_for_update(of=("self",)).select_related("placed_by").get(pk=order.pk)
        if not actor.is_staff:
            _may_order_for(actor, order.organisation)
        if not order.is_open:
            raise ValidationError(_("Only an order that is not paid yet can be cancelled."))
        order.status, order.cancelled_at = Order.Status.CANCELLED, timezone.now()
        order.save(update_fields=["status", "cancelled_at"])
        _order_email(order, "cancelled")
    return order
