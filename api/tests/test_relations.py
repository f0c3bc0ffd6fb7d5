"""Merge, split and links through the API: the same services and visibility as the pages."""

import pytest
from django.urls import reverse

from sla.tests.factories import TariffFactory
from tickets import relations, services
from tickets.models import TicketLink

pytestmark = pytest.mark.django_db


def _file(customer, subject):
    return services.ticket_create(requester=customer, data={"kind": "question", "subject": subject, "body": "b"})


def test_merge_answers_with_the_target_and_the_duplicate_points_at_it(api_for, customer_a, engineer):
    TariffFactory(code="std", is_default=True)
    duplicate, target = _file(customer_a, "Dup"), _file(customer_a, "Main")
    response = api_for(engineer).post(reverse("api:ticket-merge", args=[duplicate.number]),
                                      {"into": target.reference}, format="json")
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["number"] == target.number
    assert [t["reference"] for t in data["merged_tickets"]] == [duplicate.reference]
    shell = api_for(customer_a).get(reverse("api:ticket-detail", args=[duplicate.number])).json()
    assert shell["merged_into"]["number"] == target.number and shell["status"] == "closed"
    assert shell["transitions"] == []
    assert {t["outcome"] for t in shell["sla_targets"]} == {"merged"}
    assert all(t["breached_at"] is None and t["merged_at"] for t in shell["sla_targets"])


def test_merge_errors_are_field_errors(api_for, customer_a, customer_b, engineer):
    ticket, foreign = _file(customer_a, "A"), _file(customer_b, "B")
    client = api_for(engineer)
    url = reverse("api:ticket-merge", args=[ticket.number])
    other_org = client.post(url, {"into": foreign.reference}, format="json")
    assert other_org.status_code == 400 and "into" in other_org.json()["errors"]
    missing = client.post(url, {"into": "HD-1"}, format="json")
    assert missing.status_code == 400 and missing.json()["errors"]["into"] == ["No ticket with that reference."]
    ticket.refresh_from_db()
    assert ticket.merged_into_id is None


def test_links_read_from_both_sides_and_customers_see_only_their_own(api_for, customer_a, customer_b, engineer):
    own, foreign, own2 = _file(customer_a, "A"), _file(customer_b, "B"), _file(customer_a, "A2")
    client = api_for(engineer)
    url = reverse("api:ticket-links", args=[own.number])
    assert client.post(url, {"ticket": foreign.reference, "kind": "causes"}, format="json").status_code == 201
    created = client.post(url, {"ticket": own2.number, "kind": "related"}, format="json")
    assert created.status_code == 201 and [link["kind"] for link in created.json()] == ["causes", "related"]
    assert client.post(url, {"ticket": own2.reference}, format="json").status_code == 400  # one per pair
    theirs = api_for(customer_b).get(reverse("api:ticket-links", args=[foreign.number])).json()
    assert theirs == []  # the link's other end is another organisation's ticket
    mine = api_for(customer_a).get(reverse("api:ticket-detail", args=[own.number])).json()["links"]
    assert [(link["kind"], link["ticket"]["number"]) for link in mine] == [("related", own2.number)]
    assert [link["kind"] for link in client.get(reverse("api:ticket-links", args=[foreign.number])).json()] == ["caused_by"]
    link = TicketLink.objects.get(target=foreign)
    assert client.delete(reverse("api:ticket-unlink", args=[own2.number, link.pk])).status_code == 404
    assert client.delete(reverse("api:ticket-unlink", args=[foreign.number, link.pk])).status_code == 204
    assert not TicketLink.objects.filter(pk=link.pk).exists()


def test_split_creates_the_ticket_and_refuses_internal_notes(api_for, customer_a, engineer):
    ticket = _file(customer_a, "Mail")
    message = services.ticket_reply(ticket=ticket, author=customer_a, body="Also invoices")
    note = services.ticket_reply(ticket=ticket, author=engineer, body="note", internal=True)
    client = api_for(engineer)
    url = reverse("api:ticket-split", args=[ticket.number])
    refused = client.post(url, {"message": note.pk, "subject": "x"}, format="json")
    assert refused.status_code == 400
    response = client.post(url, {"message": message.pk, "subject": "Invoices"}, format="json")
    assert response.status_code == 201
    data = response.json()
    assert data["subject"] == "Invoices" and data["body"] == "Also invoices"
    assert [(link["kind"], link["ticket"]["number"]) for link in data["links"]] == [("related", ticket.number)]
    assert client.post(url, {"message": message.pk, "subject": "again"}, format="json").status_code == 400


def test_customers_cannot_merge_split_or_link(api_for, customer_a, engineer):
    a, b = _file(customer_a, "A"), _file(customer_a, "B")
    client = api_for(customer_a)
    assert client.post(reverse("api:ticket-merge", args=[a.number]), {"into": b.reference}, format="json").status_code == 403
    assert client.post(reverse("api:ticket-links", args=[a.number]), {"ticket": b.reference}, format="json").status_code == 403
    relations.ticket_link(ticket=a, other=b, kind="related", actor=engineer)
    link = TicketLink.objects.get()
    assert client.delete(reverse("api:ticket-unlink", args=[a.number, link.pk])).status_code == 403
    assert TicketLink.objects.exists()
