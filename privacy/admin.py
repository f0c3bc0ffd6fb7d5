from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from . import services
from .models import DataExport, ErasureRequest


@admin.register(ErasureRequest)
class ErasureRequestAdmin(admin.ModelAdmin):
    """Approving erases the person at once (``privacy.services.erasure_approve``)."""

    list_display = ["pk", "user", "status", "requested_at", "decided_by", "done_at", "columns_changed"]
    list_filter = ["status"]
    readonly_fields = ["user", "status", "reason", "requested_at", "decided_by", "decided_at", "done_at", "columns_changed"]
    fields = [*readonly_fields, "decision_note"]
    actions = ["approve"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Approve and erase the person"), permissions=["change"])
    def approve(self, request, queryset):
        for erasure in queryset:
            try:
                services.erasure_approve(request=erasure, actor=request.user)
            except (ValidationError, PermissionDenied) as exc:
                self.message_user(request, f"#{erasure.pk}: {' '.join(getattr(exc, 'messages', [str(exc)]))}", messages.ERROR)
            else:
                self.message_user(request, _("Request #%(n)s: the person is erased.") % {"n": erasure.pk})


@admin.register(DataExport)
class DataExportAdmin(admin.ModelAdmin):
    list_display = ["user", "status", "progress", "created_at", "expires_at"]
    list_filter = ["status"]
    readonly_fields = ["user", "status", "progress", "created_at", "finished_at", "expires_at"]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False
