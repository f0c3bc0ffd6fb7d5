"""Personal-data rights: export a copy (art. 15/20) and erase on request (art. 17).

Export: a worker writes a ZIP (account, consents, the tickets the person filed with their
public conversation, and those tickets' public files) and emails a link that expires.
Erasure: an admin approves; then every stored copy of the person's name, email address,
phone numbers and IP addresses is replaced, in every text column of every table (so a table
added later is covered without anyone remembering to), raw inbound mail from them is
redacted, and the account can no longer log in. The organisation's tickets remain.
"""

import io
import json
import logging
import zipfile
from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from helpdesk.accounts.models import PersonalDataConsent, User
from helpdesk.mail.services import email_enqueue
from inbound.models import InboundMessage
from tickets.models import Attachment, CallbackRequest, Message, Ticket
from tickets.search import search_query, ticket_search_rebuild

from .models import DataExport, ErasureRequest

log = logging.getLogger(__name__)

ERASED_NAME = "Deleted user {pk}"
ERASED_EMAIL = "deleted-{pk}@erased.invalid"


def export_request(*, user):
    """Queue an export; one per ``PRIVACY_EXPORT_INTERVAL_HOURS`` (a failed one does not count)."""
    since = timezone.now() - timedelta(hours=settings.PRIVACY_EXPORT_INTERVAL_HOURS)
    recent = user.data_exports.filter(created_at__gte=since).exclude(status=DataExport.Status.FAILED).first()
    if recent is not None:
        raise ValidationError(_("You asked for a copy recently; a new one can be made after %(when)s.") % {
            "when": timezone.localtime(recent.created_at + timedelta(hours=settings.PRIVACY_EXPORT_INTERVAL_HOURS)).strftime("%Y-%m-%d %H:%M"),
        })
    with transaction.atomic():
        export = DataExport.objects.create(user=user)
        transaction.on_commit(lambda: _build_later(export.pk))
    return export


def _build_later(export_id):
    from .tasks import build_export

    try:
        build_export.apply_async((export_id,), retry=False)
    except Exception:  # noqa: BLE001 - broker down: beat's sweep builds queued exports
        log.warning("could not publish data export %s", export_id)


def _progress(export, percent):
    DataExport.objects.filter(pk=export.pk).update(progress=percent)


def export_build(export_id):
    """Write the ZIP and email the link; safe to run twice (a ready export is left alone)."""
    with transaction.atomic():
        export = DataExport.objects.select_for_update().select_related("user").get(pk=export_id)
        if export.status not in (DataExport.Status.QUEUED, DataExport.Status.RUNNING):
            return export
        export.status = DataExport.Status.RUNNING
        export.save(update_fields=["status"])
    user = export.user
    buffer = io.BytesIO()
    tickets = Ticket.objects.filter(requester=user).order_by("created_at")
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        account = {
            "email": user.email, "full_name": user.full_name, "language": user.language, "time_zone": user.time_zone,
            "organisation": user.organisation.name if user.organisation_id else None, "date_joined": user.date_joined,
            "notification_prefs": user.notification_prefs,
        }
        archive.writestr("account.json", json.dumps(account, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2))
        consents = list(PersonalDataConsent.objects.filter(user=user).values("version", "consented_at", "ip_address", "user_agent"))
        archive.writestr("consents.json", json.dumps(consents, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2))
        _progress(export, 20)
        rows = []
        for ticket in tickets.iterator():
            messages = Message.objects.filter(ticket=ticket, visibility=Message.Visibility.PUBLIC).select_related("author")
            rows.append({
                "reference": ticket.reference, "subject": ticket.subject, "body": ticket.body, "status": ticket.status,
                "created_at": ticket.created_at,
                "conversation": [{"at": m.created_at, "from": m.author.full_name if m.author_id else "", "text": m.body} for m in messages],
            })
        archive.writestr("tickets.json", json.dumps(rows, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2))
        _progress(export, 50)
        files = Attachment.objects.filter(ticket__requester=user).exclude(message__visibility=Message.Visibility.INTERNAL)
        for attachment in files.select_related("ticket").iterator():
            try:
                with default_storage.open(attachment.file.name, "rb") as handle:
                    archive.writestr(f"files/{attachment.ticket.reference}/{attachment.pk}-{attachment.original_name}", handle.read())
            except OSError:
                log.warning("attachment %s missing from storage", attachment.pk)
        _progress(export, 90)
    name = default_storage.save(f"privacy/export-{export.token}.zip", ContentFile(buffer.getvalue()))
    now = timezone.now()
    with transaction.atomic():
        DataExport.objects.filter(pk=export.pk).update(
            status=DataExport.Status.READY, progress=100, file=name, finished_at=now,
            expires_at=now + timedelta(hours=settings.PRIVACY_EXPORT_LINK_HOURS),
        )
        email_enqueue(
            to=user.email, template="privacy/email/export_ready",
            context={"user": user, "url": reverse("privacy:export_download", args=[export.token]),
                     "hours": settings.PRIVACY_EXPORT_LINK_HOURS},
            language=user.email_language(), topic=f"privacy:{user.pk}",
        )
    export.refresh_from_db()
    return export


def export_for_download(user, token):
    """The ready, unexpired export of this user with this token, or None."""
    export = DataExport.objects.filter(user=user, token=token, status=DataExport.Status.READY).first()
    if export is None or export.expires_at is None or export.expires_at < timezone.now():
        return None
    return export


