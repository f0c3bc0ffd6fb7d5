"""Dealers see and file tickets for the client organisations they serve (seed 003)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from helpdesk.accounts.tests.factories import OrganisationFactory, UserFactory
from tickets import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def dealer_user(org_a):
    dealer = OrganisationFactory(name="Gold Dealer", kind="partner", partner_level="gold")
    org_a.dealer = dealer
    org_a.save()
    return UserFactory(organisation=dealer, email="sales@dealer.example")


def _file(user, **kw):
    return services.ticket_create(requester=user, data={"kind": "question", "subject": "s", "body": "b"}, **kw)


def test_dealer_sees_clients_tickets_but_client_does_not_see_dealers(dealer_user, customer_a, customer_b, client_for):
    client_ticket = _file(customer_a)
    dealer_ticket = _file(dealer_user)
    other = _file(customer_b)
    dealer = client_for(dealer_user)
    assert dealer.get(reverse("tickets:detail", args=[client_ticket.number])).status_code == 200
    assert dealer.get(reverse("tickets:detail", args=[other.number])).status_code == 404
    assert client_for(customer_a).get(reverse("tickets:detail", args=[dealer_ticket.number])).status_code == 404


def test_dealer_files_on_behalf_of_a_client(dealer_user, org_a, client_for):
    page = client_for(dealer_user).get(reverse("tickets:new")).content.decode()
    assert "On behalf of" in page and org_a.name in page
    response = client_for(dealer_user).post(
        reverse("tickets:new"),
        {"kind": "question", "subject": "For client", "body": "b", "customer_urgency": "normal", "organisation": org_a.pk},
    )
    assert response.status_code == 302
    from tickets.models import Ticket

    ticket = Ticket.objects.get()
    assert ticket.organisation == org_a and ticket.requester == dealer_user


def test_nobody_files_for_an_organisation_they_do_not_serve(customer_a, org_b):
    with pytest.raises(PermissionDenied):
        _file(customer_a, organisation=org_b)


def test_form_refuses_organisation_not_in_the_list(dealer_user, org_b, client_for):
    response = client_for(dealer_user).post(
        reverse("tickets:new"),
        {"kind": "question", "subject": "x", "body": "b", "customer_urgency": "normal", "organisation": org_b.pk},
    )
    assert response.status_code == 200
    from tickets.models import Ticket

    assert not Ticket.objects.exists()
