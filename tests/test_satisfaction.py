"""CSAT: asked once per resolution, recorded on POST only, changeable for 7 days, bad
ratings reach the engineer and the leads; reports per engineer, tariff and month."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from helpdesk.mail.models import OutboundEmail
from tickets import services
from tickets.models import SatisfactionSurvey
from tickets.tests.factories import TicketFactory
from workspace import services as workspace_services
from workspace.satisfaction_reports import satisfaction_by


@pytest.fixture
def resolved(customer_a, engineer):
    ticket = TicketFactory(requester=customer_a, organisation=customer_a.organisation, assignee=engineer, kind="question")
    services.ticket_transition(ticket=ticket, actor=engineer, to_status="open")
    workspace_services.ticket_resolve(ticket=ticket, actor=engineer, summary="Reset the cache.")
    return ticket


def test_a_resolution_asks_once_by_email(resolved, customer_a):
    survey = SatisfactionSurvey.objects.get(ticket=resolved)
    mail = OutboundEmail.objects.get(to=customer_a.email, subject__contains="Did we help")
    assert str(survey.token) in mail.body_text and survey.rating == ""


def test_the_email_link_only_opens_a_page(resolved, client):
    survey = SatisfactionSurvey.objects.get(ticket=resolved)
    page = client.get(reverse("tickets:satisfaction", args=[survey.token]))
    assert page.status_code == 200 and resolved.reference in page.content.decode()
    survey.refresh_from_db()
    assert survey.rating == "" and survey.rated_at is None


def test_rating_is_recorded_on_post_and_changeable_for_seven_days(resolved, client):
    survey = SatisfactionSurvey.objects.get(ticket=resolved)
    url = reverse("tickets:satisfaction", args=[survey.token])
    assert client.post(url, {"rating": "good"}).status_code == 200
    survey.refresh_from_db()
    assert survey.rating == "good"
    with time_machine.travel(timezone.now() + timedelta(days=6)):
        client.post(url, {"rating": "bad", "comment": "It broke again"})
    survey.refresh_from_db()
    assert survey.rating == "bad" and survey.comment == "It broke again"
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        assert client.post(url, {"rating": "good"}).status_code == 400
    survey.refresh_from_db()
    assert survey.rating == "bad"


def test_bad_rating_tells_the_engineer_and_the_leads_once(resolved, client, engineer, admin_user, engineer_l2):
    survey = SatisfactionSurvey.objects.get(ticket=resolved)
    url = reverse("tickets:satisfaction", args=[survey.token])
    client.post(url, {"rating": "bad"})
    client.post(url, {"rating": "bad", "comment": "still bad"})
    told = set(OutboundEmail.objects.filter(subject__contains="was not helped").values_list("to", flat=True))
    assert told == {engineer.email, admin_user.email}


def test_a_reopened_and_resolved_again_ticket_is_asked_again(resolved, customer_a, engineer):
    services.ticket_transition(ticket=resolved, actor=customer_a, to_status="open")
    resolved.refresh_from_db()
    workspace_services.ticket_resolve(ticket=resolved, actor=engineer, summary="Fixed for good.")
    assert SatisfactionSurvey.objects.filter(ticket=resolved).count() == 2


def test_wrong_token_is_a_404_and_rating_values_are_checked(resolved, client):
    assert client.get("/feedback/00000000-0000-4000-8000-000000000000/").status_code == 404
    survey = SatisfactionSurvey.objects.get(ticket=resolved)
    assert client.post(reverse("tickets:satisfaction", args=[survey.token]), {"rating": "meh"}).status_code == 400


def test_portal_ticket_page_offers_the_rating(resolved, client_for, customer_a):
    page = client_for(customer_a).get(reverse("tickets:detail", args=[resolved.number])).content.decode()
    assert "How did we do?" in page


def test_report_per_engineer_tariff_and_month(resolved, client, client_for, admin_user, engineer):
    survey = SatisfactionSurvey.objects.get(ticket=resolved)
    client.post(reverse("tickets:satisfaction", args=[survey.token]), {"rating": "good"})
    now = timezone.now()
    rows = satisfaction_by(now - timedelta(days=1), now + timedelta(days=1))
    assert [(r["engineer"], r["asked"], r["good"], r["score"]) for r in rows] == [(engineer.full_name, 1, 1, 100.0)]
    assert engineer.full_name in client_for(admin_user).get(reverse("workspace:satisfaction")).content.decode()
    from api.services import api_token_create

    _t, raw = api_token_create(user=admin_user, name="dash")
    api = client.get("/api/reports/satisfaction/", HTTP_AUTHORIZATION=f"Bearer {raw}").json()
    assert api["rows"][0]["good"] == 1
