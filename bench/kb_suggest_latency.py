"""Latency of the ticket-form suggestion endpoint (POST /kb/suggest/) with many articles.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/helpdesk REDIS_URL=redis://127.0.0.1:6379/4 \
        .venv/bin/python bench/kb_suggest_latency.py [--articles 100000] [--keep] [--rounds 3]

Uses a database of its own (helpdesk_kb_bench_<articles>), migrates it and seeds it with
one set-based INSERT … SELECT: every synthetic article takes a topic (one of the help
articles of /work/shared/kb-eval, or a small built-in set when that is missing) and draws
its title and 80–200 words from that topic's words mixed with the rest of its language's
vocabulary, so term frequencies and topical clustering look like a real multilingual
knowledge base (a third each in Russian, Polish and English). The search document of
each row is built in the same statement from the words' terms, computed once in Python
by the same analyser as production indexing. Then the vocabulary table is rebuilt.

Timing: Django's test Client against that database, the way a browser calls the
endpoint: every query of the evaluation set, typed as a customer pauses (its first
half, then all of it), in the query's language. Prints p50, p95 and p99 in ms.
"""

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

import psycopg2

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")
os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/helpdesk")

EVAL = Path("/work/shared/kb-eval")
FALLBACK_TOPICS = [
    ("ru", "Восстановление пароля администратора", "Откройте страницу входа и нажмите Забыли пароль. Письмо со ссылкой для сброса придёт на почту администратора. Ссылка действует час."),
    ("ru", "Резервное копирование сайта", "Резервная копия сайта и базы данных создаётся каждую ночь. Восстановить копию можно в панели управления хостингом."),
    ("pl", "Zmiana hasła do skrzynki pocztowej", "Hasło do skrzynki zmienisz w panelu klienta w sekcji Poczta. Nowe hasło musi mieć co najmniej osiem znaków."),
    ("pl", "Certyfikat SSL wygasł", "Przeglądarka pokazuje ostrzeżenie, gdy certyfikat wygaśnie. Odnów certyfikat w panelu klienta lub włącz automatyczne odnawianie."),
    ("en", "Moving your website to another server", "Export the database and files, import them on the new server and update the DNS records of the domain."),
    ("en", "Installing extensions", "Extensions add features to the shop. Install them from the Extensions page of the admin panel and clear the cache."),
]
FALLBACK_QUERIES = [("ru", "забыл пароль от админки"), ("pl", "certyfikat ssl wygasl"), ("en", "move site to new serv")]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true", help="reuse the bench database if already seeded")
    parser.add_argument("--rounds", type=int, default=3, help="timed passes over the queries")
    return parser.parse_args()


def prepare_database(name, keep, articles):
    from django.conf import settings

    cfg = settings.DATABASES["default"]
    server = dict(host=cfg["HOST"] or None, port=cfg["PORT"] or None, user=cfg["USER"] or None,
                  password=cfg["PASSWORD"] or None)
    admin = psycopg2.connect(dbname="postgres", **server)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cur.fetchone() and keep:
            with psycopg2.connect(dbname=name, **server) as conn, conn.cursor() as bench:
                bench.execute("SELECT to_regclass('knowledgebase_article') IS NOT NULL")
                if bench.fetchone()[0]:
                    bench.execute("SELECT count(*) FROM knowledgebase_article")
                    if bench.fetchone()[0] == articles:
                        cfg["NAME"] = name
                        return False
        cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cur.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    cfg["NAME"] = name
    return True


def topics():
    path = EVAL / "articles.jsonl"
    if path.exists():
        rows = [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]
        return [(r["lang"], r["title"], r["body"]) for r in rows]
    return FALLBACK_TOPICS


def queries():
    path = EVAL / "queries.jsonl"
    if path.exists():
        return [(q["lang"], q["query"]) for q in (json.loads(line) for line in path.open(encoding="utf-8")) if q]
    return FALLBACK_QUERIES


