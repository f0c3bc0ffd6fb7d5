"""Benchmark of merge, split and links on big tickets (tickets.relations).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/helpdesk .venv/bin/python bench/merge.py [--messages 5000]

Makes a throw-away database (test_<name>), files two tickets of one organisation, gives
the duplicate ``--messages`` messages and as many attachment rows (bulk inserted), then
times the merge (statements and wall time: it must not grow with the conversation, the
moves are set-based), a split of one message, and the engineer's and the customer's
ticket pages with ``--links`` links (queries and time per page).
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings_test")


def timed(call, repeat=1):
    samples = []
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = call()
        samples.append((time.perf_counter() - start) * 1000)
    return result, statistics.median(samples)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--links", type=int, default=200)
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    setup_test_environment()
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from django.test import Client
        from django.urls import reverse

        from helpdesk.accounts.tests.factories import EngineerFactory, OrganisationFactory, UserFactory
        from tickets import relations, services
        from tickets.models import Attachment, Message, TicketLink

        org = OrganisationFactory(name="Bench org")
        customer = UserFactory(organisation=org, email="bench@org.example")
        engineer = EngineerFactory(email="bench@helpdesk.example")

        def file(subject):
            return services.ticket_create(requester=customer, data={"kind": "question", "subject": subject, "body": "b"},
                                          confirm=False)

        target, duplicate = file("target"), file("duplicate")
        messages = Message.objects.bulk_create(
            [Message(ticket=duplicate, author=customer, body=f"message {i}") for i in range(args.messages)])
        Attachment.objects.bulk_create([
            Attachment(ticket=duplicate, message=m, uploaded_by=customer, file=f"attachments/bench/{m.pk}",
                       original_name="a.png", content_type="image/png", size=10, sha256="0" * 64) for m in messages])
        with CaptureQueriesContext(connection) as ctx:
            _r, merge_ms = timed(lambda: relations.ticket_merge(ticket=duplicate, into=target, actor=engineer))
        print(f"merge of {args.messages} messages + {args.messages} attachments: {merge_ms:.0f} ms, "
              f"{len(ctx.captured_queries)} statements")
        one = target.messages.order_by("pk").last()
        with CaptureQueriesContext(connection) as ctx:
            _r, split_ms = timed(lambda: relations.ticket_split(ticket=target, message=one, actor=engineer, subject="s"))
        print(f"split of one message: {split_ms:.0f} ms, {len(ctx.captured_queries)} statements")
        hub = file("hub")
        others = [file(f"linked {i}") for i in range(args.links)]
        TicketLink.objects.bulk_create([TicketLink(source=hub, target=o, created_by=engineer) for o in others])
        for who, url_name in ((engineer, "workspace:work"), (customer, "tickets:detail")):
            client = Client()
            client.force_login(who)
            url = reverse(url_name, args=[hub.number])
            client.get(url)
            statements = []
            with connection.execute_wrapper(lambda execute, sql, *a: statements.append(sql) or execute(sql, *a)):
                response = client.get(url)
            assert response.status_code == 200
            _r, page_ms = timed(lambda: client.get(url), repeat=10)
            lone = file("no links")
            _r, bare_ms = timed(lambda: client.get(reverse(url_name, args=[lone.number])), repeat=10)
            print(f"{url_name} with {args.links} links: {len(statements)} queries, median {page_ms:.0f} ms "
                  f"(the same page without links: {bare_ms:.0f} ms)")
    finally:
        connection.creation.destroy_test_db(name, verbosity=0)


if __name__ == "__main__":
    main()
