"""Benchmark of the SLA sweep (tickets.sla_clock.sla_sweep) on a large database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/helpdesk \
        .venv/bin/python bench/sla_sweep.py [--tickets 1000000] [--due-share 0.01] [--keep]

Uses a database of its own on the server of DATABASE_URL (helpdesk_bench_<tickets>,
dropped and recreated unless --keep finds it seeded with the same parameters), migrates
it, seeds it with set-based SQL and times the sweep end to end. The sweep runs with
now=<seed time>, so the due set is the same whenever it runs; --keep undoes the previous
sweep's writes instead of seeding again.

Data: 2,000 organisations, 10,000 customers, 30 engineers, one tariff (first response
8 business hours, resolution 40) on a Mon–Fri 09–18 calendar; two SLA targets a ticket.
~87 % of tickets are resolved/closed with met targets, ~12 % open with future deadlines
(waiting ones paused), and --due-share of them due: half past their warning time, half
past their deadline. Emails are published to an in-memory broker (CELERY_BROKER_URL,
default memory://) so no worker anywhere delivers the benchmark's outbox.
"""

import argparse
import os
import sys
import time
from pathlib import Path

import psycopg2

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")
os.environ.setdefault("CELERY_BROKER_URL", "memory://")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/helpdesk")

from bench_seed import insert_select  # noqa: E402 - the set-based INSERT … SELECT the HTTP bench seeds with

ORGS, CUSTOMERS, ENGINEERS = 2_000, 10_000, 30


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--due-share", type=float, default=0.01)
    parser.add_argument("--keep", action="store_true", help="reuse the bench database if already seeded")
    parser.add_argument("--db", help="bench database name (default helpdesk_bench_<tickets>)")
    return parser.parse_args()


def prepare_database(cfg, name, args):
    """Create (or with --keep, reuse) the bench database; True if it must be seeded."""
    server = {k.lower(): cfg[k] or None for k in ("HOST", "PORT", "USER", "PASSWORD")}
    if args.keep:
        conn, seeded = None, False
        try:
            conn = psycopg2.connect(dbname=name, **server)
            with conn.cursor() as cur:
                cur.execute("SELECT tickets, due_share FROM bench_meta")
                seeded = cur.fetchone() == (args.tickets, args.due_share)
        except psycopg2.Error:
            pass  # no such database, or its seeding did not finish: seed again
        finally:
            if conn is not None:
                conn.close()
        if seeded:
            return False
    admin = psycopg2.connect(dbname="postgres", **server)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cur.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    return True