def topic_rows():
    """Per topic: (language, title words, title terms, words, terms); '' for stopwords.
    A "term" is three tab-separated parts: the word's term, its trigrams as tsvector
    entries of a title (``'~abc':1A …``) and of a text (``'~abc':2B …``), all as
    knowledgebase/search builds them."""
    from knowledgebase.search.document import quote
    from knowledgebase.search.grams import grams
    from knowledgebase.search.text import is_stopword, term, words

    def analysed(text, language):
        out_words, out_terms = [], []
        for word in words(text):
            out_words.append(word)
            value = "" if is_stopword(word, language) else (term(word, language) or "")
            pieces = sorted(grams(word, language))
            title = " ".join(quote(g) + ":1A" for g in pieces)
            body = " ".join(quote(g) + ":2B" for g in pieces)
            out_terms.append(f"{value}\t{title}\t{body}" if value else "")
        return out_words, out_terms

    rows, pools = [], {}
    for language, title, body in topics():
        pools.setdefault(language, []).extend(zip(*analysed(body, language)))
    rng = random.Random(7)
    for language, title, body in topics():
        title_words, title_terms = analysed(title, language)
        body_words, body_terms = analysed(body, language)
        # ~30 % of an article's words come from its language at large.
        extra = rng.sample(pools[language], min(len(pools[language]), len(body_words) // 2))
        rows.append((language, title_words, title_terms, body_words + [w for w, _ in extra],
                     body_terms + [t for _, t in extra]))
    return rows


SEED_SQL = """
INSERT INTO knowledgebase_article
    (title, body, plain_text, language, status, visibility, created_at, updated_at, published_at, view_count, search,
     grams)
SELECT t.title, b.body, b.body, bt.lang, 'published', 'public', now(), now(), now(), 0,
       (t.vec || ' ' || b.vec)::tsvector, (t.gvec || ' ' || b.gvec)::tsvector
FROM generate_series(1, %(n)s) AS g
JOIN bench_topic bt ON bt.id = 1 + (g * 7919) %% %(topics)s
CROSS JOIN LATERAL (
    SELECT string_agg(bt.title_words[i], ' ' ORDER BY k) AS title,
           coalesce(string_agg(CASE WHEN bt.title_terms[i] <> '' THEN quote_literal(split_part(bt.title_terms[i], E'\\t', 1)) || ':' || k || 'A' END, ' '), '') AS vec,
           coalesce(string_agg(NULLIF(split_part(bt.title_terms[i], E'\\t', 2), ''), ' '), '') AS gvec
    FROM (SELECT k, CASE WHEN k <= cardinality(bt.title_words) AND g %% 3 <> 0 THEN k
                         ELSE 1 + floor(random() * cardinality(bt.title_words))::int END AS i
          FROM generate_series(1, cardinality(bt.title_words) + g %% 3) AS k) AS s
) AS t
CROSS JOIN LATERAL (
    SELECT string_agg(bt.words[i], ' ' ORDER BY k) AS body,
           coalesce(string_agg(CASE WHEN bt.terms[i] <> '' THEN quote_literal(split_part(bt.terms[i], E'\\t', 1)) || ':' || (k + 20) || 'B' END, ' '), '') AS vec,
           coalesce(string_agg(NULLIF(split_part(bt.terms[i], E'\\t', 3), ''), ' '), '') AS gvec
    FROM (SELECT k, 1 + floor(random() * cardinality(bt.words))::int AS i
          FROM generate_series(1, 80 + (g * 31) %% 121) AS k) AS s
) AS b
"""


def seed(n):
    from django.core.management import call_command
    from django.db import connection

    from knowledgebase import services

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    rows = topic_rows()
    with connection.cursor() as cur:
        cur.execute("CREATE TEMP TABLE bench_topic (id int, lang text, title_words text[], title_terms text[],"
                    " words text[], terms text[])")
        cur.executemany("INSERT INTO bench_topic VALUES (%s, %s, %s, %s, %s, %s)",
                        [(i + 1, *row) for i, row in enumerate(rows)])
        cur.execute("SET maintenance_work_mem = '512MB'")
        # Bulk load without the GIN indexes; they are rebuilt in one pass afterwards.
        cur.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'knowledgebase_article'"
                    " AND indexdef LIKE '%%USING gin%%'")
        deferred = cur.fetchall()
        for name, _ in deferred:
            cur.execute(f'DROP INDEX "{name}"')
        cur.execute(SEED_SQL, {"n": n, "topics": len(rows)})
        for _, definition in deferred:
            cur.execute(definition)
        cur.execute("ANALYZE knowledgebase_article")
    services.terms_rebuild()
    with connection.cursor() as cur:
        cur.execute("ANALYZE knowledgebase_searchterm")
        cur.execute("SELECT language, count(*) FROM knowledgebase_article GROUP BY 1 ORDER BY 1")
        counts = cur.fetchall()
        cur.execute("SELECT count(*) FROM knowledgebase_searchterm")
        vocabulary = cur.fetchone()[0]
    print(f"seeded {n} articles {counts} and {vocabulary} terms in {time.perf_counter() - started:.1f} s")


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def measure(rounds):
    from django.conf import settings
    from django.test import Client

    from knowledgebase.search import engine

    settings.KB_SUGGEST_RATE = (10**9, 60)
    for code in ("ru", "pl", "en"):
        engine.forget_document_count(code)
    typed = []
    for language, text in queries():
        half = text[: max(3, len(text) // 2)]
        typed += [(language, half), (language, text)]
    clients = {code: Client(HTTP_ACCEPT_LANGUAGE=code) for code in ("ru", "pl", "en")}
    for client, code in ((c, k) for k, c in clients.items()):
        client.cookies["django_language"] = code
    for language, text in typed:  # warm-up: connections, caches, plans
        clients[language].post("/kb/suggest/", {"subject": text})
    timings, shown = [], 0
    for _ in range(rounds):
        for language, text in typed:
            started = time.perf_counter()
            response = clients[language].post("/kb/suggest/", {"subject": text})
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.status_code
            shown += b"<li" in response.content
    print(f"{len(timings)} requests ({len(typed)} typed texts x {rounds}); suggestions shown for {shown}")
    print(f"p50 {percentile(timings, 0.50):.1f} ms   p95 {percentile(timings, 0.95):.1f} ms   "
          f"p99 {percentile(timings, 0.99):.1f} ms   mean {statistics.mean(timings):.1f} ms")


def main():
    args = parse_args()
    import django

    prepare = prepare_database(f"helpdesk_kb_bench_{args.articles}", args.keep, args.articles)
    django.setup()
    if prepare:
        seed(args.articles)
    else:
        print("reusing the seeded bench database")
    measure(args.rounds)


if __name__ == "__main__":
    main()
