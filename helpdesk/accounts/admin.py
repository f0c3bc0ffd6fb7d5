from auditlog.admin import LogEntryAdmin
from auditlog.models import LogEntry
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from .models import Organisation, PersonalDataConsent, User


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "partner_level", "dealer", "is_active", "created_at"]
    list_filter = ["kind", "partner_level", "is_active"]
    search_fields = ["name"]
    list_select_related = ["dealer"]
    autocomplete_fields = ["dealer"]
    show_full_result_count = False


class ConsentInline(admin.TabularInline):
    model = PersonalDataConsent
    extra = 0
    readonly_fields = ["version", "consented_at", "ip_address", "user_agent"]
    can_delete = False


class UserCreateForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "full_name", "organisation", "role", "support_level")


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    add_form = UserCreateForm
    form = UserEditForm
    ordering = ["email"]
    list_display = ["email", "full_name", "organisation", "role", "support_level", "is_active", "is_staff"]
    list_filter = ["role", "support_level", "is_active", "is_staff"]
    # Any part of the email or the name ("ivanov", "@acme", a surname): icontains,
    # served by trigram indexes (migration 0004_admin_search_trigram_indexes).
    search_fields = ["email", "full_name"]
    list_select_related = ["organisation"]
    autocomplete_fields = ["organisation"]
    show_full_result_count = False
    inlines = [ConsentInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Person"), {"fields": ("full_name", "organisation", "requested_organisation", "language", "time_zone")}),
        (_("Support role"), {"fields": ("role", "support_level")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "full_name", "organisation", "role", "support_level", "usable_password", "password1", "password2")}),
    )


# The audit log (django-auditlog) as shipped, searched by what our User has: its admin
# searches first_name/last_name, which this User model does not have.
admin.site.unregister(LogEntry)


@admin.register(LogEntry)
class AuditLogEntryAdmin(LogEntryAdmin):
    search_fields = ["object_repr", "=actor__email"]
    show_full_result_count = False
