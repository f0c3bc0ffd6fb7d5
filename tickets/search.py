"""Ticket search: the knowledge base's analyser (ru/pl/en morphology) over a precomputed
tsvector, ``Ticket.search``, matched and ranked in PostgreSQL through its GIN index.

The document of a ticket is built here, in Python, by ``knowledgebase.search.text`` (the
same terms the suggestions use, so "domen" finds "domenę" and "шаблонов" finds
"шаблона"), never by PostgreSQL's parsers. Each part carries a weight that says who may
match it:

    A  subject          B  description
    C  public replies   D  internal notes (engineers only)

A customer's query asks for weights A, B or C only (``'term':ABC``), so a word that is
only in an internal note never finds a ticket for them, and their ranking gives D no
weight. D is also PostgreSQL's default weight: anything written without one stays hidden
from customers. Every lexeme has a position (a lexeme without one would match any weight).

Services keep the column: ``ticket_create`` writes the subject and description, every
message appends its part (``ticket_search_append``: one UPDATE, ``search || part``, no
re-reading of the conversation); ``ticket_search_rebuild`` recomputes it from the rows
(``manage.py tickets_reindex``, personal-data erasure).
"""

from collections import defaultdict

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import F, Q

from knowledgebase.search.document import MAX_POSITION, quote
from knowledgebase.search.text import CYRILLIC_RE, LANGUAGES, is_stopword, term, words

SUBJECT, BODY, PUBLIC, INTERNAL = "A", "B", "C", "D"
CUSTOMER_WEIGHTS = "ABC"
# ts_rank's weights in its order {D, C, B, A}; customers' D is 0 (notes do not exist for them).
RANK_WEIGHTS_ENGINEER = [0.1, 0.3, 0.5, 1.0]
RANK_WEIGHTS_CUSTOMER = [0.0, 0.3, 0.5, 1.0]
# What one part may add: a pasted log of a megabyte is indexed by its first 50,000
# characters, and a word by its first few positions (enough for ranking; the tsvector
# stays small, so it lives in the row, not in TOAST).
MAX_PART_CHARS = 50_000
POSITIONS_PER_PART = 3
MAX_QUERY_WORDS = 8
# Ranking reads every match's document, so a word in half a million tickets would cost
# seconds: the ranked list is the best of the most recent RANK_WINDOW matches.
RANK_WINDOW = 250
# A list with a search counts at most this many matches ("Page 1 of 20+"): below it a
# count stops after a few thousand rows read in order; at 10,000 a word in a few percent
# of a million tickets made PostgreSQL collect every match through the index first.
SEARCH_COUNT_CAP = 500
RECENT_SLICE = 10_000  # tickets read in date order before the GIN index is asked (recent_matches)
# Latin words are stemmed by the ticket's language (Polish or English); a query does not
# know which, so each of its Latin words asks for both stems.
QUERY_LANGUAGES = ("en", "pl")
PREFIX = ":*"  # marks a prefix alternative in query_terms (the tsquery suffix)
PREFIX_MIN_STEM = 6


def document_language(language):
    return language if language in LANGUAGES else "en"


def part_vector(text, language, weight, *, offset=0):
    """One part of a ticket as a tsvector literal: its terms, positions from ``offset`` + 1,
    all with ``weight``."""
    positions = defaultdict(list)
    language = document_language(language)
    for position, word in enumerate(words((text or "")[:MAX_PART_CHARS]), start=offset + 1):
        if is_stopword(word, language):
            continue
        value = term(word, language)
        if value and len(positions[value]) < POSITIONS_PER_PART:
            positions[value].append(f"{min(position, MAX_POSITION)}{weight}")
    return " ".join(f"{quote(value)}:{','.join(spots)}" for value, spots in positions.items())


def ticket_vector(subject, body, language):
    """The document of a new ticket: subject (A), then description (B) after it."""
    offset = len(words(subject or "")) + 1
    return " ".join(v for v in (
        part_vector(subject, language, SUBJECT), part_vector(body, language, BODY, offset=offset)) if v)


