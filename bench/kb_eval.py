"""Relevance of the knowledge-base suggestions: the project's engine beside plain baselines.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/helpdesk \
        .venv/bin/python bench/kb_eval.py [--data /work/shared/kb-eval]
        [--ext /work/shared/ext/kb_retrieval] [--only public] [--threshold T]
        [--predictions OUT] [--failures] [--db NAME]

Creates a throwaway database (``--db``, default helpdesk_kb_eval) on the server of
DATABASE_URL, migrates it, and for every set loads the articles (the same indexing as the
admin), ranks every query with knowledgebase.selectors.ranked (what the suggestion
endpoint uses; the query's language is the visitor's language) and with the plain
baselines of bench/kb_baselines.py (BM25, character 3–5-gram TF-IDF cosine, computed here
from the same files), and prints one table, system × set:

* public (``--data``, the set the engine was tuned on): MRR@5 / recall@5 over the
  answerable queries;
* held-out (``--ext``, never tuned on): StackFAQ thread-level Hit@1 / Hit@5 (results
  collapsed to ``thread_id``, as its README defines them), XQuAD-R en and ru MRR@5 /
  recall@5;

then the public set per language and kind, and the no-answer trade-off: the share of
no-answer queries that show nothing beside the share of answerable queries whose
relevant article is still shown, at the engine's threshold (``selectors.suggest_threshold``)
and, for every system, at the best threshold on its top score for a few rejection rates.
The engine's public predictions are written in the format of the set's score.py.
"""

import argparse
import json
import math
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

import psycopg2

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/helpdesk")

from kb_baselines import BM25, CharNgramTfidf  # noqa: E402

K = 5
DEPTH = 10  # results read per query (StackFAQ collapses them to threads)
REJECTION_RATES = (0.6, 0.8, 0.85, 1.0)


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
    """Index the articles (replacing any loaded before); {pk: set id}."""
    from django.db import connection

    from knowledgebase import services
    from knowledgebase.models import Article
    from knowledgebase.search import engine

    with connection.cursor() as cur:
        cur.execute("TRUNCATE knowledgebase_article, knowledgebase_searchterm CASCADE")
    ids = {}
    for row in articles:
        article = Article.objects.create(
            title=row.get("title") or "", body=row.get("body") or "", language=row.get("lang", "en"),
            status=Article.Status.PUBLISHED, visibility=Article.Visibility.PUBLIC,
        )
        ids[article.pk] = str(row["id"])
    # One rebuild is much faster than a recount per article for large sets; it gives
    # the same vocabulary as indexing them one by one.
    for article in Article.objects.all():
        services.article_index(article, refresh_terms=False)
    services.terms_rebuild()
    for code in ("ru", "pl", "en"):
        engine.forget_document_count(code)
    return ids


def relevant_of(query):
    return {str(x) for x in query.get("relevant", query.get("relevant_ids", []))}


def engine_rankings(queries, ids):
    from knowledgebase import selectors

    out, timings = [], []
    for query in queries:
        started = time.perf_counter()
        rows = selectors.ranked(query["query"], query.get("lang", "en"), limit=DEPTH)
        timings.append(time.perf_counter() - started)
        out.append([(ids[pk], score) for pk, score, _ in rows])
    return out, timings


def collapse(results, group_of):
    """Results of one query collapsed to groups (StackFAQ threads), first occurrence kept."""
    seen, out = set(), []
    for item, score in results:
        group = group_of.get(item, item)
        if group not in seen:
            seen.add(group)
            out.append((group, score))
    return out


def measure(queries, rankings, group_of=None):
    """{'all'|'lang=..'|'kind=..': [n, recall@5 sum, rr@5 sum, hit@1 sum]}."""
    groups = defaultdict(lambda: [0, 0.0, 0.0, 0])
    for query, results in zip(queries, rankings):
        relevant = relevant_of(query)
        if not relevant:
            continue
        if group_of:
            results = collapse(results, group_of)
            relevant = {group_of.get(r, r) for r in relevant}
        top = [i for i, _ in results[:K]]
        recall = len(relevant & set(top)) / len(relevant)
        rank = next((n + 1 for n, i in enumerate(top) if i in relevant), None)
        for key in ("all", f"lang={query.get('lang', '?')}", f"kind={query.get('kind', '?')}"):
            g = groups[key]
            g[0] += 1
            g[1] += recall
            g[2] += 1.0 / rank if rank else 0.0
            g[3] += rank == 1
    return groups


