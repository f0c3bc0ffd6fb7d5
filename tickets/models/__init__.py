from .clocks import SlaTarget
from .conversation import Attachment, Event, Message, attachment_path
from .phone import CallbackRequest, PhoneCall
from .satisfaction import SatisfactionSurvey
from .submission import TicketSubmission
from .ticket import (
    OPEN_STATUSES,
    REFERENCE_PREFIX,
    SEARCH_VECTOR,
    Channel,
    Kind,
    Level,
    Status,
    Ticket,
    Urgency,
    format_reference,
    parse_reference,
)
from .triage import EngineerDayOff, EngineerSchedule, RootCause

__all__ = [
    "OPEN_STATUSES", "REFERENCE_PREFIX", "SEARCH_VECTOR", "Attachment", "CallbackRequest", "Channel", "Event", "Kind", "Level",
    "Message", "SatisfactionSurvey", "SlaTarget", "PhoneCall", "RootCause", "EngineerSchedule", "EngineerDayOff",
    "Status", "Ticket", "TicketSubmission", "Urgency", "attachment_path", "format_reference", "parse_reference",
]
