"""Rule 9: admin speaks a manager's language (hours and minutes, readable names, forms by kind)."""

import pytest
from django.urls import reverse

from sla.admin_forms import TariffForm, business_day_text
from sla.models import BusinessCalendar, EntitlementRule, TariffUrgencyRule
from sla.tests.factories import CalendarFactory, TariffFactory

pytestmark = pytest.mark.django_db


def test_targets_are_entered_and_shown_as_hours_and_minutes():
    calendar = CalendarFactory(name="Office")
    tariff = TariffFactory(code="vip", name="VIP", calendar=calendar, first_response_minutes=300, commitment_minutes=90)
    form = TariffForm(instance=tariff)
    html = str(form["first_response_minutes"]) + str(form["commitment_minutes"])
    assert 'name="first_response_minutes_0" value="5"' in html and 'name="first_response_minutes_1" value="0"' in html
    assert 'name="commitment_minutes_0" value="1"' in html and 'name="commitment_minutes_1" value="30"' in html
    data = {**{k: v for k, v in form.initial.items() if v is not None and k not in (
        "first_response_minutes", "commitment_minutes", "resolution_minutes", "id")},
        "first_response_minutes_0": "8", "first_response_minutes_1": "30",
        "commitment_minutes_0": "2", "commitment_minutes_1": "0",
        "resolution_minutes_0": "", "resolution_minutes_1": ""}
    bound = TariffForm(data, instance=tariff)
    assert bound.is_valid(), bound.errors
    saved = bound.save()
    assert (saved.first_response_minutes, saved.commitment_minutes, saved.resolution_minutes) == (510, 120, None)


def test_a_business_day_is_read_from_the_calendar():
    assert business_day_text(CalendarFactory(name="Office")) == "1 business day = 9 h"  # Mon–Fri 09–18
    assert business_day_text(BusinessCalendar.objects.create(name="24x7", always_open=True)) == "1 business day = 24 h"


def test_an_urgency_override_reads_as_tariff_and_urgency():
    rule = TariffUrgencyRule.objects.create(tariff=TariffFactory(code="vip", name="VIP"), urgency="critical")
    assert str(rule) == "VIP · Critical: work has stopped"


def test_admin_pages_show_hours_not_minutes(admin_user, client_for):
    tariff = TariffFactory(code="vip", name="VIP", first_response_minutes=300)
    client = client_for(admin_user)
    listing = client.get(reverse("admin:sla_tariff_changelist")).content.decode()
    assert "5 h" in listing
    page = client.get(reverse("admin:sla_tariff_change", args=[tariff.pk])).content.decode()
    assert 'name="first_response_minutes_0" value="5"' in page and "1 business day = 9 h" in page


def test_an_entitlement_rule_form_shows_only_its_kinds_fields(admin_user, client_for):
    client = client_for(admin_user)
    tariff = TariffFactory(code="gold", name="Gold")
    partner = EntitlementRule.objects.create(name="Gold partners", kind="partner_level", partner_level="gold", tariff=tariff)
    page = client.get(reverse("admin:sla_entitlementrule_change", args=[partner.pk])).content.decode()
    assert 'name="partner_level"' in page and 'name="edition"' not in page and 'name="months"' not in page
    page = client.get(reverse("admin:sla_entitlementrule_add") + "?kind=edition_trial").content.decode()
    assert 'name="edition"' in page and 'name="months"' in page and 'name="partner_level"' not in page
