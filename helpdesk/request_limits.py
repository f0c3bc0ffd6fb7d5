"""Requests too big to read: a clear 413 page (or the API's error shape), never a bare 400.

``RequestSizeLimitMiddleware`` refuses a body over ``REQUEST_MAX_BYTES`` from its
Content-Length before anything reads it; ``bad_request`` (Django's ``handler400``) turns
Django's own refusals (form fields over ``DATA_UPLOAD_MAX_MEMORY_SIZE``, more files than
``DATA_UPLOAD_MAX_NUMBER_FILES``) into the same page. Gunicorn caps the request line and
headers (``helpdesk/gunicorn_conf.py``).
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import JsonResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.views.defaults import bad_request as django_bad_request


def _too_large(request, message):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message, "code": "request_too_large", "errors": {}}, status=413)
    return render(request, "errors/too_large.html", {"message": message}, status=413)


def request_too_large_message():
    return _(
        "The request is too large: at most %(limit)s can be sent at once. "
        "Attach fewer or smaller files (at most %(per_file)s each), or pack a long log into a zip file."
    ) % {
        "limit": filesizeformat(settings.REQUEST_MAX_BYTES),
        "per_file": filesizeformat(settings.ATTACHMENT_MAX_FILE_BYTES),
    }


class RequestSizeLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.REQUEST_MAX_BYTES:
            return _too_large(request, request_too_large_message())
        return self.get_response(request)


def bad_request(request, exception):
    if isinstance(exception, (TooManyFilesSent, TooManyFieldsSent)):
        return _too_large(request, _(
            "Too many files or fields in one request: a message may carry at most %(limit)d files."
        ) % {"limit": settings.ATTACHMENT_MAX_FILES_PER_MESSAGE})
    if isinstance(exception, RequestDataTooBig):
        return _too_large(request, _(
            "The text sent is too long: at most %(limit)s of text fit in one request. "
            "Attach a long log as a file instead of pasting it."
        ) % {"limit": filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)})
    return django_bad_request(request, exception)
