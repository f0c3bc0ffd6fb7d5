"""Admin-entered text customers read, kept per language (django-modeltranslation).

``name_en``, ``name_ru``, ``name_pl``… are real columns; ``name`` reads the visitor's
language and falls back to the default one, then to any language filled in
(``MODELTRANSLATION_FALLBACK_LANGUAGES``)."""

from modeltranslation.translator import TranslationOptions, register

from .models import Edition, Tariff


@register(Tariff)
class TariffTranslation(TranslationOptions):
    fields = ("name", "description")


@register(Edition)
class EditionTranslation(TranslationOptions):
    fields = ("name",)