def seed(args):
    from django.core.management import call_command
    from django.db import connection

    from helpdesk.accounts.models import Organisation, User
    from sla.models import BusinessCalendar, Tariff
    from sla.services import tariff_revision_for
    from sla.tests.factories import working_week
    from tickets.models import SlaTarget, Ticket

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("SELECT date_trunc('second', now())")
        t0 = cur.fetchone()[0]
        calendar = working_week(BusinessCalendar.objects.create(name="Bench office", time_zone="Europe/Moscow"))
        tariff = Tariff.objects.create(code="bench", name="Bench", is_default=True, calendar=calendar,
                                       first_response_minutes=480, commitment_minutes=None, resolution_minutes=2400)
        Organisation.objects.bulk_create(Organisation(name=f"Bench Org {i}") for i in range(ORGS))
        orgs = list(Organisation.objects.values_list("pk", flat=True))
        User.objects.bulk_create(
            [User(email=f"customer{i}@bench.example", full_name=f"Customer {i}", organisation_id=orgs[i % ORGS],
                  password="!", role=User.Role.CUSTOMER) for i in range(CUSTOMERS)]
            + [User(email=f"engineer{i}@bench.example", full_name=f"Engineer {i}", password="!",
                    role=User.Role.ENGINEER, support_level="L1") for i in range(ENGINEERS)], batch_size=5000)
        # Bulk load without secondary indexes and FK triggers; both are restored below.
        cur.execute("SET session_replication_role = replica; SET maintenance_work_mem = '512MB'")
        cur.execute("""SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN ('tickets_ticket', 'tickets_slatarget')
                       AND indexname NOT IN (SELECT conname FROM pg_constraint)""")
        deferred = cur.fetchall()
        for index_name, _ in deferred:
            cur.execute(f'DROP INDEX "{index_name}"')
        cur.execute(f"""CREATE UNLOGGED TABLE bench_plan AS
            SELECT g, c.id AS requester_id, c.organisation_id, e.id AS engineer_id,
                   CASE WHEN mod(g, 10000) < {round(args.due_share * 10000)} THEN 'due'
                        WHEN mod(g, 100) < 12 THEN 'open' ELSE 'done' END AS cls
            FROM generate_series(1, {args.tickets}) g
            JOIN (SELECT id, organisation_id, row_number() OVER (ORDER BY id) - 1 AS rn FROM accounts_user
                  WHERE role = 'customer') c ON c.rn = mod(g, {CUSTOMERS})
            JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS rn FROM accounts_user
                  WHERE role = 'engineer') e ON e.rn = mod(g, {ENGINEERS})""")
        cur.execute("SELECT nextval('tickets_ticket_number_seq')")
        base = cur.fetchone()[0]
        params = {"t0": t0, "tariff": tariff.pk, "base": base, "revision": tariff_revision_for(tariff, t0).pk}
        insert_select(cur, "tickets_ticket", Ticket, [
            "number", "organisation_id", "requester_id", "assignee_id", "kind", "subject", "body", "urgency",
            "customer_urgency", "status", "token", "created_at", "updated_at", "first_response_at", "resolved_at",
            "closed_at", "tariff_id", "tariff_revision_id"], """
            SELECT %(base)s + g, organisation_id, requester_id, CASE WHEN status = 'new' THEN NULL ELSE engineer_id END,
                   (ARRAY['question','error','suggestion'])[1 + mod(g, 3)], 'Bench ticket ' || g,
                   'Open Orders, press Export: the page says error 500.', urgency, urgency, status,
                   gen_random_uuid(), created, created, CASE WHEN status <> 'new' AND cls <> 'due' THEN created + interval '1 hour' END,
                   CASE WHEN cls = 'done' THEN created + interval '1 day' END,
                   CASE WHEN status = 'closed' THEN created + interval '3 days' END,
                   %(tariff)s, %(revision)s {extra}
            FROM (SELECT *, (ARRAY['low','normal','high','critical'])[1 + mod(g, 4)] AS urgency,
                    CASE cls WHEN 'due' THEN (ARRAY['new','open'])[1 + mod(g, 2)]
                             WHEN 'open' THEN (ARRAY['new','open','waiting'])[1 + mod(g, 3)]
                             ELSE CASE WHEN mod(g, 5) = 0 THEN 'resolved' ELSE 'closed' END END AS status,
                    CASE cls WHEN 'due' THEN %(t0)s - interval '3 days'
                             WHEN 'open' THEN %(t0)s - (mod(g, 72)) * interval '1 hour'
                             ELSE %(t0)s - (30 + mod(g, 700)) * interval '1 day' END AS created
                  FROM bench_plan) p""", params)
        cur.execute("SELECT setval('tickets_ticket_number_seq', %s)", [base + args.tickets])
        # Per ticket: first response (480 min) and resolution (2400 min). Due tickets: even g
        # is past its warning time, odd g (warned earlier) past its deadline.
        for kind, minutes, met, sql in (("first_response", 480, "first_response_at", """CASE
              WHEN p.cls = 'done' OR t.first_response_at IS NOT NULL THEN 'met'
              WHEN t.status = 'waiting' THEN 'paused'
              WHEN p.cls = 'due' THEN CASE WHEN mod(p.g, 2) = 0 THEN 'warn' ELSE 'breach' END ELSE 'future' END"""),
                                   ("resolution", 2400, "resolved_at", """CASE WHEN p.cls = 'done' THEN 'met'
              WHEN t.status = 'waiting' THEN 'paused' ELSE 'future' END""")):
            insert_select(cur, "tickets_slatarget", SlaTarget,
                          ["ticket_id", "kind", "minutes", "due_at", "warn_at", "warned_at", "met_at"], f"""
                SELECT id, %(kind)s, %(minutes)s,
                       CASE st WHEN 'met' THEN created_at + %(minutes)s * interval '1 minute' WHEN 'paused' THEN NULL
                               WHEN 'warn' THEN %(t0)s + interval '1 hour' + (mod(g, 3600)) * interval '1 second'
                               WHEN 'breach' THEN %(t0)s - interval '1 second' - (mod(g, 3600)) * interval '1 second'
                               ELSE %(t0)s + interval '1 hour' + (mod(g, 720)) * interval '1 hour' END,
                       CASE st WHEN 'met' THEN created_at + %(minutes)s * interval '45 second' WHEN 'paused' THEN NULL
                               WHEN 'warn' THEN %(t0)s - interval '1 second' - (mod(g, 3600)) * interval '1 second'
                               WHEN 'breach' THEN %(t0)s - interval '5 hours'
                               ELSE %(t0)s + interval '30 minutes' + (mod(g, 720)) * interval '1 hour' END,
                       CASE WHEN st = 'breach' THEN %(t0)s - interval '4 hours' END,
                       CASE WHEN st = 'met' THEN {met} END {{extra}}
                FROM (SELECT t.*, p.g, {sql} AS st FROM tickets_ticket t JOIN bench_plan p ON p.g = t.number - %(base)s) x""",
                          {**params, "kind": kind, "minutes": minutes})
        cur.execute("DROP TABLE bench_plan")
        cur.execute("""UPDATE tickets_ticket t SET next_due_at = d.due FROM (SELECT ticket_id, min(due_at) AS due
                       FROM tickets_slatarget WHERE met_at IS NULL AND due_at IS NOT NULL GROUP BY ticket_id) d
                       WHERE d.ticket_id = t.id""")
        cur.execute("SET session_replication_role = DEFAULT")
        for _, index_def in deferred:
            cur.execute(index_def)
        cur.execute("CREATE TABLE bench_meta (tickets int, due_share float8, t0 timestamptz, seed_seconds float8)")
        seconds = time.perf_counter() - started
        cur.execute("INSERT INTO bench_meta VALUES (%s, %s, %s, %s)", [args.tickets, args.due_share, t0, seconds])
        cur.execute("VACUUM ANALYZE")


