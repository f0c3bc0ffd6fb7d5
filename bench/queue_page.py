"""Benchmark of the engineer's queue page and the reports on a large database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/helpdesk \
        .venv/bin/python bench/queue_page.py [--tickets 1000000] [--requests 40]

Reuses (or seeds) the database of bench/sla_sweep.py (helpdesk_bench_<tickets>: 2,000
organisations, 30 engineers, ~12 % of tickets open) and requests /workspace/ through
Django's test client as a logged-in engineer with every kind of filter the UI offers,
printing p50/p95/p99 and the number of queries per page, then times the reports page.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import sla_sweep  # noqa: E402  (sets up sys.path and the environment for Django)

COMBINATIONS = [
    {},
    {"view": "mine", "status": "open"},
    {"view": "unassigned", "status": "open"},
    {"view": "due_soon", "status": "open"},
    {"view": "my_level", "status": "open", "order": "due"},
    {"status": "open", "kind": "error", "urgency": "high", "sla": "breached"},
    {"status": "", "order": "-created_at"},
    {"status": "closed", "order": "created_at", "kind": "question"},
    {"status": "open", "sla": "ok", "level": "L1", "tariff": "{tariff}"},
    {"status": "open", "assignee": "{engineer}", "order": "due"},
    {"status": "open", "q": "HD-{number}"},
    {"status": "open", "q": "export"},
    {"status": "", "q": "error 500", "order": "-created_at"},
    {"status": "open", "page": "20"},
]


def percentile(samples, share):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def main():
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--db")
    args = parser.parse_args()
    args.due_share, args.keep = 0.01, True
    import environ

    cfg = environ.Env.db_url_config(os.environ["DATABASE_URL"])
    name = args.db or f"helpdesk_bench_{args.tickets}"
    must_seed = sla_sweep.prepare_database(cfg, name, args)

    import django
    from django.conf import settings

    django.setup()
    settings.DATABASES["default"]["NAME"] = name
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["*"]
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from helpdesk.accounts.models import User
    from tickets.models import Ticket

    if must_seed:
        print(f"seeding {args.tickets:,} tickets into {name} …", flush=True)
        sla_sweep.seed(args)
    engineer = User.objects.filter(role="engineer").order_by("pk").first()
    User.objects.filter(pk=engineer.pk).update(is_staff=True, support_level="L3")
    engineer.refresh_from_db()
    open_ticket = Ticket.objects.filter(status="open").order_by("pk").values("number", "tariff_id").first()
    client = Client()
    client.force_login(engineer)
    total = Ticket.objects.count()
    print(f"database {name}: {total:,} tickets, {Ticket.objects.filter(status__in=['new', 'open', 'waiting']).count():,} open\n")
    print(f"{'filters':<62} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'queries':>8}")
    worst = 0.0
    for combo in COMBINATIONS:
        params = {
            k: v.format(tariff=open_ticket["tariff_id"], engineer=engineer.pk, number=open_ticket["number"])
            for k, v in combo.items()
        }
        client.get("/workspace/", params)  # warm up
        samples = []
        for _ in range(args.requests):
            started = time.perf_counter()
            response = client.get("/workspace/", params)
            samples.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        with CaptureQueriesContext(connection) as ctx:
            client.get("/workspace/", params)
        p95 = percentile(samples, 0.95)
        worst = max(worst, p95)
        label = "&".join(f"{k}={v}" for k, v in params.items()) or "(default: open, nearest deadline)"
        print(f"{label[:62]:<62} {statistics.median(samples):7.1f} {p95:7.1f} {percentile(samples, 0.99):7.1f} {len(ctx.captured_queries):8d}")
    print(f"\nworst p95 over {len(COMBINATIONS)} filter combinations: {worst:.1f} ms (target < 150 ms)")
    samples = []
    for _ in range(5):
        started = time.perf_counter()
        assert client.get("/workspace/reports/", {"start": "2020-01-01"}).status_code == 200
        samples.append((time.perf_counter() - started) * 1000)
    print(f"reports page over all {total:,} tickets: median {statistics.median(samples):.0f} ms, max {max(samples):.0f} ms")


if __name__ == "__main__":
    main()
