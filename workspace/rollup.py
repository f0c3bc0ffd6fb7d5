"""Daily roll-ups for the reports: built by beat, read with the days it has not seen yet live.

Every figure of the reports page is a sum over days: tickets filed on a day (a cohort, with
their first-response business seconds, the whole-minute histogram the median and p90 come
from, and their SLA targets' outcome) and tickets entering or leaving the open statuses on
a day (the backlog is the running sum). ``rollup_refresh`` (beat, every
REPORTS_ROLLUP_SECONDS) writes those sums into the ``workspace.Report*`` tables for every
day before today that changed; the page reads them and computes live, with the same SQL,
only today and the days of tickets touched by events since the last run (the event log is
where every change of a ticket is written). So the page is exact whenever it is viewed,
and costs the days that changed, not the tickets of the period. A nightly ``full=True``
run rebuilds everything, for the one change that writes no event (an admin's "recompute
deadlines with the current tariff").
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from tickets.models import OPEN_STATUSES, Event

from .models import ReportRollupState

# An event is written with the time of its request and committed a moment later; a run
# rereads this much before its last start so that no late commit is missed.
COMMIT_MARGIN = timedelta(minutes=10)
LOCK_KEY = 0x7265706F  # pg_advisory lock of the roll-up builder ("repo")
OPEN = [str(s) for s in OPEN_STATUSES]
EVENT_KINDS = [str(k) for k in Event.Kind.values]


def report_zone():
    return ZoneInfo(settings.REPORTS_TIME_ZONE)


def local_today(now=None):
    return timezone.localtime(now or timezone.now(), report_zone()).date()


def day_start(day):
    return datetime.combine(day, time.min, report_zone())


def _days_params(days):
    days = sorted(set(days))
    return {"days": days, "starts": [day_start(d) for d in days], "ends": [day_start(d + timedelta(days=1)) for d in days]}


# ---------------------------------------------------------------- the aggregates, per day

# Two ways to pick the rows. Listed days (today and the days touched since the last run):
# one index range scan per day. A contiguous range (a full rebuild, one organisation's
# period): one scan, the day computed from the timestamp.
_DAYS = "d(day, s, e) AS (SELECT * FROM unnest(%(days)s::date[], %(starts)s::timestamptz[], %(ends)s::timestamptz[])),"
_COHORT = """
    t AS (SELECT {day} AS day, t.id, t.tariff_id, t.organisation_id, t.first_response_business_seconds AS frs,
                 t.customer_urgency = 'critical' AS declared, t.urgency = 'critical' AND t.triaged_at IS NOT NULL AS confirmed,
                 t.triaged_at IS NULL AS untriaged
          FROM {source} WHERE TRUE {filters})
"""
_COHORT_SOURCES = {
    # LATERAL … OFFSET 0 keeps the planner from flattening it into one scan of all tickets.
    "days": ("d.day", "d CROSS JOIN LATERAL (SELECT t.* FROM tickets_ticket t "
             "WHERE t.created_at >= d.s AND t.created_at < d.e OFFSET 0) t", ""),
    "range": ("(t.created_at AT TIME ZONE %(tz)s)::date", "tickets_ticket t",
              " AND t.created_at >= %(from)s AND t.created_at < %(to)s"),
}
_FLOW_EVENTS = """
    f AS (SELECT {day} AS day, t.tariff_id,
                 (e.kind = 'created' OR (e.old_value <> ALL(%(open)s) AND e.new_value = ANY(%(open)s)))::int AS opened,
                 (e.kind = 'status' AND e.old_value = ANY(%(open)s) AND e.new_value <> ALL(%(open)s))::int AS closed
          FROM {source} JOIN tickets_ticket t ON t.id = e.ticket_id
          WHERE TRUE {filters})
