"""Root-cause names, per language (see ``sla/translation.py``)."""

from modeltranslation.translator import TranslationOptions, register

from .models import RootCause


@register(RootCause)
class RootCauseTranslation(TranslationOptions):
    fields = ("name",)
    # Unique per language: a language left empty is NULL, never a second ""
    empty_values = None
