from datetime import timedelta

from django import forms
from django.contrib import admin
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from . import businesstime
from .admin_forms import EntitlementRuleForm, TariffForm, UrgencyRuleForm, business_day_text
from .models import (
    BusinessCalendar,
    Edition,
    EntitlementRule,
    Holiday,
    License,
    Subscription,
    Tariff,
    TariffPrice,
    TariffUrgencyRule,
    WorkingInterval,
)
from .templatetags.sla_format import hours_text


class WorkingIntervalInline(admin.TabularInline):
    model = WorkingInterval
    extra = 0


class HolidayInline(admin.TabularInline):
    model = Holiday
    extra = 0


def _preview(calendar, minutes):
    """'A ticket filed now would be due at …' in the calendar's own time zone."""
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    now = timezone.now()
    try:
        due = businesstime.add_business_time(calendar.as_calendar(now), now, timedelta(minutes=minutes))
    except businesstime.NoWorkingTime:
        return _("never: this calendar has no working time")
    tz = ZoneInfo(calendar.time_zone)
    return f"{date_format(due.astimezone(tz), 'DATETIME_FORMAT')} ({calendar.time_zone})"


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin):
    list_display = ["name", "time_zone", "always_open", "holiday_country"]
    search_fields = ["name"]
    inlines = [WorkingIntervalInline, HolidayInline]
    readonly_fields = ["preview"]

    @admin.display(description=_("A ticket filed now with a 5-hour target would be due at"))
    def preview(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        return _preview(obj, 5 * 60)


class UrgencyRuleInline(admin.TabularInline):
    model = TariffUrgencyRule
    form = UrgencyRuleForm
    extra = 0


class PriceInline(admin.TabularInline):
    model = TariffPrice
    extra = 0


def _duration(minutes):
    return hours_text(timedelta(minutes=minutes)) if minutes else "—"


@admin.register(Tariff)
class TariffAdmin(TranslationAdmin):
    form = TariffForm
    list_display = ["name", "code", "rank", "is_default", "allows_phone", "first_response", "commitment", "is_active"]
    list_filter = ["is_active", "allows_phone"]
    search_fields = ["name", "code"]
    inlines = [UrgencyRuleInline, PriceInline]
    readonly_fields = ["preview"]
    fieldsets = (
        (None, {"fields": ("name", "code", "description", "rank", "is_default", "is_active")}),
        (_("Channels"), {"fields": ("allows_web", "allows_email", "allows_phone", "phone_number")}),
        (_("Targets"), {"fields": ("calendar", "first_response_minutes", "commitment_minutes", "resolution_minutes", "warn_at_percent", "incident_update_is_first_response", "preview")}),
    )

    @admin.display(description=_("first response within"), ordering="first_response_minutes")
    def first_response(self, obj):
        return _duration(obj.first_response_minutes)

    @admin.display(description=_("planned date or refusal within"), ordering="commitment_minutes")
    def commitment(self, obj):
        return _duration(obj.commitment_minutes)

    @admin.display(description=_("A ticket filed now would get its first response by"))
    def preview(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        return _("%(due)s; %(day)s") % {
            "due": _preview(obj.calendar, obj.first_response_minutes), "day": business_day_text(obj.calendar),
        }

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change:
            self.message_user(
                request,
                _("Running tickets keep the deadlines they were filed with. To apply the new targets to them, use the action “Recompute deadlines with the current tariff” in the ticket list."),
            )


@admin.register(Edition)
class EditionAdmin(TranslationAdmin):
    list_display = ["name", "code"]
    search_fields = ["name"]


class SubscriptionInline(admin.TabularInline):
    """Periods are shown here; a new one is added on the subscription page, through the
    service, so it starts exactly when the current one ends."""

    model = Subscription
    extra = 0
    fields = ["tariff", "starts_on", "ends_on", "source"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(License)
class LicenseAdmin(admin.ModelAdmin):
    list_display = ["serial", "edition", "organisation", "support_until"]
    list_filter = ["edition"]
    search_fields = ["=serial", "organisation__name"]
    list_select_related = ["edition", "organisation"]
    autocomplete_fields = ["organisation"]
    inlines = [SubscriptionInline]
    show_full_result_count = False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            from .services import entitlements_apply

            for sub in entitlements_apply(obj):
                self.message_user(request, _("Granted: %(sub)s") % {"sub": sub})

    def get_search_results(self, request, queryset, search_term):
        from .serials import format_serial, normalise

        chars = normalise(search_term)
        if len(chars) == 20:
            search_term = format_serial(chars)
        return super().get_search_results(request, queryset, search_term)


class SubscriptionAddForm(forms.ModelForm):
    months = forms.IntegerField(label=_("period (months)"), min_value=1, max_value=120, initial=12)

    class Meta:
        model = Subscription
        fields = ["license", "tariff", "source"]


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    """Adding a period goes through ``subscription_activate``: it starts the day after the
    current period of the same tariff ends (or today). Existing periods are read-only."""

    list_display = ["license", "tariff", "starts_on", "ends_on", "source"]
    list_filter = ["tariff", "source"]
    search_fields = ["=license__serial"]
    list_select_related = ["license", "tariff"]
    raw_id_fields = ["license"]
    show_full_result_count = False

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = SubscriptionAddForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["license", "tariff", "source", "months"]
        return ["license", "tariff", "starts_on", "ends_on", "source", "rule"]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else ["license", "tariff", "starts_on", "ends_on", "source", "rule"]

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            return
        from .services import subscription_activate

        created = subscription_activate(
            license=form.cleaned_data["license"], tariff=form.cleaned_data["tariff"],
            months=form.cleaned_data["months"], source=form.cleaned_data["source"],
        )
        obj.pk, obj.starts_on, obj.ends_on = created.pk, created.starts_on, created.ends_on
        self.message_user(request, _("The new period covers %(start)s – %(end)s.") % {
            "start": date_format(created.starts_on, "DATE_FORMAT"), "end": date_format(created.ends_on, "DATE_FORMAT"),
        })


@admin.register(EntitlementRule)
class EntitlementRuleAdmin(admin.ModelAdmin):
    """A rule shows only its kind's fields: chosen in the list's "add" links (``?kind=``)
    or read from the saved rule; a new rule of unknown kind shows both, labelled."""

    form = EntitlementRuleForm
    list_display = ["name", "kind", "partner_level", "edition", "tariff", "months", "is_active"]
    list_filter = ["kind", "is_active"]

    def _kind(self, request, obj):
        kind = obj.kind if obj is not None else (request.POST.get("kind") or request.GET.get("kind"))
        return kind if kind in EntitlementRule.Kind.values else None

    def get_fieldsets(self, request, obj=None):
        common = (None, {"fields": ("name", "kind", "tariff", "is_active")})
        partner = (_("Free for a partner level"), {"fields": ("partner_level",)})
        trial = (_("Trial for owners of an edition"), {"fields": ("edition", "months")})
        kind = self._kind(request, obj)
        if kind == EntitlementRule.Kind.PARTNER_LEVEL:
            return (common, partner)
        if kind == EntitlementRule.Kind.EDITION_TRIAL:
            return (common, trial)
        return (common, partner, trial)
