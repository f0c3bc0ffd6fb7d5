#!/usr/bin/env python3
"""List what is left to translate in locale/<lang>/LC_MESSAGES/django.po (stdlib only).

    python scripts/translations_todo.py            # every language under locale/
    python scripts/translations_todo.py ru         # one language
    python scripts/translations_todo.py --json     # machine-readable, for a translation helper

Per language it reports entries that are untranslated (any plural form empty), fuzzy (msgmerge
guessed them from a changed string: check and remove the flag), have placeholders that differ
from the msgid, have the wrong number of plural forms, and whether django.mo is stale (it does
not hold exactly the .po's translations). Exit status 1 when anything is left, so it can gate CI.

The usual pass after someone adds strings (gettext tools needed for the two manage.py steps):

    export DJANGO_SETTINGS_MODULE=helpdesk.settings_test
    .venv/bin/python manage.py makemessages -l ru -l pl --no-location --ignore=.venv --ignore=var \\
        --ignore=staticfiles --ignore=bench --ignore='*/tests/*' --ignore=tests
    python scripts/translations_todo.py          # translate what it lists, drop "#, fuzzy"
    .venv/bin/python manage.py compilemessages --ignore=.venv
    python scripts/translations_todo.py          # must print nothing to do; commit .po and .mo
"""

import argparse
import gettext
import json
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOCALE = ROOT / "locale"

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}
_PERCENT = re.compile(
    r"%%|%\((?P<name>[^)]*)\)[#0 +-]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]|%[#0+-]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]"
)
_BRACE = re.compile(r"(?<!\{)\{[A-Za-z_][A-Za-z0-9_.]*\}(?!\})")


def _unquote(text):
    text = text.strip()
    if not (text.startswith('"') and text.endswith('"')):
        raise ValueError(f"not a PO string: {text!r}")
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), text[1:-1])


def parse_po(path):
    """Entries (header first) as dicts; obsolete ``#~`` entries are skipped."""
    entries, entry, field = [], None, None
    flags, previous = set(), []
    for line_no, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            continue
        if line.startswith("#,"):
            flags |= {f.strip() for f in line[2:].split(",") if f.strip()}
            continue
        if line.startswith("#|"):
            previous.append(line[2:].strip())
            continue
        if line.startswith("#"):
            continue
        if line.startswith('"'):
            if isinstance(field, int):
                entry["msgstr_plural"][field] += _unquote(line)
            else:
                entry[field] += _unquote(line)
            continue
        keyword, _, rest = line.partition(" ")
        follows_its_msgctxt = entry is not None and entry["msgctxt"] is not None and entry["msgid"] is None
        if keyword == "msgctxt" or (keyword == "msgid" and not follows_its_msgctxt):
            entry = {
                "msgctxt": None, "msgid": None, "msgid_plural": None, "msgstr": None,
                "msgstr_plural": {}, "flags": flags, "previous": " ".join(previous), "line": line_no,
            }
            entries.append(entry)
            flags, previous = set(), []
        match = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
        if match:
            field = int(match.group(1))
            entry["msgstr_plural"][field] = _unquote(rest)
        elif keyword in ("msgctxt", "msgid", "msgid_plural", "msgstr"):
            field = keyword
            entry[keyword] = _unquote(rest)
        else:
            raise ValueError(f"{path}:{line_no}: cannot parse {raw!r}")
    return entries


def placeholders(text):
    named, unnamed = set(), []
    for m in _PERCENT.finditer(text or ""):
        if m.group(0) == "%%":
            continue
        if m.group("name") is not None:
            named.add(m.group("name"))
        else:
            unnamed.append(m.group(0))
    return named, unnamed, Counter(_BRACE.findall(text or ""))


def _key(entry):
    return entry["msgid"] if entry["msgctxt"] is None else f"{entry['msgctxt']}\x04{entry['msgid']}"


