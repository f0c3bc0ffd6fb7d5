"""The Russian and Polish catalogues are complete, well-formed and compiled.

Pure Python: the .po files are read by the parser in scripts/translations_todo.py and the .mo files by
``gettext.GNUTranslations``, so no gettext tools are needed to run these tests.
After adding strings: makemessages, translate what scripts/translations_todo.py lists,
compilemessages, and commit the .po and .mo files together.
"""

import gettext
import importlib.util
import re
from collections import Counter
from pathlib import Path

import pytest
from django.template.loader import render_to_string
from django.utils import translation

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "locale"
LANGUAGES = ["ru", "pl"]

def _load_todo_script():
    """The .po reader lives in scripts/translations_todo.py (stdlib only, run without
    Django); the tests read the catalogues with the very same code."""
    spec = importlib.util.spec_from_file_location("translations_todo", ROOT / "scripts" / "translations_todo.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


parse_po = _load_todo_script().parse_po


def parse_header(entries):
    header = entries[0]
    assert header["msgid"] == "" and header["msgctxt"] is None, "the header must come first"
    return dict(line.split(": ", 1) for line in header["msgstr"].splitlines() if ": " in line)


def nplurals(header):
    return int(re.search(r"nplurals\s*=\s*(\d+)", header["Plural-Forms"]).group(1))


# %% | %(name)s | %s %d %05.2f ... ; "% of" (space flag) is deliberately not a placeholder.
_PERCENT = re.compile(r"%%|%\((?P<name>[^)]*)\)[#0 +-]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]|%[#0+-]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")
_BRACE = re.compile(r"(?<!\{)\{[A-Za-z_][A-Za-z0-9_.]*\}(?!\})")


def placeholders(text):
    named, unnamed = Counter(), []
    for m in _PERCENT.finditer(text):
        if m.group(0) == "%%":
            continue
        if m.group("name") is not None:
            named[m.group("name")] += 1
        else:
            unnamed.append(m.group(0))
    return set(named), unnamed, Counter(_BRACE.findall(text))


def messages(lang):
    """Every entry but the header."""
    return parse_po(po_path(lang))[1:]


def po_path(lang):
    return LOCALE / lang / "LC_MESSAGES" / "django.po"


def mo_path(lang):
    return LOCALE / lang / "LC_MESSAGES" / "django.mo"


def describe(entry):
    return f"line {entry['line']}: {entry['msgid']!r}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_header_is_complete(lang):
    header = parse_header(parse_po(po_path(lang)))
    assert header.get("Language") == lang
    assert "charset=UTF-8" in header.get("Content-Type", "")
    assert nplurals(header) >= 2
    assert "fuzzy" not in parse_po(po_path(lang))[0]["flags"], "a fuzzy header is dropped by msgfmt"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalogue_is_not_empty(lang):
    # A regression guard: the catalogue covers the whole UI, not a handful of strings.
    assert len(messages(lang)) > 300


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_entry_is_translated_and_not_fuzzy(lang):
    entries = parse_po(po_path(lang))
    forms = nplurals(parse_header(entries))
    problems = []
    for e in entries[1:]:
        if "fuzzy" in e["flags"]:
            problems.append(f"fuzzy {describe(e)}")
        if e["msgid_plural"] is None:
            if not e["msgstr"]:
                problems.append(f"untranslated {describe(e)}")
        else:
            got = e["msgstr_plural"]
            if sorted(got) != list(range(forms)) or not all(got.values()):
                problems.append(f"plural forms {sorted(k for k, v in got.items() if v)} of {forms} {describe(e)}")
    assert not problems, f"{lang}: {len(problems)} to do (run scripts/translations_todo.py):\n" + "\n".join(problems)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_placeholders_survive_translation(lang):
    problems = []
    for e in messages(lang):
        if e["msgid_plural"] is None:
            if e["msgstr"] and placeholders(e["msgstr"]) != placeholders(e["msgid"]):
                problems.append(f"{describe(e)} -> {e['msgstr']!r}")
            continue
        # Plural forms may drop the count (e.g. "one file"), never add an unknown name.
        src_named = placeholders(e["msgid"])[0] | placeholders(e["msgid_plural"])[0]
        required = placeholders(e["msgid"])[0] & placeholders(e["msgid_plural"])[0]
        for i, text in e["msgstr_plural"].items():
            named = placeholders(text)[0]
            if text and not (required <= named <= src_named):
                problems.append(f"{describe(e)} [{i}] -> {text!r}")
    assert not problems, f"{lang}: placeholders differ:\n" + "\n".join(problems)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_quotes_follow_the_target_language(lang):
    # English “…” in a msgstr means the typography was not localised: «…» (ru), „…” (pl).
    wrong = "“" if lang == "pl" else "“”"
    problems = [describe(e) for e in messages(lang) if e["msgstr"] and any(q in e["msgstr"] for q in wrong)]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_mo_is_compiled_from_the_current_po(lang):
    """The committed .mo holds exactly the .po's translations: it was compiled after the last edit."""
    assert mo_path(lang).exists(), f"run compilemessages: {mo_path(lang)} is missing"
    with mo_path(lang).open("rb") as fh:
        catalog = gettext.GNUTranslations(fh)._catalog
    expected = {}
    for e in messages(lang):
        if "fuzzy" in e["flags"]:
            continue
        key = e["msgid"] if e["msgctxt"] is None else f"{e['msgctxt']}\x04{e['msgid']}"
        if e["msgid_plural"] is None:
            if e["msgstr"]:
                expected[key] = e["msgstr"]
        else:
            for i, text in e["msgstr_plural"].items():
                if text:
                    expected[(key, i)] = text
    compiled = {k: v for k, v in catalog.items() if k != ""}
    stale = {k: (compiled.get(k), v) for k, v in expected.items() if compiled.get(k) != v}
    extra = sorted(str(k) for k in compiled.keys() - expected.keys())
    assert not stale and not extra, (
        f"{lang}: django.mo is out of date, run compilemessages.\n"
        f"differs: {list(stale.items())[:10]}\nonly in .mo: {extra[:10]}"
    )


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("ru", "Новый пароль для портала поддержки"), ("pl", "Resetowanie hasła w portalu pomocy technicznej")],
)
def test_django_loads_the_catalogue(lang, expected):
    with translation.override(lang):
        assert render_to_string("accounts/email/password_reset_subject.txt").strip() == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("lang", "log_in", "password"), [("ru", "Войти", "Пароль"), ("pl", "Zaloguj się", "Hasło")]
)
def test_login_page_is_rendered_in_the_browsers_language(client, lang, log_in, password):
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{lang}">' in html
    assert log_in in html and password in html
    assert "Forgot your password?" not in html


