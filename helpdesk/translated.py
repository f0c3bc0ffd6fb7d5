"""Admin-entered text per language (django-modeltranslation) inside SQL aggregates.

A model instance's ``tariff.name`` already reads the active language with fallbacks; a
``.values("ticket__tariff__name")`` over another model reads the base column (the
default language). ``localized("ticket__tariff__name")`` is the expression that reads
it as the instance would: the active language, then the fallbacks, empty skipped."""

from django.conf import settings
from django.db.models import CharField, F, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import get_language
from modeltranslation.utils import build_localized_fieldname, resolution_order


def localized(path):
    """``Coalesce(path_<active>, path_<fallback>…, "")`` for a translated field reached by ``path``."""
    field = path.rsplit("__", 1)
    prefix, name = (field[0] + "__", field[1]) if len(field) == 2 else ("", field[0])
    languages = resolution_order(get_language() or "en")
    text = CharField()
    columns = [NullIf(F(prefix + build_localized_fieldname(name, code)), Value(""), output_field=text) for code in languages]
    return Coalesce(*columns, Value(""), output_field=text)


def translated_columns(path):
    """Every language's column of a translated field reached by ``path``, for ``.only()``
    on a model that is not itself translated: ``only("tariff__name")`` alone would load
    the base column and leave ``tariff.name`` (which reads the language columns) to one
    query per row."""
    field = path.rsplit("__", 1)
    prefix, name = (field[0] + "__", field[1]) if len(field) == 2 else ("", field[0])
    return tuple(prefix + build_localized_fieldname(name, code) for code, _name in settings.LANGUAGES)
