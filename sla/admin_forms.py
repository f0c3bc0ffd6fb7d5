"""Admin forms in a manager's words: targets as hours and minutes, rules showing only
the fields of their kind."""

import zoneinfo
from datetime import timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import businesstime
from .models import EntitlementRule, Tariff, TariffUrgencyRule
from .templatetags.sla_format import hours_text

TARGET_FIELDS = ("first_response_minutes", "commitment_minutes", "resolution_minutes")


class HoursMinutesWidget(forms.MultiWidget):
    """Two number boxes, "h" and "min", for a duration stored in minutes."""

    def __init__(self, attrs=None):
        base = {"min": 0, "style": "width: 6em"}
        super().__init__(
            [forms.NumberInput({**base, "aria-label": _("hours"), "placeholder": _("h")}),
             forms.NumberInput({**base, "max": 59, "aria-label": _("minutes"), "placeholder": _("min")})],
            attrs,
        )

    def decompress(self, value):
        if value in (None, ""):
            return [None, None]
        return list(divmod(int(value), 60))


class HoursMinutesField(forms.MultiValueField):
    """Business time entered as hours and minutes (e.g. 5 h 0 min); cleans to minutes."""

    widget = HoursMinutesWidget

    def __init__(self, *, required=True, **kwargs):
        kwargs.pop("max_length", None)
        fields = (forms.IntegerField(min_value=0, max_value=100_000), forms.IntegerField(min_value=0, max_value=59))
        super().__init__(fields, required=required, require_all_fields=False, **kwargs)

    def compress(self, data_list):
        if not data_list or all(v in (None, "") for v in data_list):
            return None
        hours, minutes = (int(v or 0) for v in data_list)
        total = hours * 60 + minutes
        if total == 0 and self.required:
            raise ValidationError(_("Enter a time of at least one minute."))
        return total or None


def _target_fields(form):
    """Swap the minute boxes of the targets for hours-and-minutes; the columns stay minutes."""
    for name in TARGET_FIELDS:
        if name in form.fields:
            old = form.fields[name]
            form.fields[name] = HoursMinutesField(
                required=old.required, label=old.label, help_text=old.help_text or _("In business hours and minutes."),
                initial=old.initial,
            )


class TariffForm(forms.ModelForm):
    class Meta:
        model = Tariff
        fields = "__all__"
        labels = {
            "first_response_minutes": _("first response within (business time)"),
            "commitment_minutes": _("planned date or refusal within (business time)"),
            "resolution_minutes": _("resolution within (business time)"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _target_fields(self)


class UrgencyRuleForm(forms.ModelForm):
    class Meta:
        model = TariffUrgencyRule
        fields = "__all__"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _target_fields(self)


def business_day_text(calendar):
    """'1 business day = 9 h' from the calendar: its working time over the coming week
    divided by its working days (24x7: 24 h)."""
    if calendar.always_open:
        return _("1 business day = %(duration)s") % {"duration": hours_text(timedelta(hours=24))}
    now = timezone.now()
    pure = calendar.as_calendar(now)
    spans = list(businesstime.working_spans(pure, now, now + timedelta(days=7)))
    if not spans:
        return _("this calendar has no working time")
    total = sum((e - s for s, e in spans), timedelta(0))
    zone = zoneinfo.ZoneInfo(calendar.time_zone)
    days = {s.astimezone(zone).date() for s, _e in spans}
    return _("1 business day = %(duration)s") % {"duration": hours_text(total / len(days))}


KIND_FIELDS = {
    EntitlementRule.Kind.PARTNER_LEVEL: ("partner_level",),
    EntitlementRule.Kind.EDITION_TRIAL: ("edition", "months"),
}


class EntitlementRuleForm(forms.ModelForm):
    """Fields of the other kind are cleared, so a rule never keeps stale values."""

    class Meta:
        model = EntitlementRule
        fields = "__all__"

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        for other, names in KIND_FIELDS.items():
            if other != kind:
                for name in names:
                    if name in data and name != "months":
                        data[name] = "" if name == "partner_level" else None
        return data
