"""Matching and ranking in PostgreSQL.

1. ``analyse`` turns the text into concepts (``query.py``).
2. One query reads the document frequency of every term (and of the half-typed
   prefix) from the vocabulary table; unknown words of four letters or more get a
   second query with their one-edit variants, and the most frequent variant that exists
   replaces the word (typo correction without pg_trgm).
3. One query over the article table: the GIN index finds the articles matching any
   concept that is not too common; each is scored by the idf-weighted concepts it
   contains, with a bonus for those in the title (weight A). The score is divided by
   the best a document could reach for this query, giving 0..1 ("how much of what the
   customer wrote this article covers"), which the display threshold applies to.
"""

import math
from dataclasses import dataclass

from django.core.cache import cache
from django.db import connection

from ..models import Article, SearchTerm
from . import dictionary
from .document import quote
from .grams import grams as text_grams
from .query import MAX_CONCEPTS, MAX_QUERY_CHARS, Alternative, analyse, ends_mid_word
from .typos import variants

W_ANY = 1.0  # a concept anywhere in the article
W_TITLE = 0.5  # extra when it is (also) in the title or tags
UNKNOWN_WEIGHT = 1.0  # share of an unknown word's idf that still counts against coverage
DENSITY_WEIGHT = 1.0  # ts_rank_cd (how often, in the title or the text) beside coverage
# Candidates are the articles holding any of the rarest concepts, added while the sum of
# their document frequencies stays within this budget (the rarest one always).
CANDIDATE_BUDGET = 2000
# Bounds that keep a large knowledge base fast whatever is typed: at most SCAN_CAP
# candidates are read (an arbitrary subset when common words match more), the best
# RESCORE of them by ts_rank alone (one function call a row) are scored in full.
SCAN_CAP = 5000
RESCORE = 100
MIN_TYPO_CHARS = 4
MAX_TYPOS = 3  # unknown words corrected per query, the longest first
PREFIX_SCAN_LIMIT = 2000
DOC_COUNT_SECONDS = 300
# The trigram half (grams.py): the rarest MAX_GRAMS grams of the text are scored; the
# articles holding two of the RETRIEVAL_GRAMS rarest (or the one, for a single gram) are
# candidates beside the word path's, at most GRAM_SCAN of them.
MAX_GRAMS = 64
RETRIEVAL_GRAMS = 6
GRAM_SCAN = 100
# The score (ranking and display threshold): word coverage and trigram coverage mixed,
# GRAM_SCORE_WEIGHT the trigram share.
GRAM_SCORE_WEIGHT = 0.25


@dataclass
class Hit:
    article_id: int
    score: float  # 0..1, what the display threshold applies to
    words: float = 0.0  # word coverage (0..1)
    grams: float = 0.0  # trigram coverage (0..1)


def doc_count_key(language):
    """Per database (host, port and name): two databases on one Redis (a test run beside
    the development server, two sites) must never read each other's counts."""
    db = connection.settings_dict
    return f"kb:doc-count:{db.get('HOST') or 'local'}:{db.get('PORT') or ''}:{db['NAME']}:{language}"


def document_count(language):
    key = doc_count_key(language)
    count = cache.get(key)
    if count is None:
        count = Article.objects.public().filter(language=language).count()
        cache.set(key, count, DOC_COUNT_SECONDS)
    return count


def forget_document_count(language):
    cache.delete(doc_count_key(language))


def _frequencies(language, exact, prefix):
    table = SearchTerm._meta.db_table
    # One space-separated string, joined rather than "= ANY(array)": with hundreds of typo
    # variants the planner would spend milliseconds estimating each element.
    sql = (
        f"SELECT s.term, s.df FROM unnest(string_to_array(%s, ' ')) AS q(term)"
        f" JOIN {table} AS s ON s.language = %s AND s.term = q.term"
    )
    params = [" ".join(exact), language]
    if prefix:
        escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        sql += (
            f" UNION ALL SELECT NULL, COALESCE(SUM(df), 0) FROM (SELECT df FROM {table}"
            f" WHERE language = %s AND term LIKE %s LIMIT {PREFIX_SCAN_LIMIT}) AS p"
        )
        params += [language, escaped + "%"]
    found, prefix_df = {}, 0
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for value, df in cursor.fetchall():
            if value is None:
                prefix_df = int(df)
            else:
                found[value] = int(df)
    return found, prefix_df