def reset_previous_sweep(cur, t0):
    """--keep: undo what the last sweep at now=t0 wrote (it marks rows with exactly t0)."""
    cur.execute("""UPDATE tickets_ticket t SET level = e.old_value FROM tickets_event e
                   WHERE e.ticket_id = t.id AND e.kind = 'escalated' AND e.created_at = %s""", [t0])
    cur.execute("DELETE FROM tickets_event WHERE kind IN ('sla_warning', 'sla_breach', 'escalated') AND created_at = %s", [t0])
    cur.execute("UPDATE tickets_slatarget SET warned_at = NULL WHERE warned_at = %s", [t0])
    cur.execute("UPDATE tickets_slatarget SET breached_at = NULL WHERE breached_at = %s", [t0])
    cur.execute("TRUNCATE mail_outboundemail")
    cur.execute("VACUUM ANALYZE tickets_slatarget, tickets_ticket, tickets_event")


def explain_claims(now, batch=10_000):
    """EXPLAIN (ANALYZE, BUFFERS) of the two claim statements sla_sweep runs (rolled back)."""
    from django.db import connection, transaction

    from tickets.sweep import BREACH_CLAIM, WARN_CLAIM

    plans = {}
    for name, sql in (("breach", BREACH_CLAIM), ("warn", WARN_CLAIM)):
        with transaction.atomic():
            with connection.cursor() as cur:
                cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, {"now": now, "batch": batch})
                plans[name] = "\n".join(row[0] for row in cur.fetchall())
            transaction.set_rollback(True)  # EXPLAIN ANALYZE ran the UPDATE; keep nothing
    return plans


