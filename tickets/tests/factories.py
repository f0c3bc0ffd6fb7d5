import factory

from helpdesk.accounts.tests.factories import UserFactory
from tickets.models import Ticket
from tickets.search import ticket_vector
from tickets.services import next_ticket_number


class TicketFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ticket

    number = factory.LazyFunction(next_ticket_number)
    requester = factory.SubFactory(UserFactory)
    organisation = factory.LazyAttribute(lambda t: t.requester.organisation)
    kind = "question"
    subject = factory.Sequence(lambda n: f"Problem number {n}")
    body = "Steps to reproduce: open the page."
    # The document ticket_create writes (tickets/search.py), so factory tickets are found.
    search = factory.LazyAttribute(lambda t: ticket_vector(t.subject, t.body, getattr(t, "language", "en")))
