"""Is a typed word a real word of its language? Then it is never "corrected".

The knowledge base's own vocabulary only knows the words its articles use; a customer's
real word that no article happens to contain ("рассрочка", "widget") is unknown to it,
and correcting it to the nearest article word would change its meaning. ``wordfreq``
(frequency lists built from Wikipedia, subtitles, news, books and the web, for Russian,
Polish and English among others) says how common a word is; a word at least as common
as ``MIN_ZIPF`` (about one in ten million words) is a dictionary word. Misspellings are
far below that (``пороля``, ``skelpu``, ``passwrod`` score 0).
"""

from functools import lru_cache

from wordfreq import zipf_frequency

MIN_ZIPF = 2.0


@lru_cache(maxsize=50_000)
def is_word(word, language):
    if not word.isalpha():
        return False
    return zipf_frequency(word, language) >= MIN_ZIPF