def _correct(language, unknown):
    """{unknown term: (replacement, df)} for terms one edit away from a known term."""
    candidates = {word: variants(word) for word in unknown}
    pool = set().union(*candidates.values()) if candidates else set()
    if not pool:
        return {}
    found, _ = _frequencies(language, pool, None)
    fixes = {}
    for word, options in candidates.items():
        best = max(((found[o], o) for o in options if o in found), default=None)
        if best:
            fixes[word] = (best[1], best[0])
    return fixes


def idf(df, total):
    return math.log(1 + (total - df + 0.5) / (df + 0.5))


def _weigh(analysis, total, grams):
    """Give every concept its document frequency and idf; correct typos. Returns
    {gram: df} for the text's grams known to the vocabulary."""
    concepts = analysis.concepts
    exact = {t for c in concepts for a in c.alternatives for t in (a.terms[:-1] if a.prefix else a.terms)}
    prefix = next((c.primary.terms[-1] for c in concepts if c.prefix), None)
    found, prefix_df = _frequencies(analysis.language, exact | set(grams), prefix)
    gram_df = {g: found.pop(g) for g in grams if g in found}
    last = next((c for c in concepts if c.prefix), None)
    if last is not None and prefix_df == 0 and len(last.primary.terms) == 1:
        # A half-typed last word that starts no known word is a finished word with a
        # typo ("сертефикат"): it is corrected like any other word.
        last.alternatives[0] = Alternative(last.primary.terms)
        last.prefix = False

    def alt_df(alternative):
        dfs = [found.get(t, 0) for t in (alternative.terms[:-1] if alternative.prefix else alternative.terms)]
        if alternative.prefix:
            dfs.append(prefix_df)
        return min(dfs)

    def single(concept):
        return concept.primary.terms[0] if len(concept.primary.terms) == 1 and not concept.prefix else None

    # A word of the language (dictionary.py) is never corrected into another word.
    unknown = [
        single(c) for c in concepts
        if single(c) and single(c).isalpha() and len(single(c)) >= MIN_TYPO_CHARS
        and all(alt_df(a) == 0 for a in c.alternatives)
        and not dictionary.is_word(c.origin, analysis.language)
    ]
    unknown = sorted(unknown, key=len, reverse=True)[:MAX_TYPOS]
    fixes = _correct(analysis.language, unknown) if unknown else {}
    for concept in concepts:
        fix = fixes.get(single(concept)) if single(concept) else None
        if fix:
            concept.alternatives[0] = Alternative((fix[0],))
            found[fix[0]] = fix[1]
            concept.corrected = True
        concept.df = min(total, sum(alt_df(a) for a in concept.alternatives))
        concept.idf = idf(concept.df, total)
    return gram_df


def _concept_tsquery(concept, weight=""):
    """Alternatives OR-ed; the words of a phrase at their distances (<N>)."""
    parts = []
    for alternative in concept.alternatives:
        count = len(alternative.terms)
        items = []
        for index, value in enumerate(alternative.terms):
            flags = ("*" if alternative.prefix and index == count - 1 else "") + weight
            items.append(quote(value) + (f":{flags}" if flags else ""))
        phrase = items[0]
        for gap, item in zip(alternative.gaps, items[1:]):
            phrase += f" <{gap}> {item}" if gap != 1 else f" <-> {item}"
        parts.append(f"({phrase})")
    return " | ".join(parts)


def _retrieval_tsquery(known):
    """Which articles to score: see CANDIDATE_BUDGET."""
    selective, budget = [], 0
    for concept in sorted(known, key=lambda c: c.df):
        if selective and budget + concept.df > CANDIDATE_BUDGET:
            break
        selective.append(concept)
        budget += concept.df
    return " | ".join(f"({_concept_tsquery(c)})" for c in selective)


def _word_parts(known, unknown_mass):
    """(score SQL, params, retrieval tsquery, everything tsquery, best) of the word half."""
    best_possible = sum(c.idf for c in known) * (W_ANY + W_TITLE) + unknown_mass
    everything = " | ".join(f"({_concept_tsquery(c)})" for c in known)
    score_sql, score_params = [], []
    for concept in known:
        score_sql.append(
            "CASE WHEN search @@ %s::tsquery THEN %s::float8"
            " + CASE WHEN search @@ %s::tsquery THEN %s::float8 ELSE 0 END ELSE 0 END"
        )
        score_params += [_concept_tsquery(concept), concept.idf * W_ANY, _concept_tsquery(concept, "A"),
                         concept.idf * W_TITLE]
    score_sql.append("ts_rank_cd(search, %s::tsquery, 32) * %s::float8")
    score_params += [everything, DENSITY_WEIGHT * best_possible]
    scale = best_possible * (1 + DENSITY_WEIGHT)
    return " + ".join(score_sql), score_params, _retrieval_tsquery(known), everything, scale


