"""Checks on uploaded files, the one place for them (web, API and inbound email alike).

A file is accepted when its real type (sniffed from the bytes) is on the allow-list, its
name's extension is on the allow-list too (``report.html`` is refused even though its
bytes are plain text), an archive's declared unpacked size stays within limits, and the
message's file count and the ticket's total size stay within theirs. Downloads always
carry an extension that matches the type served (``download_name``).
"""

import hashlib
import struct
import zipfile
from pathlib import PurePath

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

# Real content type → the extensions a file of that type may carry; the first one is
# what a download is given when the name's own extension does not belong to the type.
# Anything not listed is refused; 7z and RAR are not listed because their declared
# unpacked size cannot be read without a native-code library (zip and gzip can).
ALLOWED_TYPES = {
    "image/png": ("png",),
    "image/jpeg": ("jpg", "jpeg", "jfif"),
    "image/gif": ("gif",),
    "image/webp": ("webp",),
    "image/bmp": ("bmp",),
    "video/mp4": ("mp4", "m4v"),
    "video/webm": ("webm",),
    "video/quicktime": ("mov",),
    "video/x-matroska": ("mkv",),
    "video/x-msvideo": ("avi",),
    "application/pdf": ("pdf",),
    "application/zip": ("zip",),
    "application/gzip": ("gz", "tgz"),
    # Logs and configs. Never markup or scripts (html, svg, xml, js, hta, bat, ps1, …):
    # their bytes are text, but a browser or Windows runs them once downloaded.
    "text/plain": ("txt", "log", "out", "err", "trace", "json", "yaml", "yml", "ini", "conf", "cfg", "md", "diff", "patch", "sql"),
}
# Accepted once, no longer: files already stored keep downloading under their name.
STORED_BEFORE_TYPES = {"application/x-7z-compressed": ("7z",)}
ALLOWED_EXTENSIONS = frozenset(ext for extensions in ALLOWED_TYPES.values() for ext in extensions)
ARCHIVE_TYPES = {"application/zip", "application/gzip"}
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


def file_extension(name):
    """'log' for 'server.LOG', '' for a name without one."""
    return PurePath(name or "").suffix.lstrip(".").lower()


def download_name(name, content_type):
    """The name a file is downloaded under: its own, with an extension matching the
    type served (``notes.pdf`` that is really text downloads as ``notes.pdf.txt``)."""
    name = name or "attachment"
    extensions = ALLOWED_TYPES.get(content_type) or STORED_BEFORE_TYPES.get(content_type)
    if not extensions:
        return f"{name}.bin"
    if file_extension(name) in extensions:
        return name
    return f"{name}.{extensions[0]}"


def file_sha256(upload):
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def archive_unpacked_size(upload, content_type):
    """The unpacked size an archive declares (zip: its central directory; gzip: the
    ISIZE trailer), or None when the bytes cannot be read as that archive."""
    upload.seek(0)
    try:
        if content_type == "application/zip":
            with zipfile.ZipFile(upload) as archive:
                entries = archive.infolist()
                if len(entries) > settings.ATTACHMENT_ARCHIVE_MAX_ENTRIES:
                    return float("inf")
                return sum(entry.file_size for entry in entries)
        # gzip: the last four bytes are the unpacked size modulo 2**32 (RFC 1952).
        upload.seek(-4, 2)
        return struct.unpack("<I", upload.read(4))[0]
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, struct.error):
        return None
    finally:
        upload.seek(0)


def _archive_error(upload, content_type):
    unpacked = archive_unpacked_size(upload, content_type)
    if unpacked is None:
        return _("“%(name)s” is a damaged archive and cannot be opened.") % {"name": upload.name}
    limit = settings.ATTACHMENT_ARCHIVE_MAX_UNPACKED_BYTES
    ratio = settings.ATTACHMENT_ARCHIVE_MAX_RATIO
    if unpacked > limit or unpacked > ratio * max(upload.size, 1):
        return _(
            "“%(name)s” unpacks to more than an archive may hold (at most %(limit)s, "
            "and at most %(ratio)d times its own size). Please attach the files themselves."
        ) % {"name": upload.name, "limit": filesizeformat(limit), "ratio": ratio}
    return None


def check_file_count(files):
    """A message carries at most ``ATTACHMENT_MAX_FILES_PER_MESSAGE`` files. Checked
    where a person can fix it (the web forms' file field, the API's serializers), not in
    ``check_uploads``: an email with more files is the inbound channel's to trim."""
    limit = settings.ATTACHMENT_MAX_FILES_PER_MESSAGE
    count = len(files)
    if count > limit:
        raise ValidationError(
            ngettext(
                "You attached %(count)d files; a message may carry at most %(limit)d file.",
                "You attached %(count)d files; a message may carry at most %(limit)d files.",
                limit,
            ) % {"count": count, "limit": limit},
            code="too_many_files",
        )


def check_upload(upload):
    """One file's checks (size, type, extension, archive contents): its content type,
    or ValidationError naming the file and the rule. Inbound email calls this per file."""
    name = upload.name
    per_file = settings.ATTACHMENT_MAX_FILE_BYTES
    if upload.size > per_file:
        raise ValidationError(
            _("“%(name)s” is %(size)s; each file may be at most %(limit)s.")
            % {"name": name, "size": filesizeformat(upload.size), "limit": filesizeformat(per_file)}
        )
    extension = file_extension(name)
    content_type = sniff_content_type(upload)
    if content_type not in ALLOWED_TYPES or (extension and extension not in ALLOWED_EXTENSIONS):
        raise ValidationError(
            _("“%(name)s” is not an accepted kind of file. Accepted: images, screen videos, PDF, text logs and zip or gzip archives.")
            % {"name": name}
        )
    if content_type in ARCHIVE_TYPES:
        error = _archive_error(upload, content_type)
        if error:
            raise ValidationError(error)
    return content_type


def attached_bytes(ticket):
    """The bytes a ticket already holds in attachments: the one definition of the total
    that ``ATTACHMENT_MAX_TICKET_BYTES`` limits (one aggregate query)."""
    return ticket.attachments.aggregate(total=Sum("size"))["total"] or 0


def check_uploads(files, already_attached_bytes=0):
    """Validate every file before anything is saved; return [(file, content_type)].

    Raises ValidationError with one message per refused file, naming it and the limit.
    """
    files = list(files)
    per_ticket = settings.ATTACHMENT_MAX_TICKET_BYTES
    errors, accepted = [], []
    total = already_attached_bytes
    for upload in files:
        try:
            content_type = check_upload(upload)
        except ValidationError as exc:
            errors.extend(exc.messages)
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
