"""Incidents in admin: to look, not to change. Every change goes through the services
(the incident pages and the API), which write the events and deliver the updates."""

from django.contrib import admin

from .models import Incident, IncidentEvent, IncidentTicket, IncidentUpdate


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class UpdateInline(admin.TabularInline):
    model = IncidentUpdate
    fields = ["created_at", "state", "author", "body_en", "body_ru", "body_pl", "delivered_at", "tickets_updated",
              "people_emailed"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class EventInline(admin.TabularInline):
    model = IncidentEvent
    fields = ["created_at", "actor", "kind", "old_value", "new_value"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Incident)
class IncidentAdmin(_ReadOnly):
    list_display = ["__str__", "state", "affects_everyone", "declared_at", "resolved_at"]
    list_filter = ["state"]
    search_fields = ["title_en", "title_ru", "title_pl"]
    inlines = [UpdateInline, EventInline]


@admin.register(IncidentTicket)
class IncidentTicketAdmin(_ReadOnly):
    list_display = ["incident", "ticket", "source", "keep_open", "linked_by", "linked_at"]
    list_select_related = ["incident", "ticket", "linked_by"]
    raw_id_fields = ["ticket"]
