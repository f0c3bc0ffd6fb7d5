import re
import uuid

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from .attachments import check_file_count
from .models import Status, Ticket

# The longest text a ticket or a reply may carry (the API's limit too).
BODY_MAX_LENGTH = 100_000


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Up to ``ATTACHMENT_MAX_FILES_PER_MESSAGE`` files; the checks live in ``attachments.py``."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            files = [d for d in data if d]
            check_file_count(files)
            return [single(d, initial) for d in files]
        return [single(data, initial)] if data else []


class TicketForm(forms.ModelForm):
    # A one-time key per rendering of the form: posting the same form twice (a double
    # click, a reload) files one ticket (tickets.services.ticket_create).
    submission_key = forms.RegexField(
        regex=r"^[0-9a-f]{32}$", required=False, widget=forms.HiddenInput,
    )

    def __init__(self, *args, licenses=None, organisations=None, charges_points=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("submission_key", uuid.uuid4().hex)
        if charges_points:
            self.fields["basic_terms"] = forms.BooleanField(
                label=_("If our support points are not enough, file it on the basic terms at no charge"),
                required=False,
            )
        self.fields["attachments"].help_text = _(
            "Screenshots, screen videos, text logs, PDF, zip: up to %(count)d files of at most %(per_file)s each, "
            "%(per_ticket)s in all."
        ) % {
            "count": settings.ATTACHMENT_MAX_FILES_PER_MESSAGE,
            "per_file": filesizeformat(settings.ATTACHMENT_MAX_FILE_BYTES),
            "per_ticket": filesizeformat(settings.ATTACHMENT_MAX_TICKET_BYTES),
        }
        organisations = list(organisations or [])
        if len(organisations) > 1:
            # A dealer files for the client organisations it serves.
            self.fields["organisation"] = forms.ModelChoiceField(
                label=_("On behalf of"), queryset=None, empty_label=None,
            )
            self.fields["organisation"].queryset = organisations[0].__class__.objects.filter(
                pk__in=[o.pk for o in organisations]
            )
        licenses = list(licenses or [])
        if licenses:
            self.fields["license"] = forms.ModelChoiceField(
                label=_("License"), queryset=None, required=False, empty_label=_("— not about a specific license —"),
            )
            self.fields["license"].queryset = licenses[0].__class__.objects.filter(pk__in=[lic.pk for lic in licenses])
            self.order_fields(["kind", "license"])

    attachments = MultipleFileField(label=_("Attachments"))
    body = forms.CharField(
        label=_("Describe the problem: steps to reproduce, the exact error text"),
        max_length=BODY_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 8}),
    )
    reproduced_at = forms.DateTimeField(
        label=_("When did you last reproduce the problem?"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
    )

    class Meta:
        model = Ticket
        fields = [
            "kind", "is_integration", "subject", "body", "reproduced_at", "browser",
            "customer_urgency", "suspected_cause",
        ]
        labels = {
            "kind": _("Type of request"),
            "is_integration": _("This concerns an integration or a template import"),
            "customer_urgency": _("How urgent is it for you?"),
            "suspected_cause": _("What do you think causes it? (optional)"),
        }
        widgets = {
            "kind": forms.RadioSelect,
            "suspected_cause": forms.Textarea(attrs={"rows": 2}),
        }

    def clean_subject(self):
        subject = " ".join(self.cleaned_data["subject"].split())
        if not subject:
            raise forms.ValidationError(_("Please give the request a subject."))
        return subject


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("Your reply"), widget=forms.Textarea(attrs={"rows": 5}), max_length=BODY_MAX_LENGTH)
    attachments = MultipleFileField(label=_("Attachments"))


class EngineerReplyForm(ReplyForm):
    internal = forms.BooleanField(
        label=_("Internal note (never shown to the customer)"), required=False
    )
    wait_for_customer = forms.BooleanField(
        label=_("Send and wait for the customer's answer (pauses the SLA clock)"), required=False
    )

    def clean(self):
        data = super().clean()
        if data.get("internal") and data.get("wait_for_customer"):
            raise forms.ValidationError(_("Only a public reply from support can wait for the customer's answer."))
        return data


class TransitionForm(forms.Form):
    status = forms.ChoiceField(choices=Status.choices)


class CallbackForm(forms.Form):
    phone = forms.CharField(label=_("Phone number"), max_length=40)
    preferred_time = forms.CharField(label=_("When is it convenient to call?"), max_length=200, required=False)

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        digits = re.sub(r"\D", "", phone)
        if not 6 <= len(digits) <= 15 or re.search(r"[^\d\s()+\-.]", phone):
            raise forms.ValidationError(_("Enter a phone number of 6 to 15 digits, e.g. +7 495 123-45-67."))
        return phone


class CustomerFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    status = forms.ChoiceField(
        label=_("Status"), required=False,
        choices=[("", _("All")), ("open", _("All open")), *Status.choices],
    )


_BROWSERS = [
    ("Edge", r"Edg(?:e|A|iOS)?/([\d.]+)"),
    ("Yandex Browser", r"YaBrowser/([\d.]+)"),
    ("Opera", r"OPR/([\d.]+)"),
    ("Firefox", r"Firefox/([\d.]+)"),
    ("Chromium", r"Chromium/([\d.]+)"),
    ("Chrome", r"Chrome/([\d.]+)"),
    ("Safari", r"Version/([\d.]+).*Safari/"),
]


def browser_from_user_agent(user_agent):
    """A readable 'Firefox 133' from the User-Agent header, or '' if unrecognised."""
    for name, pattern in _BROWSERS:
        match = re.search(pattern, user_agent or "")
        if match:
            major = match.group(1).split(".")[0]
            return f"{name} {major}"
    return ""

