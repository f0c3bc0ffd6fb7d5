"""Reports per incident and compliance without incident tickets (issue 14)."""

import pytest
from django.urls import reverse

from incidents import services
from incidents.tests.helpers import declare, file
from tickets.models import SlaTarget
from workspace import reports

pytestmark = pytest.mark.django_db


@pytest.fixture
def always_tariff(db):
    from sla.models import BusinessCalendar
    from sla.tests.factories import TariffFactory

    calendar = BusinessCalendar.objects.create(name="24x7 reports", always_open=True)
    return TariffFactory(code="basic", name="Basic", is_default=True, calendar=calendar, first_response_minutes=240)


def test_reports_show_sla_per_incident_and_compliance_without_incident_tickets(
    engineer, admin_user, customer_a, client_for, always_tariff,
):
    incident = declare(engineer)
    outage = [file(customer_a) for _ in range(3)]
    calm = file(customer_a, "A question about invoices")
    for t in outage:
        services.incident_link(incident=incident, ticket=t, actor=engineer)
    SlaTarget.objects.filter(ticket__in=outage, kind="first_response").update(breached_at=incident.declared_at)
    SlaTarget.objects.filter(ticket=calm, kind="first_response").update(met_at=calm.created_at)
    start, end = calm.created_at.replace(year=2000), calm.created_at.replace(year=2100)
    first = lambda rows: next(r for r in rows if r["target"] == "First response")  # noqa: E731
    assert (first(reports.sla_compliance(start, end))["missed"], first(reports.sla_compliance(start, end))["met"]) == (3, 1)
    without = first(reports.sla_compliance(start, end, exclude_incidents=True))
    assert (without["missed"], without["met"], without["compliance"]) == (0, 1, 100.0)
    [row] = reports.incident_sla(start, end)
    assert (row["incident"], row["tickets"], row["missed"]) == (incident.pk, 3, 3)
    page = client_for(admin_user).get(reverse("workspace:reports"), {"exclude_incidents": "on"}).content.decode()
    assert 'id="report-incidents"' in page and "Mail server outage" in page and "without incident tickets" in page
