from .calendars import BusinessCalendar, Holiday, WorkingInterval
from .licenses import Edition, EntitlementRule, License, Subscription
from .tariffs import Channel, TargetKind, Tariff, TariffPrice, TariffUrgencyRule, Urgency

__all__ = [
    "BusinessCalendar", "Holiday", "WorkingInterval",
    "Edition", "EntitlementRule", "License", "Subscription",
    "Channel", "Tariff", "TariffPrice", "TariffUrgencyRule", "TargetKind", "Urgency",
]
