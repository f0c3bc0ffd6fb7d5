from django.contrib import admin

from .models import Attachment, Event, Message, Ticket


class MessageInline(admin.StackedInline):
    model = Message
    extra = 0
    fields = ["created_at", "author", "visibility", "body"]
    readonly_fields = ["created_at", "author"]
    show_change_link = False


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


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = ["reference", "subject", "organisation", "status", "kind", "urgency", "level", "assignee", "created_at"]
    list_filter = ["status", "kind", "urgency", "level", "channel"]
    # Exact number, organisation by prefix: index-friendly on large tables.
    search_fields = ["=number", "^organisation__name", "=requester__email"]
    list_select_related = ["organisation", "assignee"]
    raw_id_fields = ["organisation", "requester", "assignee"]
    readonly_fields = ["number", "created_at", "first_response_at", "resolved_at", "closed_at", "token"]
    exclude = ["search"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    list_per_page = 50
    inlines = [MessageInline, AttachmentInline, EventInline]

    @admin.display(description="Reference", ordering="number")
    def reference(self, obj):
        return obj.reference

    def get_search_results(self, request, queryset, search_term):
        from .models import parse_reference

        number = parse_reference(search_term)
        if number is not None:
            return queryset.filter(number=number), False
        return super().get_search_results(request, queryset, search_term)