def message_weight(internal):
    return INTERNAL if internal else PUBLIC


def ticket_search_append(ticket, body, *, internal):
    """Add one message to the ticket's document (in the caller's transaction).

    ``||`` shifts the new part's positions past the document's last one, so the parts never
    run into each other; one UPDATE, whatever the length of the conversation."""
    vector = part_vector(body, ticket.language, message_weight(internal))
    if not vector:
        return
    with connection.cursor() as cur:
        cur.execute("UPDATE tickets_ticket SET search = search || %s::tsvector WHERE id = %s", [vector, ticket.pk])


def ticket_search_append_many(parts):
    """``ticket_search_append`` for many tickets in one statement: ``parts`` is
    [(ticket, body, internal)], at most one per ticket (e.g. an incident update posted
    into every linked ticket)."""
    from psycopg2.extras import execute_values

    rows = [(ticket.pk, vector) for ticket, body, internal in parts
            if (vector := part_vector(body, ticket.language, message_weight(internal)))]
    if not rows:
        return
    with connection.cursor() as cur:
        execute_values(cur, "UPDATE tickets_ticket AS t SET search = t.search || v.part::tsvector "
                            "FROM (VALUES %s) AS v(id, part) WHERE t.id = v.id", rows, page_size=500)


def ticket_search_rebuild(ticket_ids):
    """Recompute the documents of these tickets from their rows (subject, description,
    every message in order). For reindexing and after text was changed in place."""
    from .models import Message, Ticket

    ids = list(ticket_ids)
    messages = defaultdict(list)
    for ticket_id, body, visibility in (
        Message.objects.filter(ticket_id__in=ids).order_by("ticket_id", "created_at", "pk")
        .values_list("ticket_id", "body", "visibility").iterator()
    ):
        messages[ticket_id].append((body, visibility == Message.Visibility.INTERNAL))
    with connection.cursor() as cur:
        for ticket_id, subject, body, language in Ticket.objects.filter(pk__in=ids).values_list(
            "pk", "subject", "body", "language"
        ):
            parts = [ticket_vector(subject, body, language)]
            parts += [part_vector(text, language, message_weight(internal)) for text, internal in messages[ticket_id]]
            # Concatenated in SQL, exactly as the appends build it (positions run on).
            literals = [p for p in parts if p] or [""]
            cur.execute(
                f"UPDATE tickets_ticket SET search = {' || '.join(['%s::tsvector'] * len(literals))} WHERE id = %s",
                [*literals, ticket_id],
            )
    return len(ids)


def recent_matches(queryset, query, reference=None):
    """Ids of the RANK_WINDOW most recent tickets of ``queryset`` matching ``query``, with a
    cost that does not depend on PostgreSQL guessing how common the words are.

    First the RECENT_SLICE most recent tickets of the list are read in order and checked
    one by one (bounded: a common word fills the window there). Only when that finds too
    few, the words are rare enough to collect every match through the GIN index, and
    PostgreSQL is told to do exactly that: left to itself, a word it wrongly guesses to be
    common (two words that always come together, a word it has no statistics for) sends it
    walking the whole table in date order looking for matches that are not there. Two
    statements at most, and no setting changed."""
    ordered = queryset.order_by("-created_at", "-pk")
    sql, params = ordered.values_list("pk", "created_at", "search")[:RECENT_SLICE].query.sql_with_params()
    condition = "recent.search @@ %s::tsquery" + (" OR recent.number = %s" if reference is not None else "")
    if reference is not None:
        sql, params = (ordered.values_list("pk", "created_at", "search", "number")[:RECENT_SLICE]
                       .query.sql_with_params())
    extra = [query.text] + ([reference] if reference is not None else [])
    with connection.cursor() as cur:
        cur.execute(f"SELECT recent.pk FROM ({sql}) recent WHERE {condition} "
                    "ORDER BY recent.created_at DESC, recent.pk DESC LIMIT %s", [*params, *extra, RANK_WINDOW])
        ids = [row[0] for row in cur.fetchall()]
    if len(ids) == RANK_WINDOW:
        return ids
    # OFFSET 0 keeps the LIMIT out of the subquery: planned without it, "every match" is a
    # bitmap from the GIN index, never a walk in date order.
    condition = Q(search=query) | Q(number=reference) if reference is not None else Q(search=query)
    sql, params = ordered.filter(condition).order_by().values_list("pk", "created_at").query.sql_with_params()
    with connection.cursor() as cur:
        cur.execute(f"SELECT every.pk FROM ({sql} OFFSET 0) every ORDER BY every.created_at DESC, every.pk DESC "
                    "LIMIT %s", [*params, RANK_WINDOW])
        return [row[0] for row in cur.fetchall()]


