"""Set-based seeding of tickets, their conversation, events and SLA targets (bench/http_load.py).

One INSERT … SELECT per table over a plan of generated rows, with the tables' secondary
indexes and foreign-key triggers off while loading (both restored at the end), so a
million tickets with three messages each load in minutes, not hours.
"""

import json
import time

from django.db import connection

MESSAGES = [
    "Thank you for the details. Could you send a screenshot of the error and the time it happened?"
    " We will check the server logs for that minute and come back to you today.",
    "Here is the screenshot. It happened at 10:42 this morning, and again after lunch when my colleague"
    " tried the same steps from another computer.",
    "We found the cause: a timeout in the export job for large order lists. A fix is deployed; please try"
    " again and tell us whether the file now downloads.",
    "It works now, thank you. The export of last month's orders finished in a few seconds.",
    "We have reproduced it on our test server and passed it to the developers with your example file.",
    "Any news? Our accountants need the report before the end of the week.",
]


def not_null_defaults(model, explicit):
    """Columns of ``model`` the INSERT does not name that are NOT NULL: their constant defaults."""
    extra = {}
    for field in model._meta.concrete_fields:
        if field.column in explicit or field.null or field.primary_key or field.generated:
            continue
        default = field.get_default()
        if not isinstance(default, (str, int, bool, dict, list)):
            raise SystemExit(f"{model.__name__}.{field.name} is NOT NULL without a constant default: add it to the seed")
        extra[field.column] = json.dumps(default) if isinstance(default, (dict, list)) else default
    return extra


def insert_select(cur, table, model, columns, select_sql, params):
    """INSERT INTO table (columns + other NOT NULL defaults) SELECT ... (set-based)."""
    extra = not_null_defaults(model, set(columns))
    cols = ", ".join([*columns, *extra])
    literals = "".join(f", %(x_{c})s" for c in extra)
    cur.execute(f"INSERT INTO {table} ({cols}) {select_sql.replace('{extra}', literals)}",
                {**params, **{f"x_{c}": v for c, v in extra.items()}})


TABLES = ("tickets_ticket", "tickets_message", "tickets_event", "tickets_slatarget")


def search_documents(subjects):
    """The search documents (tickets/search.py) the seeded rows get: per subject its
    ticket's own (subject, description), per (language, message) the appended reply part;
    the INSERT concatenates them as ``ticket_search_append`` does, so a seeded ticket is
    found as a filed one would be. ``subjects`` items are (subject, body[, language])."""
    from tickets.search import PUBLIC, part_vector, ticket_vector

    languages = [item[2] if len(item) > 2 else "en" for item in subjects]
    order = sorted(set(languages))
    return {
        "languages": languages,
        "language_index": [order.index(language) for language in languages],
        "ticket_docs": [ticket_vector(item[0], item[1], language) for item, language in zip(subjects, languages)],
        "message_docs": [part_vector(m, language, PUBLIC) for language in order for m in MESSAGES],
    }