def erasure_request(*, user, reason=""):
    """A customer asks to be erased; one open request at a time."""
    if not user.is_customer:
        raise PermissionDenied(_("Only customers can ask for erasure here; staff accounts are removed by an admin."))
    if ErasureRequest.objects.filter(user=user, status__in=["requested", "approved"]).exists():
        raise ValidationError(_("Your request is already with us."))
    return ErasureRequest.objects.create(user=user, reason=reason.strip()[:2000])


def erasure_approve(*, request, actor, note=""):
    """An admin approves: the person is erased at once (in this transaction)."""
    if not (actor.is_staff and actor.has_perm("privacy.change_erasurerequest")):
        raise PermissionDenied(_("Only an admin with the right to decide erasure requests can approve one."))
    with transaction.atomic():
        request = ErasureRequest.objects.select_for_update().select_related("user").get(pk=request.pk)
        if request.status != ErasureRequest.Status.REQUESTED:
            raise ValidationError(_("This request is already decided."))
        request.status, request.decided_by, request.decided_at = ErasureRequest.Status.APPROVED, actor, timezone.now()
        request.decision_note = note
        request.save()
        changed = person_erase(request.user)
        # update(), not save(): the row's own text (the person's words) was just scrubbed.
        ErasureRequest.objects.filter(pk=request.pk).update(
            status=ErasureRequest.Status.DONE, done_at=timezone.now(), columns_changed=changed
        )
        request.refresh_from_db()
    log.info("erasure request %s done by %s: %s values replaced", request.pk, actor.pk, changed)
    return request


def erasure_reject(*, request, actor, note):
    if not note.strip():
        raise ValidationError(_("Say why the request is rejected."))
    with transaction.atomic():
        request = ErasureRequest.objects.select_for_update().get(pk=request.pk)
        if request.status != ErasureRequest.Status.REQUESTED:
            raise ValidationError(_("This request is already decided."))
        request.status, request.decided_by, request.decided_at = ErasureRequest.Status.REJECTED, actor, timezone.now()
        request.decision_note = note
        request.save()
    return request


def _identifiers(user):
    """Every string that identifies the person: name, email, phones they gave, IPs they used."""
    values = {user.full_name, user.email}
    values |= set(CallbackRequest.objects.filter(requested_by=user).values_list("phone", flat=True))
    values |= {str(ip) for ip in PersonalDataConsent.objects.filter(user=user).values_list("ip_address", flat=True) if ip}
    return sorted((v for v in values if v and len(v) >= 4), key=len, reverse=True)


def _text_columns():
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, (models.CharField, models.TextField)) and not field.choices:
                yield model._meta.db_table, field.column, "text"
            elif isinstance(field, models.JSONField):
                yield model._meta.db_table, field.column, "json"


def _search_documents_rebuild(user, identifiers):
    """Ticket search documents are built from the text (tickets.search), not generated by
    PostgreSQL: rebuild those that may hold the person's words (their tickets, tickets they
    wrote in, tickets whose document matches an identifier), now that the text is erased."""
    ids = set(Ticket.objects.filter(requester=user).values_list("pk", flat=True))
    ids |= set(Message.objects.filter(author=user).values_list("ticket_id", flat=True))
    for value in identifiers:
        query = search_query(value, include_internal=True)
        if query is not None:
            ids |= set(Ticket.objects.filter(search=query).values_list("pk", flat=True))
    ordered = sorted(ids)
    for start in range(0, len(ordered), 500):
        ticket_search_rebuild(ordered[start:start + 500])


def person_erase(user):
    """Replace the person's identifiers everywhere; returns how many values changed."""
    identifiers = _identifiers(user)
    name, email = ERASED_NAME.format(pk=user.pk), ERASED_EMAIL.format(pk=user.pk)
    replacement = {user.full_name: name, user.email: email}
    PersonalDataConsent.objects.filter(user=user).update(ip_address=None, user_agent="")
    raw_count = 0
    for message in InboundMessage.objects.filter(from_address__iexact=user.email).only("pk"):
        InboundMessage.objects.filter(pk=message.pk).update(raw=b"(erased at the sender's request)", from_name=name)
        raw_count += 1
    changed = raw_count
    with connection.cursor() as cursor:
        for table, column, kind in _text_columns():
            for value in identifiers:
                new = replacement.get(value, "[erased]")
                quoted_table, quoted_column = connection.ops.quote_name(table), connection.ops.quote_name(column)
                if kind == "json":
                    cursor.execute(
                        f"UPDATE {quoted_table} SET {quoted_column} = replace({quoted_column}::text, %s, %s)::jsonb "
                        f"WHERE strpos({quoted_column}::text, %s) > 0",
                        [json.dumps(value, ensure_ascii=False)[1:-1], json.dumps(new, ensure_ascii=False)[1:-1],
                         json.dumps(value, ensure_ascii=False)[1:-1]],
                    )
                else:
                    cursor.execute(
                        f"UPDATE {quoted_table} SET {quoted_column} = replace({quoted_column}, %s, %s) "
                        f"WHERE strpos({quoted_column}, %s) > 0",
                        [value, new, value],
                    )
                changed += cursor.rowcount
    _search_documents_rebuild(user, identifiers)
    User.objects.filter(pk=user.pk).update(is_active=False, notification_prefs={})
    user.refresh_from_db()
    user.set_unusable_password()
    user.save(update_fields=["password"])
    from django.contrib.sessions.models import Session

    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            session.delete()
    return changed