def _gram_parts(grams, gram_df, total):
    """(score SQL, params, retrieval tsquery) of the trigram half: the idf-weighted share of
    the text's grams that the article holds (grams no article holds count against it).
    No title bonus here: the word half has one, and a second one made the public set worse."""
    weights = {g: idf(gram_df.get(g, 0), total) for g in grams}
    known = sorted((g for g in grams if g in gram_df), key=lambda g: gram_df[g])[:MAX_GRAMS]
    if not known:
        return None
    mass = sum(weights.values())
    sql = " + ".join("CASE WHEN grams @@ %s::tsquery THEN %s::float8 ELSE 0 END" for _ in known)
    params = [p for g in known for p in (quote(g), weights[g] / mass)]
    rare = known[:RETRIEVAL_GRAMS]
    if len(rare) == 1:
        retrieval = quote(rare[0])
    else:
        retrieval = " | ".join(f"({quote(a)} & {quote(b)})" for i, a in enumerate(rare) for b in rare[i + 1:])
    return sql, params, retrieval


def search(text, language, *, limit=5, public=True):
    """(analysis, [Hit]) best first; scores in 0..1.

    Two scores over one candidate set, mixed: the word half (stemmed concepts,
    idf-weighted coverage with a title bonus and a density term) and the trigram half
    (grams.py). The candidates are the word half's best by ts_rank and the articles
    sharing two rare trigrams with the text."""
    analysis = analyse(text, language)
    grams = text_grams((text or "")[:MAX_QUERY_CHARS], language, partial=ends_mid_word(text or ""))
    if not analysis.concepts and not grams:
        return analysis, []
    total = max(document_count(language), 1)
    gram_df = _weigh(analysis, total, grams)
    known = sorted((c for c in analysis.concepts if c.df > 0), key=lambda c: -c.idf)[:MAX_CONCEPTS]
    unknown_mass = sum(
        UNKNOWN_WEIGHT * idf(0, total) * (W_ANY + W_TITLE) for c in analysis.concepts if c.df == 0
    )
    gram_part = _gram_parts(grams, gram_df, total)
    if not known and gram_part is None:
        return analysis, []
    where = ["language = %s"]
    if public:
        where += ["status = 'published'", "visibility = 'public'"]
    where = " AND ".join(where)
    table = Article._meta.db_table
    branches, branch_params = [], []
    if known:
        word_sql, word_params, retrieval, everything, word_scale = _word_parts(known, unknown_mass)
        branches.append(
            f"(SELECT id FROM (SELECT id, search FROM {table} WHERE {where} AND search @@ %s::tsquery LIMIT %s)"
            f" AS found ORDER BY ts_rank(search, %s::tsquery, 32) DESC LIMIT %s)"
        )
        branch_params += [language, retrieval, SCAN_CAP, everything, RESCORE]
    else:
        word_sql, word_params, word_scale = "0", [], 1.0
    if gram_part is not None:
        gram_sql, gram_params, gram_retrieval = gram_part
        branches.append(f"(SELECT id FROM {table} WHERE {where} AND grams @@ %s::tsquery LIMIT %s)")
        branch_params += [language, gram_retrieval, GRAM_SCAN]
    else:
        gram_sql, gram_params = "0", []
    sql = (
        f"WITH candidates AS ({' UNION '.join(branches)}),"
        # Each document is read (and decompressed) once here: the scores below test it
        # dozens of times, and a stored tsvector would be decompressed for every test.
        f" docs AS MATERIALIZED (SELECT a.id, a.search || ''::tsvector AS search,"
        f"  a.grams || ''::tsvector AS grams FROM {table} AS a JOIN candidates USING (id)),"
        f" scored AS (SELECT id, ({word_sql}) / %s AS w, ({gram_sql}) AS g FROM docs)"
        f" SELECT id, w, g FROM scored ORDER BY (1 - %s) * w + %s * g DESC, id DESC LIMIT %s"
    )
    params = [*branch_params, *word_params, word_scale, *gram_params, GRAM_SCORE_WEIGHT, GRAM_SCORE_WEIGHT, limit]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return analysis, [
        Hit(article_id=pk, score=(1 - GRAM_SCORE_WEIGHT) * float(w) + GRAM_SCORE_WEIGHT * float(g),
            words=float(w), grams=float(g))
        for pk, w, g in rows
    ]
