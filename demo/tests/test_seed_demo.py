"""The demo data loads twice without change and includes a points tariff with a funded wallet."""

import pytest
from django.core.management import call_command

from billing.selectors import tariff_charges_points, wallet_balance
from helpdesk.accounts.models import Organisation
from sla.selectors import entitlement_for


@pytest.mark.django_db
def test_seed_demo_is_idempotent_and_has_a_points_customer():
    call_command("seed_demo", verbosity=0)
    call_command("seed_demo", verbosity=0)
    initech = Organisation.objects.get(name="Initech")
    tariff = entitlement_for(initech).tariff
    assert tariff.code == "points" and tariff_charges_points(tariff)
    assert wallet_balance(initech) == 60
