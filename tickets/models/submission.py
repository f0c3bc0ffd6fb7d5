"""One submission, one ticket: the key a form (or an API client's ``Idempotency-Key``)
sends with a new ticket, claimed by a unique row in the ticket's own transaction."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from .ticket import Ticket


class TicketSubmission(models.Model):
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # "web:<hex from the form>" or "api:<the client's Idempotency-Key>".
    key = models.CharField(max_length=200)
    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="submission", null=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["requester", "key"], name="ticket_submission_once")]
