"""The reports page costs the same number of queries however many engineers it lists."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from helpdesk.accounts.tests.factories import EngineerFactory, UserFactory
from sla.tests.factories import CalendarFactory, TariffFactory, working_week
from tickets import services
from tickets.models import EngineerSchedule

pytestmark = pytest.mark.django_db


def _engineer_with_work(customer, n):
    engineer = EngineerFactory(email=f"e{n}@helpdesk.example")
    EngineerSchedule.objects.create(engineer=engineer, calendar=working_week(CalendarFactory(name=f"Hours {n}")))
    ticket = services.ticket_create(requester=customer, data={"kind": "question", "subject": "s", "body": "b"})
    services.ticket_assign(ticket=ticket, actor=engineer, assignee=engineer)


def test_reports_page_query_count_does_not_grow_with_engineers(customer_a, admin_user, client_for):
    TariffFactory(code="basic", is_default=True)
    client = client_for(admin_user)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("workspace:reports")).status_code == 200
        return len(ctx.captured_queries)

    _engineer_with_work(customer_a, 0)
    few = count()
    for n in range(1, 6):
        _engineer_with_work(UserFactory(organisation=customer_a.organisation), n)
    assert count() == few <= 16  # 15 for the rolled-up figures, 1 for the tickets and SLA per incident (live)
