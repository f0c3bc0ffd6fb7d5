"""Asking for and recording satisfaction ratings (CSAT)."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from helpdesk.accounts.models import User
from helpdesk.mail.services import email_enqueue

from .models import SatisfactionSurvey


def satisfaction_request(ticket, now):
    """On a resolution: one survey row and one email to the requester, in their language.
    A second call for the same resolution (a retried transaction) changes nothing."""
    try:
        with transaction.atomic():
            survey = SatisfactionSurvey.objects.create(ticket=ticket, resolved_at=now, engineer_id=ticket.assignee_id)
    except IntegrityError:
        return None
    requester = ticket.requester
    if requester.is_active:
        email_enqueue(
            to=requester.email,
            template="tickets/email/satisfaction",
            context={"ticket": ticket, "user": requester, "url": reverse("tickets:satisfaction", args=[survey.token])},
            language=requester.email_language(ticket.language),
            topic=f"ticket:{ticket.number}",
        )
    return survey


def satisfaction_open_for(ticket):
    """The latest survey of the ticket that may still be answered or changed, or None."""
    survey = ticket.surveys.order_by("-resolved_at").first()
    return survey if survey is not None and satisfaction_can_change(survey) else None


def satisfaction_can_change(survey, now=None):
    now = now or timezone.now()
    return survey.rated_at is None or now - survey.rated_at <= timedelta(days=settings.CSAT_CHANGE_DAYS)


def satisfaction_rate(*, survey, rating, comment=""):
    """Record (or, within CSAT_CHANGE_DAYS of the first answer, change) the rating. A bad
    rating tells the ticket's engineer and the leads, once per change to "bad"."""
    if rating not in SatisfactionSurvey.Rating.values:
        raise ValidationError({"rating": _("Choose good or bad.")})
    now = timezone.now()
    with transaction.atomic():
        survey = SatisfactionSurvey.objects.select_for_update(of=("self",)).select_related("ticket", "engineer").get(pk=survey.pk)
        if not satisfaction_can_change(survey, now):
            raise ValidationError(_("This rating can no longer be changed."))
        became_bad = rating == SatisfactionSurvey.Rating.BAD and survey.rating != rating
        survey.rating, survey.comment = rating, comment.strip()[:2000]
        survey.rated_at = survey.rated_at or now
        survey.changed_at = now
        survey.save(update_fields=["rating", "comment", "rated_at", "changed_at"])
        if became_bad:
            _tell_bad_rating(survey)
    return survey


def _tell_bad_rating(survey):
    ticket = survey.ticket
    people = {lead.pk: lead for lead in User.objects.leads()}
    if survey.engineer is not None and survey.engineer.is_active:
        people[survey.engineer.pk] = survey.engineer
    for person in people.values():
        email_enqueue(
            to=person.email,
            template="tickets/email/satisfaction_bad",
            context={"ticket": ticket, "survey": survey, "user": person, "url": reverse("workspace:work", args=[ticket.number])},
            language=person.language or settings.LANGUAGE_CODE,
            topic=f"ticket:{ticket.number}",
        )
