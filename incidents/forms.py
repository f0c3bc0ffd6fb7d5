"""Forms of the incident pages: they validate and clean, the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from helpdesk.accounts.models import Organisation
from sla.models import Edition, Tariff
from tickets.models import parse_reference

from .models import OPEN_STATES, State

OPEN_STATE_CHOICES = [(s.value, s.label) for s in State if s in OPEN_STATES]
MAX_TEXT = 20_000


def _text(label, required=False):
    return forms.CharField(label=label, required=required, max_length=MAX_TEXT,
                           widget=forms.Textarea(attrs={"rows": 3}))


class DeclareForm(forms.Form):
    title_en = forms.CharField(label=_("Title (English)"), required=False, max_length=200)
    title_ru = forms.CharField(label=_("Title (Russian)"), required=False, max_length=200)
    title_pl = forms.CharField(label=_("Title (Polish)"), required=False, max_length=200)
    status_text_en = _text(_("Public status (English)"))
    status_text_ru = _text(_("Public status (Russian)"))
    status_text_pl = _text(_("Public status (Polish)"))
    state = forms.ChoiceField(label=_("State"), choices=OPEN_STATE_CHOICES, initial=State.INVESTIGATING)
    affects_everyone = forms.BooleanField(label=_("Affects every customer"), required=False)
    organisations = forms.ModelMultipleChoiceField(
        label=_("Organisations affected"), required=False, queryset=Organisation.objects.order_by("name"),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    editions = forms.ModelMultipleChoiceField(
        label=_("Products (editions) affected"), required=False, queryset=Edition.objects.all(),
        widget=forms.CheckboxSelectMultiple,
    )
    tariffs = forms.ModelMultipleChoiceField(
        label=_("Services (tariffs) affected"), required=False, queryset=Tariff.objects.filter(is_active=True),
        widget=forms.CheckboxSelectMultiple,
    )


class UpdateForm(forms.Form):
    state = forms.ChoiceField(label=_("State"), choices=OPEN_STATE_CHOICES)
    body_en = _text(_("Update (English)"))
    body_ru = _text(_("Update (Russian)"))
    body_pl = _text(_("Update (Polish)"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_update_%s")
        super().__init__(*args, **kwargs)


class ResolveForm(forms.Form):
    summary = _text(_("What was fixed"), required=True)
    prevention = _text(_("How it is prevented"), required=True)
    body_en = _text(_("Closing update (English, optional)"))
    body_ru = _text(_("Closing update (Russian, optional)"))
    body_pl = _text(_("Closing update (Polish, optional)"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_resolve_%s")
        super().__init__(*args, **kwargs)


class LinkForm(forms.Form):
    reference = forms.CharField(label=_("Ticket reference"), max_length=40, help_text=_("For example HD-10042."))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_link_%s")
        super().__init__(*args, **kwargs)

    def clean_reference(self):
        number = parse_reference(self.cleaned_data["reference"])
        if number is None:
            raise forms.ValidationError(_("Write a ticket reference such as HD-10042."))
        return number


class KeepOpenForm(forms.Form):
    keep_open = forms.BooleanField(required=False)
