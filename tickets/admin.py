from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TranslationAdmin

from . import sla_clock
from .models import (
    Attachment,
    EngineerDayOff,
    EngineerSchedule,
    Event,
    Message,
    PhoneCall,
    RootCause,
    SatisfactionSurvey,
    SlaTarget,
    Ticket,
)
from .search import ticket_search_rebuild


class MessageInline(admin.StackedInline):
    """The conversation as it happened: no message is added, edited or deleted here."""

    model = Message
    extra = 0
    fields = ["created_at", "author", "visibility", "body"]
    readonly_fields = fields
    show_change_link = False
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class EventInline(admin.TabularInline):
    model = Event
    extra = 0
    fields = ["created_at", "actor", "kind", "field", "old_value", "new_value"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0
    fields = ["original_name", "content_type", "size", "uploaded_by", "created_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class SlaTargetInline(admin.TabularInline):
    model = SlaTarget
    extra = 0
    fields = ["kind", "minutes", "due_at", "warn_at", "warned_at", "breached_at", "met_at", "merged_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


# What the customer wrote, which an admin may correct (a typo, personal data pasted by
# mistake); the rest of a ticket changes only through the services.
TICKET_ADMIN_EDITABLE = {"subject", "body", "reproduced_at", "browser", "suspected_cause", "is_integration"}


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = ["reference", "subject", "organisation", "status", "kind", "urgency", "level", "tariff", "next_due_at", "assignee", "created_at"]
    list_filter = ["status", "kind", "urgency", "level", "channel", "tariff"]
    actions = ["recompute_deadlines"]
    # Exact number; the organisation and the requester's email by any part (trigram
    # indexes on organisations and users serve the icontains).
    search_fields = ["=number", "organisation__name", "requester__email"]
    list_select_related = ["organisation", "assignee", "tariff"]
    # Everything the workflow, the event log and the SLA clocks own is read-only here:
    # it changes only through the services (workspace, API), which write events.
    fields = [
        "number", "organisation", "requester", "subject", "body", "reproduced_at", "browser", "suspected_cause",
        "is_integration", "kind", "customer_urgency", "urgency", "status", "level", "assignee", "channel",
        "language", "tariff", "license", "root_cause", "effort_minutes", "planned_at", "refusal_reason",
        "resolution_summary", "prevention", "next_due_at", "first_response_at", "resolved_at", "closed_at",
        "created_at", "updated_at", "token", "merged_into",
    ]
    readonly_fields = [name for name in fields if name not in TICKET_ADMIN_EDITABLE]
    date_hierarchy = "created_at"
    show_full_result_count = False
    list_per_page = 50
    inlines = [SlaTargetInline, MessageInline, AttachmentInline, EventInline]

    def has_add_permission(self, request):
        return False  # tickets are filed by customers (web, API, email), never here

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        ticket_search_rebuild([obj.pk])  # subject or description edited: the search document follows

    def has_delete_permission(self, request, obj=None):
        return False  # deleting a ticket would delete its conversation and event log

    @admin.action(description=_("Recompute deadlines with the current tariff"))
    def recompute_deadlines(self, request, queryset):
        count = 0
        for ticket in queryset.filter(tariff__isnull=False).iterator():
            sla_clock.ticket_reapply_tariff(ticket)
            count += 1
        self.message_user(request, ngettext("%(n)d ticket recomputed.", "%(n)d tickets recomputed.", count) % {"n": count})

    @admin.display(description=_("Reference"), ordering="number")
    def reference(self, obj):
        return obj.reference

    def get_search_results(self, request, queryset, search_term):
        from .models import parse_reference

        number = parse_reference(search_term)
        if number is not None:
            return queryset.filter(number=number), False
        return super().get_search_results(request, queryset, search_term)


@admin.register(RootCause)
class RootCauseAdmin(TranslationAdmin):
    list_display = ["name", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name"]


class DayOffInline(admin.TabularInline):
    model = EngineerDayOff
    fk_name = "engineer"
    extra = 0


@admin.register(EngineerSchedule)
class EngineerScheduleAdmin(admin.ModelAdmin):
    list_display = ["engineer", "calendar", "focus_percent"]
    list_select_related = ["engineer", "calendar"]
    raw_id_fields = ["engineer"]


@admin.register(EngineerDayOff)
class EngineerDayOffAdmin(admin.ModelAdmin):
    list_display = ["engineer", "date", "note"]
    list_filter = ["engineer"]
    date_hierarchy = "date"


@admin.register(PhoneCall)
class PhoneCallAdmin(admin.ModelAdmin):
    list_display = ["ticket", "engineer", "direction", "started_at", "duration_minutes"]
    list_filter = ["direction"]
    list_select_related = ["ticket", "engineer"]
    raw_id_fields = ["ticket", "callback"]
    date_hierarchy = "started_at"
    show_full_result_count = False


@admin.register(SatisfactionSurvey)
class SatisfactionSurveyAdmin(admin.ModelAdmin):
    """Ratings as customers gave them: read-only."""

    list_display = ["ticket", "resolved_at", "engineer", "rating", "rated_at"]
    list_filter = ["rating"]
    search_fields = ["=ticket__number"]
    list_select_related = ["ticket", "engineer"]
    readonly_fields = ["ticket", "resolved_at", "engineer", "rating", "comment", "rated_at", "changed_at"]
    fields = readonly_fields
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
