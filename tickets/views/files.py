"""Attachments are served only here, after an access check."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404

from .. import selectors
from ..attachments import INLINE_TYPES
from ..models import Attachment, Message


@login_required
def attachment_download(request, number, attachment_id):
    ticket = selectors.ticket_for(request.user, number)
    attachment = Attachment.objects.select_related("message").filter(ticket=ticket, pk=attachment_id).first()
    if attachment is None:
        raise Http404
    if (
        not request.user.is_engineer
        and attachment.message is not None
        and attachment.message.visibility == Message.Visibility.INTERNAL
    ):
        raise Http404
    inline = attachment.content_type in INLINE_TYPES and request.GET.get("inline") == "1"
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=not inline,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=0, no-store"
    return response
