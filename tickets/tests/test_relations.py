"""Merge, split and links (tickets.relations): the rules, the SLA outcome, concurrency."""

import threading
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from helpdesk.mail.models import OutboundEmail
from sla.tests.factories import TariffFactory
from tickets import relations, selectors, services
from tickets.models import Attachment, Event, Message, SlaTarget, Status, Ticket, TicketLink

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def tariff(db):
    return TariffFactory(code="std", is_default=True, first_response_minutes=240, commitment_minutes=480,
                         resolution_minutes=None)


def _file(customer, subject="Import fails", files=()):
    return services.ticket_create(
        requester=customer, data={"kind": "question", "subject": subject, "body": f"{subject}: details"}, files=files,
    )


@pytest.mark.django_db
def test_merge_moves_conversation_files_and_links_and_closes_the_duplicate(tariff, customer_a, customer_a2, engineer):
    target = _file(customer_a, "Mail server down")
    duplicate = _file(customer_a2, "Cannot send mail", files=[SimpleUploadedFile("shot.png", PNG)])
    services.ticket_reply(ticket=duplicate, author=customer_a2, body="Still down?")
    services.ticket_reply(ticket=duplicate, author=engineer, body="Looking", internal=True)
    other = _file(customer_a, "Something else")
    relations.ticket_link(ticket=duplicate, other=other, kind="caused_by", actor=engineer)
    OutboundEmail.objects.all().delete()

    result = relations.ticket_merge(ticket=duplicate, into=target, actor=engineer)

    assert result.pk == target.pk
    duplicate.refresh_from_db()
    assert duplicate.merged_into_id == target.pk and duplicate.status == Status.CLOSED
    assert not duplicate.messages.exists() and not duplicate.attachments.exists()
    bodies = list(target.messages.values_list("body", flat=True))
    assert bodies == ["Cannot send mail\n\nCannot send mail: details", "Still down?", "Looking"]
    assert target.attachments.get().message.body.startswith("Cannot send mail")
    # The link moved to the target, still read the same way round.
    ((wording, _link, linked),) = selectors.ticket_links(target, engineer)
    assert (wording, linked.pk) == ("caused_by", other.pk)
    # History: who merged, on both.
    assert duplicate.events.get(kind=Event.Kind.MERGED).actor == engineer
    assert target.events.get(kind=Event.Kind.MERGED).new_value == duplicate.reference
    # The duplicate's customer is told once, answered into the target.
    (email,) = OutboundEmail.objects.all()
    assert email.to == customer_a2.email and target.reference in email.subject
    assert email.topic == f"ticket:{target.number}" and target.token.hex in email.headers["Reply-To"]


@pytest.mark.django_db
def test_merged_targets_end_as_merged_never_breached_and_the_target_keeps_its_clocks(tariff, customer_a, engineer):
    target = _file(customer_a, "A")
    duplicate = _file(customer_a, "B")
    before = {t.kind: t.due_at for t in target.sla_targets.all()}
    relations.ticket_merge(ticket=duplicate, into=target, actor=engineer)
    outcomes = {t.kind: t.outcome for t in SlaTarget.objects.filter(ticket=duplicate)}
    assert outcomes and set(outcomes.values()) == {SlaTarget.Outcome.MERGED}
    assert not SlaTarget.objects.filter(ticket=duplicate, breached_at__isnull=False).exists()
    assert {t.kind: t.due_at for t in target.sla_targets.all()} == before
    duplicate.refresh_from_db()
    assert duplicate.next_due_at is None
    # The sweep long after the deadlines breaches only the target's clocks.
    from tickets.sweep import sla_sweep

    sla_sweep(now=timezone.now() + timedelta(days=30))
    assert not SlaTarget.objects.filter(ticket=duplicate, breached_at__isnull=False).exists()
    assert SlaTarget.objects.filter(ticket=target, breached_at__isnull=False).exists()


@pytest.mark.django_db
def test_merge_refusals_change_nothing(tariff, customer_a, customer_b, engineer):
    a, b = _file(customer_a, "A"), _file(customer_a, "B")
    foreign = _file(customer_b, "Globex")
    with pytest.raises(ValidationError, match="same organisation"):
        relations.ticket_merge(ticket=a, into=foreign, actor=engineer)
    with pytest.raises(ValidationError, match="itself"):
        relations.ticket_merge(ticket=a, into=a, actor=engineer)
    with pytest.raises(PermissionDenied):
        relations.ticket_merge(ticket=a, into=b, actor=customer_a)
    services.ticket_transition(ticket=b, actor=customer_a, to_status=Status.CLOSED)
    with pytest.raises(ValidationError, match="closed"):
        relations.ticket_merge(ticket=a, into=b, actor=engineer)
    a.refresh_from_db()
    assert a.merged_into_id is None and a.status == Status.NEW
    assert not OutboundEmail.objects.filter(subject__contains="continues here").exists()
    assert not Event.objects.filter(kind=Event.Kind.MERGED).exists()


