"""Attachments are served only here (and by the API), after an access check."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse

from .. import selectors
from ..attachments import INLINE_TYPES, download_name


def attachment_response(attachment, *, inline=False):
    """The file as a download (inline only for safe image types), never sniffed, under
    a name whose extension matches the type served."""
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=not (inline and attachment.content_type in INLINE_TYPES),
        filename=download_name(attachment.original_name, attachment.content_type),
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=0, no-store"
    return response


@login_required
def attachment_download(request, number, attachment_id):
    attachment = selectors.attachment_for(request.user, number, attachment_id)
    return attachment_response(attachment, inline=request.GET.get("inline") == "1")
