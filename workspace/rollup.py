"""Daily roll-ups for the reports: built by beat; what it has not seen yet is read live.

Every figure of the reports page is a sum over days: tickets filed on a day (a cohort, with
their first-response business seconds, the whole-minute histogram the median and p90 come
from, their SLA targets' outcome, their organisation) and tickets entering or leaving the
open statuses on a day (the backlog is the running sum). ``rollup_refresh`` (beat, every
REPORTS_ROLLUP_SECONDS) writes those sums into the ``workspace.Report*`` tables: one row
set per past day, and per *hour* for the hours of today already over (``hour`` set), so
that today does not have to be aggregated on every view. It rebuilds the units that
changed: the days (or today's hours) of the events written since its last run and the
filing days (hours) of their tickets; the event log is where every change of a ticket is
written. The page reads stored rows and computes live, with the same SQL, only what the
last run cannot have seen: the current hour and the units touched since. So the page is
exact whenever it is viewed, and a late beat costs speed, never accuracy. A nightly
``full=True`` run rebuilds everything, for the one change that writes no event (an
admin's "recompute deadlines with the current tariff").

A *unit* is ``(day, None)`` for a whole day or ``(day, hour)`` for one local hour of it.
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


def unit_bounds(day, hour):
    """[start, end) of a unit; the hours of a day tile it exactly, DST days included."""
    if hour is None:
        return day_start(day), day_start(day + timedelta(days=1))
    zone = report_zone()
    end = datetime.combine(day, time(hour + 1), zone) if hour < 23 else day_start(day + timedelta(days=1))
    return datetime.combine(day, time(hour), zone), end


def local_hour(now):
    return timezone.localtime(now, report_zone()).hour


def _units_params(units):
    units = sorted(set(units), key=lambda u: (u[0], -1 if u[1] is None else u[1]))
    bounds = [unit_bounds(*u) for u in units]
    return {"days": [u[0] for u in units], "hours": [u[1] for u in units],
            "starts": [b[0] for b in bounds], "ends": [b[1] for b in bounds]}


# ---------------------------------------------------------------- the aggregates, per day

# Two ways to pick the rows. Listed days (today and the days touched since the last run):
# one index range scan per day. A contiguous range (a full rebuild, one organisation's
# period): one scan, the day computed from the timestamp.
_DAYS = ("d(day, hour, s, e) AS (SELECT * FROM unnest(%(days)s::date[], %(hours)s::int[], %(starts)s::timestamptz[], "
         "%(ends)s::timestamptz[])),")
_COHORT = """
    t AS (SELECT {day} AS day, {hour} AS hour, t.id, t.tariff_id, t.organisation_id, t.first_response_business_seconds AS frs,
                 t.customer_urgency = 'critical' AS declared, t.urgency = 'critical' AND t.triaged_at IS NOT NULL AS confirmed,
                 t.triaged_at IS NULL AS untriaged
          FROM {source} WHERE TRUE {filters})
"""
_COHORT_SOURCES = {
    # LATERAL … OFFSET 0 keeps the planner from flattening it into one scan of all tickets.
    "days": ("d.day", "d.hour", "d CROSS JOIN LATERAL (SELECT t.* FROM tickets_ticket t "
             "WHERE t.created_at >= d.s AND t.created_at < d.e OFFSET 0) t", ""),
    "range": ("(t.created_at AT TIME ZONE %(tz)s)::date", "NULL::int", "tickets_ticket t",
              " AND t.created_at >= %(from)s AND t.created_at < %(to)s"),
}
_FLOW_EVENTS = """
    f AS (SELECT {day} AS day, {hour} AS hour, t.tariff_id,
                 (e.kind = 'created' OR (e.old_value <> ALL(%(open)s) AND e.new_value = ANY(%(open)s)))::int AS opened,
                 (e.kind = 'status' AND e.old_value = ANY(%(open)s) AND e.new_value <> ALL(%(open)s))::int AS closed
          FROM {source} JOIN tickets_ticket t ON t.id = e.ticket_id
          WHERE TRUE {filters})