@pytest.mark.django_db
def test_merge_loops_and_chains_are_refused(tariff, customer_a, engineer):
    a, b, c = _file(customer_a, "A"), _file(customer_a, "B"), _file(customer_a, "C")
    relations.ticket_merge(ticket=b, into=c, actor=engineer)
    with pytest.raises(ValidationError, match=f"merged into {c.reference}"):
        relations.ticket_merge(ticket=a, into=b, actor=engineer)
    with pytest.raises(ValidationError, match="already merged"):
        relations.ticket_merge(ticket=b, into=a, actor=engineer)
    # c into a would be fine (b stays pointing at the final ticket through c → a)
    relations.ticket_merge(ticket=c, into=a, actor=engineer)
    b.refresh_from_db()
    assert b.merged_into_id == a.pk  # re-pointed: chains stay one hop long
    assert selectors.merge_target(b).pk == a.pk


@pytest.mark.django_db
def test_a_merged_ticket_cannot_be_replied_to_or_reopened(tariff, customer_a, engineer):
    a, b = _file(customer_a, "A"), _file(customer_a, "B")
    relations.ticket_merge(ticket=a, into=b, actor=engineer)
    with pytest.raises(ValidationError, match="merged"):
        services.ticket_reply(ticket=a, author=customer_a, body="hello?")
    with pytest.raises(ValidationError, match="merged"):
        services.ticket_transition(ticket=a, actor=customer_a, to_status=Status.OPEN)


