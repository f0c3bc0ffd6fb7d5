from datetime import date, timedelta

import pytest

from helpdesk.accounts.tests.factories import OrganisationFactory
from sla import services
from sla.models import EntitlementRule, Subscription
from sla.selectors import entitlement_for
from sla.tests.factories import EditionFactory, LicenseFactory, TariffFactory

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 23)


@pytest.fixture
def basic():
    return TariffFactory(code="basic", is_default=True, rank=0, allows_phone=False)


@pytest.fixture
def vip():
    return TariffFactory(code="vip", rank=10, allows_phone=True, first_response_minutes=300)


def test_without_anything_the_default_tariff_applies(basic):
    org = OrganisationFactory()
    ent = entitlement_for(org, today=TODAY)
    assert ent.tariff == basic and ent.source == "default" and ent.support_ended_on is None


def test_active_subscription_beats_default(basic, vip):
    org = OrganisationFactory()
    lic = LicenseFactory(organisation=org, support_until=TODAY + timedelta(days=100))
    services.subscription_activate(license=lic, tariff=vip, months=3, starts_on=TODAY - timedelta(days=1))
    ent = entitlement_for(org, today=TODAY)
    assert ent.tariff == vip and ent.license == lic


def test_expired_subscription_falls_back_to_default(basic, vip):
    org = OrganisationFactory()
    lic = LicenseFactory(organisation=org, support_until=TODAY + timedelta(days=100))
    services.subscription_activate(license=lic, tariff=vip, months=1, starts_on=TODAY - timedelta(days=60))
    assert entitlement_for(org, today=TODAY).tariff == basic


def test_support_period_over_is_reported(basic, vip):
    org = OrganisationFactory()
    lic = LicenseFactory(organisation=org, support_until=TODAY - timedelta(days=5))
    services.subscription_activate(license=lic, tariff=vip, months=12, starts_on=TODAY - timedelta(days=30))
    ent = entitlement_for(org, today=TODAY)
    assert ent.tariff == basic
    assert ent.support_ended_on == TODAY - timedelta(days=5)


@pytest.mark.parametrize("level,expected", [("gold", "vip"), ("platinum", "vip"), ("silver", "basic"), ("", "basic")])
def test_gold_and_platinum_partners_get_vip_free(basic, vip, level, expected):
    for lvl in ("gold", "platinum"):
        EntitlementRule.objects.create(name=f"{lvl} VIP", kind="partner_level", partner_level=lvl, tariff=vip)
    org = OrganisationFactory(kind="partner", partner_level=level)
    assert entitlement_for(org, today=TODAY).tariff.code == expected


def test_commerce_owners_get_a_three_month_trial_once(basic, vip):
    commerce = EditionFactory(code="commerce", name="Commerce")
    EntitlementRule.objects.create(name="Commerce trial", kind="edition_trial", edition=commerce, tariff=vip, months=3)
    org = OrganisationFactory()
    lic = services.license_register(
        serial=LicenseFactory.build().serial, edition=commerce, organisation=org,
        support_until=TODAY + timedelta(days=365), today=TODAY,
    )
    trial = Subscription.objects.get(license=lic)
    assert trial.source == "trial" and trial.starts_on == TODAY and trial.ends_on == date(2027, 2, 22)
    assert services.entitlements_apply(lic, today=TODAY) == []
    assert entitlement_for(org, today=TODAY).tariff == vip
    assert entitlement_for(org, today=date(2027, 2, 23)).tariff == basic


def test_other_editions_get_no_trial(basic, vip):
    commerce = EditionFactory(code="commerce", name="Commerce")
    start = EditionFactory(code="start", name="Start")
    EntitlementRule.objects.create(name="Commerce trial", kind="edition_trial", edition=commerce, tariff=vip, months=3)
    lic = services.license_register(
        serial=LicenseFactory.build().serial, edition=start, organisation=OrganisationFactory(),
        support_until=TODAY + timedelta(days=365), today=TODAY,
    )
    assert not lic.subscriptions.exists()


def test_bought_period_extends_the_current_one(vip):
    lic = LicenseFactory(organisation=OrganisationFactory())
    first = services.subscription_activate(license=lic, tariff=vip, months=3, starts_on=TODAY)
    second = services.subscription_activate(license=lic, tariff=vip, months=6, starts_on=TODAY)
    assert second.starts_on == first.ends_on + timedelta(days=1)