"""
_FLOW_SOURCES = {
    "days": ("d.day", "d.hour", "d CROSS JOIN LATERAL (SELECT e.* FROM tickets_event e WHERE e.kind IN ('created', 'status') "
             "AND e.created_at >= d.s AND e.created_at < d.e OFFSET 0) e", ""),
    "range": ("(e.created_at AT TIME ZONE %(tz)s)::date", "NULL::int", "tickets_event e",
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
        "workspace_reportresponseminutes", ("day", "hour", "tariff_id", "minutes"), ("tickets", "seconds"), _COHORT,
        "SELECT day, hour, tariff_id, frs / 60, count(*), sum(frs) FROM t WHERE frs IS NOT NULL GROUP BY 1, 2, 3, 4",
    ),
    "sla": Table(
        "workspace_reportsladay", ("day", "hour", "tariff_id", "kind"), ("met", "missed", "running"), _COHORT,
        """SELECT t.day, t.hour, t.tariff_id, st.kind,
                  count(*) FILTER (WHERE st.met_at IS NOT NULL AND st.breached_at IS NULL AND st.merged_at IS NULL),
                  count(*) FILTER (WHERE st.breached_at IS NOT NULL),
                  count(*) FILTER (WHERE st.met_at IS NULL AND st.breached_at IS NULL)
           FROM t JOIN tickets_slatarget st ON st.ticket_id = t.id GROUP BY 1, 2, 3, 4""",
    ),
    "organisation": Table(
        "workspace_reportorganisationday", ("day", "hour", "tariff_id", "organisation_id"),
        ("filed", "declared", "confirmed", "awaiting_triage"), _COHORT,
        """SELECT day, hour, tariff_id, organisation_id, count(*), count(*) FILTER (WHERE declared),
                  count(*) FILTER (WHERE declared AND confirmed), count(*) FILTER (WHERE declared AND untriaged)
           FROM t GROUP BY 1, 2, 3, 4""",
    ),
    "flow": Table(
        "workspace_reportflowday", ("day", "hour", "tariff_id"), ("opened", "closed"), _FLOW_EVENTS,
        "SELECT day, hour, tariff_id, sum(opened), sum(closed) FROM f GROUP BY 1, 2, 3",
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
    day, hour, source, bounds = (_FLOW_SOURCES if table.ctes is _FLOW_EVENTS else _COHORT_SOURCES)[mode]
    ctes = table.ctes.format(day=day, hour=hour, source=source, filters=bounds + _filters(table, tariff, organisation))
    return "WITH " + (_DAYS if mode == "days" else "") + ctes, table.select


def _params(units, tariff=None, organisation=None):
    """Parameters for listed ``units``, or for a contiguous range of days when ``units`` is
    a (first, last) tuple of dates."""
    if isinstance(units, tuple):
        first, last = units
        listed = {"days": [], "hours": [], "starts": [], "ends": [], "from": day_start(first),
                  "to": day_start(last + timedelta(days=1))}
    else:
        listed = _units_params(units)
    return {**listed, "open": OPEN, "tariff": tariff, "organisation": organisation, "tz": settings.REPORTS_TIME_ZONE}


def _fetch(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def live_rows(kind, days, tariff=None, organisation=None):
    """The aggregate of ``kind`` for ``days`` (a set of units, or a (first, last) range of
    days), computed from the tickets now."""
    table = TABLES[kind]
    ctes, select = _live_sql(table, tariff, organisation, "range" if isinstance(days, tuple) else "days")
    return _fetch(ctes + select, _params(days, tariff, organisation))


# ---------------------------------------------------------------- building


def _rebuild(units):
    """Replace the roll-up rows of ``units`` (listed, or a (first, last) range of days) by
    their live aggregate (set-based). A whole day replaces its hours too."""
    if not units:
        return
    params = _params(units)
    mode = "range" if isinstance(units, tuple) else "days"
    if mode == "days":
        params["whole"] = [d for d, h in units if h is None]
        params["hour_days"] = [d for d, h in units if h is not None]
        params["hour_hours"] = [h for d, h in units if h is not None]
    with connection.cursor() as cursor:
        for table in TABLES.values():
            if mode == "days":
                cursor.execute(
                    f"""DELETE FROM {table.name} WHERE day = ANY(%(whole)s::date[])
                        OR (day, hour) IN (SELECT * FROM unnest(%(hour_days)s::date[], %(hour_hours)s::int[]))""",
                    params,
                )
            ctes, select = _live_sql(table, mode=mode)
            cursor.execute(f"{ctes} INSERT INTO {table.name} ({', '.join(table.columns)}) {select}", params)


_TOUCHED = """
    SELECT DISTINCT (x AT TIME ZONE %(tz)s)::date, extract(hour FROM x AT TIME ZONE %(tz)s)::int FROM (
        SELECT e.created_at AS x FROM tickets_event e
        WHERE e.kind = ANY(%(kinds)s) AND e.created_at >= {since} AND e.created_at <= %(now)s
        UNION ALL SELECT t.created_at FROM tickets_ticket t WHERE t.id IN (
            SELECT e.ticket_id FROM tickets_event e
            WHERE e.kind = ANY(%(kinds)s) AND e.created_at >= {since} AND e.created_at <= %(now)s)
    ) x
"""


def touched_units(since, now):
    """(day, hour) of the events written in [since, now] and of the filing of their tickets."""
    return set(_fetch(_TOUCHED.format(since="%(since)s"),
                      {"kinds": EVENT_KINDS, "since": since, "now": now, "tz": settings.REPORTS_TIME_ZONE}))


def _units_to_build(state, today, hour, touched):
    """What a run rebuilds: whole days from the last built day until yesterday and the
    touched past days; today's hours from the last built one until the last hour over,
    and today's touched hours before it."""
    units = set()
    built_day, built_hour = state.built_day, state.built_hour or 0
    for n in range((today - built_day).days):
        units.add((built_day + timedelta(days=n), None))
    units |= {(d, None) for d, _h in touched if d < today}
    first_hour = built_hour if built_day == today else 0
    units |= {(today, h) for h in range(first_hour, hour)}
    units |= {(today, h) for d, h in touched if d == today and h < hour}
    return units