def _concurrently(*calls):
    """Run each call in its own thread and connection, started together; the results or
    the exceptions, in order."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as exc:  # noqa: BLE001 - the test inspects it
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


@pytest.mark.django_db(transaction=True)
def test_merging_a_into_b_while_b_is_merged_into_c_leaves_one_conversation(tariff, customer_a, engineer):
    for _round in range(3):
        a, b, c = _file(customer_a, "A"), _file(customer_a, "B"), _file(customer_a, "C")
        results = _concurrently(
            lambda: relations.ticket_merge(ticket=a, into=b, actor=engineer),
            lambda: relations.ticket_merge(ticket=b, into=c, actor=engineer),
        )
        assert not any(isinstance(r, Exception) and not isinstance(r, ValidationError) for r in results), results
        assert isinstance(results[1], Ticket)  # b into c never depends on a
        for ticket in (a, b):
            ticket.refresh_from_db()
        assert b.merged_into_id == c.pk
        if isinstance(results[0], Ticket):
            assert a.merged_into_id == c.pk  # merged into b first, then re-pointed by b's merge
            assert Message.objects.filter(ticket=c).count() == 2
        else:
            assert a.merged_into_id is None and Message.objects.filter(ticket=c).count() == 1
        assert not Message.objects.filter(ticket__in=[a, b]).exclude(ticket=a).exists() or a.merged_into_id is None


@pytest.mark.django_db(transaction=True)
def test_merging_a_into_b_and_b_into_a_at_once_merges_exactly_one(tariff, customer_a, engineer):
    a, b = _file(customer_a, "A"), _file(customer_a, "B")
    results = _concurrently(
        lambda: relations.ticket_merge(ticket=a, into=b, actor=engineer),
        lambda: relations.ticket_merge(ticket=b, into=a, actor=engineer),
    )
    assert sorted(type(r).__name__ for r in results) == ["Ticket", "ValidationError"], results
    a.refresh_from_db()
    b.refresh_from_db()
    assert [a.merged_into_id, b.merged_into_id].count(None) == 1


@pytest.mark.django_db
def test_split_moves_one_public_message_into_a_new_linked_ticket(tariff, customer_a, customer_a2, engineer):
    ticket = _file(customer_a, "Mail")
    message = services.ticket_reply(ticket=ticket, author=customer_a2, body="Also: invoices are wrong",
                                    files=[SimpleUploadedFile("invoice.png", PNG)])
    note = services.ticket_reply(ticket=ticket, author=engineer, body="internal", internal=True)
    OutboundEmail.objects.all().delete()
    with pytest.raises(ValidationError, match="internal note"):
        relations.ticket_split(ticket=ticket, message=note, actor=engineer, subject="x")
    with pytest.raises(ValidationError, match="subject"):
        relations.ticket_split(ticket=ticket, message=message, actor=engineer, subject="  ")
    with pytest.raises(PermissionDenied):
        relations.ticket_split(ticket=ticket, message=message, actor=customer_a, subject="x")

    new = relations.ticket_split(ticket=ticket, message=message, actor=engineer, subject="Invoices are wrong")

    assert (new.requester, new.organisation, new.body) == (customer_a, ticket.organisation, "Also: invoices are wrong")
    assert not Message.objects.filter(pk=message.pk).exists()
    assert list(ticket.messages.values_list("body", flat=True)) == ["internal"]
    (file,) = Attachment.objects.filter(ticket=new)
    assert file.message_id is None and file.original_name == "invoice.png"
    assert [w for w, _l, other in selectors.ticket_links(new, customer_a) if other.pk == ticket.pk] == ["related"]
    assert new.sla_targets.filter(met_at__isnull=True).exists()  # its own clocks, from the split
    assert ticket.events.get(kind=Event.Kind.SPLIT).new_value == new.reference
    (email,) = OutboundEmail.objects.all()
    assert email.to == customer_a.email and new.reference in email.subject


@pytest.mark.django_db
def test_links_are_one_row_per_pair_read_from_both_sides(tariff, customer_a, engineer):
    cause, effect = _file(customer_a, "Router broken"), _file(customer_a, "No mail")
    link = relations.ticket_link(ticket=cause, other=effect, kind="causes", actor=engineer)
    assert [w for w, *_ in selectors.ticket_links(cause, engineer)] == ["causes"]
    assert [w for w, *_ in selectors.ticket_links(effect, engineer)] == ["caused_by"]
    for kind in ("related", "causes", "caused_by"):
        with pytest.raises(ValidationError, match="already linked"):
            relations.ticket_link(ticket=effect, other=cause, kind=kind, actor=engineer)
    with pytest.raises(IntegrityError), transaction.atomic():
        TicketLink.objects.create(source=effect, target=cause)  # the database keeps it too
    assert Event.objects.filter(kind=Event.Kind.LINKED, is_internal=True).count() == 2
    relations.ticket_unlink(ticket=effect, link=link, actor=engineer)
    assert not TicketLink.objects.exists()
    assert Event.objects.filter(kind=Event.Kind.UNLINKED).count() == 2


@pytest.mark.django_db
def test_a_customer_sees_a_link_only_to_a_ticket_they_may_see(tariff, customer_a, customer_b, engineer):
    own, own2, foreign = _file(customer_a, "A"), _file(customer_a, "A2"), _file(customer_b, "B")
    relations.ticket_link(ticket=own, other=foreign, kind="caused_by", actor=engineer)
    relations.ticket_link(ticket=own, other=own2, kind="related", actor=engineer)
    assert [o.pk for _w, _l, o in selectors.ticket_links(own, customer_a)] == [own2.pk]
    assert [o.pk for _w, _l, o in selectors.ticket_links(own, engineer)] == [foreign.pk, own2.pk]
    assert selectors.ticket_links(foreign, customer_b) == []
    # The link events are internal: no customer reads the other organisation's reference.
    assert not own.events.filter(kind=Event.Kind.LINKED, is_internal=False).exists()


@pytest.mark.django_db
def test_links_to_a_merged_ticket_are_refused(tariff, customer_a, engineer):
    a, b, c = _file(customer_a, "A"), _file(customer_a, "B"), _file(customer_a, "C")
    relations.ticket_merge(ticket=a, into=b, actor=engineer)
    with pytest.raises(ValidationError, match=f"merged into {b.reference}"):
        relations.ticket_link(ticket=c, other=a, kind="related", actor=engineer)
    with pytest.raises(ValidationError):
        relations.ticket_link(ticket=c, other=c, kind="related", actor=engineer)
    with pytest.raises(ValidationError):
        relations.ticket_link(ticket=c, other=b, kind="nonsense", actor=engineer)


@pytest.mark.django_db
def test_the_duplicates_requester_watches_the_target_and_hears_its_progress(tariff, customer_a, customer_a2, engineer):
    target, duplicate = _file(customer_a, "Mail down"), _file(customer_a2, "No mail")
    relations.ticket_merge(ticket=duplicate, into=target, actor=engineer)
    assert [p.pk for p in selectors.ticket_customer_recipients(target)] == [customer_a.pk, customer_a2.pk]
    OutboundEmail.objects.all().delete()
    services.ticket_reply(ticket=target, author=engineer, body="Fixed the relay.")
    assert sorted(OutboundEmail.objects.values_list("to", flat=True)) == sorted([customer_a.email, customer_a2.email])
    # Each person's own choice: Jan switched off status notifications, Anna did not.
    customer_a2.notification_prefs = {"status_changes": False}
    customer_a2.save()
    OutboundEmail.objects.all().delete()
    services.ticket_transition(ticket=target, actor=engineer, to_status=Status.RESOLVED)
    assert list(OutboundEmail.objects.filter(subject__contains="Status").values_list("to", flat=True)) == [
        customer_a.email]
