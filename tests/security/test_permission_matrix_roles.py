"""Every write of the web UI × every kind of person, judged by what it did, not its status.

Engineer actions answer 302 whether they worked or were refused (the refusal is a
message on the ticket page), so a status code proves nothing: each case checks the
effect. A refused write must leave every table and the ticket exactly as they were.
The URL-level matrix (every URL has a row) is tickets/tests/test_permission_matrix.py.
"""

import pytest
from auditlog.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from helpdesk.accounts.models import Organisation, User
from helpdesk.accounts.tests.factories import EngineerFactory, OrganisationFactory, UserFactory
from helpdesk.mail.models import OutboundEmail
from sla.tests.factories import TariffFactory
from tickets import services
from tickets.models import Attachment, CallbackRequest, Event, Message, PhoneCall, SlaTarget, Ticket

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
ROLES = ["anonymous", "customer_a", "customer_b", "no_org", "dealer", "l1", "l2", "l3", "admin"]
CUSTOMERS_WHO_SEE_IT = {"customer_a", "dealer"}
ENGINEERS = {"l1", "l2", "l3", "admin"}
LEADS = {"l3", "admin"}
TABLES = [Ticket, Message, Event, Attachment, OutboundEmail, CallbackRequest, PhoneCall, SlaTarget, Organisation, User, LogEntry]
TICKET_FIELDS = [
    "status", "assignee_id", "level", "urgency", "organisation_id", "planned_at", "refusal_reason",
    "resolution_summary", "prevention", "effort_minutes", "root_cause_id", "first_response_at", "updated_at",
]


# name → (url name, uses the ticket, POST data, who succeeds, the effect that proves it).
# The effect gets (ticket after, user) and returns True when the write happened.
CASES = {
    "file a ticket": (
        "tickets:new", False, {"kind": "question", "subject": "New one", "body": "text", "customer_urgency": "normal"},
        {"customer_a", "customer_b", "dealer"},
        lambda t, u: Ticket.objects.filter(requester=u, subject="New one").exists(),
    ),
    "customer reply": (
        "tickets:reply", True, {"body": "more details"}, CUSTOMERS_WHO_SEE_IT,
        lambda t, u: Message.objects.filter(ticket=t, author=u, body="more details").exists(),
    ),
    "customer closes": (
        "tickets:transition", True, {"status": "closed", "confirm": "1"}, CUSTOMERS_WHO_SEE_IT, lambda t, u: t.status == "closed",
    ),
    "customer sets waiting (not a customer's move)": (
        "tickets:transition", True, {"status": "waiting"}, set(), lambda t, u: t.status == "waiting",
    ),
    "callback request": (
        "tickets:callback", True, {"phone": "+7 495 123-45-67"}, CUSTOMERS_WHO_SEE_IT,
        lambda t, u: CallbackRequest.objects.filter(ticket=t).exists(),
    ),
    "take": ("workspace:take", True, {}, ENGINEERS, lambda t, u: t.assignee_id == u.pk),
    "bulk take": (
        "workspace:bulk", "bulk", {"action": "take"}, ENGINEERS, lambda t, u: t.assignee_id == u.pk,
    ),
    "engineer reply": (
        "workspace:work_reply", True, {"body": "we are on it"}, ENGINEERS,
        lambda t, u: Message.objects.filter(ticket=t, author=u, visibility="public").exists() and t.first_response_at is not None,
    ),
    "internal note": (
        "workspace:work_reply", True, {"body": "note", "internal": "on"}, ENGINEERS,
        lambda t, u: Message.objects.filter(ticket=t, author=u, visibility="internal").exists(),
    ),
    # A new ticket waits for the customer only through a public reply (SLA rule 3).
    "engineer sends and waits": (
        "workspace:work_reply", True, {"body": "Please send the log.", "then": "waiting"}, ENGINEERS,
        lambda t, u: t.status == "waiting",
    ),
    "triage": (
        "workspace:triage", True, {"urgency": "high", "effort_hours": "2"}, ENGINEERS,
        lambda t, u: t.urgency == "high" and t.effort_minutes == 120,
    ),
    "commit": (
        "workspace:commit", True, {"planned_at": "2099-01-01T10:00"}, ENGINEERS, lambda t, u: t.planned_at is not None,
    ),
    "refuse": (
        "workspace:refuse", True, {"reason": "Out of the scope of support."}, ENGINEERS,
        lambda t, u: t.refusal_reason == "Out of the scope of support.",
    ),
    "escalate L1 → L2": (
        "workspace:escalate", True, {"to_level": "L2", "reason": "needs a specialist"}, ENGINEERS,
        lambda t, u: t.level == "L2",
    ),
    "send L2 → L1 (leads only)": (
        "workspace:escalate", "at L2", {"to_level": "L1", "reason": "simple after all"}, LEADS,
        lambda t, u: t.level == "L1",
    ),
    "escalate L2 → L3 (not from below L2)": (
        "workspace:escalate", "at L2", {"to_level": "L3", "reason": "needs a developer"}, {"l2", "l3", "admin"},
        lambda t, u: t.level == "L3",
    ),
    "log a call": (
        "workspace:call", True, {"direction": "in", "duration_minutes": "5", "summary": "talked"}, ENGINEERS,
        lambda t, u: PhoneCall.objects.filter(ticket=t, engineer=u).exists(),
    ),
    "resolve with prevention": (
        "workspace:resolve", True, {"summary": "fixed", "prevention": "update"}, ENGINEERS,
        lambda t, u: t.status == "resolved",
    ),
    "resolve a system error without prevention": (
        "workspace:resolve", True, {"summary": "fixed", "prevention": ""}, set(), lambda t, u: t.status == "resolved",
    ),
}


