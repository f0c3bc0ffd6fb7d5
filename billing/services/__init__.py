"""Writes of the billing app: orders (``orders``), points (``wallet``, ``grants``), reminders."""

from .grants import subscription_grant_points, subscriptions_grant_due
from .orders import order_cancel, order_invoice, order_pay, order_place
from .wallet import (
    NotEnoughPoints,
    wallet_adjust,
    wallet_charge_call,
    wallet_charge_callback,
    wallet_charge_ticket,
    wallet_expire,
    wallet_grant,
    wallet_refund_ticket,
)

__all__ = [
    "NotEnoughPoints", "order_cancel", "order_invoice", "order_pay", "order_place", "subscription_grant_points",
    "subscriptions_grant_due", "wallet_adjust", "wallet_charge_call", "wallet_charge_callback",
    "wallet_charge_ticket", "wallet_expire", "wallet_grant", "wallet_refund_ticket",
]
