import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from helpdesk.accounts.tests.factories import OrganisationFactory, UserFactory
from sla.tests.factories import TariffFactory
from tickets import services
from tickets.models import Ticket
from workspace import report_series, reports, rollup
from workspace import services as ws

pytestmark = pytest.mark.django_db


@pytest.fixture
def tariff():
    return TariffFactory(code="basic", is_default=True, allows_phone=True)


def _file(customer, subject="s", kind="error"):
    return services.ticket_create(requester=customer, data={"kind": kind, "subject": subject, "body": "b"})


def _listed(page, ticket):
    return f'href="/workspace/tickets/{ticket.number}/"' in page


def test_saved_views_and_counts(tariff, customer_a, engineer, engineer_l2, client_for):
    mine = _file(customer_a, "mine")
    services.ticket_assign(ticket=mine, actor=engineer, assignee=engineer)
    theirs = _file(customer_a, "theirs")
    services.ticket_assign(ticket=theirs, actor=engineer_l2, assignee=engineer_l2)
    free = _file(customer_a, "free")
    Ticket.objects.filter(pk=free.pk).update(next_due_at=timezone.now() + timedelta(minutes=20))
    Ticket.objects.filter(pk__in=[mine.pk, theirs.pk]).update(next_due_at=timezone.now() + timedelta(days=2))
    client = client_for(engineer)
    page = client.get(reverse("workspace:queue"), {"view": "mine", "status": "open"}).content.decode()
    assert _listed(page, mine) and not _listed(page, theirs) and not _listed(page, free)
    page = client.get(reverse("workspace:queue"), {"view": "unassigned", "status": "open"}).content.decode()
    assert _listed(page, free) and not _listed(page, mine)
    page = client.get(reverse("workspace:queue"), {"view": "due_soon", "status": "open"}).content.decode()
    assert _listed(page, free) and not _listed(page, theirs)
    page = client.get(reverse("workspace:queue"), {"sla": "soon", "status": "open"}).content.decode()
    assert _listed(page, free) and not _listed(page, mine)
    response = client.get(reverse("workspace:queue"))
    assert response.context["counts"] == {"mine": 1, "unassigned": 1, "needs_reply": 3, "due_soon": 1, "my_level": 3, "callbacks": 0}
    services.callback_request(ticket=theirs, user=customer_a, phone="+7 495 123-45-67")
    page = client.get(reverse("workspace:queue"), {"view": "callbacks", "status": ""}).content.decode()
    assert _listed(page, theirs) and not _listed(page, mine)


@pytest.mark.parametrize(
    "params",
    [{}, {"status": "open", "kind": "error", "urgency": "normal", "level": "L1", "sla": "ok", "order": "due"},
     {"view": "mine", "status": "", "order": "-created_at", "q": "import"}, {"sla": "breached", "view": "due_soon"}],
)
def test_queue_query_count_is_constant_for_any_filter(params, tariff, engineer, client_for):
    org = OrganisationFactory()
    client = client_for(engineer)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("workspace:queue"), params).status_code == 200
        return len(ctx.captured_queries)

    for i in range(2):
        t = _file(UserFactory(organisation=org), f"import {i}")
        services.ticket_assign(ticket=t, actor=engineer, assignee=engineer)
    few = count()
    for i in range(15):
        t = _file(UserFactory(organisation=org), f"import more {i}")
        services.ticket_assign(ticket=t, actor=engineer, assignee=engineer)
    assert count() == few <= 13  # 13th: declared emergencies awaiting triage


def test_bulk_take_assign_and_status(tariff, customer_a, engineer, engineer_l2, client_for):
    a, b, c = _file(customer_a, kind="question"), _file(customer_a, kind="question"), _file(customer_a)
    client = client_for(engineer)
    client.post(reverse("workspace:bulk"), {"tickets": [a.number, b.number], "action": "take"})
    assert set(Ticket.objects.filter(assignee=engineer).values_list("number", flat=True)) == {a.number, b.number}
    client.post(reverse("workspace:bulk"), {"tickets": [c.number], "action": "assign", "assignee": engineer_l2.pk})
    c.refresh_from_db()
    assert c.assignee == engineer_l2
    response = client.post(reverse("workspace:bulk"), {"tickets": [a.number, c.number], "action": "status", "status": "resolved"}, follow=True)
    a.refresh_from_db()
    c.refresh_from_db()
    assert a.status == "resolved" and c.status == "open"  # the error ticket needs the resolution form
    assert c.reference in response.content.decode()


def test_customer_cannot_use_bulk(customer_a, client_for, tariff):
    t = _file(customer_a)
    assert client_for(customer_a).post(reverse("workspace:bulk"), {"tickets": [t.number], "action": "take"}).status_code == 403
    t.refresh_from_db()
    assert t.assignee is None


def test_htmx_refresh_renders_only_the_table(tariff, customer_a, engineer, client_for):
    _file(customer_a)
    response = client_for(engineer).get(reverse("workspace:queue"), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert 'id="queue-table"' in html and "<html" not in html


def test_presence_warns_about_another_engineer_replying(tariff, customer_a, engineer, engineer_l2, client_for):
    from django.core.cache import cache

    ticket = _file(customer_a)
    cache.delete(f"replying:{ticket.pk}")
    url = reverse("workspace:presence", args=[ticket.number])
    assert "Piotr" not in client_for(engineer).post(url).content.decode()
    assert "Olga" in client_for(engineer_l2).get(url).content.decode()
    assert "Olga" not in client_for(engineer).get(url).content.decode()


def test_reports_aggregate_first_response_compliance_backlog_pareto_phone(tariff, engineer, admin_user, client_for):
    orgs = [OrganisationFactory() for _ in range(5)]
    big = UserFactory(organisation=orgs[0])
    for _ in range(6):
        t = _file(big)
        services.ticket_reply(ticket=t, author=engineer, body="hi")
    for org in orgs[1:]:
        _file(UserFactory(organisation=org))
    ws.phone_call_log(ticket=t, actor=engineer, direction="in", duration_minutes=7, summary="call")
    start, end = timezone.now() - timedelta(days=1), timezone.now() + timedelta(days=1)
    today = rollup.local_today()
    scope, snap = report_series.Scope(today - timedelta(days=1), today + timedelta(days=1)), rollup.snapshot()
    frt = report_series.first_response(scope, snap)
    assert frt[0]["tickets"] == 6 and frt[0]["median_minutes"] is not None
    rows, summary, _emergencies = report_series.organisations(scope, snap, {})
    assert rows[0]["tickets"] == 6 and summary["tickets"] == 10 and summary["top1_share"] == 60.0
    assert summary["top20_share"] == 60.0
    compliance = {(r["tariff_id"], r["kind"]): r for r in report_series.sla_compliance(scope, snap)}
    assert compliance[(tariff.pk, "first_response")]["met"] == 6
    assert sum(r["total"] for r in reports.backlog_by_age()) == 10
    assert report_series.backlog(scope, snap)[1]["open"] == 10
    assert reports.phone_minutes(start, end)[0]["minutes"] == 7
    response = client_for(admin_user).get(reverse("workspace:reports"), {"export": "pareto"})
    table = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert table[0]["Tickets"] == "6" and len(table) == 5


def test_reports_page_query_count_does_not_grow_with_tickets(tariff, admin_user, client_for):
    org = OrganisationFactory()

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client_for(admin_user).get(reverse("workspace:reports")).status_code == 200
        return len(ctx.captured_queries)

    _file(UserFactory(organisation=org))
    few = count()
    for _ in range(10):
        _file(UserFactory(organisation=OrganisationFactory()))
    assert count() == few