@pytest.fixture
def world(db):
    TariffFactory(code="phone", is_default=True, allows_phone=True)
    dealer_org = OrganisationFactory(name="Dealer Partners", kind="partner")
    client_org = OrganisationFactory(name="Acme Hosting", dealer=dealer_org)
    people = {
        "anonymous": None,
        "customer_a": UserFactory(organisation=client_org, email="anna@acme.example"),
        "customer_b": UserFactory(organisation=OrganisationFactory(name="Globex"), email="ivan@globex.example"),
        "no_org": UserFactory(organisation=None, email="lonely@example.com"),
        "dealer": UserFactory(organisation=dealer_org, email="deal@dealer.example"),
        "l1": EngineerFactory(email="l1@helpdesk.example", support_level="L1"),
        "l2": EngineerFactory(email="l2@helpdesk.example", support_level="L2"),
        "l3": EngineerFactory(email="l3@helpdesk.example", support_level="L3"),
        "admin": EngineerFactory(email="admin@helpdesk.example", support_level="L2", is_staff=True, is_superuser=True),
    }
    ticket = services.ticket_create(
        requester=people["customer_a"], data={"kind": "error", "subject": "Import fails", "body": "Error 500"},
        files=[SimpleUploadedFile("shot.png", PNG)],
    )
    return people, ticket


def _snapshot(ticket):
    counts = {model.__name__: model.objects.count() for model in TABLES}
    fields = Ticket.objects.filter(pk=ticket.pk).values(*TICKET_FIELDS).get()
    return counts, fields


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", sorted(CASES))
def test_each_write_works_for_exactly_the_people_it_should(case, role, world, client_for):
    url_name, on_ticket, data, allowed, effect = CASES[case]
    people, ticket = world
    user = people[role]
    if on_ticket == "at L2":
        Ticket.objects.filter(pk=ticket.pk).update(level="L2")
    data = dict(data)
    if on_ticket == "bulk":
        data["tickets"] = [str(ticket.number)]
    if url_name == "tickets:new" and role == "dealer":
        data["organisation"] = ticket.organisation_id  # a dealer files for a client it serves
    args = (ticket.number,) if on_ticket and on_ticket != "bulk" else ()
    client = client_for(user)
    before = _snapshot(ticket)
    response = client.post(reverse(url_name, args=args), data)
    ticket.refresh_from_db()
    if role in allowed:
        assert response.status_code == 302, f"{case} as {role}: {response.status_code}"
        assert effect(ticket, user), f"{case} as {role}: answered {response.status_code} but wrote nothing"
        return
    # A refused workspace action shows the page again with the error beside the form: 400.
    expected = {"anonymous": {302}, "customer_b": {403, 404}, "no_org": {403, 404}}.get(role, {302, 400, 403, 404})
    assert response.status_code in expected, f"{case} as {role}: {response.status_code}"
    if role == "anonymous":
        assert reverse("accounts:login") in response["Location"]
    assert _snapshot(ticket) == before, f"{case} as {role}: a refused write changed something"
    assert user is None or not effect(ticket, user)


def test_customer_without_organisation_sees_no_ticket_and_files_none(world, client_for):
    people, ticket = world
    client = client_for(people["no_org"])
    assert client.get(reverse("tickets:detail", args=[ticket.number])).status_code == 404
    assert client.get(reverse("tickets:attachment", args=[ticket.number, ticket.attachments.get().pk])).status_code == 404
    assert client.get(reverse("tickets:new")).status_code == 403
    assert ticket.reference not in client.get(reverse("tickets:list")).content.decode()


def test_dealer_sees_its_clients_tickets_but_not_others(world, client_for):
    people, ticket = world
    other = services.ticket_create(requester=people["customer_b"], data={"kind": "question", "subject": "s", "body": "b"})
    client = client_for(people["dealer"])
    assert client.get(reverse("tickets:detail", args=[ticket.number])).status_code == 200
    assert client.get(reverse("tickets:detail", args=[other.number])).status_code == 404
