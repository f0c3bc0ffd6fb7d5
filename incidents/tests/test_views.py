"""The incident pages: the banner on the ticket form, "notify me", "file anyway", the public
status page, the engineers' pages and the queue's bulk link; bad input changes nothing."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tickets.models import Message, Ticket

from .. import services
from ..models import Incident, IncidentSubscription, IncidentTicket
from .helpers import declare, file

pytestmark = pytest.mark.django_db

FORM = {"kind": "question", "subject": "Mail is stuck", "body": "Nothing leaves the outbox", "customer_urgency": "normal"}


def test_the_ticket_form_shows_the_incident_to_affected_customers_only(
    engineer, org_a, customer_a, customer_b, client_for, always_tariff,
):
    declare(engineer, affects_everyone=False, organisations=[org_a])
    page = client_for(customer_a).get(reverse("tickets:new")).content.decode()
    assert 'id="incident-banner"' in page and "Mail server outage" in page and "Notify me of updates" in page
    # The banner comes before the knowledge-base suggestions.
    assert page.index('id="incident-banner"') < page.index('id="kb-suggestions"')
    assert 'id="incident-banner"' not in client_for(customer_b).get(reverse("tickets:new")).content.decode()


def test_the_banner_speaks_the_customers_language(engineer, customer_a, client_for, always_tariff):
    declare(engineer)
    client = client_for(customer_a)
    client.cookies["django_language"] = "pl"
    page = client.get(reverse("tickets:new")).content.decode()
    assert "Awaria serwera poczty" in page and "Poczta wychodząca" in page


def test_notify_me_records_a_deflection_and_files_nothing(engineer, org_a, customer_a, customer_b, client_for, always_tariff):
    incident = declare(engineer, affects_everyone=False, organisations=[org_a])
    response = client_for(customer_a).post(reverse("incidents:subscribe", args=[incident.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("tickets:new")
    assert "No request was filed" in response.content.decode()
    assert 'id="incident-%d-subscribed"' % incident.pk in response.content.decode()
    sub = IncidentSubscription.objects.get()
    assert sub.user == customer_a and sub.deflected
    assert not Ticket.objects.exists()
    # Another organisation: the same 404 as an incident that does not exist.
    other = client_for(customer_b).post(reverse("incidents:subscribe", args=[incident.pk]))
    missing = client_for(customer_b).post(reverse("incidents:subscribe", args=[incident.pk + 100]))
    assert other.status_code == missing.status_code == 404
    assert IncidentSubscription.objects.count() == 1


def test_file_anyway_files_the_ticket_and_links_it(engineer, org_a, customer_a, client_for, always_tariff):
    incident = declare(engineer, affects_everyone=False, organisations=[org_a])
    response = client_for(customer_a).post(reverse("tickets:new"), {**FORM, "incident": str(incident.pk)})
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    link = IncidentTicket.objects.get()
    assert (link.incident, link.ticket, link.source) == (incident, ticket, "customer")


def test_file_anyway_cannot_link_to_an_incident_that_does_not_concern_the_customer(
    engineer, org_b, customer_a, client_for, always_tariff,
):
    theirs = declare(engineer, affects_everyone=False, organisations=[org_b])
    for value in (str(theirs.pk), "abc", "9" * 40):
        assert client_for(customer_a).post(reverse("tickets:new"), {**FORM, "incident": value}).status_code == 302
    assert Ticket.objects.count() == 3 and not IncidentTicket.objects.exists()


def test_the_status_page_is_public_and_shows_only_public_text(engineer, org_a, customer_a, client_for, always_tariff):
    open_one = declare(engineer, affects_everyone=False, organisations=[org_a])
    ticket = file(customer_a)
    services.incident_link(incident=open_one, ticket=ticket, actor=engineer)
    done = declare(engineer, title_en="Backup delayed")
    services.incident_update_deliver(services.incident_resolve(
        incident=done, actor=engineer, summary="Moved the backup window.", prevention="Monitoring of its duration.").pk)
    page = client_for(None).get(reverse("incidents:status"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Mail server outage" in text and "We are investigating" in text
    assert "Backup delayed" in text and "Moved the backup window" in text
    for secret in (org_a.name, ticket.reference, customer_a.email, engineer.full_name):
        assert secret not in text


def test_status_page_queries_do_not_grow_with_incidents(engineer, client_for):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client_for(None).get(reverse("incidents:status")).status_code == 200
        return len(ctx.captured_queries)

    declare(engineer)
    few = count()
    for _ in range(5):
        declare(engineer)
    assert count() == few


def test_an_engineer_declares_through_the_form(engineer, org_a, client_for):
    client = client_for(engineer)
    bad = client.post(reverse("incidents:declare"), {"title_en": "Outage", "state": "investigating"})
    assert bad.status_code == 400 and not Incident.objects.exists()
    assert "Write the public status" in bad.content.decode()
    response = client.post(reverse("incidents:declare"), {
        "title_en": "Outage", "status_text_en": "Looking.", "state": "identified", "organisations": [org_a.pk],
    })
    incident = Incident.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("incidents:detail", args=[incident.pk])
    assert incident.state == "identified" and list(incident.organisations.all()) == [org_a]
    assert client.post(reverse("incidents:declare"), {"title_en": "x", "status_text_en": "y", "state": "resolved",
                                                       "affects_everyone": "on"}).status_code == 400


def test_incident_page_errors_are_400_and_change_nothing(engineer, customer_a, client_for, always_tariff):
    incident = declare(engineer)
    client = client_for(engineer)
    assert client.post(reverse("incidents:update", args=[incident.pk]), {"state": "identified"}).status_code == 400
    assert client.post(reverse("incidents:update", args=[incident.pk]), {"state": "nope", "body_en": "x"}).status_code == 400
    assert client.post(reverse("incidents:resolve", args=[incident.pk]), {"summary": "x"}).status_code == 400
    bad_ref = client.post(reverse("incidents:link", args=[incident.pk]), {"reference": "not a ref"})
    assert bad_ref.status_code == 400 and "HD-10042" in bad_ref.content.decode()
    assert client.post(reverse("incidents:link", args=[incident.pk]), {"reference": "HD-99999999"}).status_code == 400
    assert client.get(reverse("incidents:detail", args=[incident.pk + 100])).status_code == 404
    incident.refresh_from_db()
    assert incident.state == "investigating" and incident.updates.count() == 1 and not incident.links.exists()


def test_link_and_post_an_update_from_the_incident_page(engineer, customer_a, client_for, always_tariff):
    incident = declare(engineer)
    ticket = file(customer_a)
    client = client_for(engineer)
    assert client.post(reverse("incidents:link", args=[incident.pk]), {"reference": ticket.reference}).status_code == 302
    response = client.post(reverse("incidents:update", args=[incident.pk]),
                           {"state": "monitoring", "body_en": "A fix is deployed; watching."})
    assert response.status_code == 302
    update = incident.updates.latest("created_at")
    services.incident_update_deliver(update.pk)
    assert Message.objects.filter(ticket=ticket, author=engineer, body="A fix is deployed; watching.").exists()
    page = client.get(reverse("workspace:work", args=[ticket.number])).content.decode()
    assert 'id="ticket-incidents"' in page and "Mail server outage" in page


def test_incident_page_query_count_does_not_grow_with_links(engineer, customer_a, client_for, always_tariff):
    incident = declare(engineer)
    client = client_for(engineer)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("incidents:detail", args=[incident.pk])).status_code == 200
        return len(ctx.captured_queries)

    services.incident_link(incident=incident, ticket=file(customer_a), actor=engineer)
    few = count()
    for _ in range(6):
        services.incident_link(incident=incident, ticket=file(customer_a), actor=engineer)
    assert count() == few


def test_bulk_link_from_the_queue(engineer, customer_a, client_for, always_tariff):
    incident = declare(engineer)
    tickets = [file(customer_a) for _ in range(3)]
    client = client_for(engineer)
    bad = client.post(reverse("workspace:bulk"), {"tickets": [t.number for t in tickets], "action": "link"})
    assert bad.status_code == 400 and not IncidentTicket.objects.exists()
    response = client.post(reverse("workspace:bulk"), {
        "tickets": [t.number for t in tickets] + [999999], "action": "link", "incident": incident.pk,
    }, follow=True)
    text = response.content.decode()
    assert "3 tickets linked" in text and "999999" in text
    assert set(IncidentTicket.objects.values_list("ticket_id", "source")) == {(t.pk, "bulk") for t in tickets}
    queue = client.get(reverse("workspace:queue")).content.decode()
    assert f'<option value="{incident.pk}">' in queue

