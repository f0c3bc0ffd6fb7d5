"""The engineer's scope: the queue's filters and order, assign, urgency, notes, status."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tickets import services
from tickets.models import Event, Status, Ticket

pytestmark = pytest.mark.django_db
LIST = "/api/tickets/"


def _file(user, subject="Import fails", kind="error", body="b"):
    return services.ticket_create(requester=user, data={"kind": kind, "subject": subject, "body": body})


def _action(ticket, name):
    return reverse(f"api:ticket-{name}", args=[ticket.number])


def _numbers(response):
    assert response.status_code == 200, response.json()
    return [t["number"] for t in response.json()["results"]]


def test_queue_filters_by_status_kind_and_text(api_for, engineer, customer_a):
    error = _file(customer_a, "Export crashes", kind="error")
    question = _file(customer_a, "How to import", kind="question")
    done = _file(customer_a, "Old thing", kind="question")
    services.ticket_transition(ticket=done, actor=customer_a, to_status=Status.CLOSED)
    client = api_for(engineer)
    assert set(_numbers(client.get(LIST, {"status": "open"}))) == {error.number, question.number}
    assert _numbers(client.get(LIST, {"status": "closed"})) == [done.number]
    assert _numbers(client.get(LIST, {"kind": "error"})) == [error.number]
    assert _numbers(client.get(LIST, {"q": "import"})) == [question.number]
    assert _numbers(client.get(LIST, {"q": error.reference})) == [error.number]


def test_invalid_filter_is_a_400_naming_it(api_for, engineer):
    response = api_for(engineer).get(LIST, {"status": "sleeping", "order": "subject"})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"status", "order"}


def test_order_due_puts_nearest_deadline_first_and_tickets_without_one_last(api_for, engineer, customer_a):
    tickets = [_file(customer_a, f"t{i}") for i in range(4)]
    now = timezone.now()
    Ticket.objects.filter(pk=tickets[0].pk).update(next_due_at=now + timedelta(hours=5))
    Ticket.objects.filter(pk=tickets[1].pk).update(next_due_at=now + timedelta(hours=1))
    Ticket.objects.filter(pk=tickets[2].pk).update(next_due_at=None)
    Ticket.objects.filter(pk=tickets[3].pk).update(next_due_at=None)
    numbers = _numbers(api_for(engineer).get(LIST, {"order": "due"}))
    assert numbers == [tickets[1].number, tickets[0].number, tickets[2].number, tickets[3].number]


def test_engineer_takes_a_new_ticket(api_for, engineer, customer_a):
    ticket = _file(customer_a)
    response = api_for(engineer).post(_action(ticket, "assign"), {"assignee": engineer.pk}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["assignee"] == {"id": engineer.pk, "full_name": engineer.full_name}
    assert response.json()["status"] == "open"  # taking a new ticket opens it


def test_engineer_hands_a_ticket_to_another_and_unassigns(api_for, engineer, engineer_l2, customer_a):
    ticket = _file(customer_a)
    client = api_for(engineer)
    assert client.post(_action(ticket, "assign"), {"assignee": engineer_l2.pk}, format="json").json()["assignee"]["id"] == engineer_l2.pk
    assert client.post(_action(ticket, "assign"), {"assignee": None}, format="json").json()["assignee"] is None
    assert ticket.events.filter(kind=Event.Kind.ASSIGNED).count() == 2


def test_tickets_go_only_to_engineers(api_for, engineer, customer_a):
    ticket = _file(customer_a)
    for assignee in (customer_a.pk, 10**9):
        response = api_for(engineer).post(_action(ticket, "assign"), {"assignee": assignee}, format="json")
        assert response.status_code == 400
        assert "assignee" in response.json()["errors"]
    assert api_for(engineer).post(_action(ticket, "assign"), {}, format="json").status_code == 400


def test_engineer_sets_urgency(api_for, engineer, customer_a):
    ticket = _file(customer_a)
    response = api_for(engineer).post(_action(ticket, "urgency"), {"urgency": "critical"}, format="json")
    assert response.status_code == 200
    assert response.json()["urgency"] == "critical"
    assert ticket.events.filter(kind=Event.Kind.FIELD, field="urgency", new_value="critical").exists()
    bad = api_for(engineer).post(_action(ticket, "urgency"), {"urgency": "whenever"}, format="json")
    assert bad.status_code == 400 and "urgency" in bad.json()["errors"]


def test_customers_cannot_assign_or_set_urgency(api_for, customer_a, engineer):
    ticket = _file(customer_a)
    client = api_for(customer_a)
    assert client.post(_action(ticket, "assign"), {"assignee": engineer.pk}, format="json").status_code == 403
    assert client.post(_action(ticket, "urgency"), {"urgency": "critical"}, format="json").status_code == 403
    ticket.refresh_from_db()
    assert ticket.assignee is None and ticket.urgency == "normal"


def test_engineer_adds_an_internal_note_the_customer_never_sees(api_for, engineer, customer_a):
    ticket = _file(customer_a)
    response = api_for(engineer).post(_action(ticket, "reply"), {"body": "Check the logs", "internal": True}, format="json")
    assert response.status_code == 201 and response.json()["internal"] is True
    seen = api_for(customer_a).get(reverse("api:ticket-detail", args=[ticket.number])).json()
    assert seen["messages"] == []
    ticket.refresh_from_db()
    assert ticket.first_response_at is None  # a note is not a response


def test_engineers_public_reply_is_the_first_response(api_for, engineer, customer_a):
    ticket = _file(customer_a)
    response = api_for(engineer).post(_action(ticket, "reply"), {"body": "On it"}, format="json")
    assert response.status_code == 201 and response.json()["by_staff"] is True
    ticket.refresh_from_db()
    assert ticket.first_response_at is not None and ticket.status == Status.OPEN


def test_engineer_moves_a_ticket_along_the_workflow(api_for, engineer, customer_a):
    ticket = _file(customer_a, kind="question")
    client = api_for(engineer)
    assert client.post(_action(ticket, "transition"), {"status": "waiting"}, format="json").status_code == 400
    client.post(_action(ticket, "reply"), {"body": "Which version?"}, format="json")
    waiting = client.post(_action(ticket, "transition"), {"status": "waiting"}, format="json")
    assert waiting.status_code == 200 and waiting.json()["status"] == "waiting"
    assert set(waiting.json()["transitions"]) == {"open", "resolved"}
    refused = client.post(_action(ticket, "transition"), {"status": "new"}, format="json")
    assert refused.status_code == 400


def test_engineer_list_for_assigning(api_for, engineer, engineer_l2, admin_user, customer_a):
    response = api_for(engineer).get("/api/engineers/")
    assert response.status_code == 200
    assert {e["id"] for e in response.json()["results"]} == {engineer.pk, engineer_l2.pk, admin_user.pk}
    assert api_for(customer_a).get("/api/engineers/").status_code == 403


def test_me_says_who_the_token_belongs_to(api_for, customer_a, engineer):
    me = api_for(customer_a).get("/api/me/").json()
    assert me["role"] == "customer" and me["organisation"]["id"] == customer_a.organisation_id
    assert api_for(engineer).get("/api/me/").json()["organisation"] is None


# The queue, as the queue page shows it.

def test_queue_defaults_to_open_tickets_nearest_deadline_first(api_for, engineer, customer_a):
    later, sooner, undated, closed = (_file(customer_a, f"t{i}") for i in range(4))
    now = timezone.now()
    Ticket.objects.filter(pk=later.pk).update(next_due_at=now + timedelta(hours=3))
    Ticket.objects.filter(pk=sooner.pk).update(next_due_at=now + timedelta(hours=1))
    Ticket.objects.filter(pk=undated.pk).update(next_due_at=None)
    services.ticket_transition(ticket=closed, actor=customer_a, to_status=Status.CLOSED)
    assert _numbers(api_for(engineer).get("/api/queue/")) == [sooner.number, later.number, undated.number]


def test_queue_views_and_triage_filters(api_for, engineer, engineer_l2, customer_a):
    mine, theirs, nobodys = (_file(customer_a, f"t{i}") for i in range(3))
    services.ticket_assign(ticket=mine, actor=engineer, assignee=engineer)
    services.ticket_assign(ticket=theirs, actor=engineer, assignee=engineer_l2)
    services.ticket_set_urgency(ticket=theirs, actor=engineer, urgency="critical")
    client = api_for(engineer)
    assert _numbers(client.get("/api/queue/", {"view": "mine"})) == [mine.number]
    assert _numbers(client.get("/api/queue/", {"view": "unassigned"})) == [nobodys.number]
    assert _numbers(client.get("/api/queue/", {"urgency": "critical"})) == [theirs.number]
    assert _numbers(client.get("/api/queue/", {"assignee": engineer_l2.pk})) == [theirs.number]
    assert client.get("/api/queue/", {"view": "everything"}).status_code == 400


def test_queue_is_for_engineers(api_for, customer_a):
    assert api_for(customer_a).get("/api/queue/").status_code == 403


# Resolution.

def test_engineer_resolves_an_error_with_fix_and_prevention(api_for, engineer, customer_a):
    ticket = _file(customer_a, kind="error")
    client = api_for(engineer)
    missing = client.post(_action(ticket, "resolve"), {"summary": "Fixed the importer"}, format="json")
    assert missing.status_code == 400
    assert list(missing.json()["errors"]) == ["prevention"]
    response = client.post(
        _action(ticket, "resolve"), {"summary": "Fixed the importer", "prevention": "Save CSV as UTF-8"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "resolved"
    seen = api_for(customer_a).get(reverse("api:ticket-detail", args=[ticket.number])).json()
    assert (seen["resolution_summary"], seen["prevention"]) == ("Fixed the importer", "Save CSV as UTF-8")
    assert seen["root_cause"] is None and seen["effort_minutes"] is None


def test_resolving_needs_a_summary(api_for, engineer, customer_a):
    ticket = _file(customer_a, kind="question")
    response = api_for(engineer).post(_action(ticket, "resolve"), {"summary": "  "}, format="json")
    assert response.status_code == 400 and "summary" in response.json()["errors"]


def test_customers_cannot_resolve_through_the_resolution_endpoint(api_for, customer_a):
    ticket = _file(customer_a, kind="question")
    assert api_for(customer_a).post(_action(ticket, "resolve"), {"summary": "done"}, format="json").status_code == 403


def test_commit_tells_the_customer_and_meets_the_commitment_target(api_for, engineer, customer_a):
    from helpdesk.mail.models import OutboundEmail
    from sla.tests.factories import TariffFactory

    TariffFactory(code="basic", is_default=True)
    ticket = _file(customer_a)
    planned = (timezone.now() + timedelta(days=3)).replace(microsecond=0)
    response = api_for(engineer).post(_action(ticket, "commit"), {"planned_at": planned.isoformat()}, format="json")
    assert response.status_code == 200, response.json()
    ticket.refresh_from_db()
    assert ticket.planned_at == planned and ticket.sla_targets.get(kind="commitment").met_at is not None
    assert OutboundEmail.objects.filter(to=customer_a.email, subject__contains="Planned completion").exists()
    past = api_for(engineer).post(_action(ticket, "commit"), {"planned_at": "2020-01-01T10:00:00Z"}, format="json")
    assert past.status_code == 400


def test_refusal_needs_a_real_reason(api_for, engineer, customer_a):
    ticket = _file(customer_a)
    response = api_for(engineer).post(_action(ticket, "refuse"), {"reason": "no"}, format="json")
    assert response.status_code == 400 and response.json()["errors"]
    ticket.refresh_from_db()
    assert ticket.refusal_reason == ""


def test_escalation_follows_the_same_rule_as_the_workspace(api_for, engineer, engineer_l2, customer_a):
    ticket = _file(customer_a)
    up = api_for(engineer).post(_action(ticket, "escalate"), {"to_level": "L2", "reason": "needs L2"}, format="json")
    assert up.status_code == 200 and up.json()["level"] == "L2"
    down = api_for(engineer_l2).post(_action(ticket, "escalate"), {"to_level": "L1", "reason": "back"}, format="json")
    assert down.status_code == 403
    assert ticket.events.filter(kind=Event.Kind.ESCALATED).count() == 1
