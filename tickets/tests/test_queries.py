"""List pages cost a constant number of queries, whatever the number of rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from helpdesk.accounts.tests.factories import UserFactory
from tickets import services

pytestmark = pytest.mark.django_db


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _make_tickets(org, n, engineer):
    for i in range(n):
        requester = UserFactory(organisation=org)
        ticket = services.ticket_create(
            requester=requester, data={"kind": ["error", "question"][i % 2], "subject": f"t{i}", "body": "b"}
        )
        services.ticket_assign(ticket=ticket, actor=engineer, assignee=engineer)


@pytest.mark.parametrize("url_name,who", [("tickets:list", "customer"), ("workspace:queue", "engineer")])
def test_list_pages_query_count_is_constant(url_name, who, customer_a, engineer, client_for):
    from sla.tests.factories import TariffFactory

    TariffFactory(code="basic", is_default=True)  # SLA columns render for every row
    client = client_for(customer_a if who == "customer" else engineer)
    url = reverse(url_name)
    _make_tickets(customer_a.organisation, 2, engineer)
    few = _queries(client, url)
    _make_tickets(customer_a.organisation, 20, engineer)
    many = _queries(client, url)
    assert few == many
    assert many <= 14  # session, user, page, count, view counts (one query), saved views, filter choices, declared emergencies


def test_ticket_page_query_count_is_constant_in_conversation_length(customer_a, engineer, client_for):
    ticket = services.ticket_create(requester=customer_a, data={"kind": "error", "subject": "s", "body": "b"})
    services.ticket_reply(ticket=ticket, author=engineer, body="first")
    client = client_for(customer_a)
    url = reverse("tickets:detail", args=[ticket.number])
    few = _queries(client, url)
    for i in range(10):
        services.ticket_reply(ticket=ticket, author=engineer if i % 2 else customer_a, body=f"reply {i}")
    assert _queries(client, url) == few


def test_workspace_ticket_page_query_count_is_constant_in_conversation_length(customer_a, engineer, client_for):
    ticket = services.ticket_create(requester=customer_a, data={"kind": "error", "subject": "s", "body": "b"})
    client = client_for(engineer)
    url = reverse("workspace:work", args=[ticket.number])
    services.ticket_reply(ticket=ticket, author=engineer, body="first")
    few = _queries(client, url)
    for i in range(10):
        services.ticket_reply(ticket=ticket, author=engineer, body=f"note {i}", internal=bool(i % 2))
    assert _queries(client, url) == few
