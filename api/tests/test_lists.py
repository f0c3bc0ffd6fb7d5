"""Lists: keyset pagination that neither skips nor repeats, and constant query counts."""

import base64
import json
from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from helpdesk.accounts.tests.factories import EngineerFactory, UserFactory
from sla.models import TariffPrice
from sla.tests.factories import LicenseFactory, TariffFactory
from tickets import services
from tickets.models import Ticket

pytestmark = pytest.mark.django_db
LIST = "/api/tickets/"


def _make_tickets(org, n, engineer):
    tickets = []
    for i in range(n):
        requester = UserFactory(organisation=org)
        ticket = services.ticket_create(requester=requester, data={"kind": "error", "subject": f"t{i}", "body": "b"})
        services.ticket_assign(ticket=ticket, actor=engineer, assignee=engineer)
        tickets.append(ticket)
    return tickets


def _walk(client, params):
    seen, url, pages = [], LIST, 0
    while url:
        response = client.get(url, params if pages == 0 else None)
        assert response.status_code == 200, response.json()
        seen += [t["number"] for t in response.json()["results"]]
        url, pages = response.json()["next"], pages + 1
    return seen, pages


@pytest.mark.parametrize("order", ["-created_at", "created_at", "due"])
def test_cursor_pages_cover_every_ticket_once_in_order(api_for, engineer, customer_a, order):
    tickets = _make_tickets(customer_a.organisation, 7, engineer)
    same_instant = timezone.now()
    Ticket.objects.filter(pk__in=[t.pk for t in tickets[:3]]).update(created_at=same_instant)  # ties on the key
    for i, ticket in enumerate(tickets[3:6]):
        Ticket.objects.filter(pk=ticket.pk).update(next_due_at=same_instant + timedelta(hours=i % 2))
    seen, pages = _walk(api_for(engineer), {"order": order, "page_size": 2})
    expected = {
        "-created_at": ["-created_at", "-pk"],
        "created_at": ["created_at", "pk"],
        "due": [F("next_due_at").asc(nulls_last=True), "pk"],
    }[order]
    assert seen == list(Ticket.objects.order_by(*expected).values_list("number", flat=True))
    assert len(seen) == 7 and pages == 4


def test_rows_added_while_paging_are_not_repeated(api_for, engineer, customer_a):
    _make_tickets(customer_a.organisation, 3, engineer)
    client = api_for(engineer)
    first = client.get(LIST, {"page_size": 2}).json()
    _make_tickets(customer_a.organisation, 2, engineer)  # newer: before the cursor
    second = client.get(first["next"]).json()
    numbers = [t["number"] for t in first["results"] + second["results"]]
    assert len(numbers) == len(set(numbers)) == 3


@pytest.mark.parametrize("cursor", ["garbage", "W10", base64.urlsafe_b64encode(json.dumps(["due", None, 1]).encode()).decode(),
                                    base64.urlsafe_b64encode(json.dumps(["-created_at", "x", 2**70]).encode()).decode()])
def test_invalid_cursor_is_a_400(api_for, engineer, cursor):
    response = api_for(engineer).get(LIST, {"cursor": cursor})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["cursor"]


@pytest.mark.parametrize("size", ["0", "101", "many"])
def test_page_size_is_bounded(api_for, engineer, size):
    response = api_for(engineer).get(LIST, {"page_size": size})
    assert response.status_code == 400
    assert "page_size" in response.json()["errors"]


def _queries(client, url, params=None):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200, response.json()
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "who,url,params",
    [
        ("customer", LIST, {}),
        ("engineer", LIST, {}),
        ("engineer", LIST, {"order": "due", "status": "open"}),
        ("engineer", "/api/queue/", {}),
        ("engineer", "/api/queue/", {"view": "mine", "sla": "ok", "order": "-created_at"}),
    ],
)
def test_ticket_list_query_count_is_constant(api_for, customer_a, engineer, who, url, params):
    TariffFactory(code="basic", is_default=True)
    client = api_for(customer_a if who == "customer" else engineer)
    _make_tickets(customer_a.organisation, 2, engineer)
    client.get(url)  # the token's first use writes last_used_at once
    few = _queries(client, url, params)
    _make_tickets(customer_a.organisation, 20, engineer)
    many = _queries(client, url, params)
    assert few == many
    assert many <= 3  # token (with its user), the page, nothing per row


def test_admin_lists_query_count_is_constant(api_for, admin_user, org_a):
    client = api_for(admin_user)
    client.get("/api/me/")

    def grow(n):
        for i in range(n):
            tariff = TariffFactory()
            TariffPrice.objects.create(tariff=tariff, months=3, amount=100)
            LicenseFactory(organisation=org_a)
            EngineerFactory()

    grow(1)
    few = {url: _queries(client, url) for url in ("/api/tariffs/", "/api/licenses/", "/api/engineers/")}
    grow(10)
    many = {url: _queries(client, url) for url in few}
    assert few == many


def test_ticket_detail_query_count_is_constant_in_conversation_length(api_for, world, customer_a, engineer):
    client = api_for(customer_a)
    url = f"/api/tickets/{world.ticket.number}/"
    client.get(url)
    few = _queries(client, url)
    for i in range(10):
        services.ticket_reply(ticket=world.ticket, author=engineer if i % 2 else customer_a, body=f"reply {i}")
    assert _queries(client, url) == few
