"""Forms of the engineer's workspace: queue filters, bulk actions and ticket actions."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from helpdesk.accounts.models import Organisation, User
from incidents.selectors import open_incidents
from sla.models import Tariff
from tickets.forms import EngineerReplyForm
from tickets.models import Kind, Level, PhoneCall, RootCause, Status, Urgency


class ActionForm(forms.Form):
    """The ticket page shows several forms at once: each gets its own ids (``id_<name>_<field>``)."""

    id_name = ""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"id_{self.id_name}_%s")
        super().__init__(*args, **kwargs)


class EngineerChoiceField(forms.ModelChoiceField):
    """Active engineers by name; loads two columns, not whole user rows."""

    def __init__(self, **kwargs):
        queryset = User.objects.filter(role="engineer", is_active=True).only("pk", "full_name").order_by("full_name")
        super().__init__(queryset=queryset, **kwargs)

    def label_from_instance(self, obj):
        return obj.full_name


class FastSelect(forms.Select):
    """A ``<select>`` written in Python: Django renders a template per option, and the queue
    renders about a hundred options (engineers twice) on every twenty-second poll."""

    def render(self, name, value, attrs=None, renderer=None):
        final = self.build_attrs(self.attrs, attrs)
        final["name"] = name
        chosen = set(self.format_value(value))
        options = format_html_join(
            "", "<option value=\"{}\"{}>{}</option>",
            ((v, mark_safe(" selected") if str(v) in chosen else "", label) for v, label in self.choices),
        )
        return format_html("<select{}>{}</select>", flatatt(final), options)


def bootstrap_classes(form):
    """Bootstrap's classes on every widget (and fast selects), for forms rendered without
    crispy-forms."""
    for field in form.fields.values():
        if type(field.widget) is forms.Select:
            field.widget = FastSelect(attrs=field.widget.attrs)
            field.widget.choices = field.choices
        widget = field.widget
        css = "form-select" if isinstance(widget, forms.Select) else "form-control"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class QueueFilterForm(forms.Form):
    VIEWS = [
        ("", _("All")), ("mine", _("Mine")), ("unassigned", _("Unassigned")), ("needs_reply", _("Needs reply")),
        ("due_soon", _("Due soon")), ("my_level", _("My level")), ("callbacks", _("Callbacks")),
    ]
    SLA_STATES = [("", _("Any")), ("breached", _("Breached")), ("soon", _("Due within the hour")), ("ok", _("On track"))]
    ORDER_CHOICES = [
        ("due", _("Nearest deadline")), ("-created_at", _("Newest first")), ("created_at", _("Oldest first")),
        ("relevance", _("Best match")),
    ]

    view = forms.ChoiceField(label=_("View"), required=False, choices=VIEWS)
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("open", _("All open")), ("", _("All")), *Status.choices]
    )
    kind = forms.ChoiceField(label=_("Type"), required=False, choices=[("", _("All types")), *Kind.choices])
    urgency = forms.ChoiceField(label=_("Urgency"), required=False, choices=[("", _("Any")), *Urgency.choices])
    level = forms.ChoiceField(label=_("Level"), required=False, choices=[("", _("Any")), *Level.choices])
    sla = forms.ChoiceField(label=_("SLA"), required=False, choices=SLA_STATES)
    tariff = forms.ModelChoiceField(
        label=_("Tariff"), required=False, queryset=Tariff.objects.only("pk", "name"), empty_label=_("Any tariff"),
    )
    assignee = EngineerChoiceField(label=_("Assignee"), required=False, empty_label=_("Anyone"))
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), required=False, queryset=Organisation.objects.all(), widget=forms.NumberInput,
        help_text=_("Organisation number"),
    )
    order = forms.ChoiceField(label=_("Order"), required=False, choices=ORDER_CHOICES)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap_classes(self)


class BulkForm(forms.Form):
    ACTIONS = [("take", _("Take")), ("assign", _("Assign to")), ("status", _("Change status to")),
               ("link", _("Link to incident"))]
    tickets = forms.TypedMultipleChoiceField(coerce=int, choices=(), label=_("Tickets"))
    action = forms.ChoiceField(choices=ACTIONS, label=_("Action"))
    assignee = EngineerChoiceField(label=_("Engineer"), required=False, empty_label=_("Choose the engineer"))
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("Choose the status")), *Status.choices])
    incident = forms.ModelChoiceField(
        label=_("Incident"), required=False, queryset=open_incidents().only("pk", "title_en", "title_ru", "title_pl"),
        empty_label=_("Choose the incident"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap_classes(self)
        # Any number: the service checks each ticket; unknown ones are reported, not fatal.
        self.fields["tickets"].valid_value = lambda value: True

    def clean(self):
        data = super().clean()
        if data.get("action") == "assign" and not data.get("assignee"):
            self.add_error("assignee", _("Choose the engineer."))
        if data.get("action") == "status" and not data.get("status"):
            self.add_error("status", _("Choose the status."))
        if data.get("action") == "link" and not data.get("incident"):
            self.add_error("incident", _("Choose the open incident to link the tickets to."))
        return data


class TriageForm(ActionForm):
    id_name = "triage"
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices)
    root_cause = forms.ModelChoiceField(
        label=_("Root cause"), required=False, queryset=RootCause.objects.filter(is_active=True)
    )
    effort_hours = forms.DecimalField(
        label=_("Estimated effort (hours)"), required=False, min_value=0, max_value=1000, decimal_places=2
    )


class CommitForm(ActionForm):
    id_name = "commit"
    planned_at = forms.DateTimeField(
        label=_("Planned completion"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )


class RefuseForm(ActionForm):
    id_name = "refuse"
    reason = forms.CharField(label=_("Reason, for the customer"), widget=forms.Textarea(attrs={"rows": 3}))


class EscalateForm(ActionForm):
    id_name = "escalate"
    to_level = forms.ChoiceField(label=_("Move to level"), choices=Level.choices)
    reason = forms.CharField(label=_("Why"), max_length=500)
    to_engineer = EngineerChoiceField(
        label=_("Hand to"), required=False, empty_label=_("The whole level"),
        help_text=_("They are emailed; otherwise every engineer of the new level is."),
    )
    commitment = forms.ChoiceField(
        label=_("The completion date committed to the customer"), initial="keep", widget=forms.RadioSelect,
        required=False,
        choices=[("keep", _("Still stands")), ("clear", _("No longer stands: the new level commits anew"))],
    )


class PhoneCallForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_call_%s")
        super().__init__(*args, **kwargs)

    class Meta:
        model = PhoneCall
        fields = ["direction", "duration_minutes", "summary"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 2})}


class ResolveForm(ActionForm):
    id_name = "resolve"
    summary = forms.CharField(label=_("What was fixed"), widget=forms.Textarea(attrs={"rows": 3}))
    prevention = forms.CharField(
        label=_("How to prevent it"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required for system errors."),
    )


class WorkspaceReplyForm(EngineerReplyForm):
    """The engineer's reply; ``then`` (one of the submit buttons) also sets the status."""

    THEN = [("", _("Send")), ("waiting", _("Send and wait for the customer")), ("resolved", _("Send and resolve"))]
    then = forms.ChoiceField(required=False, choices=THEN, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if data.get("then") and data.get("internal"):
            self.add_error("then", _("An internal note does not change the status; use Send."))
        return data


class SavedViewForm(forms.Form):
    name = forms.CharField(label=_("Name of the view"), max_length=60)
    query = forms.CharField(widget=forms.HiddenInput, required=False, max_length=1000)


class MergeForm(ActionForm):
    id_name = "merge"
    into = forms.CharField(
        label=_("Merge into ticket"), max_length=40, help_text=_("Its reference, e.g. HD-10042."),
    )


class SplitForm(ActionForm):
    id_name = "split"
    subject = forms.CharField(label=_("Subject of the new ticket"), max_length=200)


class LinkForm(ActionForm):
    id_name = "link"
    KINDS = [("related", _("related to")), ("causes", _("causes")), ("caused_by", _("caused by"))]
    kind = forms.ChoiceField(label=_("This ticket"), choices=KINDS, initial="related")
    ticket = forms.CharField(label=_("Ticket"), max_length=40, help_text=_("Its reference, e.g. HD-10042."))