def check_language(lang):
    po = LOCALE / lang / "LC_MESSAGES" / "django.po"
    mo = po.with_suffix(".mo")
    entries = parse_po(po)
    header = dict(line.split(": ", 1) for line in entries[0]["msgstr"].splitlines() if ": " in line)
    match = re.search(r"nplurals\s*=\s*(\d+)", header.get("Plural-Forms", ""))
    nplurals = int(match.group(1)) if match else 2
    report = {"language": lang, "entries": len(entries) - 1, "untranslated": [], "fuzzy": [],
              "placeholders": [], "plural_forms": [], "mo": "ok"}
    expected = {}
    for e in entries[1:]:
        item = {"line": e["line"], "msgctxt": e["msgctxt"], "msgid": e["msgid"]}
        if e["msgid_plural"] is not None:
            item["msgid_plural"] = e["msgid_plural"]
        if e["msgid_plural"] is None:
            translated = bool(e["msgstr"])
            item["msgstr"] = e["msgstr"]
            if translated and placeholders(e["msgstr"]) != placeholders(e["msgid"]):
                report["placeholders"].append(item)
        else:
            forms = e["msgstr_plural"]
            translated = sorted(forms) == list(range(nplurals)) and all(forms.values())
            item["msgstr_plural"] = [forms.get(i, "") for i in range(max(nplurals, len(forms)))]
            if len(forms) != nplurals:
                report["plural_forms"].append(item)
            allowed = placeholders(e["msgid"])[0] | placeholders(e["msgid_plural"])[0]
            required = placeholders(e["msgid"])[0] & placeholders(e["msgid_plural"])[0]
            if any(t and not (required <= placeholders(t)[0] <= allowed) for t in forms.values()):
                report["placeholders"].append(item)
        if "fuzzy" in e["flags"]:
            item["previous"] = e["previous"]
            report["fuzzy"].append(item)
        elif not translated:
            report["untranslated"].append(item)
        if "fuzzy" not in e["flags"]:
            if e["msgid_plural"] is None:
                if e["msgstr"]:
                    expected[_key(e)] = e["msgstr"]
            else:
                expected.update({(_key(e), i): t for i, t in e["msgstr_plural"].items() if t})
    if not mo.exists():
        report["mo"] = "missing"
    else:
        with mo.open("rb") as fh:
            compiled = {k: v for k, v in gettext.GNUTranslations(fh)._catalog.items() if k != ""}
        if compiled != expected:
            report["mo"] = "stale"
    return report


def _todo(report):
    return sum(len(report[k]) for k in ("untranslated", "fuzzy", "placeholders", "plural_forms")) + (
        report["mo"] != "ok"
    )


def print_report(report):
    lang = report["language"]
    print(f"{lang}: {report['entries']} entries, {len(report['untranslated'])} untranslated, "
          f"{len(report['fuzzy'])} fuzzy, {len(report['placeholders'])} placeholder mismatches, "
          f"{len(report['plural_forms'])} wrong plural-form counts; django.mo {report['mo']}")
    for title in ("untranslated", "fuzzy", "placeholders", "plural_forms"):
        for item in report[title]:
            ctx = f"[{item['msgctxt']}] " if item["msgctxt"] else ""
            print(f"  {title:13} line {item['line']}: {ctx}{item['msgid']!r}")
            if item.get("msgid_plural"):
                print(f"  {'':13}   plural: {item['msgid_plural']!r}")
            if title == "fuzzy" and item.get("previous"):
                print(f"  {'':13}   was: {item['previous']}")
                if item["previous"] == f"msgid {json.dumps(item['msgid'], ensure_ascii=False)}":
                    print(f"  {'':13}   same text: only a format flag changed (xgettext took a literal"
                          " '%' for a placeholder?); fix the source or drop the flag")
            if title != "untranslated":
                print(f"  {'':13}   now: {item.get('msgstr') or item.get('msgstr_plural')!r}")
    if report["mo"] != "ok":
        print(f"  run compilemessages: locale/{lang}/LC_MESSAGES/django.mo is {report['mo']}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("languages", nargs="*", help="language codes (default: every folder under locale/)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)
    languages = args.languages or sorted(p.parent.parent.name for p in LOCALE.glob("*/LC_MESSAGES/django.po"))
    if not languages:
        print(f"no catalogues under {LOCALE}", file=sys.stderr)
        return 1
    reports = [check_language(lang) for lang in languages]
    if args.json:
        json.dump(reports, sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        for report in reports:
            print_report(report)
    return 1 if any(_todo(r) for r in reports) else 0


if __name__ == "__main__":
    sys.exit(main())
