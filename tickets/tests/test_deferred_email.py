"""Filing queues its confirmation for the worker to render: no template in the request."""

import pytest
from django.core import mail

from helpdesk.mail.models import OutboundEmail
from helpdesk.mail.services import email_context_builder, email_deliver, email_enqueue_deferred
from sla.tests.factories import TariffFactory
from tickets import services
from tickets.selectors import ticket_promise

pytestmark = pytest.mark.django_db


def _file(customer):
    return services.ticket_create(requester=customer, data={"kind": "question", "subject": "Export fails", "body": "b"})


def test_filing_stores_the_confirmation_unrendered_and_the_worker_renders_it(customer_a):
    TariffFactory(code="basic", is_default=True)
    ticket = _file(customer_a)
    row = OutboundEmail.objects.get(to=customer_a.email)
    assert (row.subject, row.body_text, row.body_html) == ("", "", "")
    assert set(row.deferred["params"]["dues"]) == {"first_response", "commitment"}

    assert email_deliver(row.pk)
    sent = mail.outbox[-1]
    assert ticket.reference in sent.subject and "Export fails" in sent.subject
    for sentence in ticket_promise(ticket, customer_a.time_zone).values():
        assert sentence in sent.body
    row.refresh_from_db()
    assert row.state == OutboundEmail.State.SENT and row.body_text == sent.body
    assert row.deferred["params"] is None  # rendered once; the row keeps only the message


def test_the_confirmation_promises_the_deadlines_of_filing_even_if_answered_before_delivery(customer_a, engineer):
    TariffFactory(code="basic", is_default=True)
    ticket = _file(customer_a)
    promised = ticket_promise(ticket, customer_a.time_zone)
    services.ticket_reply(ticket=ticket, author=engineer, body="On it.")  # first response met
    row = OutboundEmail.objects.get(to=customer_a.email, topic=f"ticket:{ticket.number}", deferred__isnull=False)
    email_deliver(row.pk)
    assert promised["first_response"] in mail.outbox[-1].body


def test_the_worker_renders_in_the_recipients_language(customer_a):
    TariffFactory(code="basic", is_default=True)
    customer_a.language = "ru"
    customer_a.save(update_fields=["language"])
    ticket = _file(customer_a)
    email_deliver(OutboundEmail.objects.get(to=customer_a.email).pk)
    assert mail.outbox[-1].subject == f"[{ticket.reference}] Заявка принята: Export fails"


def test_a_render_failure_is_retried_like_a_send_failure_and_nothing_is_sent(db):
    @email_context_builder("tests.broken")
    def broken(**params):
        raise RuntimeError("the data is gone")

    row = email_enqueue_deferred(to="someone@example.com", template="tickets/email/created", builder="tests.broken",
                                 params={})
    assert email_deliver(row.pk) is False
    row.refresh_from_db()
    assert row.state == OutboundEmail.State.PENDING and row.attempts == 1 and "the data is gone" in row.last_error
    assert row.deferred["params"] == {} and mail.outbox == []


def test_the_per_recipient_cap_applies_to_deferred_emails(settings, db):
    settings.EMAIL_CAPS_PER_HOUR = {**settings.EMAIL_CAPS_PER_HOUR, "notification": 2}
    sent = [email_enqueue_deferred(to="Cap@Example.com", template="tickets/email/created", builder="tickets.as_stored",
                                   params={}) for _ in range(3)]
    assert [e is not None for e in sent] == [True, True, False]
    assert OutboundEmail.objects.filter(to__iexact="cap@example.com").count() == 2
