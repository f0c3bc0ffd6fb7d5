"""Billing's Celery tasks: each takes ids, loads fresh state, calls a service, and is safe twice."""

from celery import shared_task

from .models import Order
from .services import order_invoice, subscriptions_grant_due, wallet_expire
from .services.reminders import reminders_send


@shared_task(acks_late=True, soft_time_limit=60, time_limit=90, ignore_result=True)
def invoice_order(order_id):
    order_invoice(order_id)


@shared_task(soft_time_limit=240, time_limit=300, ignore_result=True)
def billing_daily():
    """Invoices whose task was lost, points of new periods, expiries, renewal reminders."""
    for order_id in Order.objects.filter(status=Order.Status.PLACED).values_list("pk", flat=True):
        order_invoice(order_id)
    subscriptions_grant_due()
    wallet_expire()
    reminders_send()