def no_answer_at(queries, rankings, threshold):
    """(no-answer queries showing nothing, answerable showing a relevant article), shares."""
    na = na_hidden = ans = ans_shown = 0
    for query, results in zip(queries, rankings):
        relevant = relevant_of(query)
        if not relevant:
            na += 1
            na_hidden += not results or results[0][1] < threshold
        else:
            ans += 1
            ans_shown += any(i in relevant and s >= threshold for i, s in results[:K])
    return na_hidden / max(na, 1), ans_shown / max(ans, 1)


def best_at_rejection(queries, rankings, rate):
    """The answerable share still shown at the lowest threshold hiding ≥ rate of no-answer queries."""
    tops = sorted((results[0][1] if results else float("-inf")) for q, results in zip(queries, rankings)
                  if not relevant_of(q))
    if not tops:
        return None
    need = min(len(tops), math.ceil(rate * len(tops) - 1e-9))
    threshold = tops[need - 1] + 1e-9 if need else float("-inf")
    return no_answer_at(queries, rankings, threshold)


def sets(args):
    out = [("public", os.path.join(args.data, "articles.jsonl"), os.path.join(args.data, "queries.jsonl"))]
    for name, stem in (("StackFAQ", "stackfaq"), ("XQuAD-R en", "xquadr_en"), ("XQuAD-R ru", "xquadr_ru")):
        out.append((name, os.path.join(args.ext, f"{stem}_articles.jsonl"), os.path.join(args.ext, f"{stem}_queries.jsonl")))
    return [s for s in out if os.path.exists(s[1]) and (not args.only or s[0] in args.only)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="/work/shared/kb-eval")
    parser.add_argument("--ext", default="/work/shared/ext/kb_retrieval")
    parser.add_argument("--only", action="append", help="a set's name (repeatable): public, StackFAQ, …")
    parser.add_argument("--threshold", type=float)
    parser.add_argument("--predictions", default="/tmp/kb_eval_predictions.jsonl")
    parser.add_argument("--failures", action="store_true", help="print the public queries not ranked first")
    parser.add_argument("--db", default="helpdesk_kb_eval")
    parser.add_argument("--calibrate", action="store_true",
                        help="print the per-language thresholds that maximise hidden + shown on the public set")
    args = parser.parse_args()

    fresh_database(args.db)
    from knowledgebase import selectors

    table, details = {}, {}
    systems = ["engine", BM25.name, CharNgramTfidf.name]
    for name, articles_path, queries_path in sets(args):
        articles, queries = load(articles_path), load(queries_path)
        started = time.perf_counter()
        ids = load_articles(articles)
        loaded = time.perf_counter() - started
        rankings = {}
        rankings["engine"], timings = engine_rankings(queries, ids)
        for baseline in (BM25, CharNgramTfidf):
            ranker = baseline(articles)
            rankings[baseline.name] = [ranker.rank(q["query"], q.get("lang", "en"), DEPTH) for q in queries]
        group_of = {str(a["id"]): a["thread_id"] for a in articles if a.get("thread_id")} or None
        for system in systems:
            table[(system, name)] = measure(queries, rankings[system], group_of)["all"]
        timings.sort()
        print(f"{name}: {len(ids)} articles indexed in {loaded:.1f} s, {len(queries)} queries; engine "
              f"p50 {timings[len(timings) // 2] * 1000:.1f} ms, p95 {timings[int(len(timings) * 0.95)] * 1000:.1f} ms")
        details[name] = (queries, rankings, group_of)

    names = [s[0] for s in sets(args)]
    header = f"{'system':<24}" + "".join(f"{n + (' (held-out)' if n != 'public' else ''):>26}" for n in names)
    print("\n" + header)
    print(f"{'':<24}" + "".join(f"{'Hit@1 / Hit@5' if n == 'StackFAQ' else 'MRR@5 / recall@5':>26}" for n in names))
    for system in systems:
        cells = []
        for n in names:
            count, recall, rr, hit1 = table[(system, n)]
            first, second = (hit1 / count, recall / count) if n == "StackFAQ" else (rr / count, recall / count)
            cells.append(f"{first:.3f} / {second:.3f}")
        print(f"{system:<24}" + "".join(f"{c:>26}" for c in cells))

    if "public" not in details:
        return
    queries, rankings, _ = details["public"]
    print(f"\npublic, by language and kind (MRR@5 / recall@5)\n{'group':<24}{'n':>5}" + "".join(f"{s:>24}" for s in systems))
    measured = {s: measure(queries, rankings[s]) for s in systems}
    for key in sorted(measured["engine"], key=lambda k: (k != "all", k)):
        n = measured["engine"][key][0]
        print(f"{key:<24}{n:>5}" + "".join(
            f"{measured[s][key][2] / n:>15.3f} / {measured[s][key][1] / n:.3f}" for s in systems))

    print("\nno-answer trade-off (public): no-answer queries showing nothing / answerable still showing the right article")
    engine_threshold = args.threshold
    hidden, shown = no_answer_at_engine(queries, rankings["engine"], engine_threshold, selectors)
    print(f"  engine at its own threshold (per language): {hidden:.3f} / {shown:.3f}")
    for language in ("ru", "pl", "en"):
        subset = [(q, r) for q, r in zip(queries, rankings["engine"]) if q.get("lang") == language]
        h, s = no_answer_at_engine([q for q, _ in subset], [r for _, r in subset], engine_threshold, selectors)
        print(f"    lang={language}: {h:.3f} / {s:.3f}")
    print(f"  {'best threshold hiding at least':<34}" + "".join(f"{s:>24}" for s in systems))
    for rate in REJECTION_RATES:
        row = [best_at_rejection(queries, rankings[s], rate) for s in systems]
        print(f"  {f'{rate:.0%} of no-answer queries':<34}" + "".join(f"{f'{h:.3f} / {s:.3f}':>24}" for h, s in row))

    if args.calibrate:
        for language in ("ru", "pl", "en"):
            subset = [(q, r) for q, r in zip(queries, rankings["engine"]) if q.get("lang") == language]
            best = max((sum(no_answer_at([q for q, _ in subset], [r for _, r in subset], t / 100)), -abs(t - 45), t)
                       for t in range(20, 80))
            print(f"  calibrated threshold lang={language}: {best[2] / 100:.2f} (hidden + shown = {best[0]:.3f})")

    with open(args.predictions, "w", encoding="utf-8") as handle:
        for index, results in enumerate(rankings["engine"]):
            row = {"i": index, "results": [{"id": i, "score": round(s, 6)} for i, s in results[:K]]}
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"\npredictions for score.py: {args.predictions}")
    if args.failures:
        for query, results in zip(queries, rankings["engine"]):
            relevant = relevant_of(query)
            top = [i for i, _ in results[:K]]
            if (relevant and (not top or top[0] not in relevant)) or (not relevant and results):
                print(f"\n[{query.get('lang')}/{query.get('kind')}] {query['query'][:160]}\n  want {sorted(relevant)}"
                      f" got {[(i, round(s, 3)) for i, s in results[:K]]}")


def no_answer_at_engine(queries, rankings, threshold, selectors):
    """The engine's display rule: its per-language threshold unless --threshold is given."""
    na = na_hidden = ans = ans_shown = 0
    for query, results in zip(queries, rankings):
        cut = threshold if threshold is not None else selectors.suggest_threshold(query.get("lang", "en"))
        relevant = relevant_of(query)
        if not relevant:
            na += 1
            na_hidden += not results or results[0][1] < cut
        else:
            ans += 1
            ans_shown += any(i in relevant and s >= cut for i, s in results[:K])
    return na_hidden / max(na, 1), ans_shown / max(ans, 1)


if __name__ == "__main__":
    main()