class TsQuery(SearchQuery):
    """A tsquery written by ``query_text`` and passed as it is (no parser, no dictionary)."""

    template = "%(expressions)s::tsquery"


def query_terms(text):
    """The typed words as concepts: for each word (stopwords left out), its possible terms."""
    concepts = []
    for word in words(text):
        if any(is_stopword(word, language) for language in LANGUAGES):
            continue
        alternatives = sorted({t for t in (term(word, language) for language in QUERY_LANGUAGES) if t})
        # A long Russian stem also matches as a prefix one letter shorter: verb forms Snowball
        # leaves apart ("истекли" → истекл, "истёк" → истек) still meet. Latin words already
        # ask for two stems, and a prefix means reading every matching lexeme's list from
        # the index (a zero-match "błędy eksportu" took 116 ms for 'ekspor':* at 1M tickets).
        alternatives += sorted({t[:-1] + PREFIX for t in alternatives if len(t) >= PREFIX_MIN_STEM and CYRILLIC_RE.search(t)})
        if alternatives and alternatives not in concepts:
            concepts.append(alternatives)
        if len(concepts) == MAX_QUERY_WORDS:
            break
    return concepts


def query_text(concepts, *, include_internal, connector=" & ", weights=None):
    """tsquery text: every concept (one of its terms) must match; customers only in A, B, C."""
    marks = weights or ("" if include_internal else CUSTOMER_WEIGHTS)
    suffix = f":{marks}" if marks else ""
    def operand(value):
        if value.endswith(PREFIX):  # 'истек':*ABC
            return f"{quote(value[:-len(PREFIX)])}:*{marks}"
        return f"{quote(value)}{suffix}"

    return connector.join("(" + " | ".join(operand(t) for t in alts) + ")" for alts in concepts)


def search_query(text, *, include_internal):
    """A ``TsQuery`` for the typed text, or None when nothing searchable was typed."""
    concepts = query_terms(text)
    if not concepts:
        return None
    query = TsQuery(query_text(concepts, include_internal=include_internal))
    query.text = query_text(concepts, include_internal=include_internal)
    return query


def ticket_search(queryset, text, *, include_internal, reference=None, ranked=False):
    """Tickets of ``queryset`` whose subject, description or replies (and internal notes,
    with ``include_internal``) hold every typed word in any of its forms; or the ticket
    with that reference. ``ranked``: best first (weights: subject over description over
    replies over notes) among the ``RANK_WINDOW`` most recent matches, the reference first."""
    if reference is not None and not text.strip()[:1].isdigit():
        return queryset.filter(number=reference)  # "HD-10042", "#10042": a reference, not words
    query = search_query(text, include_internal=include_internal)
    if query is None:
        return queryset.filter(number=reference) if reference is not None else queryset.none()
    condition = Q(search=query) | Q(number=reference) if reference is not None else Q(search=query)
    matches = queryset.filter(condition)
    if not ranked:
        return matches
    # The window is read once (≤ RANK_WINDOW ids); the page and its count then look those
    # rows up by primary key instead of each running the search again.
    window = recent_matches(queryset, query, reference)
    weights = RANK_WEIGHTS_ENGINEER if include_internal else RANK_WEIGHTS_CUSTOMER
    ranked_qs = queryset.filter(pk__in=window).annotate(search_rank=SearchRank(F("search"), query, weights=weights))
    if reference is not None:
        from django.db.models import Case, Value, When

        ranked_qs = ranked_qs.annotate(is_reference=Case(When(number=reference, then=Value(1)), default=Value(0)))
        return ranked_qs.order_by("-is_reference", "-search_rank", "-created_at", "-pk")
    return ranked_qs.order_by("-search_rank", "-created_at", "-pk")


