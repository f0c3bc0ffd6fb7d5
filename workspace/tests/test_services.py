"""Triage, commitment, escalation, phone and resolution (the engineer's day, seed 001)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from helpdesk.mail.models import OutboundEmail
from sla.tests.factories import CalendarFactory, TariffFactory
from tickets import services
from tickets.models import EngineerDayOff, EngineerSchedule, Event, RootCause, SlaTarget
from workspace import planning
from workspace import services as ws

pytestmark = pytest.mark.django_db
MSK = ZoneInfo("Europe/Moscow")
MONDAY_10 = datetime(2026, 11, 23, 10, 0, tzinfo=MSK)


@pytest.fixture
def tariff():
    return TariffFactory(code="basic", is_default=True, calendar=CalendarFactory(name="Office"), allows_phone=True)


def _ticket(customer, kind="error", at=MONDAY_10):
    with time_machine.travel(at, tick=False):
        return services.ticket_create(requester=customer, data={"kind": kind, "subject": "s", "body": "b"})


def test_triage_records_each_change_and_recomputes_clocks(tariff, customer_a, engineer):
    ticket = _ticket(customer_a)
    cause = RootCause.objects.create(name="Software defect")
    before = SlaTarget.objects.get(ticket=ticket, kind="first_response").due_at
    ws.ticket_triage(ticket=ticket, actor=engineer, urgency="critical", root_cause=cause, effort_minutes=90)
    ticket.refresh_from_db()
    assert (ticket.urgency, ticket.root_cause, ticket.effort_minutes) == ("critical", cause, 90)
    fields = set(ticket.events.filter(kind=Event.Kind.FIELD).values_list("field", flat=True))
    assert fields == {"urgency", "root_cause", "effort_minutes"}
    assert SlaTarget.objects.get(ticket=ticket, kind="first_response").due_at == before  # no override for critical


def test_customer_cannot_triage(tariff, customer_a):
    ticket = _ticket(customer_a)
    with pytest.raises(PermissionDenied):
        ws.ticket_triage(ticket=ticket, actor=customer_a, urgency="low")


def test_commitment_meets_the_target_and_tells_the_customer(tariff, customer_a, engineer):
    ticket = _ticket(customer_a)
    OutboundEmail.objects.all().delete()
    with time_machine.travel(MONDAY_10 + timedelta(minutes=30), tick=False):
        ws.ticket_commit(ticket=ticket, actor=engineer, planned_at=MONDAY_10 + timedelta(days=2))
    target = SlaTarget.objects.get(ticket=ticket, kind="commitment")
    assert target.met_at == MONDAY_10 + timedelta(minutes=30)
    ticket.refresh_from_db()
    assert ticket.assignee == engineer and ticket.status == "open"
    email = OutboundEmail.objects.get()
    assert email.to == customer_a.email and ticket.reference in email.subject


def test_commitment_in_the_past_is_refused(tariff, customer_a, engineer):
    ticket = _ticket(customer_a)
    with pytest.raises(ValidationError):
        ws.ticket_commit(ticket=ticket, actor=engineer, planned_at=datetime(2020, 1, 1, tzinfo=MSK))


def test_refusal_needs_a_reason_and_meets_the_target(tariff, customer_a, engineer):
    ticket = _ticket(customer_a)
    with pytest.raises(ValidationError):
        ws.ticket_refuse(ticket=ticket, actor=engineer, reason="no")
    ws.ticket_refuse(ticket=ticket, actor=engineer, reason="This is a feature of a third-party module.")
    assert SlaTarget.objects.get(ticket=ticket, kind="commitment").met_at is not None
    assert "third-party" in OutboundEmail.objects.filter(subject__contains="About your request").get().body_text


def test_l1_escalates_up_but_only_leads_send_down(tariff, customer_a, engineer, engineer_l2, admin_user):
    ticket = _ticket(customer_a)
    ws.ticket_escalate(ticket=ticket, actor=engineer, to_level="L2", reason="needs database access")
    ticket.refresh_from_db()
    assert ticket.level == "L2" and ticket.assignee is None
    with pytest.raises(PermissionDenied):
        ws.ticket_escalate(ticket=ticket, actor=engineer, to_level="L3", reason="above me")
    with pytest.raises(PermissionDenied):
        ws.ticket_escalate(ticket=ticket, actor=engineer_l2, to_level="L1", reason="back")
    ws.ticket_escalate(ticket=ticket, actor=admin_user, to_level="L1", reason="simple after all")
    moves = list(ticket.events.filter(kind=Event.Kind.ESCALATED).values_list("old_value", "new_value"))
    assert moves == [("L1", "L2"), ("L2", "L1")]
    assert ticket.messages.filter(visibility="internal", body__contains="needs database access").exists()


def test_escalation_needs_a_reason(tariff, customer_a, engineer):
    with pytest.raises(ValidationError):
        ws.ticket_escalate(ticket=_ticket(customer_a), actor=engineer, to_level="L2", reason=" ")


def test_error_ticket_resolution_requires_fix_and_prevention(tariff, customer_a, engineer):
    ticket = _ticket(customer_a)
    with pytest.raises(ValidationError):
        services.ticket_transition(ticket=ticket, actor=engineer, to_status="resolved")
    with pytest.raises(ValidationError) as exc:
        ws.ticket_resolve(ticket=ticket, actor=engineer, summary="Patched the importer", prevention="")
    assert "prevention" in exc.value.message_dict
    OutboundEmail.objects.all().delete()
    ws.ticket_resolve(ticket=ticket, actor=engineer, summary="Patched the importer", prevention="Update to 5.2.1")
    ticket.refresh_from_db()
    assert ticket.status == "resolved"
    # Two emails: the resolution (what was fixed, how to prevent it) and the satisfaction question.
    email = OutboundEmail.objects.exclude(subject__contains="Did we help").get()
    assert "Patched the importer" in email.body_text and "Update to 5.2.1" in email.body_text
    assert OutboundEmail.objects.filter(subject__contains="Did we help").count() == 1


def test_question_resolution_needs_only_the_summary(tariff, customer_a, engineer):
    ticket = _ticket(customer_a, kind="question")
    ws.ticket_resolve(ticket=ticket, actor=engineer, summary="Answered: see the settings page", prevention="")
    ticket.refresh_from_db()
    assert ticket.status == "resolved"


def test_phone_call_is_logged_only_on_phone_tariffs_and_answers_the_callback(tariff, customer_a, engineer):
    ticket = _ticket(customer_a)
    request = services.callback_request(ticket=ticket, user=customer_a, phone="+7 495 123-45-67")
    call = ws.phone_call_log(ticket=ticket, actor=engineer, direction="out", duration_minutes=12, summary="Walked through the import", callback=request)
    request.refresh_from_db()
    assert request.handled_at is not None and call.duration_minutes == 12
    tariff.allows_phone = False
    tariff.save()
    ticket.refresh_from_db()
    with pytest.raises(ValidationError):
        ws.phone_call_log(ticket=ticket, actor=engineer, direction="in", duration_minutes=1, summary="x")


def test_callback_refused_without_phone_support(customer_a):
    TariffFactory(code="basic", is_default=True, allows_phone=False)
    ticket = _ticket(customer_a)
    with pytest.raises(PermissionDenied):
        services.callback_request(ticket=ticket, user=customer_a, phone="+48 600 000 000")


def test_proposal_follows_workload_days_off_and_focus(tariff, customer_a, engineer):
    EngineerSchedule.objects.create(engineer=engineer, calendar=tariff.calendar, focus_percent=50)
    with time_machine.travel(MONDAY_10, tick=False):
        # 2 h of work at 50 % focus = 4 business hours: Monday 14:00.
        assert planning.propose_completion(engineer=engineer, effort_minutes=120, urgency="normal") == datetime(2026, 11, 23, 14, 0, tzinfo=MSK)
        committed = _ticket(customer_a)
        services.ticket_assign(ticket=committed, actor=engineer, assignee=engineer)
        ws.ticket_triage(ticket=committed, actor=engineer, urgency="normal", effort_minutes=240)
        ws.ticket_commit(ticket=committed, actor=engineer, planned_at=MONDAY_10 + timedelta(days=1))
        EngineerDayOff.objects.create(engineer=engineer, date=datetime(2026, 11, 24).date())
        # (4 h committed + 2 h) / 50 % = 12 business hours; Tuesday off: Monday 10–18 (8 h) + Wednesday 09–13.
        assert planning.propose_completion(engineer=engineer, effort_minutes=120, urgency="normal") == datetime(2026, 11, 25, 13, 0, tzinfo=MSK)
        # Emergencies start at once and skip the queue.
        assert planning.propose_completion(engineer=engineer, effort_minutes=60, urgency="critical") == datetime(2026, 11, 23, 11, 0, tzinfo=MSK)


def test_first_response_business_time_is_stored_for_reports(tariff, customer_a, engineer):
    ticket = _ticket(customer_a, at=datetime(2026, 11, 20, 17, 0, tzinfo=MSK))  # Friday 17:00
    with time_machine.travel(datetime(2026, 11, 23, 9, 30, tzinfo=MSK), tick=False):
        services.ticket_reply(ticket=ticket, author=engineer, body="Hello")
    ticket.refresh_from_db()
    assert ticket.first_response_business_seconds == 90 * 60  # Fri 17–18 + Mon 09–09:30


def test_a_resolved_ticket_becomes_a_draft_article_linked_both_ways(tariff, customer_a, engineer):
    from knowledgebase.models import Article

    ticket = _ticket(customer_a, kind="question")
    with pytest.raises(ValidationError):
        ws.ticket_article_draft(ticket=ticket, actor=engineer)  # not resolved yet
    ticket.status, ticket.resolution_summary, ticket.prevention = "resolved", "Renewed the certificate.", "Turn on auto-renewal."
    ticket.save()
    article = ws.ticket_article_draft(ticket=ticket, actor=engineer)
    assert article.status == Article.Status.DRAFT and article.title == ticket.subject
    assert "Renewed the certificate." in article.body and "Turn on auto-renewal." in article.body
    assert list(article.source_tickets.all()) == [ticket]
    assert ws.ticket_article_draft(ticket=ticket, actor=engineer) == article  # one click, one article
    assert Article.objects.count() == 1
    with pytest.raises(PermissionDenied):
        ws.ticket_article_draft(ticket=ticket, actor=customer_a)
