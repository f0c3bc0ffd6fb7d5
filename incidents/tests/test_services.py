"""The incident services on PostgreSQL: declaring, who is affected, linking, suggestions,
updates fanned out once per person, first response by tariff, resolution."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from helpdesk.accounts.tests.factories import OrganisationFactory, UserFactory
from helpdesk.mail.models import OutboundEmail
from sla.models import Edition, License, Subscription
from sla.serials import make_serial
from tickets import services as ticket_services
from tickets.models import Message, SatisfactionSurvey, SlaTarget

from .. import selectors, services
from ..models import Incident, IncidentEvent, IncidentSubscription, IncidentSuggestion, IncidentTicket, State
from .helpers import declare, file

pytestmark = pytest.mark.django_db


def _emails(topic_prefix="incident:"):
    return list(OutboundEmail.objects.filter(topic__startswith=topic_prefix).order_by("pk"))


def test_declaring_needs_a_title_a_public_text_and_who_is_affected(engineer, customer_a):
    with pytest.raises(ValidationError) as exc:
        services.incident_declare(actor=engineer, data={"status_text_en": "x", "affects_everyone": True})
    assert "title_en" in exc.value.error_dict
    with pytest.raises(ValidationError) as exc:
        services.incident_declare(actor=engineer, data={"title_pl": "Awaria", "affects_everyone": True})
    assert "status_text_en" in exc.value.error_dict
    with pytest.raises(ValidationError) as exc:
        services.incident_declare(actor=engineer, data={"title_pl": "Awaria", "status_text_pl": "Badamy."})
    assert "affects_everyone" in exc.value.error_dict
    with pytest.raises(PermissionDenied):
        declare(customer_a)
    assert not Incident.objects.exists()


def test_declaring_records_an_event_and_the_first_update(engineer):
    incident = declare(engineer)
    assert incident.state == State.INVESTIGATING
    assert incident.events.get().kind == IncidentEvent.Kind.DECLARED
    assert incident.updates.get().body_ru.startswith("Исходящая")
    assert incident.title_in("pl") == "Awaria serwera poczty"
    only_ru = declare(engineer, title_en="", title_pl="", status_text_en="", status_text_pl="")
    assert only_ru.title_in("pl") == "Не работает почтовый сервер"  # the first written one


def test_who_is_affected_organisation_edition_tariff_or_everyone(engineer, org_a, org_b, customer_a, always_tariff):
    everyone = declare(engineer)
    by_org = declare(engineer, affects_everyone=False, organisations=[org_a])
    edition = Edition.objects.create(code="mailpro", name="Mail Pro")
    License.objects.create(serial=make_serial("MAILPR0AAAA000001"), edition=edition, organisation=org_b,
                           support_until=timezone.localdate() + timedelta(days=30))
    by_edition = declare(engineer, affects_everyone=False, editions=[edition])
    other_org = OrganisationFactory()
    lic = License.objects.create(serial=make_serial("MAILPR0AAAA000002"), edition=edition, organisation=other_org,
                                 support_until=timezone.localdate() + timedelta(days=30))
    today = timezone.localdate()
    Subscription.objects.create(license=lic, tariff=always_tariff, starts_on=today - timedelta(days=1), ends_on=today)
    by_tariff = declare(engineer, affects_everyone=False, tariffs=[always_tariff])

    assert set(selectors.incidents_affecting(org_a.pk)) == {everyone, by_org}
    assert set(selectors.incidents_affecting(org_b.pk)) == {everyone, by_edition}
    assert set(selectors.incidents_affecting(other_org.pk)) == {everyone, by_edition, by_tariff}
    # A subscription that ended yesterday does not count.
    assert by_tariff not in selectors.incidents_affecting(other_org.pk, today=today + timedelta(days=1))
    assert list(selectors.incidents_affecting(None)) == []


def test_a_customer_subscribes_only_to_an_incident_that_affects_them(engineer, org_a, customer_a, customer_b):
    incident = declare(engineer, affects_everyone=False, organisations=[org_a])
    sub, created = services.incident_subscribe(incident=incident, user=customer_a, deflected=True)
    assert created and sub.deflected
    assert services.incident_subscribe(incident=incident, user=customer_a)[1] is False
    with pytest.raises(PermissionDenied):
        services.incident_subscribe(incident=incident, user=customer_b)
    assert IncidentSubscription.objects.count() == 1


def test_new_tickets_that_read_like_the_incident_are_suggested(
    engineer, customer_a, customer_b, org_a, always_tariff, django_capture_on_commit_callbacks,
):
    incident = declare(engineer, affects_everyone=False, organisations=[org_a])
    with django_capture_on_commit_callbacks(execute=True):
        alike = file(customer_a, "Outgoing mail not delivered since morning", "Our mail is not delivered to clients")
        polish = file(customer_a, "Serwer poczty nie działa", "Poczta wychodząca nie jest dostarczana od rana")
        unrelated = file(customer_a, "Invoice PDF shows the wrong VAT", "The VAT rate on the invoice is 20 %")
        other_org = file(customer_b, "Outgoing mail not delivered", "Mail not delivered")
    suggested = set(IncidentSuggestion.objects.values_list("ticket_id", flat=True))
    assert alike.pk in suggested and polish.pk in suggested
    assert unrelated.pk not in suggested and other_org.pk not in suggested
    assert [s.ticket for s in selectors.suggestions_for(incident)][:2] != []
    services.incident_link(incident=incident, ticket=alike, actor=engineer, source=IncidentTicket.Source.SUGGESTION)
    assert alike not in [s.ticket for s in selectors.suggestions_for(incident)]
    services.suggestion_dismiss(incident=incident, ticket=polish, actor=engineer)
    assert list(selectors.suggestions_for(incident)) == []
    assert list(selectors.suggestions_for_ticket(polish)) == []


def test_linking_is_for_engineers_once_and_only_open_tickets(engineer, customer_a, customer_a2, always_tariff):
    incident = declare(engineer)
    ticket = file(customer_a)
    with pytest.raises(PermissionDenied):
        services.incident_link(incident=incident, ticket=ticket, actor=customer_a2)
    assert services.incident_link(incident=incident, ticket=ticket, actor=engineer)[1] is True
    assert services.incident_link(incident=incident, ticket=ticket, actor=engineer)[1] is False
    closed = file(customer_a)
    ticket_services.ticket_transition(ticket=closed, actor=customer_a, to_status="closed")
    linked, failures = services.incident_link_many(incident=incident, numbers=[ticket.number, closed.number, 999999],
                                                   actor=engineer)
    assert linked == 0
    assert [ref for ref, _reason in failures] == [ticket.reference, closed.reference, "999999"]
    assert IncidentTicket.objects.count() == 1


def _three_tickets_two_people(engineer, customer_a, customer_b):
    incident = declare(engineer)
    customer_b.language = "ru"
    customer_b.save()
    tickets = [file(customer_a), file(customer_a, "Mail again"), file(customer_b, "Почта не уходит", "Совсем")]
    for t in tickets:
        services.incident_link(incident=incident, ticket=t, actor=engineer)
    return incident, tickets


def test_an_update_reaches_each_person_once_and_every_linked_conversation(engineer, customer_a, customer_b, always_tariff):
    incident, tickets = _three_tickets_two_people(engineer, customer_a, customer_b)
    watcher = UserFactory(organisation=customer_b.organisation, language="pl", email="watcher@globex.example")
    services.incident_subscribe(incident=incident, user=watcher)
    before = OutboundEmail.objects.count()
    update = services.incident_update_post(incident=incident, actor=engineer, state="identified", texts={
        "body_en": "The relay is found broken; replacing it.", "body_ru": "Сломан релей, меняем.",
        "body_pl": "Zepsuty przekaźnik, wymieniamy.",
    })
    assert update.delivered_at is None
    services.incident_update_deliver(update.pk)
    services.incident_update_deliver(update.pk)  # a second run (redelivered task) sends nothing more
    emails = _emails()
    assert len(emails) == 3 == OutboundEmail.objects.count() - before
    assert sorted(e.to for e in emails) == sorted([customer_a.email, customer_b.email, watcher.email])
    by = {e.to: e for e in emails}
    assert "replacing it" in by[customer_a.email].body_text
    assert tickets[0].reference in by[customer_a.email].body_text and tickets[1].reference in by[customer_a.email].body_text
    assert "Сломан релей" in by[customer_b.email].body_text and tickets[2].reference in by[customer_b.email].body_text
    assert "przekaźnik" in by[watcher.email].body_text
    for ticket in tickets:
        message = Message.objects.filter(ticket=ticket, author=engineer).get()
        assert message.visibility == "public"
    assert Message.objects.get(ticket=tickets[2], author=engineer).body == "Сломан релей, меняем."
    incident.refresh_from_db()
    update.refresh_from_db()
    assert incident.state == "identified" and incident.status_text_en.startswith("The relay")
    assert (update.tickets_updated, update.people_emailed) == (3, 3)
    assert incident.events.filter(kind="state", old_value="investigating", new_value="identified").exists()


def test_an_update_is_the_first_response_only_when_the_tariff_says_so(engineer, customer_a, customer_b, always_tariff):
    incident, tickets = _three_tickets_two_people(engineer, customer_a, customer_b)
    update = services.incident_update_post(incident=incident, actor=engineer, state="investigating",
                                           texts={"body_en": "Still looking."})
    services.incident_update_deliver(update.pk)
    tickets[0].refresh_from_db()
    assert tickets[0].first_response_at is None and tickets[0].status == "new"
    assert SlaTarget.objects.get(ticket=tickets[0], kind="first_response").met_at is None

    always_tariff.incident_update_is_first_response = True
    always_tariff.save()
    update = services.incident_update_post(incident=incident, actor=engineer, state="investigating",
                                           texts={"body_en": "Found it."})
    services.incident_update_deliver(update.pk)
    tickets[0].refresh_from_db()
    assert tickets[0].first_response_at is not None
    assert tickets[0].status == "open" and tickets[0].awaiting_reply_since is None
    assert SlaTarget.objects.get(ticket=tickets[0], kind="first_response").met_at is not None
    assert tickets[0].first_response_business_seconds is not None


def test_resolving_resolves_linked_tickets_except_kept_open_and_unlinked(engineer, customer_a, customer_b, always_tariff):
    incident, tickets = _three_tickets_two_people(engineer, customer_a, customer_b)
    extra = file(customer_a, "Mail and also my password")
    services.incident_link(incident=incident, ticket=extra, actor=engineer)
    services.incident_keep_open(incident=incident, ticket=extra, actor=engineer, keep_open=True)
    gone = file(customer_b, "Mail, but really a DNS question")
    services.incident_link(incident=incident, ticket=gone, actor=engineer)
    services.incident_unlink(incident=incident, ticket=gone, actor=engineer)
    with pytest.raises(ValidationError):
        services.incident_resolve(incident=incident, actor=engineer, summary="", prevention="")
    OutboundEmail.objects.all().delete()
    update = services.incident_resolve(incident=incident, actor=engineer, summary="Replaced the broken relay.",
                                       prevention="A second relay and an alert on the mail queue length.")
    services.incident_update_deliver(update.pk)
    for t in tickets:
        t.refresh_from_db()
        assert t.status == "resolved" and t.resolution_summary == "Replaced the broken relay."
        assert t.prevention.startswith("A second relay")
    extra.refresh_from_db()
    gone.refresh_from_db()
    assert extra.status == "new" and gone.status == "new"
    emails = OutboundEmail.objects.all()
    # One email per person (the resolution), no survey email per ticket.
    assert sorted(e.to for e in emails) == sorted([customer_a.email, customer_b.email])
    assert all("Replaced the broken relay" in e.body_text for e in emails)
    assert not SatisfactionSurvey.objects.exists()
    incident.refresh_from_db()
    assert incident.state == "resolved" and incident.resolved_at is not None
    with pytest.raises(ValidationError):
        services.incident_update_post(incident=incident, actor=engineer, state="monitoring", texts={"body_en": "x"})
    with pytest.raises(ValidationError):
        services.incident_link(incident=incident, ticket=gone, actor=engineer)


def test_a_resolved_state_is_only_reached_by_resolving(engineer):
    incident = declare(engineer)
    with pytest.raises(ValidationError):
        services.incident_update_post(incident=incident, actor=engineer, state="resolved", texts={"body_en": "done"})
    with pytest.raises(ValidationError):
        services.incident_update_post(incident=incident, actor=engineer, state="monitoring", texts={})
    assert incident.updates.count() == 1


def test_per_incident_figures(engineer, customer_a, customer_b, always_tariff):
    incident, tickets = _three_tickets_two_people(engineer, customer_a, customer_b)
    services.incident_subscribe(incident=incident, user=customer_a, deflected=True)
    figures = selectors.incident_figures(incident)
    assert figures["tickets"] == 3 and figures["open"] == 3
    assert figures["subscribers"] == 1 and figures["deflections"] == 1
    first = next(r for r in figures["sla"] if r["kind"] == "first_response")
    assert first["running"] == 3


def test_the_sweep_delivers_an_update_whose_task_was_lost(engineer, customer_a, always_tariff):
    from datetime import timedelta

    from ..tasks import sweep_incident_updates

    incident = declare(engineer)
    ticket = file(customer_a)
    services.incident_link(incident=incident, ticket=ticket, actor=engineer)
    update = services.incident_update_post(incident=incident, actor=engineer, state="monitoring",
                                           texts={"body_en": "Watching the fix."})
    sweep_incident_updates()  # too young: its task may still be on its way
    update.refresh_from_db()
    assert update.delivered_at is None
    type(update).objects.filter(pk=update.pk).update(created_at=update.created_at - timedelta(minutes=5))
    sweep_incident_updates()
    update.refresh_from_db()
    assert update.delivered_at is not None and update.tickets_updated == 1
    assert len(_emails()) == 1


def test_the_fanout_keeps_the_clock_rules_of_one_by_one(engineer, customer_a, customer_b, always_tariff):
    """Late first responses are breaches with their event; resolving meets resolution and
    commitment and pauses the clocks; a ticket waiting for the customer resolves too."""
    from tickets.models import Event

    always_tariff.incident_update_is_first_response = True
    always_tariff.save()
    incident, tickets = _three_tickets_two_people(engineer, customer_a, customer_b)
    past = timezone.now() - timedelta(hours=1)
    SlaTarget.objects.filter(ticket=tickets[0], kind="first_response").update(due_at=past)
    update = services.incident_update_post(incident=incident, actor=engineer, state="identified",
                                           texts={"body_en": "Found."})
    services.incident_update_deliver(update.pk)
    late = SlaTarget.objects.get(ticket=tickets[0], kind="first_response")
    assert late.met_at is not None and late.breached_at == past
    assert Event.objects.filter(ticket=tickets[0], kind="sla_breach", new_value="met_late").count() == 1
    on_time = SlaTarget.objects.get(ticket=tickets[1], kind="first_response")
    assert on_time.met_at is not None and on_time.breached_at is None
    assert all(Event.objects.filter(ticket=t, kind="status", old_value="new", new_value="open").count() == 1
               for t in tickets)
    ticket_services.ticket_reply(ticket=tickets[2], author=engineer, body="Which domain?", wait_for_customer=True)
    update = services.incident_resolve(incident=incident, actor=engineer, summary="Fixed.", prevention="Alerts.")
    services.incident_update_deliver(update.pk)
    for t in tickets:
        t.refresh_from_db()
        assert t.status == "resolved" and t.resolved_at is not None and t.next_due_at is None
        assert not SlaTarget.objects.filter(ticket=t, met_at__isnull=True, due_at__isnull=False).exists()
        assert SlaTarget.objects.filter(ticket=t, kind="commitment", met_at__isnull=False).exists()
    assert Event.objects.filter(ticket=tickets[2], kind="status", old_value="waiting", new_value="resolved").exists()