def rollup_refresh(now=None, full=False):
    """Bring the roll-up up to date: every past day and every hour of today already over
    whose figures changed since the last run (everything on the first run, or with
    ``full``). One builder at a time (an advisory lock; a second caller returns at once).
    Returns the number of whole days rebuilt, or None when another run held the lock."""
    now = now or timezone.now()
    today, hour = local_today(now), local_hour(now)
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
            _rebuild({(today, h) for h in range(hour)})
            state.first_day = start
        else:
            units = _units_to_build(state, today, hour, touched_units(state.built_at - COMMIT_MARGIN, now))
            _rebuild(units)
            count = len({d for d, h in units if h is None})
        state.built_at, state.built_day, state.built_hour, state.time_zone = now, today, hour, zone
        state.save()
    return count


# ---------------------------------------------------------------- reading


@dataclass
class Snapshot:
    """What the roll-up holds at the moment of one page view: whole days before
    ``built_day`` and the hours of ``built_day`` before ``built_hour``, except the units
    ``touched`` since (``(day, hour)`` pairs); everything else is computed live."""

    built_day: date | None  # None: never built, everything live
    built_hour: int = 0
    first_day: date | None = None
    touched: set = field(default_factory=set)
    today: date | None = None

    def live_in(self, first, last):
        """The units of [first, last] to aggregate live."""
        days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
        if self.built_day is None:
            return {(d, None) for d in days}
        touched_days = {d for d, _h in self.touched if d < self.built_day}
        touched_hours = {h for d, h in self.touched if d == self.built_day}
        units = set()
        for d in days:
            if d > self.built_day or d in touched_days:
                units.add((d, None))
            elif d == self.built_day:
                units |= {(d, h) for h in range(24) if h >= self.built_hour or h in touched_hours}
        return units


EPOCH = date(2000, 1, 1)


def snapshot(now=None):
    """The roll-up's state and the units touched since it was built: one query."""
    now = now or timezone.now()
    today = local_today(now)
    touched = _TOUCHED.format(since="s.built_at - %(margin)s").replace(
        "SELECT DISTINCT (x AT TIME ZONE %(tz)s)::date, extract(hour FROM x AT TIME ZONE %(tz)s)::int",
        "SELECT DISTINCT ((x AT TIME ZONE %(tz)s)::date - %(epoch)s) * 24 + extract(hour FROM x AT TIME ZONE %(tz)s)::int",
    )
    rows = _fetch(
        f"""
        SELECT s.built_day, s.built_hour, s.time_zone, coalesce(s.first_day, (
            SELECT (min(created_at) AT TIME ZONE %(tz)s)::date FROM tickets_ticket)), ARRAY({touched})
        FROM (SELECT 1) one LEFT JOIN workspace_reportrollupstate s ON s.built_at IS NOT NULL LIMIT 1
        """,
        {"tz": settings.REPORTS_TIME_ZONE, "kinds": EVENT_KINDS, "margin": COMMIT_MARGIN, "now": now, "epoch": EPOCH},
    )
    built_day, built_hour, zone, first_day, touched_codes = rows[0]
    if built_day is None or zone != settings.REPORTS_TIME_ZONE:
        # Never built (or built for another zone): everything live, from the first ticket.
        return Snapshot(built_day=None, first_day=first_day or today, today=today)
    return Snapshot(built_day=built_day, built_hour=built_hour or 0, first_day=first_day or today, today=today,
                    touched={(EPOCH + timedelta(days=c // 24), c % 24) for c in touched_codes})


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
        live = snap.live_in(first, last)
        stored = (
            f"SELECT {', '.join(table.columns)} FROM {table.name} WHERE day >= %(first)s AND day <= %(last)s AND ("
            "(hour IS NULL AND day < %(built_day)s AND day <> ALL(%(whole)s::date[]))"
            " OR (hour IS NOT NULL AND day = %(built_day)s AND hour < %(built_hour)s"
            " AND hour <> ALL(%(live_hours)s::int[])))"
            + (" AND tariff_id = %(tariff)s" if tariff is not None else "")
            + (" AND FALSE" if snap.built_day is None else "")
        )
        body = f"{stored} UNION ALL {select}"
        params = {**_params(live, tariff), "first": first, "last": last, "built_day": snap.built_day,
                  "built_hour": snap.built_hour, "whole": [d for d, h in live if h is None],
                  "live_hours": [h for d, h in live if h is not None and d == snap.built_day]}
    if not group:
        return _fetch(f"{ctes} {body}", params)
    sums = ", ".join(f"sum({c})::bigint" for c in table.values)
    positions = ", ".join(str(n + 1) for n in range(len(group)))
    return _fetch(f"{ctes}, u({', '.join(table.columns)}) AS ({body}) SELECT {', '.join(group)}, {sums} "
                  f"FROM u GROUP BY {positions}", params)


def period_sql(grain):
    """The SQL expression of a row's period: the Monday of its week, or the 1st of its month."""
    return "date_trunc('month', day)::date" if grain == "month" else "date_trunc('week', day)::date"
