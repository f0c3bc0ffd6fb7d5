"""A light Polish stemmer for diacritic-folded words.

PostgreSQL has no Polish text-search configuration, and customers often type Polish
without diacritics ("haslo" for "hasło"). So every Polish word is folded first
(ą→a, ł→l, ś→s …) and then stemmed here, on the folded form, for documents and
queries alike: "hasło", "hasła", "haslo", "haseł" all become "hasl".

The stemmer strips the longest known inflectional (and a few derivational) endings,
keeping at least three letters, then evens out the commonest stem alternations
(serwer/serwerze, kod/kodzie, konto/koncie, skrzynka/skrzynce, skrzynek/skrzynki).
It is deliberately light: it conflates the forms a support text uses, and it may
leave a rare form apart rather than merge unrelated words.
"""

MIN_STEM = 3

# Longest first within each length; the loop below tries every length from the top.
# Gerunds in -owanie go with their verbs (przekierowanie/przekierować); other -anie and
# -enie forms are left to the generic -ie/-ia endings, so that the locative of nouns in
# -an/-en stays with its noun (ekran/ekranie, domena/domenie, zamówienie/zamówień).
_SUFFIXES = """
owaniami owaniach owalismy
osciami osciach owaniem owaniom owanych owanymi owanego owanemu
owaniu owania owanie owanej owanym oscia osciom ujecie owalem owalam
owana owane owany owani owalo owala owali owaly owego owemu owych owymi
ciami ciach anych anymi anego anemu onych onymi onego onemu ajacy ajace
ajaca ujemy ujesz ajesz ajemy alem alam ilem ilam ylem ylam
owac owej owym osci ciem anej anym onej onym iego iemu iach iami owie ywac iwac
osc ego emu ych ymi ich imi iej ami ach iom iow owa owe owy owi cia ciu cie ana ane
any ona one ony uje uja aja iem
ej ym im om ow ie ia iu ii ac ec ic yc em
a e i o u y
""".split()
_SUFFIXES.sort(key=len, reverse=True)

# Endings whose removal reveals an alternated consonant: replace rather than strip.
_REPLACE = {
    "dzie": "d",  # kod → kodzie
    "rze": "r",  # serwer → serwerze
    "dze": "g",  # usługa → usłudze
    "cie": "t",  # konto → koncie
    "cia": "t",
    "ciu": "t",
    "ciem": "t",
    "ciach": "t",
    "ciami": "t",
    "ce": "k",  # skrzynka → skrzynce
}
_CANDIDATES = sorted(set(_SUFFIXES) | set(_REPLACE), key=len, reverse=True)
_VOWELS = set("aeiouy")
# Nominatives that merely end like the instrumental -em.
_NOT_INSTRUMENTAL = {"problem", "system", "modem", "item", "tandem", "totem"}

FOLD = str.maketrans("ąćęłńóśźż", "acelnoszz")


def fold(word):
    """Polish letters to their ASCII base (the form people type without diacritics)."""
    return word.translate(FOLD)


def stem(word):
    """The stem of a folded, lower-case Polish word."""
    if len(word) <= MIN_STEM or not word.isalpha():
        return word
    for noun in _NOT_INSTRUMENTAL:
        if word.startswith(noun) and len(word) - len(noun) <= 3:
            return noun
    for suffix in _CANDIDATES:
        if suffix == "em" and len(word) < 6:
            continue
        if word.endswith(suffix):
            base = word[: -len(suffix)]
            replacement = _REPLACE.get(suffix, "")
            if len(base) + len(replacement) >= MIN_STEM and any(c in _VOWELS for c in base):
                word = base + replacement
                break
    return _even_out(word)


def _even_out(stem_):
    # Mobile e in the genitive plural: skrzynek/skrzynka, wtyczek/wtyczka.
    if len(stem_) >= 5 and stem_[-2:] in ("ek", "el") and stem_[-3] not in _VOWELS:
        stem_ = stem_[:-2] + stem_[-1]
    if len(stem_) >= 4 and stem_.endswith("rz"):
        stem_ = stem_[:-1]
    if len(stem_) >= 4 and stem_.endswith("dz"):
        stem_ = stem_[:-1]
    return stem_