def warm_up_templates():
    """A running worker has compiled its email templates and loaded the translation
    catalogues long before a burst; a fresh process pays that (~2 s) once. Pay it here,
    outside the timed sweep, by rendering each SLA email once (nothing is stored). The
    same for the URL configuration: the first ``reverse()`` of a process imports every
    view module (~2.7 s here), which a worker has done since its first task."""
    from django.template.loader import render_to_string
    from django.urls import reverse
    from django.utils import translation

    reverse("workspace:queue")

    for language in ("en", "ru", "pl"):
        with translation.override(language):
            for name in ("sla_digest", "sla_breach", "sla_warning"):
                for part in ("_subject.txt", ".txt", ".html"):
                    render_to_string(f"tickets/email/{name}{part}", {"rows": [], "total": 0, "breached": 0, "warned": 0, "more": 0})


def main():
    args = parse_args()
    import environ

    cfg = environ.Env.db_url_config(os.environ["DATABASE_URL"])
    name = args.db or f"helpdesk_bench_{args.tickets}"
    must_seed = prepare_database(cfg, name, args)

    import django
    from django.conf import settings

    django.setup()
    settings.DATABASES["default"]["NAME"] = name  # before the first connection is opened
    settings.DEBUG = False  # time it like production: no query log
    from django.db import connection

    from tickets.sla_clock import sla_sweep

    if must_seed:
        print(f"seeding {args.tickets:,} tickets into {name} …", flush=True)
        seed(args)
    else:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)  # a kept database follows the code's schema
    with connection.cursor() as cur:
        assert connection.settings_dict["NAME"] == name
        cur.execute("SELECT t0, seed_seconds FROM bench_meta")
        t0, seed_seconds = cur.fetchone()
        if not must_seed:
            reset_previous_sweep(cur, t0)
        cur.execute("SELECT count(*) FROM tickets_ticket")
        tickets = cur.fetchone()[0]
        cur.execute("""SELECT count(*) FILTER (WHERE due_at <= %(t0)s), count(*) FILTER (WHERE due_at > %(t0)s
                       AND warned_at IS NULL AND warn_at <= %(t0)s), count(*) FROM tickets_slatarget
                       WHERE met_at IS NULL AND breached_at IS NULL""", {"t0": t0})
        due_breach, due_warn, running = cur.fetchone()
    warm_up_templates()
    started = time.perf_counter()
    warned, breached = sla_sweep(now=t0)
    sweep = time.perf_counter() - started
    started = time.perf_counter()
    again = sla_sweep(now=t0)
    second = time.perf_counter() - started
    with connection.cursor() as cur:
        cur.execute("""SELECT (SELECT count(*) FROM tickets_event WHERE created_at = %s),
                              (SELECT count(*) FROM mail_outboundemail),
                              (SELECT count(*) FROM mail_outboundemail WHERE topic = 'sla-digest')""", [t0])
        events, emails, digests = cur.fetchone()
        # The plans are taken after the timed sweep, on the due set restored: an EXPLAIN
        # ANALYZE before it would run the claims once and leave their dead row versions
        # in the way of the sweep being timed.
        reset_previous_sweep(cur, t0)
    plans = explain_claims(t0)
    for kind, plan in plans.items():
        print(f"\nEXPLAIN (ANALYZE, BUFFERS) claim query ({kind}), on the same due set (rolled back):\n{plan}")
    rows = [
        ("database", name), ("seed time", f"{seed_seconds:.1f} s" + ("" if must_seed else " (earlier; --keep)")),
        ("tickets", f"{tickets:,}"), ("running targets (unmet)", f"{running:,}"),
        ("due: past deadline / past warning", f"{due_breach:,} / {due_warn:,}"),
        ("sweep: breached / warned", f"{breached:,} / {warned:,}"), ("events / outbox rows written", f"{events:,} / {emails:,}"),
        ("digest emails (one per recipient)", f"{digests:,}"),
        ("sweep wall time", f"{sweep:.2f} s, {digests:,} digests"), ("due rows / second", f"{(warned + breached) / sweep:,.0f}"),
        ("second sweep (nothing due)", f"{second * 1000:.1f} ms, {again}"),
    ]
    print("\n" + "\n".join(f"{label:<36} {value}" for label, value in rows))
    assert (breached, warned) == (due_breach, due_warn) and again == (0, 0)


if __name__ == "__main__":
    main()
