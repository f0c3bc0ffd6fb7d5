from .calendars import BusinessCalendar, Holiday, WorkingInterval
from .licenses import Edition, EntitlementRule, License, Subscription
from .tariffs import Channel, RequestKind, TargetKind, Tariff, TariffPrice, TariffUrgencyRule, Urgency

__all__ = [
    "BusinessCalendar", "Holiday", "WorkingInterval",
    "Edition", "EntitlementRule", "License", "Subscription",
    "Channel", "RequestKind", "Tariff", "TariffPrice", "TariffUrgencyRule", "TargetKind", "Urgency",
]
