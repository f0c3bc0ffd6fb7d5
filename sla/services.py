"""Writes for licenses and subscriptions."""

from datetime import date

from dateutil.relativedelta import relativedelta
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import EntitlementRule, License, Subscription
from .serials import validate_serial


def _months_later(start: date, months: int) -> date:
    return start + relativedelta(months=months) - relativedelta(days=1)


@transaction.atomic
def license_register(*, serial, edition, organisation, support_until, today=None):
    """Register a license; owners of an edition with a trial rule get the trial at once."""
    license = License.objects.create(
        serial=validate_serial(serial), edition=edition, organisation=organisation, support_until=support_until
    )
    entitlements_apply(license, today=today)
    return license


def entitlements_apply(license, today=None):
    """Grant the edition trials that apply to this license (each at most once)."""
    today = today or timezone.localdate()
    granted = []
    for rule in EntitlementRule.objects.filter(
        kind=EntitlementRule.Kind.EDITION_TRIAL, edition=license.edition, is_active=True
    ):
        try:
            with transaction.atomic():
                granted.append(
                    Subscription.objects.create(
                        license=license, tariff=rule.tariff, rule=rule, source=Subscription.Source.TRIAL,
                        starts_on=today, ends_on=_months_later(today, rule.months),
                    )
                )
        except IntegrityError:
            continue  # this license already had this trial
    return granted


def subscription_activate(*, license, tariff, months, source=Subscription.Source.BOUGHT, starts_on=None):
    """A bought (or granted) period; it starts when the current one of the same tariff ends."""
    start = starts_on or timezone.localdate()
    current = license.subscriptions.filter(tariff=tariff, ends_on__gte=start).order_by("-ends_on").first()
    if current is not None:
        start = current.ends_on + relativedelta(days=1)
    return Subscription.objects.create(
        license=license, tariff=tariff, source=source, starts_on=start, ends_on=_months_later(start, months)
    )


# ---------------------------------------------------------------- tariff revisions

# Revisions are immutable, so a process may keep them: by id (any row it has read or
# written) and by (fingerprint of the tariff's configuration, filing year), filled only
# after commit so that a rolled-back revision is never reused.
_revision_by_id = {}
_revision_by_fingerprint = {}


def tariff_content(tariff, at):
    """Everything the SLA clocks need from the tariff for a ticket filed at ``at``, as JSON:
    targets per urgency, the warning share and the calendars (holidays of the years around)."""
    from .models import Urgency

    calendars, urgencies = {}, {}
    for urgency in Urgency.values:
        targets, calendar = tariff.targets_for(urgency)
        key = str(calendar.pk)
        if key not in calendars:
            calendars[key] = calendar.snapshot(at)
        urgencies[urgency] = {"calendar": key, "targets": targets}
    return {"tariff": tariff.code, "warn_at_percent": tariff.warn_at_percent, "calendars": calendars,
            "urgencies": urgencies}


def _fingerprint(tariff):
    """One query: a digest of every row the tariff's revision is made of (the tariff, its
    urgency overrides, their calendars, intervals and own holidays). An admin's edit of
    any of them changes it, so no cache needs to be told about edits."""
    from django.db import connection

    from .models import BusinessCalendar, Holiday, TariffUrgencyRule, WorkingInterval
    from .models import Tariff as T

    tables = {m.__name__: m._meta.db_table for m in (T, TariffUrgencyRule, BusinessCalendar, WorkingInterval, Holiday)}
    with connection.cursor() as cursor:
        cursor.execute(
            f"""WITH cal AS (SELECT calendar_id AS id FROM {tables['Tariff']} WHERE id = %(t)s
                             UNION SELECT calendar_id FROM {tables['TariffUrgencyRule']}
                             WHERE tariff_id = %(t)s AND calendar_id IS NOT NULL)
            SELECT md5(concat_ws('|',
                (SELECT x::text FROM {tables['Tariff']} x WHERE x.id = %(t)s),
                (SELECT string_agg(x::text, ',' ORDER BY x.id) FROM {tables['TariffUrgencyRule']} x WHERE x.tariff_id = %(t)s),
                (SELECT string_agg(x::text, ',' ORDER BY x.id) FROM {tables['BusinessCalendar']} x WHERE x.id IN (SELECT id FROM cal)),
                (SELECT string_agg(x::text, ',' ORDER BY x.id) FROM {tables['WorkingInterval']} x WHERE x.calendar_id IN (SELECT id FROM cal)),
                (SELECT string_agg(x::text, ',' ORDER BY x.id) FROM {tables['Holiday']} x WHERE x.calendar_id IN (SELECT id FROM cal))))""",
            {"t": tariff.pk},
        )
        return cursor.fetchone()[0]


def tariff_revision_for(tariff, at):
    """The immutable revision of the tariff as it is now, for a ticket filed at ``at``:
    found by the hash of its content, created the first time that content is seen."""
    from .models import TariffRevision
    from .models.revisions import content_hash

    key = (tariff.pk, _fingerprint(tariff), at.year)
    revision = _revision_by_fingerprint.get(key)
    if revision is not None:
        return revision
    content = tariff_content(tariff, at)
    revision, _created = TariffRevision.objects.get_or_create(
        content_hash=content_hash(content), defaults={"content": content, "tariff": tariff}
    )
    _revision_by_id[revision.pk] = revision
    transaction.on_commit(lambda: _revision_by_fingerprint.__setitem__(key, revision))
    return revision


def tariff_revisions(ids):
    """{id: revision} for the given ids; rows this process has seen cost no query."""
    from .models import TariffRevision

    missing = [i for i in set(ids) if i is not None and i not in _revision_by_id]
    if missing:
        for revision in TariffRevision.objects.filter(pk__in=missing):
            _revision_by_id[revision.pk] = revision
    return {i: _revision_by_id[i] for i in ids if i in _revision_by_id}
