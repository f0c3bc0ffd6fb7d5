"""What the workspace keeps per engineer: when they last looked at a ticket, and the
queue views they saved. The tickets themselves stay in ``tickets.models``."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TicketSeen(models.Model):
    """The last time an engineer opened a ticket: activity after it is "unread" for them."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "ticket"], name="ticket_seen_user_ticket_uniq")]


class SavedView(models.Model):
    """An engineer's own queue view: the filters and sort as a query string."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=60)
    query = models.CharField(max_length=1000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="saved_view_user_name_uniq")]

    def __str__(self):
        return self.name
