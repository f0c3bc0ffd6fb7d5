"""Checks on uploaded files: size limits and an allow-list on the content's real type."""

import hashlib

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

# Real content type → shown as. Anything not listed is refused.
ALLOWED_TYPES = {
    "image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp",
    "video/mp4", "video/webm", "video/quicktime", "video/x-matroska", "video/x-msvideo",
    "application/pdf", "application/zip", "application/gzip", "application/x-7z-compressed",
    "text/plain",
}
# Only these are ever shown inline in the browser; everything else is a download.
INLINE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}
SNIFF_BYTES = 64 * 1024


def sniff_content_type(upload):
    """The file's real type from its bytes, ignoring its name and the browser's claim.

    Binary formats are recognised by their signature; otherwise text (logs, configs) is
    accepted when it decodes as UTF-8 or a single-byte charset and holds no NUL bytes.
    """
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is not None:
        return kind.mime
    if not head or b"\x00" in head:
        return "application/octet-stream" if head else "text/plain"
    return "text/plain"


def file_sha256(upload):
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def attached_bytes(ticket):
    """The bytes a ticket already holds in attachments: the one definition of the total
    that ``ATTACHMENT_MAX_TICKET_BYTES`` limits (one aggregate query)."""
    return ticket.attachments.aggregate(total=Sum("size"))["total"] or 0


def check_uploads(files, already_attached_bytes=0):
    """Validate every file before anything is saved; return [(file, content_type)].

    Raises ValidationError with one message per refused file, naming it and the limit.
    """
    per_file = settings.ATTACHMENT_MAX_FILE_BYTES
    per_ticket = settings.ATTACHMENT_MAX_TICKET_BYTES
    errors, accepted = [], []
    total = already_attached_bytes
    for upload in files:
        name = upload.name
        if upload.size > per_file:
            errors.append(
                _("“%(name)s” is %(size)s; each file may be at most %(limit)s.")
                % {"name": name, "size": filesizeformat(upload.size), "limit": filesizeformat(per_file)}
            )
            continue
        content_type = sniff_content_type(upload)
        if content_type not in ALLOWED_TYPES:
            errors.append(
                _("“%(name)s” is not an accepted kind of file. Accepted: images, screen videos, PDF, text logs and archives.")
                % {"name": name}
            )
            continue
        total += upload.size
        accepted.append((upload, content_type))
    if total > per_ticket:
        errors.append(
            _("Together the files are %(size)s; a ticket may hold at most %(limit)s of attachments.")
            % {"size": filesizeformat(total), "limit": filesizeformat(per_ticket)}
        )
    if errors:
        raise ValidationError(errors)
    return accepted
