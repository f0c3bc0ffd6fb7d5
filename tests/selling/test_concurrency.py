"""Two tickets filed at once against a wallet that holds enough for one: one charge, one refusal."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from billing import selectors, services
from billing.models import WalletEntry
from billing.tests.factories import LicenseFactory, points_tariff
from sla.services import subscription_activate
from tickets import services as ticket_services
from tickets.models import Ticket


@pytest.mark.django_db(transaction=True)
def test_two_tickets_at_once_give_one_charge_and_one_clear_refusal(customer_a, org_a):
    tariff = points_tariff()
    subscription_activate(license=LicenseFactory(organisation=org_a), tariff=tariff, months=3)
    services.wallet_grant(organisation=org_a, points=15, expires_on=timezone.localdate() + timedelta(days=30))
    barrier = threading.Barrier(2)
    outcomes = []

    def file():
        try:
            barrier.wait()
            ticket_services.ticket_create(
                requester=customer_a,
                data={"kind": "question", "subject": "Same time", "body": "x", "customer_urgency": "normal"},
            )
            outcomes.append("filed")
        except services.NotEnoughPoints as exc:
            outcomes.append(str(exc.messages[0]))
        finally:
            connection.close()

    threads = [threading.Thread(target=file) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("filed") == 1, outcomes
    refusal = next(o for o in outcomes if o != "filed")
    assert "costs 10 points" in refusal and "has 5" in refusal
    assert Ticket.objects.count() == 1
    assert WalletEntry.objects.filter(kind="charge").count() == 1
    assert selectors.wallet_balance(org_a) == 5
