"""Field types shared by the API's serializers."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


def no_surrogates(value):
    # Lone UTF-16 surrogates survive JSON decoding but cannot be stored (UTF-8).
    if any("\ud800" <= ch <= "\udfff" for ch in value):
        raise ValidationError(_("The text contains characters that are not valid Unicode."))


class Text(serializers.CharField):
    """A CharField that refuses NUL bytes (DRF's default) and lone surrogates."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators.append(no_surrogates)


class Files(serializers.ListField):
    """Any number of uploaded files (multipart); size and type limits are those of
    the web form (``tickets.attachments.check_uploads``)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("child", serializers.FileField(use_url=False))
        kwargs.setdefault("required", False)
        kwargs.setdefault("default", list)
        super().__init__(**kwargs)
