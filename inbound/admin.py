from django import forms
from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import fetch, services
from .models import InboundMessage, Mailbox, UnverifiedContact

RAW_PREVIEW_BYTES = 200_000


class MailboxForm(forms.ModelForm):
    """The password is write-only: typed here, stored encrypted, never shown again."""

    password = forms.CharField(
        label=_("password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Stored encrypted. Leave empty to keep the current one."),
    )

    class Meta:
        model = Mailbox
        fields = "__all__"

    def clean(self):
        data = super().clean()
        has_stored = bool(self.instance.password_encrypted)
        if not data.get("password") and not data.get("password_env") and not has_stored:
            raise forms.ValidationError(_("Enter a password or the name of an environment variable holding it."))
        return data

    def save(self, commit=True):
        if self.cleaned_data.get("password"):
            self.instance.set_password(self.cleaned_data["password"])
        elif self.cleaned_data.get("password_env"):
            self.instance.password_encrypted = ""
        return super().save(commit=commit)


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin):
    form = MailboxForm
    list_display = ["name", "address", "protocol", "host", "is_active", "unknown_senders", "last_polled_at", "last_error"]
    list_filter = ["is_active", "protocol"]
    readonly_fields = ["last_polled_at", "last_error", "has_stored_password"]
    actions = ["poll_now"]
    fieldsets = [
        (None, {"fields": ["name", "address", "is_active", "language", "unknown_senders"]}),
        (_("Server"), {"fields": ["protocol", "security", "host", "port", "username", "password", "password_env",
                                  "has_stored_password", "folder", "delete_after_import"]}),
        (_("Status"), {"fields": ["last_polled_at", "last_error"]}),
    ]

    @admin.display(boolean=True, description=_("password stored"))
    def has_stored_password(self, obj):
        return bool(obj.password_encrypted)

    @admin.action(description=_("Fetch now"))
    def poll_now(self, request, queryset):
        for mailbox in queryset:
            stats = fetch.mailbox_poll(mailbox)
            if stats["error"]:
                self.message_user(request, f"{mailbox.name}: {stats['error']}", messages.ERROR)
            else:
                self.message_user(
                    request,
                    _("%(name)s: %(stored)s new, %(duplicates)s already known, %(processed)s processed.")
                    % {"name": mailbox.name, **stats},
                )


@admin.register(InboundMessage)
class InboundMessageAdmin(admin.ModelAdmin):
    list_display = ["fetched_at", "mailbox", "from_address", "subject", "state", "outcome", "short_reason", "ticket_link"]
    list_filter = ["state", "hold", "outcome", "mailbox"]
    search_fields = ["=from_address", "=from_domain", "subject", "=message_id"]
    date_hierarchy = "fetched_at"
    show_full_result_count = False
    list_select_related = ["mailbox", "ticket"]
    actions = ["process_again"]
    readonly_fields = [
        "mailbox", "message_id", "remote_uid", "size", "from_address", "from_domain", "from_name", "subject", "state",
        "hold", "outcome", "reason", "ticket_link", "attempts", "fetched_at", "processed_at", "raw_preview",
    ]
    exclude = ["ticket", "raw", "message_key"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("reason"))
    def short_reason(self, obj):
        return (obj.reason[:80] + "…") if len(obj.reason) > 80 else obj.reason

    @admin.display(description=_("ticket"))
    def ticket_link(self, obj):
        if obj.ticket_id is None:
            return "—"
        return format_html('<a href="{}">{}</a>', reverse("workspace:work", args=[obj.ticket.number]), obj.ticket.reference)

    @admin.display(description=_("raw message"))
    def raw_preview(self, obj):
        raw = bytes(obj.raw or b"")
        text = raw[:RAW_PREVIEW_BYTES].decode("utf-8", "replace")
        if len(raw) > RAW_PREVIEW_BYTES:
            text += "\n…"
        return format_html('<pre style="white-space:pre-wrap;max-height:40em;overflow:auto">{}</pre>', text)

    @admin.action(description=_("Process again (not for imported messages)"))
    def process_again(self, request, queryset):
        done = services.inbound_reprocess(queryset)
        skipped = queryset.count() - len(done)
        summary = ", ".join(f"#{row.pk}: {row.get_state_display()}" for row in done if row is not None)
        self.message_user(
            request,
            ngettext("%(count)d message processed again.", "%(count)d messages processed again.", len(done))
            % {"count": len(done)} + (f" {summary}" if summary else ""),
        )
        if skipped:
            self.message_user(
                request,
                ngettext("%(count)d imported message skipped: it would be imported twice.",
                         "%(count)d imported messages skipped: they would be imported twice.", skipped)
                % {"count": skipped},
                messages.WARNING,
            )


@admin.register(UnverifiedContact)
class UnverifiedContactAdmin(admin.ModelAdmin):
    """Accounts opened from mail by unknown senders. Verify one by moving the user to
    the right organisation and activating them (in Users); this row then no longer
    matters."""

    list_display = ["user", "organisation", "created_at"]
    search_fields = ["=user__email"]
    list_select_related = ["user", "organisation"]
    readonly_fields = ["user", "organisation", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
