"""Tickets through the API: the customer's scope (file, list, read, reply, close, reopen)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from api.tests.conftest import PNG, png
from helpdesk.accounts.tests.factories import OrganisationFactory, UserFactory
from tickets import services
from tickets.models import Channel, Event, Status, Ticket

pytestmark = pytest.mark.django_db
LIST = "/api/tickets/"


def detail(number):
    return reverse("api:ticket-detail", args=[number])


def _file(user, subject="Import fails", **data):
    return services.ticket_create(requester=user, data={"kind": "error", "subject": subject, "body": "b", **data})


# Filing.

def test_customer_files_a_ticket_as_json(api_for, customer_a):
    response = api_for(customer_a).post(
        LIST, {"kind": "error", "subject": "  Export   breaks ", "body": "Steps: …", "customer_urgency": "high"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    ticket = Ticket.objects.get(number=data["number"])
    assert data["reference"] == f"HD-{ticket.number}"
    assert response["Location"] == detail(ticket.number)
    assert ticket.subject == "Export breaks"
    assert ticket.channel == Channel.API
    assert ticket.requester == customer_a and ticket.organisation == customer_a.organisation
    assert ticket.customer_urgency == "high" and ticket.urgency == "normal"  # declared, not the SLA urgency
    assert data["urgency"] is None  # triage fields are for engineers


def test_customer_files_a_ticket_with_attachments_as_multipart(api_for, customer_a):
    log = SimpleUploadedFile("error.log", b"Traceback: KeyError\n", content_type="text/plain")
    response = api_for(customer_a).post(
        LIST, {"subject": "Crash", "body": "See files", "attachments": [png(), log]}, format="multipart"
    )
    assert response.status_code == 201, response.json()
    files = response.json()["attachments"]
    assert sorted((f["name"], f["content_type"]) for f in files) == [("error.log", "text/plain"), ("shot.png", "image/png")]
    assert all(f["download_url"].startswith("http") for f in files)


def test_refused_file_type_is_a_field_error_and_nothing_is_filed(api_for, customer_a):
    exe = SimpleUploadedFile("setup.exe", b"MZ\x90\x00" + b"\x00" * 100, content_type="image/png")
    response = api_for(customer_a).post(LIST, {"subject": "s", "body": "b", "attachments": [exe]}, format="multipart")
    assert response.status_code == 400
    body = response.json()
    assert list(body["errors"]) == ["attachments"]
    assert "setup.exe" in body["errors"]["attachments"][0]
    assert not Ticket.objects.exists()


def test_file_over_the_web_forms_limit_is_refused(api_for, customer_a, settings):
    settings.ATTACHMENT_MAX_FILE_BYTES = 50
    response = api_for(customer_a).post(LIST, {"subject": "s", "body": "b", "attachments": [png()]}, format="multipart")
    assert response.status_code == 400
    assert "shot.png" in response.json()["errors"]["attachments"][0]
    assert not Ticket.objects.exists()


def test_large_uploads_are_streamed_to_temporary_files(api_for, customer_a, settings, monkeypatch):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024
    seen = []
    original = services.ticket_create

    def spy(**kwargs):
        seen.extend(type(f).__name__ for f in kwargs["files"])
        return original(**kwargs)

    monkeypatch.setattr(services, "ticket_create", spy)
    big = SimpleUploadedFile("big.png", PNG + b"\x00" * 10_000, content_type="image/png")
    response = api_for(customer_a).post(LIST, {"subject": "s", "body": "b", "attachments": [big]}, format="multipart")
    assert response.status_code == 201
    assert seen == ["TemporaryUploadedFile"]


@pytest.mark.parametrize(
    "payload,field",
    [
        ({"body": "b"}, "subject"),
        ({"subject": "   ", "body": "b"}, "subject"),
        ({"subject": "s"}, "body"),
        ({"subject": "s", "body": "b", "kind": "complaint"}, "kind"),
        ({"subject": "s" * 201, "body": "b"}, "subject"),
        ({"subject": "s", "body": "nul\x00byte"}, "body"),
        ({"subject": "s", "body": "b", "license": "NOT-A-SERIAL"}, "license"),
        ({"subject": "s", "body": "b", "organisation": 999999}, "organisation"),
        ({"subject": "s", "body": "b", "reproduced_at": "yesterday"}, "reproduced_at"),
    ],
)
def test_invalid_ticket_names_the_field(api_for, customer_a, payload, field):
    response = api_for(customer_a).post(LIST, payload, format="json")
    assert response.status_code == 400
    body = response.json()
    assert field in body["errors"] and all(isinstance(m, str) for m in body["errors"][field])
    assert body["code"] == "invalid"
    assert not Ticket.objects.exists()


def test_ticket_for_a_license_of_the_organisation(api_for, world, customer_a):
    serial = world.license.serial.lower().replace("-", " ")  # pasted from an email
    response = api_for(customer_a).post(LIST, {"subject": "s", "body": "b", "license": serial}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["license"] == world.license.serial


def test_license_of_another_organisation_is_refused(api_for, world, customer_b):
    response = api_for(customer_b).post(LIST, {"subject": "s", "body": "b", "license": world.license.serial}, format="json")
    assert response.status_code == 400
    assert "license" in response.json()["errors"]


def test_dealer_files_for_a_client_organisation(api_for, org_a):
    dealer = OrganisationFactory(name="Gold Dealer", kind="partner", partner_level="gold")
    org_a.dealer = dealer
    org_a.save()
    seller = UserFactory(organisation=dealer)
    response = api_for(seller).post(LIST, {"subject": "s", "body": "b", "organisation": org_a.pk}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["organisation"] == {"id": org_a.pk, "name": org_a.name}


def test_customer_without_organisation_cannot_file(api_for):
    loner = UserFactory(organisation=None)
    response = api_for(loner).post(LIST, {"subject": "s", "body": "b"}, format="json")
    assert response.status_code == 403
    assert response.json()["detail"]


def test_engineers_do_not_file_tickets(api_for, engineer):
    assert api_for(engineer).post(LIST, {"subject": "s", "body": "b"}, format="json").status_code == 403


# Reading.

def test_customer_lists_only_their_organisations_tickets(api_for, customer_a, customer_a2, customer_b):
    mine, colleagues = _file(customer_a), _file(customer_a2)
    _file(customer_b)
    numbers = [t["number"] for t in api_for(customer_a).get(LIST).json()["results"]]
    assert numbers == [colleagues.number, mine.number]


def test_engineer_lists_every_ticket(api_for, engineer, customer_a, customer_b):
    a, b = _file(customer_a), _file(customer_b)
    numbers = {t["number"] for t in api_for(engineer).get(LIST).json()["results"]}
    assert numbers == {a.number, b.number}


def test_customer_reads_the_conversation_without_internal_notes(api_for, world, customer_a):
    response = api_for(customer_a).get(detail(world.ticket.number))
    assert response.status_code == 200
    data = response.json()
    assert [m["body"] for m in data["messages"]] == ["We are looking."]
    assert not any(m["internal"] for m in data["messages"])
    assert "Secret" not in response.content.decode()
    assert not any(e["kind"] == Event.Kind.NOTE for e in data["events"])
    assert [a["name"] for a in data["attachments"]] == ["shot.png"]
    assert [a["name"] for a in data["messages"][0]["attachments"]] == ["public.png"]
    assert data["urgency"] is None and data["level"] is None
    assert data["transitions"] == ["closed"]
    assert [t["kind"] for t in data["sla_targets"]]


def test_engineer_reads_internal_notes(api_for, world, engineer):
    data = api_for(engineer).get(detail(world.ticket.number)).json()
    assert [(m["body"], m["internal"]) for m in data["messages"]] == [
        ("We are looking.", False), ("Secret: the customer's DB is corrupt.", True),
    ]
    assert data["urgency"] == "normal" and data["level"] == "L1"


def test_another_organisations_ticket_is_indistinguishable_from_a_missing_one(api_for, world, customer_b):
    client = api_for(customer_b)
    other = client.get(detail(world.ticket.number))
    missing = client.get(detail(world.ticket.number + 100_000))
    assert other.status_code == missing.status_code == 404
    assert other.json() == missing.json()
    for action in ("replies", "transition"):
        url = f"{detail(world.ticket.number)}{action}/"
        assert client.post(url, {"body": "x", "status": "closed"}, format="json").status_code == 404


# Replies and status.

def test_customer_reply_reopens_a_ticket_waiting_for_them(api_for, world, customer_a, engineer):
    services.ticket_reply(ticket=world.ticket, author=engineer, body="Which version?", wait_for_customer=True)
    response = api_for(customer_a).post(f"{detail(world.ticket.number)}replies/", {"body": "Here it is"}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["body"] == "Here it is" and response.json()["internal"] is False
    world.ticket.refresh_from_db()
    assert world.ticket.status == Status.OPEN
    assert world.ticket.messages.last().channel == Channel.API


def test_customer_reply_with_attachment(api_for, world, customer_a):
    url = f"{detail(world.ticket.number)}replies/"
    response = api_for(customer_a).post(url, {"body": "screenshot", "attachments": [png("again.png")]}, format="multipart")
    assert response.status_code == 201, response.json()
    assert [a["name"] for a in response.json()["attachments"]] == ["again.png"]


def test_reply_over_the_tickets_total_limit_is_refused(api_for, world, customer_a, settings):
    settings.ATTACHMENT_MAX_TICKET_BYTES = sum(a.size for a in world.ticket.attachments.all()) + 10
    url = f"{detail(world.ticket.number)}replies/"
    response = api_for(customer_a).post(url, {"body": "more", "attachments": [png("more.png")]}, format="multipart")
    assert response.status_code == 400
    assert "attachments" in response.json()["errors"]


def test_customer_cannot_add_internal_notes(api_for, world, customer_a):
    url = f"{detail(world.ticket.number)}replies/"
    response = api_for(customer_a).post(url, {"body": "psst", "internal": True}, format="json")
    assert response.status_code == 403
    assert not world.ticket.messages.filter(body="psst").exists()


def test_reply_to_a_closed_ticket_asks_to_reopen_first(api_for, world, customer_a):
    services.ticket_transition(ticket=world.ticket, actor=customer_a, to_status=Status.CLOSED)
    response = api_for(customer_a).post(f"{detail(world.ticket.number)}replies/", {"body": "again"}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert list(body["errors"]) == ["non_field_errors"]
    assert body["detail"] == body["errors"]["non_field_errors"][0]


def test_customer_closes_and_reopens(api_for, world, customer_a):
    client = api_for(customer_a)
    url = f"{detail(world.ticket.number)}transition/"
    closed = client.post(url, {"status": "closed"}, format="json")
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    assert closed.json()["transitions"] == ["open"]
    reopened = client.post(url, {"status": "open"}, format="json")
    assert reopened.status_code == 200 and reopened.json()["status"] == "open"


def test_customer_cannot_resolve(api_for, world, customer_a):
    response = api_for(customer_a).post(f"{detail(world.ticket.number)}transition/", {"status": "resolved"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"]["non_field_errors"]
    world.ticket.refresh_from_db()
    assert world.ticket.status == Status.OPEN


def test_unknown_status_is_a_field_error(api_for, world, customer_a):
    response = api_for(customer_a).post(f"{detail(world.ticket.number)}transition/", {"status": "gone"}, format="json")
    assert response.status_code == 400
    assert "status" in response.json()["errors"]


# Files.

def test_customer_downloads_a_public_file(api_for, world, customer_a):
    url = reverse("api:ticket-attachment", args=[world.ticket.number, world.public_file.pk])
    response = api_for(customer_a).get(url, HTTP_ACCEPT="application/octet-stream")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_internal_notes_file_does_not_exist_for_customers(api_for, world, customer_a, engineer):
    url = reverse("api:ticket-attachment", args=[world.ticket.number, world.internal_file.pk])
    assert api_for(customer_a).get(url).status_code == 404
    assert api_for(engineer).get(url).status_code == 200


def test_file_of_another_ticket_is_not_found(api_for, world, engineer):
    url = reverse("api:ticket-attachment", args=[world.other.number, world.public_file.pk])
    assert api_for(engineer).get(url).status_code == 404
