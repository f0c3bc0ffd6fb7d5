import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from helpdesk.mail.models import OutboundEmail
from helpdesk.mail.services import email_render_deferred
from tickets import services
from tickets.models import Attachment, Event, Message, Status, Ticket, format_reference, parse_reference

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64

pytestmark = pytest.mark.django_db


def _data(**extra):
    return {"kind": "error", "subject": "Import fails", "body": "Error 500 on import", **extra}


def test_filing_gives_a_reference_an_event_and_a_confirmation_email(customer_a):
    ticket = services.ticket_create(requester=customer_a, data=_data())
    assert ticket.reference == f"HD-{ticket.number}"
    assert ticket.organisation == customer_a.organisation
    assert ticket.status == Status.NEW
    assert list(ticket.events.values_list("kind", flat=True)) == [Event.Kind.CREATED]
    email = OutboundEmail.objects.get()
    assert email.to == customer_a.email
    assert email.body_text == ""  # rendered by the worker, not while the customer waits
    email = email_render_deferred(email)
    assert ticket.reference in email.subject
    assert ticket.reference in email.body_text


def test_references_are_never_reused_after_a_failed_submission(customer_a):
    first = services.ticket_create(requester=customer_a, data=_data())
    with pytest.raises(ValidationError):
        services.ticket_create(
            requester=customer_a, data=_data(), files=[SimpleUploadedFile("x.png", EXE)]
        )
    second = services.ticket_create(requester=customer_a, data=_data())
    assert second.number > first.number


def test_forbidden_file_saves_nothing(customer_a, _attachments_in_tmp):
    files = [SimpleUploadedFile("ok.png", PNG), SimpleUploadedFile("virus.png", EXE)]
    with pytest.raises(ValidationError) as exc:
        services.ticket_create(requester=customer_a, data=_data(), files=files)
    assert "virus.png" in str(exc.value)
    assert not Ticket.objects.exists()
    assert not Attachment.objects.exists()
    assert not OutboundEmail.objects.exists()
    assert not _attachments_in_tmp.exists() or not any(p.is_file() for p in _attachments_in_tmp.rglob("*"))


def test_failure_after_files_are_written_removes_them(customer_a, _attachments_in_tmp, monkeypatch):
    def explode(**kwargs):
        raise RuntimeError("mail template broke")

    monkeypatch.setattr(services, "email_enqueue_deferred", explode)
    with pytest.raises(RuntimeError):
        services.ticket_create(requester=customer_a, data=_data(), files=[SimpleUploadedFile("ok.png", PNG)])
    assert not Ticket.objects.exists()
    assert not any(p.is_file() for p in _attachments_in_tmp.rglob("*"))


def test_customer_without_organisation_cannot_file(db):
    from helpdesk.accounts.tests.factories import UserFactory

    loner = UserFactory(organisation=None)
    with pytest.raises(PermissionDenied):
        services.ticket_create(requester=loner, data=_data())


def test_engineer_first_public_reply_is_first_response_and_opens_ticket(customer_a, engineer):
    ticket = services.ticket_create(requester=customer_a, data=_data())
    services.ticket_reply(ticket=ticket, author=engineer, body="Looking into it")
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    assert ticket.first_response_at is not None
    first = ticket.first_response_at
    services.ticket_reply(ticket=ticket, author=engineer, body="Still looking")
    ticket.refresh_from_db()
    assert ticket.first_response_at == first
    assert OutboundEmail.objects.filter(subject__contains="New reply").count() == 2


def test_internal_note_is_not_a_first_response_and_sends_nothing(customer_a, engineer):
    ticket = services.ticket_create(requester=customer_a, data=_data())
    OutboundEmail.objects.all().delete()
    services.ticket_reply(ticket=ticket, author=engineer, body="customer is on old version", internal=True)
    ticket.refresh_from_db()
    assert ticket.first_response_at is None
    assert ticket.status == Status.NEW
    assert not OutboundEmail.objects.exists()
    assert Message.objects.get().is_internal


def test_customer_cannot_add_internal_note(customer_a):
    ticket = services.ticket_create(requester=customer_a, data=_data())
    with pytest.raises(PermissionDenied):
        services.ticket_reply(ticket=ticket, author=customer_a, body="x", internal=True)