"""
_FLOW_SOURCES = {
    "days": ("d.day", "d CROSS JOIN LATERAL (SELECT e.* FROM tickets_event e WHERE e.kind IN ('created', 'status') "
             "AND e.created_at >= d.s AND e.created_at < d.e OFFSET 0) e", ""),
    "range": ("(e.created_at AT TIME ZONE %(tz)s)::date", "tickets_event e",
              " AND e.kind IN ('created', 'status') AND e.created_at >= %(from)s AND e.created_at < %(to)s"),
}


@dataclass(frozen=True)
class Table:
    """One roll-up table: its columns and the live aggregate that fills it."""

    name: str
    keys: tuple
    values: tuple
    ctes: str
    select: str

    @property
    def columns(self):
        return (*self.keys, *self.values)


TABLES = {
    "minutes": Table(
        "workspace_reportresponseminutes", ("day", "tariff_id", "minutes"), ("tickets", "seconds"), _COHORT,
        "SELECT day, tariff_id, frs / 60, count(*), sum(frs) FROM t WHERE frs IS NOT NULL GROUP BY 1, 2, 3",
    ),
    "sla": Table(
        "workspace_reportsladay", ("day", "tariff_id", "kind"), ("met", "missed", "running"), _COHORT,
        """SELECT t.day, t.tariff_id, st.kind,
                  count(*) FILTER (WHERE st.met_at IS NOT NULL AND st.breached_at IS NULL),
                  count(*) FILTER (WHERE st.breached_at IS NOT NULL),
                  count(*) FILTER (WHERE st.met_at IS NULL AND st.breached_at IS NULL)
           FROM t JOIN tickets_slatarget st ON st.ticket_id = t.id GROUP BY 1, 2, 3""",
    ),
    "organisation": Table(
        "workspace_reportorganisationday", ("day", "tariff_id", "organisation_id"),
        ("filed", "declared", "confirmed", "awaiting_triage"), _COHORT,
        """SELECT day, tariff_id, organisation_id, count(*), count(*) FILTER (WHERE declared),
                  count(*) FILTER (WHERE declared AND confirmed), count(*) FILTER (WHERE declared AND untriaged)
           FROM t GROUP BY 1, 2, 3""",
    ),
    "flow": Table(
        "workspace_reportflowday", ("day", "tariff_id"), ("opened", "closed"), _FLOW_EVENTS,
        "SELECT day, tariff_id, sum(opened), sum(closed) FROM f GROUP BY 1, 2",
    ),
}


def _filters(table, tariff=None, organisation=None):
    """Both CTEs call the ticket ``t``."""
    parts = []
    if tariff is not None:
        parts.append(" AND t.tariff_id = %(tariff)s")
    if organisation is not None:
        parts.append(" AND t.organisation_id = %(organisation)s")
    return "".join(parts)


def _live_sql(table, tariff=None, organisation=None, mode="days"):
    day, source, bounds = (_FLOW_SOURCES if table.ctes is _FLOW_EVENTS else _COHORT_SOURCES)[mode]
    ctes = table.ctes.format(day=day, source=source, filters=bounds + _filters(table, tariff, organisation))
    return "WITH " + (_DAYS if mode == "days" else "") + ctes, table.select


def _params(days, tariff=None, organisation=None):
    """Parameters for listed ``days``, or for a contiguous range when ``days`` is (first, last)."""
    if isinstance(days, tuple):
        first, last = days
        listed = {"days": [], "starts": [], "ends": [], "from": day_start(first), "to": day_start(last + timedelta(days=1))}
    else:
        listed = _days_params(days)
    return {**listed, "open": OPEN, "tariff": tariff, "organisation": organisation, "tz": settings.REPORTS_TIME_ZONE}


def _fetch(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def live_rows(kind, days, tariff=None, organisation=None):
    """The aggregate of ``kind`` for ``days`` (a set of days, or a (first, last) range),
    computed from the tickets now."""
    table = TABLES[kind]
    ctes, select = _live_sql(table, tariff, organisation, "range" if isinstance(days, tuple) else "days")
    return _fetch(ctes + select, _params(days, tariff, organisation))


# ---------------------------------------------------------------- building


def _rebuild(days):
    """Replace the roll-up rows of ``days`` (listed, or a (first, last) range) by their
    live aggregate (set-based)."""
    if not days:
        return
    params = _params(days)
    mode = "range" if isinstance(days, tuple) else "days"
    with connection.cursor() as cursor:
        for table in TABLES.values():
            if mode == "days":
                cursor.execute(f"DELETE FROM {table.name} WHERE day = ANY(%(days)s::date[])", params)
            ctes, select = _live_sql(table, mode=mode)
            cursor.execute(f"{ctes} INSERT INTO {table.name} ({', '.join(table.columns)}) {select}", params)


def touched_days(since, until):
    """Days whose aggregates changed in [since, until]: the days of the events written
    then, and the filing days of the tickets they belong to."""
    rows = _fetch(
        """
        WITH e AS (SELECT ticket_id, created_at FROM tickets_event
                   WHERE kind = ANY(%(kinds)s) AND created_at >= %(since)s AND created_at <= %(until)s)
        SELECT DISTINCT (x AT TIME ZONE %(tz)s)::date FROM (
            SELECT created_at AS x FROM e
            UNION ALL SELECT t.created_at FROM tickets_ticket t WHERE t.id IN (SELECT ticket_id FROM e)
        ) s
        """,
        {"kinds": EVENT_KINDS, "since": since, "until": until, "tz": settings.REPORTS_TIME_ZONE},
    )
    return {r[0] for r in rows}


def rollup_refresh(now=None, full=False):
    """Bring the roll-up up to date: every day before today whose figures changed since the
    last run (all days on the first run, or with ``full``). One builder at a time (an
    advisory lock; a second caller returns at once). Returns the number of days rebuilt,
    or None when another run held the lock."""
    now = now or timezone.now()
    today = local_today(now)
    zone = settings.REPORTS_TIME_ZONE
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [LOCK_KEY])
            if not cursor.fetchone()[0]:
                return None
        state = ReportRollupState.objects.select_for_update().first() or ReportRollupState.objects.create()
        if full or state.built_at is None or state.time_zone != zone:
            with connection.cursor() as cursor:
                for table in TABLES.values():
                    cursor.execute(f"DELETE FROM {table.name}")  # readers keep the old rows meanwhile
                cursor.execute("SELECT min(created_at) FROM tickets_ticket")
                first = cursor.fetchone()[0]
            start = local_today(first) if first else today
            count = (today - start).days
            if count:
                _rebuild((start, today - timedelta(days=1)))
            state.first_day = start
        else:
            days = {d for d in touched_days(state.built_at - COMMIT_MARGIN, now) if d < today}
            days |= {state.built_day + timedelta(days=n) for n in range((today - state.built_day).days)}
            _rebuild(days)
            count = len(days)
        state.built_at, state.built_day, state.time_zone = now, today, zone
        state.save()
    return count


# ---------------------------------------------------------------- reading


@dataclass
class Snapshot:
    """What the roll-up holds at the moment of one page view: rows of days before
    ``built_day`` not in ``live``; everything else is computed live."""

    built_day: date | None
    first_day: date | None = None
    live: set = field(default_factory=set)
    today: date | None = None

    def live_in(self, first, last):
        """The days of [first, last] that must be aggregated live."""
        if self.built_day is None:
            return {first + timedelta(days=n) for n in range((last - first).days + 1)}
        tail_start = max(first, self.built_day)
        tail = {tail_start + timedelta(days=n) for n in range((last - tail_start).days + 1)}
        return tail | {d for d in self.live if first <= d <= last}


def snapshot(now=None):
    """The roll-up's state and the days touched since it was built: one query."""
    now = now or timezone.now()
    today = local_today(now)
    rows = _fetch(
        """
        SELECT s.built_day, s.time_zone, coalesce(s.first_day, (
            SELECT (min(created_at) AT TIME ZONE %(tz)s)::date FROM tickets_ticket)), ARRAY(
            SELECT DISTINCT (x AT TIME ZONE %(tz)s)::date FROM (
                SELECT e.created_at AS x FROM tickets_event e
                WHERE e.kind = ANY(%(kinds)s) AND e.created_at >= s.built_at - %(margin)s AND e.created_at <= %(now)s
                UNION ALL SELECT t.created_at FROM tickets_ticket t WHERE t.id IN (
                    SELECT e.ticket_id FROM tickets_event e
                    WHERE e.kind = ANY(%(kinds)s) AND e.created_at >= s.built_at - %(margin)s
                      AND e.created_at <= %(now)s)
            ) x)
        FROM (SELECT 1) one LEFT JOIN workspace_reportrollupstate s ON s.built_at IS NOT NULL LIMIT 1
        """,
        {"tz": settings.REPORTS_TIME_ZONE, "kinds": EVENT_KINDS, "margin": COMMIT_MARGIN, "now": now},
    )
    built_day, zone, first_day, live = rows[0]
    if built_day is None or zone != settings.REPORTS_TIME_ZONE:
        # Never built (or built for another zone): everything live, from the first ticket.
        return Snapshot(built_day=None, first_day=first_day or today, today=today)
    return Snapshot(built_day=min(built_day, today), first_day=first_day or today, live=set(live) | {today},
                    today=today)


