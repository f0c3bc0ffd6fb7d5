"""Benchmark of an incident update fanned out to many linked tickets (issue 14).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/helpdesk \
        .venv/bin/python bench/incident_fanout.py [--tickets 1000] [--people 300] [--first-response]

Uses a database of its own on the server of DATABASE_URL (helpdesk_bench_incidents, dropped
and recreated), migrates it, files --tickets tickets through ``ticket_create`` from --people
customers in 50 organisations (plus 50 subscribers), declares an incident, links every ticket
in one bulk call, then times and counts the queries of:

* ``incident_update_deliver`` of a public update (a message in every ticket, one email per
  person; with --first-response the tariff counts it as the first response, which meets a
  target per ticket),
* ``incident_update_deliver`` of the resolution (every ticket resolved with the summary).

Emails go to the outbox only (an in-memory broker: nothing delivers them).
"""

import argparse
import os
import sys
import time
from pathlib import Path

import psycopg2

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")
os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only")
os.environ.setdefault("CELERY_BROKER_URL", "memory://")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/helpdesk")

NAME = "helpdesk_bench_incidents"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tickets", type=int, default=1000)
    parser.add_argument("--people", type=int, default=300)
    parser.add_argument("--first-response", action="store_true")
    args = parser.parse_args()

    import environ

    cfg = environ.Env.db_url_config(os.environ["DATABASE_URL"])
    server = {k.lower(): cfg[k] or None for k in ("HOST", "PORT", "USER", "PASSWORD")}
    admin = psycopg2.connect(dbname="postgres", **server)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{NAME}"')
        cur.execute(f'CREATE DATABASE "{NAME}"')
    admin.close()
    os.environ["DATABASE_URL"] = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + f"/{NAME}"

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from helpdesk.accounts.models import Organisation, User
    from helpdesk.mail.models import OutboundEmail
    from incidents import services
    from sla.models import BusinessCalendar, Tariff
    from tickets.models import Message, Ticket
    from tickets.services import ticket_create

    call_command("migrate", verbosity=0)
    calendar = BusinessCalendar.objects.create(name="24x7", always_open=True)
    Tariff.objects.create(code="basic", name="Basic", is_default=True, calendar=calendar, first_response_minutes=240,
                          incident_update_is_first_response=args.first_response)
    orgs = [Organisation.objects.create(name=f"Client {i}") for i in range(50)]
    people = [User(email=f"c{i}@client{i % 50}.example", full_name=f"Customer {i}", organisation=orgs[i % 50],
                   language=("en", "ru", "pl")[i % 3]) for i in range(args.people + 50)]
    for p in people:
        p.set_unusable_password()
    User.objects.bulk_create(people)
    people = list(User.objects.filter(role="customer").order_by("pk"))
    requesters, subscribers = people[:args.people], people[args.people:]
    engineer = User.objects.create_user(email="eng@helpdesk.example", full_name="Engineer", role="engineer",
                                        support_level="L1")
    t0 = time.perf_counter()
    numbers = [ticket_create(requester=requesters[i % len(requesters)], confirm=False,
                             data={"kind": "question", "subject": f"Mail down {i}", "body": "Nothing is sent."}).number
               for i in range(args.tickets)]
    print(f"filed {len(numbers)} tickets in {time.perf_counter() - t0:.1f} s")
    incident = services.incident_declare(actor=engineer, data={
        "title_en": "Mail outage", "status_text_en": "Investigating.", "affects_everyone": True})
    for s in subscribers:
        services.incident_subscribe(incident=incident, user=s)

    def measured(label, fn):
        count = [0]

        def counter(execute, sql, params, many, context):
            count[0] += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counter):
            start = time.perf_counter()
            result = fn()
            elapsed = time.perf_counter() - start
        print(f"{label}: {elapsed:.2f} s, {count[0]} queries")
        return result

    linked, failures = measured(f"bulk link of {len(numbers)} tickets",
                                lambda: services.incident_link_many(incident=incident, numbers=numbers, actor=engineer))
    assert linked == len(numbers) and not failures
    update = services.incident_update_post(incident=incident, actor=engineer, state="identified",
                                           texts={"body_en": "Found it.", "body_ru": "Нашли.", "body_pl": "Znaleźliśmy."})
    before = OutboundEmail.objects.count()
    measured(f"update delivered to {len(numbers)} tickets (first response: {args.first_response})",
             lambda: services.incident_update_deliver(update.pk))
    print(f"  emails queued: {OutboundEmail.objects.count() - before} (people: {len(requesters) + len(subscribers)}),"
          f" messages: {Message.objects.filter(author=engineer).count()}")
    update = services.incident_resolve(incident=incident, actor=engineer, summary="Relay replaced.",
                                       prevention="Standby relay.")
    measured(f"resolution delivered to {len(numbers)} tickets", lambda: services.incident_update_deliver(update.pk))
    print(f"  resolved tickets: {Ticket.objects.filter(status='resolved').count()}")
    load = os.getloadavg()
    print(f"load average while measuring: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} (cores: {os.cpu_count()})")


if __name__ == "__main__":
    main()
