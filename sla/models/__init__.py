from .calendars import BusinessCalendar, Holiday, WorkingInterval
from .licenses import Edition, EntitlementRule, License, Subscription
from .revisions import TariffRevision
from .tariffs import Channel, RequestKind, TargetKind, Tariff, TariffPrice, TariffUrgencyRule, Urgency

__all__ = [
    "BusinessCalendar", "Holiday", "WorkingInterval",
    "Edition", "EntitlementRule", "License", "Subscription",
    "Channel", "RequestKind", "Tariff", "TariffPrice", "TariffRevision", "TariffUrgencyRule", "TargetKind", "Urgency",
]
