"""Attachments are served only here (and by the API), after an access check."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.template.loader import render_to_string

from helpdesk.throttle import ALL, ratelimit

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
@ratelimit("attachment", methods=ALL)
def attachment_download(request, number, attachment_id):
    attachment = selectors.attachment_for(request.user, number, attachment_id)
    return attachment_response(attachment, inline=request.GET.get("inline") == "1")


TEXT_VIEW_BYTES = 2 * 1024 * 1024


def text_lines(attachment):
    """The text file's lines (UTF-8, else Windows-1251 for Russian logs), the first
    TEXT_VIEW_BYTES only; and whether it was cut there."""
    with attachment.file.open("rb") as handle:
        raw = handle.read(TEXT_VIEW_BYTES + 1)
    cut = len(raw) > TEXT_VIEW_BYTES
    raw = raw[:TEXT_VIEW_BYTES]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("cp1251", errors="replace")
    return text.splitlines(), cut


@login_required
def attachment_text_view(request, number, attachment_id):
    """A text or log attachment as a page with line numbers, for whoever may download it.
    Sandboxed like the download: no scripts, nothing loaded from anywhere."""
    attachment = selectors.attachment_for(request.user, number, attachment_id)
    if attachment.content_type != "text/plain":
        raise Http404
    lines, cut = text_lines(attachment)
    html = render_to_string(
        "tickets/attachment_text.html",
        {"attachment": attachment, "lines": lines, "cut": cut, "number": number},
        request=request,
    )
    response = HttpResponse(html, content_type="text/html; charset=utf-8")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    response["Cache-Control"] = "private, max-age=0, no-store"
    return response
