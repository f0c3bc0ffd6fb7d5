"""The reports page: charts with tables, the scope printed, filters, exports, query counts,
and the optional public figure on the home page."""

import csv
import io
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import formats, timezone, translation

from helpdesk.accounts.tests.factories import EngineerFactory, OrganisationFactory, UserFactory
from sla.tests.factories import CalendarFactory, TariffFactory, working_week
from tickets import services
from tickets.models import EngineerSchedule, Ticket
from workspace import rollup

pytestmark = pytest.mark.django_db
URL = reverse("workspace:reports")


@pytest.fixture
def tariff(settings):
    settings.REPORTS_TIME_ZONE = "Europe/Moscow"
    return TariffFactory(code="basic", name="Basic", is_default=True, calendar=working_week(CalendarFactory(name="Office")))


def _answered(customer, engineer, minutes=None):
    ticket = services.ticket_create(requester=customer, data={"kind": "question", "subject": "s", "body": "b"})
    services.ticket_reply(ticket=ticket, author=engineer, body="hi")
    if minutes is not None:
        Ticket.objects.filter(pk=ticket.pk).update(first_response_business_seconds=minutes * 60)
    return ticket


def _client(client_for, user, language="en"):
    client = client_for(user)
    client.cookies["django_language"] = language
    return client


def test_page_draws_accessible_charts_with_tables_and_prints_period_and_zone(tariff, customer_a, engineer, admin_user,
                                                                              client_for):
    _answered(customer_a, engineer, minutes=90)
    html = _client(client_for, admin_user).get(URL).content.decode()
    today = timezone.localtime(timezone.now(), rollup.report_zone()).date()
    assert "Europe/Moscow" in html
    assert formats.date_format(today - timedelta(days=89), "DATE_FORMAT") in html
    for chart in ("chart-frt-", "chart-sla", "chart-backlog", "chart-pareto", "chart-csat", "chart-load"):
        assert f'id="{chart}' in html, chart
    assert html.count('role="img"') >= 6 and html.count("<title id=") >= 6
    assert "<caption" in html and "90.0" in html  # the mean, median and p90 in the table


def test_zero_load_is_zero_percent_and_draws_no_bar(tariff, customer_a, admin_user, client_for):
    idle = EngineerFactory(email="idle@helpdesk.example", full_name="Idle Ivan")
    EngineerSchedule.objects.create(engineer=idle, calendar=tariff.calendar)
    ticket = services.ticket_create(requester=customer_a, data={"kind": "question", "subject": "s", "body": "b"})
    services.ticket_assign(ticket=ticket, actor=idle, assignee=idle)
    html = _client(client_for, admin_user).get(URL).content.decode()
    load = html[html.index('id="chart-load-t"'):html.index("</svg>", html.index('id="chart-load-t"'))]
    assert "Idle Ivan" in load and "<rect" not in load and ">0 %<" in load
    table = html[html.index("Committed effort and capacity per engineer"):]
    assert "<td>0</td></tr>" in table.split("</table>")[0]


def test_tariff_and_organisation_filters_narrow_every_figure(tariff, engineer, admin_user, client_for):
    premium = TariffFactory(code="premium", name="Premium")
    ours, theirs = OrganisationFactory(name="Ours Ltd"), OrganisationFactory(name="Theirs Ltd")
    for _ in range(3):
        _answered(UserFactory(organisation=ours), engineer, minutes=30)
    other = _answered(UserFactory(organisation=theirs), engineer, minutes=300)
    Ticket.objects.filter(pk=other.pk).update(tariff=premium)
    client = _client(client_for, admin_user)
    html = client.get(URL, {"organisation": ours.pk}).content.decode()
    assert "Organisation: Ours Ltd." in html and "Theirs Ltd" not in html.split('id="r-pareto"')[1].split("</section>")[0]
    assert "300.0" not in html and "30.0" in html
    html = client.get(URL, {"tariff": premium.pk}).content.decode()
    assert "Tariff: Premium." in html and "300.0" in html and "<td>30.0</td>" not in html


@pytest.mark.parametrize("params, message", [
    ({"start": "2026-12-01", "end": "2026-11-01"}, "The end of the period is before its start."),
    ({"start": "2024-01-01", "end": "2026-11-01"}, "A period can be at most two years long."),
    ({"start": "yesterday"}, "Enter a valid date."),
    ({"organisation": "999999"}, "Select a valid choice."),
    ({"grain": "decade"}, "Select a valid choice."),
])
def test_bad_filters_are_a_400_with_the_reason(tariff, admin_user, client_for, params, message):
    response = _client(client_for, admin_user).get(URL, params)
    assert response.status_code == 400
    assert message in response.content.decode()


def _csv(response):
    body = response.content
    assert body.startswith(b"\xef\xbb\xbf"), "UTF-8 byte-order mark"
    return body.decode("utf-8-sig")