def seed_tickets(n, t0, tariff, sla_columns, subjects):
    """``n`` tickets over the two years before ``t0``: ~26 % open (new 15 %, open 65 %,
    waiting 20 % of those, mostly from the last 180 days), the rest resolved (20 %) or
    closed; three messages, their events, and first-response/commitment/resolution targets.
    ``subjects``: (subject, body) or (subject, body, language) pairs, used in turn."""
    from tickets.models import Event, Message, SlaTarget, Ticket

    started = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("SET session_replication_role = replica; SET maintenance_work_mem = '512MB'")
        cur.execute("""SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s)
                       AND indexname NOT IN (SELECT conname FROM pg_constraint)""", [list(TABLES)])
        deferred = cur.fetchall()
        for index_name, _ in deferred:
            cur.execute(f'DROP INDEX "{index_name}"')
        cur.execute(f"""CREATE UNLOGGED TABLE bench_plan AS
            SELECT g, c.id AS requester_id, c.organisation_id, e.id AS engineer_id,
                   CASE WHEN mod(g, 100) < 26 THEN 'open' ELSE 'done' END AS cls,
                   mod(g::bigint * 7919, 1000003)::float8 / 1000003 AS frac
            FROM generate_series(1, {n}) g
            JOIN (SELECT id, organisation_id, row_number() OVER (ORDER BY id) - 1 AS rn FROM accounts_user
                  WHERE role = 'customer') c ON c.rn = mod(g::bigint * 7907, (SELECT count(*) FROM accounts_user WHERE role = 'customer'))
            JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS rn FROM accounts_user
                  WHERE role = 'engineer') e ON e.rn = mod(g * 31, (SELECT count(*) FROM accounts_user WHERE role = 'engineer'))""")
        cur.execute("SELECT nextval('tickets_ticket_number_seq')")
        base = cur.fetchone()[0]
        sla_names = list(sla_columns)
        params = {"t0": t0, "tariff": tariff.pk, "base": base, "subjects": [s[0] for s in subjects],
                  "bodies": [s[1] for s in subjects], "messages": MESSAGES, **search_documents(subjects),
                  **{f"sla_{k}": v for k, v in sla_columns.items()}}
        sla_values = "".join(f", %(sla_{k})s" for k in sla_names)
        insert_select(cur, "tickets_ticket", Ticket, [
            "number", "organisation_id", "requester_id", "assignee_id", "kind", "subject", "body", "urgency",
            "customer_urgency", "status", "level", "token", "created_at", "updated_at", "first_response_at",
            "resolved_at", "closed_at", "tariff_id", "first_response_business_seconds", "language", "search", "next_due_at",
            *sla_names], f"""
            SELECT %(base)s + g, organisation_id, requester_id, CASE WHEN status = 'new' THEN NULL ELSE engineer_id END,
                   (ARRAY['question','error','suggestion'])[1 + mod(g, 3)],
                   (%(subjects)s::text[])[1 + mod(g, cardinality(%(subjects)s::text[]))],
                   (%(bodies)s::text[])[1 + mod(g, cardinality(%(bodies)s::text[]))], urgency, urgency, status,
                   CASE WHEN mod(g, 10) = 0 THEN 'L2' ELSE 'L1' END,
                   gen_random_uuid(), created, created + interval '3 hours',
                   CASE WHEN status <> 'new' THEN created + (30 + mod(g, 300)) * interval '1 minute' END,
                   CASE WHEN cls = 'done' THEN created + interval '2 days' END,
                   CASE WHEN status = 'closed' THEN created + interval '5 days' END,
                   %(tariff)s, CASE WHEN status <> 'new' THEN (30 + mod(g, 300)) * 60 END,
                   (%(languages)s::text[])[1 + mod(g, cardinality(%(subjects)s::text[]))],
                   (%(ticket_docs)s::tsvector[])[1 + mod(g, cardinality(%(subjects)s::text[]))]
                   || (%(message_docs)s::tsvector[])[1 + lang * {len(MESSAGES)} + mod(%(base)s + g + 1, {len(MESSAGES)})]
                   || (%(message_docs)s::tsvector[])[1 + lang * {len(MESSAGES)} + mod(%(base)s + g + 2, {len(MESSAGES)})]
                   || (%(message_docs)s::tsvector[])[1 + lang * {len(MESSAGES)} + mod(%(base)s + g + 3, {len(MESSAGES)})],
                   CASE status WHEN 'new' THEN created + interval '2 hours' WHEN 'open' THEN created + interval '5 days' END
                   {sla_values} {{extra}}
            FROM (SELECT *, (ARRAY['low','normal','normal','high','critical'])[1 + mod(g, 5)] AS urgency,
                    (%(language_index)s::int[])[1 + mod(g, cardinality(%(subjects)s::text[]))] AS lang,
                    CASE cls WHEN 'open' THEN CASE WHEN mod(g, 20) < 3 THEN 'new' WHEN mod(g, 20) < 16 THEN 'open'
                                                   ELSE 'waiting' END
                             ELSE CASE WHEN mod(g, 5) = 0 THEN 'resolved' ELSE 'closed' END END AS status,
                    CASE cls WHEN 'open' THEN %(t0)s - interval '180 days' * frac * frac
                             ELSE %(t0)s - interval '7 days' - interval '723 days' * frac END AS created
                  FROM bench_plan) p""", params)
        cur.execute("SELECT setval('tickets_ticket_number_seq', %s)", [base + n])
        cur.execute("DROP TABLE bench_plan")
        insert_select(cur, "tickets_message", Message, ["ticket_id", "author_id", "visibility", "body", "channel",
                                                         "created_at"], """
            SELECT t.id, CASE WHEN k = 2 THEN coalesce(t.assignee_id, t.requester_id) ELSE t.requester_id END,
                   'public', (%(messages)s::text[])[1 + mod(t.number::int + k, cardinality(%(messages)s::text[]))],
                   'web', t.created_at + k * interval '1 hour' {extra}
            FROM tickets_ticket t CROSS JOIN generate_series(1, 3) k""", params)
        # The audit trail: created, then the status changes the ticket went through.
        insert_select(cur, "tickets_event", Event, ["ticket_id", "actor_id", "kind", "field", "old_value",
                                                     "new_value", "created_at"], """
            SELECT id, requester_id, 'created', '', '', 'new', created_at {extra} FROM tickets_ticket
            UNION ALL SELECT id, assignee_id, 'status', 'status', 'new', 'open', first_response_at {extra}
                FROM tickets_ticket WHERE status <> 'new'
            UNION ALL SELECT id, assignee_id, 'status', 'status', 'open', 'waiting', first_response_at + interval '1 hour' {extra}
                FROM tickets_ticket WHERE status = 'waiting'
            UNION ALL SELECT id, assignee_id, 'status', 'status', 'open', 'resolved', resolved_at {extra}
                FROM tickets_ticket WHERE resolved_at IS NOT NULL
            UNION ALL SELECT id, requester_id, 'status', 'status', 'resolved', 'closed', closed_at {extra}
                FROM tickets_ticket WHERE closed_at IS NOT NULL""", params)
        # first response and commitment are met at the first reply; resolution when resolved.
        # Running clocks: due (roughly) 4 h / 2 h / 5 days after filing; waiting: paused.
        # One statement, a ticket's three targets together in filing order, as filing writes
        # them (bulk_create per ticket): the unique (ticket, kind) index then grows at its
        # right edge like in production, not by page splits from kind-by-kind passes.
        insert_select(cur, "tickets_slatarget", SlaTarget,
                      ["ticket_id", "kind", "minutes", "due_at", "warn_at", "warned_at", "breached_at", "met_at"], """
            SELECT id, kind, minutes, due, warn, CASE WHEN warn <= %(t0)s THEN warn END,
                   CASE WHEN due <= coalesce(met, %(t0)s) THEN due END, met {extra}
            FROM (SELECT t.id, k.ord, k.kind, k.minutes, m.met,
                         CASE WHEN m.met IS NULL AND t.status = 'waiting' THEN NULL ELSE t.created_at + k.due END AS due,
                         CASE WHEN m.met IS NULL AND t.status = 'waiting' THEN NULL
                              ELSE t.created_at + k.due * 0.75 END AS warn
                  FROM tickets_ticket t
                  CROSS JOIN (VALUES (1, 'first_response', 240, interval '4 hours'),
                                     (2, 'commitment', 120, interval '2 hours'),
                                     (3, 'resolution', 2400, interval '5 days')) k (ord, kind, minutes, due)
                  CROSS JOIN LATERAL (SELECT CASE WHEN k.kind = 'resolution' THEN t.resolved_at
                                                  ELSE t.first_response_at END AS met) m) x
            ORDER BY id, ord""", params)
        # Filing inserts the ticket with its nearest deadline (no second write of the row);
        # the seed did too: check it against the targets just written.
        cur.execute("""SELECT count(*) FROM tickets_ticket t LEFT JOIN (SELECT ticket_id, min(due_at) AS due
                       FROM tickets_slatarget WHERE met_at IS NULL AND due_at IS NOT NULL GROUP BY ticket_id) d
                       ON d.ticket_id = t.id WHERE t.next_due_at IS DISTINCT FROM d.due""")
        assert cur.fetchone()[0] == 0, "seeded next_due_at differs from the targets"
        cur.execute("SET session_replication_role = DEFAULT")
        for _, index_def in deferred:
            cur.execute(index_def)
    print(f"  tickets, messages, events, targets: {time.perf_counter() - started:.0f} s", flush=True)
