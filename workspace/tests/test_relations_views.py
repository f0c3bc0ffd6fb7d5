"""Merge, split and links through the pages: the engineer's forms (input kept on error,
errors beside the field) and what each customer sees."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tickets import relations, services
from tickets.models import Status, Ticket, TicketLink
from tickets.sweep import sla_sweep
from workspace import reports

pytestmark = pytest.mark.django_db


def _file(customer, subject):
    return services.ticket_create(requester=customer, data={"kind": "question", "subject": subject, "body": "b"})


def test_merge_asks_for_confirmation_with_both_subjects_then_merges(customer_a, engineer, client_for):
    duplicate, target = _file(customer_a, "Mail is slow"), _file(customer_a, "Mail server down")
    client = client_for(engineer)
    url = reverse("workspace:merge", args=[duplicate.number])
    page = client.get(url, {"into": target.reference})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Mail is slow" in html and "Mail server down" in html and 'id="merge-confirmation"' in html
    duplicate.refresh_from_db()
    assert duplicate.merged_into_id is None  # the GET changed nothing
    response = client.post(url, {"into": target.reference, "confirm": "yes"})
    assert response.status_code == 302 and response["Location"] == reverse("workspace:work", args=[target.number])
    duplicate.refresh_from_db()
    assert duplicate.merged_into_id == target.pk and duplicate.status == Status.CLOSED
    # The duplicate's reference opens the target, for engineers and for its customer.
    assert client.get(reverse("workspace:work", args=[duplicate.number]))["Location"] == reverse(
        "workspace:work", args=[target.number])
    shell = client.get(reverse("workspace:work", args=[duplicate.number]) + "?merged")
    assert shell.status_code == 200 and 'id="merged-into"' in shell.content.decode()
    portal = client_for(customer_a).get(reverse("tickets:detail", args=[duplicate.number]))
    assert portal["Location"] == reverse("tickets:detail", args=[target.number])
    target_page = client_for(customer_a).get(reverse("tickets:detail", args=[target.number])).content.decode()
    assert duplicate.reference in target_page


@pytest.mark.parametrize("typed,error", [
    ("HD-999999", "No ticket with that reference."),
    ("not a reference", "No ticket with that reference."),
    ("other-org", "Only tickets of the same organisation can be merged."),
    ("self", "A ticket cannot be merged into itself."),
])
def test_a_bad_merge_target_keeps_the_input_with_the_error_beside_the_field(
    typed, error, customer_a, customer_b, engineer, client_for
):
    ticket, foreign = _file(customer_a, "Mine"), _file(customer_b, "Theirs")
    typed = {"other-org": foreign.reference, "self": ticket.reference}.get(typed, typed)
    client = client_for(engineer)
    for response in (client.get(reverse("workspace:merge", args=[ticket.number]), {"into": typed}),
                     client.post(reverse("workspace:merge", args=[ticket.number]), {"into": typed, "confirm": "yes"})):
        assert response.status_code == 400
        html = response.content.decode()
        assert f'value="{typed}"' in html and error in html and "is-invalid" in html
        assert "Theirs" not in html  # the other organisation's subject is not shown as a target
    ticket.refresh_from_db()
    assert ticket.merged_into_id is None


def test_another_organisations_customer_gets_404_for_a_merged_ticket(customer_a, customer_b, engineer, client_for):
    duplicate, target = _file(customer_a, "A"), _file(customer_a, "B")
    relations.ticket_merge(ticket=duplicate, into=target, actor=engineer)
    client = client_for(customer_b)
    assert client.get(reverse("tickets:detail", args=[duplicate.number])).status_code == 404
    missing = client.get(reverse("tickets:detail", args=[duplicate.number + 1000]))
    merged = client.get(reverse("tickets:detail", args=[duplicate.number]))
    # The same page but for its fresh CSRF token and the asked path (the asker knows it).
    assert (_page(merged.content).replace(str(duplicate.number).encode(), b"N")
            == _page(missing.content).replace(str(duplicate.number + 1000).encode(), b"N"))


def _page(content):
    return re.sub(rb'(X-CSRFToken": "|name="csrfmiddlewaretoken" value=")[A-Za-z0-9]+', rb"\1", content)


def test_split_form_keeps_input_and_makes_a_new_ticket(customer_a, engineer, client_for):
    ticket = _file(customer_a, "Mail")
    message = services.ticket_reply(ticket=ticket, author=customer_a, body="And the invoices are wrong")
    client = client_for(engineer)
    work = client.get(reverse("workspace:work", args=[ticket.number])).content.decode()
    url = reverse("workspace:split", args=[ticket.number, message.pk])
    assert url in work  # a split button on the message
    page = client.get(url)
    assert page.status_code == 200 and 'value="Mail"' in page.content.decode()
    bad = client.post(url, {"subject": ""})
    assert bad.status_code == 400 and "is-invalid" in bad.content.decode()
    too_long = client.post(url, {"subject": "x" * 201})
    assert too_long.status_code == 400 and "x" * 201 in too_long.content.decode()
    response = client.post(url, {"subject": "Invoices are wrong"})
    new = Ticket.objects.get(subject="Invoices are wrong")
    assert response["Location"] == reverse("workspace:work", args=[new.number])
    assert new.body == "And the invoices are wrong" and new.requester == customer_a
    # The message is gone from the original: its split page is a 404 now.
    assert client.get(url).status_code == 404


def test_an_internal_note_has_no_split_page(customer_a, engineer, client_for):
    ticket = _file(customer_a, "Mail")
    note = services.ticket_reply(ticket=ticket, author=engineer, body="internal", internal=True)
    assert client_for(engineer).get(reverse("workspace:split", args=[ticket.number, note.pk])).status_code == 404


def test_link_form_errors_keep_the_input_and_open_the_panel(customer_a, engineer, client_for):
    ticket, other = _file(customer_a, "A"), _file(customer_a, "B")
    client = client_for(engineer)
    url = reverse("workspace:link", args=[ticket.number])
    bad = client.post(url, {"ticket": "HD-999999", "kind": "causes"})
    html = bad.content.decode()
    assert bad.status_code == 400 and 'value="HD-999999"' in html and "No ticket with that reference." in html
    assert '<option value="causes" selected>' in html
    assert client.post(url, {"ticket": other.reference, "kind": "causes"}).status_code == 302
    page = client.get(reverse("workspace:work", args=[other.number])).content.decode()
    assert "caused by" in page and ticket.reference in page
    again = client.post(url, {"ticket": other.reference, "kind": "related"})
    assert again.status_code == 400 and "already linked" in again.content.decode()
    link = TicketLink.objects.get()
    assert client.post(reverse("workspace:unlink", args=[other.number, link.pk])).status_code == 302
    assert not TicketLink.objects.exists()


def test_unlink_of_a_link_on_another_ticket_is_404(customer_a, engineer, client_for):
    a, b, c = _file(customer_a, "A"), _file(customer_a, "B"), _file(customer_a, "C")
    link = relations.ticket_link(ticket=a, other=b, kind="related", actor=engineer)
    assert client_for(engineer).post(reverse("workspace:unlink", args=[c.number, link.pk])).status_code == 404
    assert TicketLink.objects.exists()


def test_the_customer_page_shows_only_links_to_tickets_they_may_see(customer_a, customer_b, engineer, client_for):
    own, own2, foreign = _file(customer_a, "Own"), _file(customer_a, "Own two"), _file(customer_b, "Globex secret")
    relations.ticket_link(ticket=own, other=foreign, kind="caused_by", actor=engineer)
    relations.ticket_link(ticket=own, other=own2, kind="causes", actor=engineer)
    html = client_for(customer_a).get(reverse("tickets:detail", args=[own.number])).content.decode()
    assert own2.reference in html and "Own two" in html
    assert foreign.reference not in html and "Globex secret" not in html
    theirs = client_for(customer_b).get(reverse("tickets:detail", args=[foreign.number])).content.decode()
    assert own.reference not in theirs


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("who", ["customer", "engineer"])
def test_ticket_pages_cost_the_same_with_one_link_or_many(who, customer_a, engineer, client_for):
    ticket = _file(customer_a, "Hub")
    services.ticket_reply(ticket=ticket, author=engineer, body="first")  # the files' prefetch runs from one message
    relations.ticket_link(ticket=ticket, other=_file(customer_a, "first"), kind="related", actor=engineer)
    client = client_for(customer_a if who == "customer" else engineer)
    url = reverse("tickets:detail" if who == "customer" else "workspace:work", args=[ticket.number])
    few = _count(client, url)
    for i in range(8):
        relations.ticket_link(ticket=ticket, other=_file(customer_a, f"t{i}"), kind="causes", actor=engineer)
    relations.ticket_merge(ticket=_file(customer_a, "dup"), into=ticket, actor=engineer)
    relations.ticket_merge(ticket=_file(customer_a, "dup2"), into=ticket, actor=engineer)
    assert _count(client, url) == few


def test_compliance_counts_a_merged_duplicate_neither_met_nor_missed(customer_a, engineer):
    from sla.tests.factories import TariffFactory

    TariffFactory(code="std", is_default=True, first_response_minutes=240, commitment_minutes=None,
                  resolution_minutes=None)
    target, duplicate = _file(customer_a, "A"), _file(customer_a, "B")
    relations.ticket_merge(ticket=duplicate, into=target, actor=engineer)
    sla_sweep(now=timezone.now() + timedelta(days=30))
    rows = reports.sla_compliance(timezone.now() - timedelta(days=1), timezone.now() + timedelta(days=1))
    (first,) = [r for r in rows if r["target"] == "First response"]
    assert (first["merged"], first["missed"], first["met"], first["running"]) == (1, 1, 0, 0)
    assert first["compliance"] == 0.0  # 0 of 1 decided: the merged one is not in the share