def daily_rows(kind, first, last, snap, tariff=None, organisation=None, group=None):
    """Rows (as tuples of ``TABLES[kind].columns``) for the days [first, last]: from the
    roll-up where it is current, live elsewhere; for one organisation, all live (the
    roll-up keeps organisations only for the Pareto curve). One query. ``group``: SQL
    expressions over the columns (see ``period_sql``); the rows are then each group's
    expressions followed by the sums of the table's values."""
    table = TABLES[kind]
    if organisation is not None:
        ctes, body = _live_sql(table, tariff, organisation, "range")
        params = _params((first, last), tariff, organisation)
    else:
        ctes, select = _live_sql(table, tariff)
        stored = (
            f"SELECT {', '.join(table.columns)} FROM {table.name} WHERE day >= %(first)s AND day <= %(last)s"
            " AND day <> ALL(%(days)s::date[])" + (" AND tariff_id = %(tariff)s" if tariff is not None else "")
            + (" AND FALSE" if snap.built_day is None else "")
        )
        body = f"{stored} UNION ALL {select}"
        params = {**_params(snap.live_in(first, last), tariff), "first": first, "last": last}
    if not group:
        return _fetch(f"{ctes} {body}", params)
    sums = ", ".join(f"sum({c})::bigint" for c in table.values)
    positions = ", ".join(str(n + 1) for n in range(len(group)))
    return _fetch(f"{ctes}, u({', '.join(table.columns)}) AS ({body}) SELECT {', '.join(group)}, {sums} "
                  f"FROM u GROUP BY {positions}", params)


def period_sql(grain):
    """The SQL expression of a row's period: the Monday of its week, or the 1st of its month."""
    return "date_trunc('month', day)::date" if grain == "month" else "date_trunc('week', day)::date"