# Text a person reads that never went through gettext: what is left of a template once
# tags, variables, comments, translate blocks, scripts and markup are taken out. Allowed:
# names that are the same in every language.
_NOT_WORDS = {"CSV", "XLSX", "UTC", "API", "SLA", "HD", "HD-", "JSON", "ZIP", "Enter", "Esc", "Ctrl", "container-fluid"}


def _bare_text(source):
    for pattern in (r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", r"{#.*?#}",
                    r"{%\s*blocktranslate.*?endblocktranslate\s*%}", r"<script.*?</script>", r"<style.*?</style>"):
        source = re.sub(pattern, " ", source, flags=re.S)
    source = re.sub(r"{%.*?%}|{{.*?}}", " ", source, flags=re.S)
    attributes = re.findall(r'(?:aria-label|placeholder|title|alt)="([^"]*)"', source)
    source = re.sub(r"<[^>]*>", " ", source, flags=re.S)
    words = re.findall(r"[A-Za-z][A-Za-z'-]{2,}", source + " " + " ".join(attributes))
    return [w for w in words if w not in _NOT_WORDS]


def test_templates_have_no_text_outside_translate_tags():
    problems = {}
    for path in sorted((ROOT / "templates").rglob("*")):
        if path.suffix in (".html", ".txt") and path.is_file():
            words = _bare_text(path.read_text(encoding="utf-8"))
            if words:
                problems[str(path.relative_to(ROOT))] = words[:8]
    assert not problems, f"wrap these in {{% translate %}}: {problems}"


def test_the_bare_text_finder_finds_bare_text():
    assert _bare_text('<p>{% translate "Hello" %}</p><button aria-label="Close">Send now</button>') == ["Send", "now", "Close"]


@pytest.mark.django_db
def test_every_translated_model_field_has_a_column_per_language():
    """Admin-entered text customers read (modeltranslation) exists in every portal language."""
    from django.conf import settings
    from modeltranslation.translator import translator

    codes = [code for code, _name in settings.LANGUAGES]
    registered = {model._meta.label: translator.get_options_for_model(model).fields for model in translator.get_registered_models()}
    assert {"sla.Tariff", "sla.Edition", "tickets.RootCause", "knowledgebase.Category", "billing.PointsPack"} <= set(registered)
    for label, fields in registered.items():
        model = next(m for m in translator.get_registered_models() if m._meta.label == label)
        for field in fields:
            for code in codes:
                model._meta.get_field(f"{field}_{code}")
