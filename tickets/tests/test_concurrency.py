import threading

import pytest
from django.db import connection

from tickets import services
from tickets.models import Ticket


@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_get_distinct_references(customer_a):
    threads_count = 8
    barrier = threading.Barrier(threads_count)
    numbers, errors = [], []

    def submit(i):
        try:
            barrier.wait(timeout=10)
            ticket = services.ticket_create(
                requester=customer_a, data={"kind": "question", "subject": f"Parallel {i}", "body": "x"}
            )
            numbers.append(ticket.number)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(threads_count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not errors
    assert len(numbers) == threads_count
    assert len(set(numbers)) == threads_count
    assert Ticket.objects.count() == threads_count
