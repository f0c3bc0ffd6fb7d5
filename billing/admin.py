"""Admin for selling support. Every change goes through the services: an order is marked
paid or cancelled by an action, the ledger takes only adjustments with a reason."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from helpdesk.accounts.models import Organisation

from . import services
from .models import Order, PointsPack, PointsPlan, PointsRule, WalletEntry
from .selectors import wallet_balance


def _run(modeladmin, request, queryset, action, done_message):
    done = 0
    for order in queryset:
        try:
            action(order)
            done += 1
        except (ValidationError, PermissionDenied) as exc:
            modeladmin.message_user(
                request, f"{order.reference}: {' '.join(getattr(exc, 'messages', [str(exc)]))}", messages.ERROR
            )
    if done:
        modeladmin.message_user(request, done_message % {"n": done})


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ["reference", "organisation", "describe", "amount", "currency", "status", "created_at", "paid_at"]
    list_filter = ["status", "tariff", "currency"]
    search_fields = ["=number", "organisation__name", "=payment_reference"]
    list_select_related = ["organisation", "tariff", "license", "pack"]
    show_full_result_count = False
    actions = ["mark_paid", "cancel"]
    readonly_fields = [f.name for f in Order._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Mark paid and activate"), permissions=["change"])
    def mark_paid(self, request, queryset):
        _run(self, request, queryset, lambda o: services.order_pay(order=o, actor=request.user), _("%(n)d orders paid and active."))

    @admin.action(description=_("Cancel"), permissions=["change"])
    def cancel(self, request, queryset):
        _run(self, request, queryset, lambda o: services.order_cancel(order=o, actor=request.user), _("%(n)d orders cancelled."))


@admin.register(PointsPack)
class PointsPackAdmin(TranslationAdmin):
    list_display = ["name", "code", "points", "valid_months", "amount", "currency", "is_active"]


@admin.register(PointsPlan)
class PointsPlanAdmin(admin.ModelAdmin):
    list_display = ["tariff", "points_per_month"]


@admin.register(PointsRule)
class PointsRuleAdmin(admin.ModelAdmin):
    list_display = ["tariff", "item", "ticket_kind", "urgency", "points"]
    list_filter = ["tariff", "item"]


class AdjustmentForm(forms.ModelForm):
    organisation = forms.ModelChoiceField(Organisation.objects.all(), label=_("organisation"))

    class Meta:
        model = WalletEntry
        fields = ["points", "reason", "expires_on"]

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError(_("Say why the balance changes."))
        return reason

    def clean(self):
        data = super().clean()
        points, organisation = data.get("points"), data.get("organisation")
        if points == 0:
            self.add_error("points", _("An adjustment must change the balance."))
        elif points is not None and organisation is not None and points < 0:
            balance = wallet_balance(organisation)
            if -points > balance:
                self.add_error("points", _("The balance is only %(balance)d points.") % {"balance": balance})
        return data


@admin.register(WalletEntry)
class WalletEntryAdmin(admin.ModelAdmin):
    """The ledger, read-only; "add" is an admin's adjustment with a reason (append-only)."""

    list_display = ["created_at", "wallet", "kind", "points", "item", "ticket_number", "expires_on", "reason", "actor"]
    list_filter = ["kind", "item"]
    search_fields = ["wallet__organisation__name", "=ticket_number"]
    list_select_related = ["wallet__organisation", "actor"]
    show_full_result_count = False

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = AdjustmentForm
            kwargs["fields"] = None
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["organisation", "points", "reason", "expires_on"]
        return [f.name for f in WalletEntry._meta.fields]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else [f.name for f in WalletEntry._meta.fields]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        entry = services.wallet_adjust(
            organisation=form.cleaned_data["organisation"], points=form.cleaned_data["points"],
            reason=form.cleaned_data["reason"], actor=request.user, expires_on=form.cleaned_data.get("expires_on"),
        )
        obj.pk = entry.pk
        obj.wallet_id = entry.wallet_id