@pytest.mark.parametrize("language, delimiter, header, decimal", [
    ("en", ",", "Mean, business minutes", "90.5"),
    ("ru", ";", "Среднее, рабочих минут", "90,5"),
    ("pl", ";", "Średnia, minuty robocze", "90,5"),
])
def test_csv_has_bom_locale_delimiter_translated_headers_and_local_numbers(
    tariff, customer_a, engineer, admin_user, client_for, language, delimiter, header, decimal,
):
    _answered(customer_a, engineer)
    Ticket.objects.update(first_response_business_seconds=90 * 60 + 30)
    response = _client(client_for, admin_user, language).get(URL, {"export": "first_response"})
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="first_response-' in response["Content-Disposition"]
    text = _csv(response)
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    assert header in rows[0] and len(rows) == 2
    mean = rows[1][rows[0].index(header)]
    assert mean == decimal
    with translation.override(language):
        today = timezone.localtime(timezone.now(), rollup.report_zone()).date()
        monday = today - timedelta(days=today.weekday())
        assert rows[1][1] == formats.date_format(monday, "SHORT_DATE_FORMAT")


def test_pareto_export_has_one_row_per_organisation_and_no_totals_and_escapes_formulas(
    tariff, engineer, admin_user, client_for,
):
    evil = OrganisationFactory(name="=HYPERLINK(\"http://x\")")
    for _ in range(2):
        _answered(UserFactory(organisation=evil), engineer)
    _answered(UserFactory(organisation=OrganisationFactory(name="Calm")), engineer)
    rows = list(csv.reader(io.StringIO(_csv(_client(client_for, admin_user).get(URL, {"export": "pareto"})))))
    assert rows[0] == ["Rank", "Organisation", "Tickets", "Cumulative, %"]
    assert rows[1] == ["1", "'=HYPERLINK(\"http://x\")", "2", "66.7"]
    assert rows[2] == ["2", "Calm", "1", "100.0"]


def test_xlsx_export_has_translated_headers_real_numbers_and_dates(tariff, customer_a, engineer, admin_user,
                                                                    client_for):
    from openpyxl import load_workbook

    _answered(customer_a, engineer, minutes=45)
    response = _client(client_for, admin_user, "ru").get(URL, {"export": "first_response", "format": "xlsx"})
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.content)).active
    header, row = [c.value for c in sheet[1]], [c.value for c in sheet[2]]
    assert header[0] == "Тариф" and "Среднее, рабочих минут" in header
    assert row[0] == "Basic" and row[2] == 1 and row[3] == 45.0
    assert hasattr(row[1], "year"), "the period is a date cell"
    assert sheet.cell(row=2, column=2).number_format == "DD.MM.YYYY"


def _count(client, params=None):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(URL, params or {}).status_code == 200
    return len(ctx.captured_queries)


def test_query_count_is_constant_and_within_budget_built_or_not(tariff, customer_a, engineer, admin_user, client_for):
    client = _client(client_for, admin_user)
    EngineerSchedule.objects.create(engineer=engineer, calendar=tariff.calendar)
    _answered(customer_a, engineer)
    unbuilt = _count(client)
    rollup.rollup_refresh()
    built = _count(client)
    for n in range(5):
        other = EngineerFactory(email=f"e{n}@helpdesk.example")
        EngineerSchedule.objects.create(engineer=other, calendar=working_week(CalendarFactory(name=f"Hours {n}")))
        ticket = _answered(UserFactory(organisation=OrganisationFactory()), other)
        services.ticket_assign(ticket=ticket, actor=other, assignee=other)
    assert _count(client) == built == unbuilt <= 16  # + the tickets and SLA per incident (live)
    assert _count(client, {"organisation": customer_a.organisation_id, "grain": "month"}) <= 17  # + incidents (live)


def test_public_first_response_is_off_by_default_and_cached_when_on(tariff, customer_a, engineer, client_for, settings):
    _answered(customer_a, engineer, minutes=135)
    cache.clear()
    anonymous = client_for(None)
    assert 'id="public-first-response"' not in anonymous.get("/").content.decode()
    settings.PUBLIC_FIRST_RESPONSE_FIGURE = True
    html = anonymous.get("/").content.decode()
    assert "last 30 days: 2 h 15 min of business hours" in html
    with CaptureQueriesContext(connection) as ctx:
        anonymous.get("/")
    assert not any("tickets_ticket" in q["sql"] for q in ctx.captured_queries), "served from the cache"


@pytest.mark.parametrize("who", ["anonymous", "customer", "l1"])
def test_only_leads_get_the_page_and_its_exports(tariff, customer_a, engineer, client_for, who):
    user = {"anonymous": None, "customer": customer_a, "l1": engineer}[who]
    for params in ({}, {"export": "pareto"}, {"export": "first_response", "format": "xlsx"}):
        response = client_for(user).get(URL, params)
        assert response.status_code == (302 if user is None else 403)
        assert "attachment" not in response.get("Content-Disposition", "")
