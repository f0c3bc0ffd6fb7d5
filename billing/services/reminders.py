"""Renewal reminders: 30 and 7 days before a tariff period or a license's support ends."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from helpdesk.accounts.models import User
from helpdesk.mail.services import email_enqueue
from sla.models import License, Subscription

from ..models import ReminderSent

log = logging.getLogger(__name__)


def _recipients(organisation):
    return User.objects.filter(organisation=organisation, is_active=True, role=User.Role.CUSTOMER)


def _send_once(subject, obj_id, ends_on, days, send):
    try:
        with transaction.atomic():
            ReminderSent.objects.create(subject=subject, object_id=obj_id, ends_on=ends_on, days_before=days)
            send()
        return True
    except IntegrityError:
        return False  # told already (two beats, a rerun)


def reminders_send(today=None):
    """Tell each active customer of an organisation, once per period and lead time, that a
    tariff period (with no later period of the same tariff) or a license's support period
    ends in RENEWAL_REMINDER_DAYS days, what changes then, and how to renew. Returns the count."""
    today = today or timezone.localdate()
    sent = 0
    for days in settings.RENEWAL_REMINDER_DAYS:
        day = today + timedelta(days=days)
        later = Subscription.objects.filter(license=OuterRef("license"), tariff=OuterRef("tariff"), starts_on__gt=OuterRef("ends_on"))
        subs = (
            Subscription.objects.filter(ends_on=day).annotate(renewed=Exists(later)).filter(renewed=False)
            .select_related("license__organisation", "license__edition", "tariff")
        )
        for sub in subs:
            def send(sub=sub, days=days):
                for user in _recipients(sub.license.organisation):
                    # Objects, not names: the tariff's name is read while the email is
                    # rendered in the recipient's language (admin-entered, per language).
                    email_enqueue(
                        to=user.email, template="billing/email/renewal_subscription",
                        context={"name": user.full_name, "tariff": sub.tariff, "serial": sub.license.serial,
                                 "ends_on": sub.ends_on, "days": days, "trial": sub.source == Subscription.Source.TRIAL,
                                 "url": reverse("billing:reorder", args=[sub.pk])},
                        language=user.email_language(), topic=f"renewal:{sub.pk}",
                    )
            sent += _send_once(ReminderSent.Subject.SUBSCRIPTION, sub.pk, sub.ends_on, days, send)
        for license in License.objects.filter(support_until=day).select_related("organisation", "edition"):
            def send(license=license, days=days):
                for user in _recipients(license.organisation):
                    email_enqueue(
                        to=user.email, template="billing/email/renewal_license",
                        context={"name": user.full_name, "serial": license.serial, "edition": license.edition,
                                 "ends_on": license.support_until, "days": days, "url": reverse("sla:plans")},
                        language=user.email_language(), topic=f"license:{license.pk}",
                    )
            sent += _send_once(ReminderSent.Subject.LICENSE, license.pk, license.support_until, days, send)
    if sent:
        log.info("renewal reminders sent: %s", sent)
    return sent
