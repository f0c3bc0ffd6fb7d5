"""Points-pack names, per language (see ``sla/translation.py``)."""

from modeltranslation.translator import TranslationOptions, register

from .models import PointsPack


@register(PointsPack)
class PointsPackTranslation(TranslationOptions):
    fields = ("name",)
