"""Rule 11: each business rule is defined once and imported, so the copies cannot drift."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from helpdesk.accounts.models import SupportLevel, User
from sla.models import TariffRevision, TariffUrgencyRule, Urgency
from sla.tests.factories import TariffFactory
from tickets import models, selectors, services, sla_clock
from tickets.attachments import attached_bytes

pytestmark = pytest.mark.django_db


def test_urgency_choices_are_one_definition_for_tickets_and_tariff_overrides():
    assert models.Urgency is Urgency
    field_choices = TariffUrgencyRule._meta.get_field("urgency").choices
    assert list(field_choices) == list(models.Ticket._meta.get_field("urgency").choices) == Urgency.choices


def test_support_levels_are_one_definition_for_engineers_and_tickets():
    assert models.Level is SupportLevel is User.Level
    assert models.Ticket._meta.get_field("level").choices == User._meta.get_field("support_level").choices


def test_every_urgency_has_frozen_targets(customer_a):
    TariffFactory(code="basic", is_default=True)
    ticket = services.ticket_create(requester=customer_a, data={"subject": "s", "body": "b"})
    assert set(ticket.tariff_revision.content["urgencies"]) == set(Urgency.values)


def test_a_snapshot_without_an_urgency_falls_back_to_normal_instead_of_crashing(customer_a):
    TariffFactory(code="basic", is_default=True)
    ticket = services.ticket_create(requester=customer_a, data={"subject": "s", "body": "b"})
    content = ticket.tariff_revision.content
    older = {**content, "urgencies": {k: v for k, v in content["urgencies"].items() if k != "high"}}
    ticket.tariff_revision = TariffRevision.objects.create(content_hash="0" * 64, content=older)
    ticket.urgency = "high"
    assert sla_clock.calendar_of(ticket) is not None


def test_engineer_recipient_is_the_assignee_or_the_queue(settings, customer_a, engineer):
    TariffFactory(code="basic", is_default=True, allows_phone=True)
    ticket = services.ticket_create(requester=customer_a, data={"subject": "s", "body": "b"})
    assert selectors.engineer_recipient(ticket) == (settings.SUPPORT_QUEUE_EMAIL, settings.LANGUAGE_CODE)
    engineer.language = "pl"
    engineer.save()
    services.ticket_assign(ticket=ticket, actor=engineer, assignee=engineer)
    ticket.refresh_from_db()
    assert selectors.engineer_recipient(ticket) == (engineer.email, "pl")


def test_attached_bytes_counts_every_file_of_the_ticket(customer_a):
    TariffFactory(code="basic", is_default=True)
    ticket = services.ticket_create(
        requester=customer_a, data={"subject": "s", "body": "b"},
        files=[SimpleUploadedFile("a.txt", b"x" * 10), SimpleUploadedFile("b.txt", b"y" * 5)],
    )
    services.ticket_reply(ticket=ticket, author=customer_a, body="more", files=[SimpleUploadedFile("c.txt", b"z" * 7)])
    assert attached_bytes(ticket) == 22
