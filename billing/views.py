"""Customer pages: order a support period or a points pack, follow orders, the wallet."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from helpdesk.accounts.access import customer_required
from sla.models import Subscription, TariffPrice
from sla.selectors import public_tariffs

from . import selectors, services
from .invoice import invoice_pdf
from .models import PointsPack


def _error_text(exc):
    return " ".join(getattr(exc, "messages", [str(exc)]))


@customer_required
def order_page(request):
    """Every license the customer may order for × every period on sale, with the exact
    dates it would cover; partner-free and trial entitlements shown as such."""
    tariffs = [t for t in public_tariffs() if t.prices.all()]
    rows = [(tariff, selectors.offers_for(request.user, tariff)) for tariff in tariffs]
    context = {
        "rows": rows, "packs": selectors.packs_on_sale(),
        "balance": selectors.wallet_balance(request.user.organisation) if request.user.organisation_id else 0,
    }
    return render(request, "billing/order.html", context)


@customer_required
@require_POST
def order_place(request):
    try:
        if request.POST.get("pack"):
            pack = get_object_or_404(PointsPack, pk=_int(request.POST.get("pack")), is_active=True)
            order = services.order_place(user=request.user, pack=pack, language=get_language())
        else:
            license = selectors.licenses_orderable_by(request.user).filter(pk=_int(request.POST.get("license"))).first()
            price = TariffPrice.objects.select_related("tariff").filter(pk=_int(request.POST.get("price"))).first()
            if license is None or price is None:
                raise ValidationError(_("Choose a license and a period."))
            renewal = Subscription.objects.filter(pk=_int(request.POST.get("renewal_of")), license=license).first()
            order = services.order_place(
                user=request.user, license=license, price=price, language=get_language(), renewal_of=renewal
            )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _error_text(exc))
        return redirect("billing:order_page")
    messages.success(request, _("Order %(reference)s is placed; the pro-forma invoice follows by email.") % {"reference": order.reference})
    return redirect("billing:order", number=order.number)


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


@customer_required
def order_list(request):
    orders = selectors.orders_visible_to(request.user)[:200]
    return render(request, "billing/orders.html", {"orders": orders})


@customer_required
def order_detail(request, number):
    order = selectors.order_for(request.user, number)
    if order is None:
        raise Http404
    return render(request, "billing/order_detail.html", {"order": order})


@customer_required
def order_invoice(request, number):
    order = selectors.order_for(request.user, number)
    if order is None or order.status == order.Status.CANCELLED:
        raise Http404
    response = HttpResponse(invoice_pdf(order), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{order.invoice_number}.pdf"'
    return response


@customer_required
@require_POST
def order_cancel(request, number):
    order = selectors.order_for(request.user, number)
    if order is None:
        raise Http404
    try:
        services.order_cancel(order=order, actor=request.user)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("Order %(reference)s is cancelled.") % {"reference": order.reference})
    return redirect("billing:order", number=order.number)


@customer_required
@require_http_methods(["GET", "POST"])
def reorder(request, subscription_id):
    """The renewal reminder's one click: a page that shows the same period again (GET never
    orders anything: mail scanners follow links), and one button that places the order."""
    subscription = Subscription.objects.select_related("license", "tariff").filter(
        pk=subscription_id, license__in=selectors.licenses_orderable_by(request.user)
    ).first()
    if subscription is None:
        raise Http404
    prices = list(subscription.tariff.prices.all())
    if not prices:
        messages.error(request, _("This tariff is no longer sold."))
        return redirect("billing:order_page")
    length = (subscription.ends_on - subscription.starts_on).days // 28
    price = min(prices, key=lambda p: abs(p.months - length))
    start, end = selectors.period_dates(subscription.license, subscription.tariff, price.months)
    context = {"subscription": subscription, "price": price, "starts_on": start, "ends_on": end}
    return render(request, "billing/reorder.html", context)


@customer_required
def wallet(request):
    organisation = request.user.organisation
    if organisation is None:
        raise Http404
    context = {
        "balance": selectors.wallet_balance(organisation),
        "next_expiry": selectors.wallet_next_expiry(organisation),
        "entries": selectors.wallet_history(organisation),
        "packs": selectors.packs_on_sale(),
    }
    return render(request, "billing/wallet.html", context)
