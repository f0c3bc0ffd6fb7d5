from .orders import ORDER_NUMBER_SEQUENCE, Order, PointsPack, ReminderSent
from .wallet import Allocation, ChargeItem, PointsPlan, PointsRule, Wallet, WalletEntry

__all__ = [
    "ORDER_NUMBER_SEQUENCE", "Allocation", "ChargeItem", "Order", "PointsPack", "PointsPlan", "PointsRule", "ReminderSent", "Wallet",
    "WalletEntry",
]
