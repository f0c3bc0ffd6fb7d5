"""Relevance of the knowledge-base suggestions on a labelled set.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/helpdesk \
        .venv/bin/python bench/kb_eval.py [--data /work/shared/kb-eval] [--threshold T]
        [--articles FILE --queries FILE] [--predictions OUT] [--failures]

Creates a throwaway database (helpdesk_kb_eval) on the server of DATABASE_URL, migrates
it, loads the articles through knowledgebase.services (the same indexing as the admin),
runs every query through knowledgebase.selectors.ranked (the ranking the suggestion
endpoint uses, with the query's language as the visitor's language) and prints
recall@5 and MRR@5 overall, per language and per kind, and the no-answer rate beside
the answerable-shown rate at the endpoint's threshold (selectors.SUGGEST_THRESHOLD).
The predictions are also written in the format of the set's score.py.

Works for any set in the same JSON-lines layout, e.g. the third-party sets in
/work/shared/ext/kb_retrieval (``relevant_ids`` is read like ``relevant``).
"""

import argparse
import json
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

import psycopg2

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/helpdesk")

K = 5


def load(path):
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def fresh_database(name):
    import django
    from django.conf import settings

    cfg = settings.DATABASES["default"]
    server = dict(host=cfg["HOST"] or None, port=cfg["PORT"] or None, user=cfg["USER"] or None,
                  password=cfg["PASSWORD"] or None)
    admin = psycopg2.connect(dbname="postgres", **server)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cur.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    cfg["NAME"] = name
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def load_articles(articles):
    from knowledgebase import services
    from knowledgebase.models import Article

    ids = {}
    for row in articles:
        article = Article.objects.create(
            title=row.get("title") or "", body=row.get("body") or "", language=row.get("lang", "en"),
            status=Article.Status.PUBLISHED, visibility=Article.Visibility.PUBLIC,
        )
        ids[article.pk] = str(row["id"])
    # One rebuild is much faster than a recount per article for large sets; it gives
    # the same vocabulary as indexing them one by one.
    from django.db import connection

    from knowledgebase import markdown
    from knowledgebase.search.document import tsvector_literal

    with connection.cursor() as cur:
        for article in Article.objects.all():
            plain = markdown.plain_text(article.body)
            literal = tsvector_literal(title=article.title, tags=[], text=plain, language=article.language)
            cur.execute("UPDATE knowledgebase_article SET plain_text = %s, search = %s::tsvector WHERE id = %s",
                        [plain, literal, article.pk])
    services.terms_rebuild()
    return ids


def relevant_of(query):
    return {str(x) for x in query.get("relevant", query.get("relevant_ids", []))}


def evaluate(queries, ids, threshold):
    from knowledgebase import selectors

    groups = defaultdict(lambda: {"n": 0, "recall": 0.0, "rr": 0.0})
    predictions, failures = [], []
    no_answer = no_answer_rejected = answerable = answerable_shown = 0
    per_language = defaultdict(lambda: [0, 0, 0, 0])  # no-answer, rejected, answerable, shown
    timings = []
    for index, query in enumerate(queries):
        started = time.perf_counter()
        rows = selectors.ranked(query["query"], query.get("lang", "en"), limit=K)
        timings.append(time.perf_counter() - started)
        results = [(ids[pk], score) for pk, score, _ in rows]
        predictions.append({"i": index, "results": [{"id": i, "score": round(s, 6)} for i, s in results]})
        relevant = relevant_of(query)
        counts = per_language[query.get("lang", "?")]
        if not relevant:
            rejected = not results or results[0][1] < threshold
            no_answer += 1
            no_answer_rejected += rejected
            counts[0] += 1
            counts[1] += rejected
            continue
        ranked_ids = [i for i, _ in results]
        recall = len(relevant & set(ranked_ids)) / len(relevant)
        rank = next((n + 1 for n, i in enumerate(ranked_ids) if i in relevant), None)
        shown = any(i in relevant and s >= threshold for i, s in results)
        answerable += 1
        answerable_shown += shown
        counts[2] += 1
        counts[3] += shown
        if rank != 1:
            failures.append((query, results))
        for key in ("all", f"lang={query.get('lang', '?')}", f"kind={query.get('kind', '?')}"):
            group = groups[key]
            group["n"] += 1
            group["recall"] += recall
            group["rr"] += 1.0 / rank if rank else 0.0
    return groups, predictions, failures, (no_answer, no_answer_rejected, answerable, answerable_shown,
                                           dict(per_language)), timings


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="/work/shared/kb-eval")
    parser.add_argument("--articles")
    parser.add_argument("--queries")
    parser.add_argument("--threshold", type=float)
    parser.add_argument("--predictions", default="/tmp/kb_eval_predictions.jsonl")
    parser.add_argument("--failures", action="store_true", help="print the queries not ranked first")
    parser.add_argument("--db", default="helpdesk_kb_eval")
    args = parser.parse_args()
    articles = load(args.articles or os.path.join(args.data, "articles.jsonl"))
    queries = load(args.queries or os.path.join(args.data, "queries.jsonl"))

    fresh_database(args.db)


    from knowledgebase import selectors
    from knowledgebase.search import engine

    for code in ("ru", "pl", "en"):
        engine.forget_document_count(code)
    started = time.perf_counter()
    ids = load_articles(articles)
    print(f"loaded {len(ids)} articles in {time.perf_counter() - started:.1f} s")
    threshold = selectors.SUGGEST_THRESHOLD if args.threshold is None else args.threshold
    groups, predictions, failures, na, timings = evaluate(queries, ids, threshold)

    print(f"{'group':<28}{'n':>5}{'recall@5':>10}{'MRR@5':>8}")
    for key in sorted(groups, key=lambda k: (k != "all", k)):
        g = groups[key]
        print(f"{key:<28}{g['n']:>5}{g['recall'] / g['n']:>10.3f}{g['rr'] / g['n']:>8.3f}")
    no_answer, rejected, answerable, shown, per_language = na
    if no_answer:
        print(f"\nthreshold {threshold:.3f}: no-answer rejected {rejected}/{no_answer} = {rejected / no_answer:.3f}; "
              f"answerable with a relevant article shown {shown}/{answerable} = {shown / answerable:.3f}")
        for code, (n_na, n_rej, n_ans, n_shown) in sorted(per_language.items()):
            print(f"  lang={code}: no-answer rejected {n_rej}/{n_na}; answerable shown {n_shown}/{n_ans}")
    timings.sort()
    print(f"ranking time per query: p50 {timings[len(timings) // 2] * 1000:.1f} ms, "
          f"p95 {timings[int(len(timings) * 0.95)] * 1000:.1f} ms")
    with open(args.predictions, "w", encoding="utf-8") as handle:
        for row in predictions:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"predictions for score.py: {args.predictions}")
    if args.failures:
        for query, results in failures:
            print(f"\n[{query.get('lang')}/{query.get('kind')}] {query['query'][:160]}\n  want {sorted(relevant_of(query))}"
                  f" got {[(i, round(s, 3)) for i, s in results]}")


if __name__ == "__main__":
    main()