# ---------------------------------------------------------------- possible duplicates

SIMILAR_MAX_CONCEPTS = 16
SIMILAR_CANDIDATES = 30
SIMILAR_LIMIT = 3
# Half "how much of what was typed the ticket holds" (rarer words weigh more), half "how
# much of the ticket's subject was typed": a shared error code alone is not the same problem.
SIMILAR_THRESHOLD = 0.6
# Duplicates compare problem statements: subject and description, never replies or notes.
STATEMENT_WEIGHTS = SUBJECT + BODY


def _word_weight(word, language):
    """Rare words say more about a problem than common ones: 7 − Zipf frequency
    (wordfreq), at least 0.5; numbers (error codes) count as fairly rare."""
    from wordfreq import zipf_frequency

    if word.isdigit():
        return 3.0
    return max(0.5, 7.0 - zipf_frequency(word, language))


def weighted_concepts(text, language):
    """[(terms, weight)] of the typed text's words, subject first, at most SIMILAR_MAX_CONCEPTS."""
    from knowledgebase.search.language import detect

    language = detect(text) or document_language(language)
    concepts, seen = [], set()
    for word in words(text):
        if any(is_stopword(word, lang) for lang in LANGUAGES):
            continue
        alternatives = tuple(sorted({t for t in (term(word, lang) for lang in QUERY_LANGUAGES) if t}))
        if alternatives and alternatives not in seen:
            seen.add(alternatives)
            concepts.append((alternatives, _word_weight(word, language)))
        if len(concepts) == SIMILAR_MAX_CONCEPTS:
            break
    return concepts


def _statement_terms(text, language):
    from knowledgebase.search.text import terms

    return {value for value, _position in terms(text, document_language(language))}


def similarity(concepts, subject, body, language):
    """0..1: the weighted share of ``concepts`` the ticket's statement holds, averaged with
    the share of the ticket's subject terms among the concepts."""
    held = _statement_terms(f"{subject}\n{body}", language)
    total = sum(weight for _alternatives, weight in concepts)
    forward = sum(weight for alternatives, weight in concepts if held.intersection(alternatives)) / total
    subject_terms = _statement_terms(subject, language)
    typed = {t for alternatives, _weight in concepts for t in alternatives}
    backward = len(subject_terms & typed) / len(subject_terms) if subject_terms else 0.0
    return (forward + backward) / 2


def similar_tickets(queryset, subject, body="", language="en", *, limit=SIMILAR_LIMIT):
    """Tickets of ``queryset`` (the caller decides who may see which: open tickets of one
    organisation, say) whose subject and description look like the same problem as
    ``subject`` / ``body``, best first, each with ``.similarity`` (≥ SIMILAR_THRESHOLD).

    Candidates come from the GIN index (any typed word in a subject or description, the
    best SIMILAR_CANDIDATES by ts_rank); each is then scored by ``similarity`` on its text."""
    concepts = weighted_concepts(f"{subject}\n{body}", language)
    if len(concepts) < 2:
        return []
    query = TsQuery(query_text([alts for alts, _w in concepts], include_internal=False, connector=" | ",
                               weights=STATEMENT_WEIGHTS))
    candidates = (
        queryset.filter(search=query)
        .annotate(candidate_rank=SearchRank(F("search"), query, weights=[0.0, 0.0, 0.5, 1.0]))
        .order_by("-candidate_rank", "-created_at")[:SIMILAR_CANDIDATES]
    )
    scored = []
    for ticket in candidates:
        ticket.similarity = similarity(concepts, ticket.subject, ticket.body, ticket.language)
        if ticket.similarity >= SIMILAR_THRESHOLD:
            scored.append(ticket)
    scored.sort(key=lambda t: (-t.similarity, -t.created_at.timestamp()))
    return scored[:limit]
