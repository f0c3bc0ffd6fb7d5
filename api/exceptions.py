"""One error shape for every failure, documented in the schema as ``Error``:

    {"detail": "One sentence for people.", "code": "invalid",
     "errors": {"subject": ["This field is required."], "non_field_errors": ["…"]}}

``errors`` is empty unless the request had invalid fields. Services raise Django's
``ValidationError`` (→ 400) and ``PermissionDenied`` (→ 403); ``Http404`` stays a 404
with the same body whether the ticket is missing or belongs to someone else.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import set_rollback

NON_FIELD = api_settings.NON_FIELD_ERRORS_KEY


def _messages(value):
    """Any nesting of lists/dicts of messages → a flat list of strings."""
    if isinstance(value, dict):
        return [m for v in value.values() for m in _messages(v)]
    if isinstance(value, (list, tuple)):
        return [m for v in value for m in _messages(v)]
    return [str(value)]


def _field_errors(detail):
    if isinstance(detail, dict):
        errors = {}
        for field, value in detail.items():
            if isinstance(value, dict) and field != NON_FIELD:
                # Nested serializer: "license.serial"; list items: "attachments.0".
                for sub, messages in _field_errors(value).items():
                    key = field if sub == NON_FIELD else f"{field}.{sub}"
                    errors.setdefault(key, []).extend(messages)
            else:
                errors[str(field)] = _messages(value)
        return errors
    return {NON_FIELD: _messages(detail)}


def _from_django(exc):
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            detail = {
                (NON_FIELD if field == "__all__" else field): [str(m) for m in errors]
                for field, errors in exc.message_dict.items()
            }
        else:
            detail = {NON_FIELD: list(exc.messages)}
        return exceptions.ValidationError(detail)
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied(str(exc) or None)
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    return exc


def exception_handler(exc, context):
    exc = _from_django(exc)
    if not isinstance(exc, exceptions.APIException):
        return None  # a real bug: let Django answer 500 and log it
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))
    if isinstance(exc, exceptions.ValidationError):
        errors = _field_errors(exc.detail)
        body = {"detail": _("Some fields are not valid."), "code": "invalid", "errors": errors}
        if set(errors) == {NON_FIELD} and len(errors[NON_FIELD]) == 1:
            body["detail"] = errors[NON_FIELD][0]
    else:
        detail = exc.detail
        text = " ".join(_messages(detail)) if isinstance(detail, (list, dict)) else str(detail)
        code = exc.get_codes() if not isinstance(detail, (list, dict)) else exc.default_code
        body = {"detail": text, "code": str(code), "errors": {}}
    set_rollback()
    return Response(body, status=exc.status_code or status.HTTP_400_BAD_REQUEST, headers=headers)