@pytest.mark.parametrize("status", [Status.WAITING, Status.RESOLVED])
def test_customer_reply_reopens_waiting_or_resolved_ticket(customer_a, engineer, status):
    ticket = services.ticket_create(requester=customer_a, data=_data(kind="question"))
    services.ticket_reply(ticket=ticket, author=engineer, body="Which version?")
    services.ticket_transition(ticket=ticket, actor=engineer, to_status=status)
    services.ticket_reply(ticket=ticket, author=customer_a, body="More details")
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    assert ticket.resolved_at is None


def test_customer_cannot_reply_to_closed_ticket_until_reopened(customer_a):
    ticket = services.ticket_create(requester=customer_a, data=_data())
    services.ticket_transition(ticket=ticket, actor=customer_a, to_status=Status.CLOSED)
    with pytest.raises(ValidationError):
        services.ticket_reply(ticket=ticket, author=customer_a, body="hello?")
    services.ticket_transition(ticket=ticket, actor=customer_a, to_status=Status.OPEN)
    services.ticket_reply(ticket=ticket, author=customer_a, body="hello?")


def test_workflow_refuses_transitions_not_in_the_map(customer_a, engineer):
    ticket = services.ticket_create(requester=customer_a, data=_data())
    with pytest.raises(ValidationError):
        services.ticket_transition(ticket=ticket, actor=engineer, to_status=Status.CLOSED)
    with pytest.raises(ValidationError):
        services.ticket_transition(ticket=ticket, actor=customer_a, to_status=Status.RESOLVED)
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW


def test_full_workflow_leaves_one_event_per_change(customer_a, engineer):
    ticket = services.ticket_create(requester=customer_a, data=_data(kind="question"))
    services.ticket_assign(ticket=ticket, actor=engineer, assignee=engineer)
    services.ticket_reply(ticket=ticket, author=engineer, body="Which version?")
    for target in (Status.WAITING, Status.OPEN, Status.RESOLVED, Status.CLOSED, Status.OPEN):
        services.ticket_transition(ticket=ticket, actor=engineer, to_status=target)
    changes = list(ticket.events.filter(kind=Event.Kind.STATUS).values_list("old_value", "new_value"))
    assert changes == [
        ("new", "open"), ("open", "waiting"), ("waiting", "open"), ("open", "resolved"),
        ("resolved", "closed"), ("closed", "open"),
    ]
    assert all(e.actor_id == engineer.pk for e in ticket.events.filter(kind=Event.Kind.STATUS))


def test_taking_a_ticket_assigns_and_opens_it(customer_a, engineer):
    ticket = services.ticket_create(requester=customer_a, data=_data())
    services.ticket_assign(ticket=ticket, actor=engineer, assignee=engineer)
    ticket.refresh_from_db()
    assert ticket.assignee == engineer
    assert ticket.status == Status.OPEN
    assert ticket.events.filter(kind=Event.Kind.ASSIGNED, new_value=engineer.full_name).exists()


def test_customers_cannot_be_assigned(customer_a, engineer):
    ticket = services.ticket_create(requester=customer_a, data=_data())
    with pytest.raises(PermissionDenied):
        services.ticket_assign(ticket=ticket, actor=engineer, assignee=customer_a)
    with pytest.raises(PermissionDenied):
        services.ticket_assign(ticket=ticket, actor=customer_a, assignee=engineer)


def test_reply_attachments_count_against_the_ticket_limit(customer_a, settings):
    settings.ATTACHMENT_MAX_TICKET_BYTES = 100
    ticket = services.ticket_create(
        requester=customer_a, data=_data(), files=[SimpleUploadedFile("a.png", PNG)]
    )
    with pytest.raises(ValidationError) as exc:
        services.ticket_reply(
            ticket=ticket, author=customer_a, body="another", files=[SimpleUploadedFile("b.png", PNG)]
        )
    assert "at most 100" in str(exc.value)
    assert ticket.messages.count() == 0


@pytest.mark.parametrize(
    "text,number",
    [("HD-10042", 10042), ("hd 10042", 10042), ("#10042", 10042), ("10042", 10042), ("импорт", None), ("HD-", None)],
)
def test_reference_parsing(text, number):
    assert parse_reference(text) == number
    if number:
        assert format_reference(number) == "HD-10042"
