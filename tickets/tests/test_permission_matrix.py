"""Every URL × every audience. A new URL without a row here fails the suite."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tickets import services

ROLES = ["anonymous", "customer_a", "customer_b", "engineer", "admin"]
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _row(method, args, expected, data=None):
    return {"method": method, "args": args, "data": data or {}, "expected": dict(zip(ROLES, expected))}


# args: "ticket" → (number,), "attachment" → (number, attachment id), None → ().
MATRIX = {
    "home": _row("get", None, [200, 302, 302, 302, 302]),
    "healthz": _row("get", None, [(200, 503)] * 5),
    "set_language": _row("post", None, [302] * 5, {"language": "pl", "next": "/"}),
    "accounts:signup": _row("get", None, [200, 302, 302, 302, 302]),
    "accounts:signup_done": _row("get", None, [200] * 5),
    "accounts:activate": _row("get", ("MTIz", "bad-token"), [400] * 5),
    "accounts:activation_resend": _row("get", None, [200] * 5),
    # Without an enrolled device the code page sends to enrolment; anyone may enrol.
    "accounts:two_factor_verify": _row("get", None, [302] * 5),
    "accounts:two_factor_setup": _row("get", None, [302, 200, 200, 200, 200]),
    "accounts:login": _row("get", None, [200, 302, 302, 302, 302]),
    "accounts:logout": _row("post", None, [302] * 5),
    "accounts:profile": _row("get", None, [302, 200, 200, 200, 200]),
    "accounts:consent": _row("get", None, [302, 200, 200, 200, 200]),
    "accounts:password_reset": _row("get", None, [200] * 5),
    "accounts:password_reset_done": _row("get", None, [200] * 5),
    "accounts:password_reset_confirm": _row("get", ("MTIz", "bad-token"), [200] * 5),
    "accounts:password_reset_complete": _row("get", None, [200] * 5),
    "tickets:list": _row("get", None, [302, 200, 200, 403, 403]),
    "tickets:new": _row("get", None, [302, 200, 200, 403, 403]),
    # Possible duplicates beside the form: the customer's own organisation only (tickets/tests/test_search.py).
    "tickets:similar": _row("post", None, [302, 200, 200, 403, 403], {"subject": "Export fails", "body": "error 500"}),
    "tickets:detail": _row("get", "ticket", [302, 200, 404, 302, 302]),
    "tickets:created": _row("get", "ticket", [302, 200, 404, 403, 403]),
    "tickets:reply": _row("post", "ticket", [302, 302, 404, 403, 403], {"body": "thanks"}),
    "tickets:transition": _row("post", "ticket", [302, 302, 404, 403, 403], {"status": "closed", "confirm": "1"}),
    "tickets:attachment": _row("get", "attachment", [302, 200, 404, 200, 200]),
    # The matrix's attachment is an image: the text viewer is 404 for it; text files in test_views.
    "tickets:attachment_text": _row("get", "attachment", [302, 404, 404, 404, 404]),
    "tickets:callback": _row("post", "ticket", [302, 302, 404, 403, 403], {"phone": "+7 495 123-45-67"}),
    "sla:plans": _row("get", None, [200] * 5),
    # Selling support: customers (and dealers) only; another organisation's order is a 404.
    "billing:order_page": _row("get", None, [302, 200, 200, 403, 403]),
    "billing:place": _row("post", None, [302, 302, 302, 403, 403], {"license": "999999", "price": "999999"}),
    "billing:orders": _row("get", None, [302, 200, 200, 403, 403]),
    "billing:order": _row("get", (999999,), [302, 404, 404, 403, 403]),
    "billing:invoice": _row("get", (999999,), [302, 404, 404, 403, 403]),
    "billing:cancel": _row("post", (999999,), [302, 404, 404, 403, 403]),
    "billing:reorder": _row("get", (999999,), [302, 404, 404, 403, 403]),
    "billing:wallet": _row("get", None, [302, 200, 200, 403, 403]),
    "workspace:queue": _row("get", None, [302, 403, 403, 200, 200]),
    "workspace:bulk": _row("post", None, [302, 403, 403, 302, 302], {"tickets": ["1"], "action": "take"}),
    "workspace:reports": _row("get", None, [302, 403, 403, 403, 200]),
    "workspace:sales": _row("get", None, [302, 403, 403, 403, 200]),
    # Personal data: the person's own page; another person's export link is a 404.
    "privacy:page": _row("get", None, [302, 200, 200, 200, 200]),
    "privacy:export": _row("post", None, [302, 302, 302, 302, 302]),
    "privacy:export_download": _row("get", ("00000000-0000-4000-8000-000000000000",), [302, 404, 404, 404, 404]),
    "privacy:erase": _row("post", None, [302, 302, 302, 302, 302]),
    "workspace:satisfaction": _row("get", None, [302, 403, 403, 403, 200]),
    # The rating page opens by its unguessable token only; a wrong one is a 404 for everyone.
    "tickets:satisfaction": _row("get", ("00000000-0000-4000-8000-000000000000",), [404] * 5),
    "workspace:triage": _row("post", "ticket", [302, 403, 403, 302, 302], {"urgency": "high", "effort_hours": "2"}),
    "workspace:commit": _row("post", "ticket", [302, 403, 403, 302, 302], {"planned_at": "2099-01-01T10:00"}),
    "workspace:refuse": _row("post", "ticket", [302, 403, 403, 302, 302], {"reason": "Out of the scope of support."}),
    "workspace:escalate": _row("post", "ticket", [302, 403, 403, 302, 302], {"to_level": "L2", "reason": "needs a developer"}),
    "workspace:article_draft": _row("post", "ticket", [302, 403, 403, 302, 302]),
    # No phone support on the matrix's ticket: the page again with the error, 400.
    "workspace:call": _row("post", "ticket", [302, 403, 403, 400, 400], {"direction": "in", "duration_minutes": "5", "summary": "x"}),
    "workspace:live": _row("get", "ticket", [302, 403, 403, 200, 200]),
    "workspace:suggestions": _row("post", "ticket", [302, 403, 403, 200, 200], {"body": "import"}),
    "workspace:saved_view_save": _row("post", None, [302, 403, 403, 302, 302], {"name": "Mine", "query": "view=mine"}),
    "workspace:saved_view_delete": _row("post", (999999,), [302, 403, 403, 302, 302]),
    "workspace:resolve": _row("post", "ticket", [302, 403, 403, 302, 302], {"summary": "fixed", "prevention": "update"}),
    "workspace:presence": _row("get", "ticket", [302, 403, 403, 200, 200]),
    "workspace:work": _row("get", "ticket", [302, 403, 403, 200, 200]),
    # Merge, split and links: engineers only. The merge page without a reference is its form;
    # a reference that names no ticket is the form again with the error (400).
    "workspace:merge": _row("get", "ticket", [302, 403, 403, 200, 200]),
    "workspace:split": _row("get", "message", [302, 403, 403, 200, 200]),
    "workspace:link": _row("post", "ticket", [302, 403, 403, 400, 400], {"ticket": "HD-1", "kind": "related"}),
    "workspace:unlink": _row("post", "link", [302, 403, 403, 302, 302]),
    "workspace:take": _row("post", "ticket", [302, 403, 403, 302, 302]),
    "workspace:work_reply": _row("post", "ticket", [302, 403, 403, 302, 302], {"body": "hello", "internal": "on"}),
    "workspace:work_transition": _row("post", "ticket", [302, 403, 403, 302, 302], {"status": "waiting"}),
    # Knowledge base: public pages for everyone; editing for engineers; statistics for admins.
    # Drafts and internal articles per role: knowledgebase/tests/test_views.py.
    "kb:home": _row("get", None, [200] * 5),
    "kb:search": _row("get", None, [200] * 5, {"q": "password"}),
    "kb:category": _row("get", ("no-such-shelf",), [404] * 5),
    "kb:article": _row("get", (999999,), [404] * 5),
    "kb:vote": _row("post", (999999,), [404] * 5, {"helpful": "yes"}),
    "kb:suggest": _row("post", None, [200] * 5, {"subject": "password"}),
    "kb:deflect": _row("post", None, [302] * 5, {"article": 999999}),
    "kb:deflected": _row("get", None, [200] * 5),
    "kb:manage": _row("get", None, [302, 403, 403, 200, 200]),
    "kb:article_new": _row("get", None, [302, 403, 403, 200, 200]),
    "kb:article_edit": _row("get", (999999,), [302, 403, 403, 404, 404]),
    "kb:stats": _row("get", None, [302, 403, 403, 403, 200]),
    # Incidents (issue 14): "incident" is an open one affecting customer A's organisation only,
    # "incident_ticket" that incident and the matrix's ticket (linked, and suggested).
    "incidents:status": _row("get", None, [200] * 5),
    "incidents:list": _row("get", None, [302, 403, 403, 200, 200]),
    "incidents:declare": _row("get", None, [302, 403, 403, 200, 200]),
    "incidents:detail": _row("get", "incident", [302, 403, 403, 200, 200]),
    "incidents:update": _row("post", "incident", [302, 403, 403, 302, 302], {"state": "identified", "body_en": "Found."}),
    "incidents:resolve": _row("post", "incident", [302, 403, 403, 302, 302], {"summary": "Fixed.", "prevention": "Alerts."}),
    "incidents:link": _row("post", "incident", [302, 403, 403, 302, 302], {"reference": "<ticket>"}),
    "incidents:unlink": _row("post", "incident_ticket", [302, 403, 403, 302, 302]),
    "incidents:keep_open": _row("post", "incident_ticket", [302, 403, 403, 302, 302], {"keep_open": "on"}),
    "incidents:dismiss": _row("post", "incident_ticket", [302, 403, 403, 302, 302]),
    # Another organisation's customer cannot tell it from a missing incident.
    "incidents:subscribe": _row("post", "incident", [302, 302, 404, 403, 403]),
}


def _incident_for(customer, ticket, engineer, client_for):
    """An open incident affecting the customer's organisation, with the ticket linked; made
    through the engineers' pages (tickets may not import incidents: .importlinter)."""
    client = client_for(engineer)
    response = client.post(reverse("incidents:declare"), {
        "title_en": "Mail outage", "status_text_en": "Investigating.", "state": "investigating",
        "organisations": [customer.organisation_id],
    })
    assert response.status_code == 302, response.content
    pk = int(response["Location"].rstrip("/").rsplit("/", 1)[1])
    assert client.post(reverse("incidents:link", args=[pk]), {"reference": ticket.number}).status_code == 302
    return pk


def _link(ticket, engineer):
    from tickets.relations import ticket_link

    other = services.ticket_create(requester=ticket.requester, data={"kind": "question", "subject": "o", "body": "b"})
    return ticket_link(ticket=ticket, other=other, kind="related", actor=engineer)


def _named_urls(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace or ""
            if ns == "admin":
                continue  # Django admin: covered by test_admin_needs_staff
            if ns == "api":
                continue  # the REST API calls with tokens: its own matrix is api/tests/test_permission_matrix.py
            yield from _named_urls(pattern, f"{namespace}{ns}:" if ns else namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


def test_every_url_has_a_row_in_the_matrix():
    missing = sorted(set(_named_urls()) - set(MATRIX))
    assert not missing, f"add these URLs to the permission matrix: {missing}"


@pytest.fixture
def people(customer_a, customer_b, engineer, admin_user):
    return {"anonymous": None, "customer_a": customer_a, "customer_b": customer_b, "engineer": engineer, "admin": admin_user}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_permission_matrix(name, role, people, client_for, customer_a):
    row = MATRIX[name]
    ticket = services.ticket_create(
        requester=customer_a,
        data={"kind": "error", "subject": "Import fails", "body": "Error 500"},
        files=[SimpleUploadedFile("shot.png", PNG)],
    )
    incident = None
    if row["args"] in ("incident", "incident_ticket"):
        incident = _incident_for(customer_a, ticket, people["engineer"], client_for)
    args = {
        None: (),
        "ticket": lambda: (ticket.number,),
        "attachment": lambda: (ticket.number, ticket.attachments.get().pk),
        "message": lambda: (ticket.number, services.ticket_reply(ticket=ticket, author=customer_a, body="More").pk),
        "link": lambda: (ticket.number, _link(ticket, people["engineer"]).pk),
        "incident": lambda: (incident,),
        "incident_ticket": lambda: (incident, ticket.number),
    }.get(row["args"], row["args"])
    args = args() if callable(args) else args
    data = {k: (ticket.number if v == "<ticket>" else v) for k, v in row["data"].items()}
    client = client_for(people[role])
    response = getattr(client, row["method"])(reverse(name, args=args), data)
    expected = row["expected"][role]
    allowed = expected if isinstance(expected, tuple) else (expected,)
    assert response.status_code in allowed, f"{name} as {role}: {response.status_code}"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name", ["tickets:reply", "tickets:transition", "workspace:take", "workspace:work_reply", "workspace:work_transition", "accounts:logout"]
)
def test_state_changing_urls_refuse_get(name, client_for, engineer, customer_a):
    ticket = services.ticket_create(requester=customer_a, data={"kind": "error", "subject": "s", "body": "b"})
    args = () if name == "accounts:logout" else (ticket.number,)
    for user in (customer_a, engineer):
        assert client_for(user).get(reverse(name, args=args)).status_code in (405, 403)
    ticket.refresh_from_db()
    assert ticket.status == "new" and ticket.assignee is None


@pytest.mark.django_db
def test_admin_needs_staff(client_for, customer_a, engineer, admin_user):
    url = reverse("admin:index")
    assert client_for(None).get(url).status_code == 302
    assert client_for(customer_a).get(url).status_code == 302
    assert client_for(engineer).get(url).status_code == 302
    assert client_for(admin_user).get(url).status_code == 200


@pytest.mark.django_db
def test_customer_cannot_tell_missing_from_forbidden(client_for, customer_a, customer_b):
    ticket = services.ticket_create(requester=customer_a, data={"kind": "error", "subject": "s", "body": "b"})
    client = client_for(customer_b)
    other = client.get(reverse("tickets:detail", args=[ticket.number]))
    missing = client.get(reverse("tickets:detail", args=[ticket.number + 1000]))
    assert other.status_code == missing.status_code == 404
    # The localised 404 page carries a freshly masked CSRF token each time (random) and the
    # address typed (the language switch returns to it): neither tells anything.
    other_page = _without_csrf_tokens(other.content).replace(str(ticket.number).encode(), b"N")
    missing_page = _without_csrf_tokens(missing.content).replace(str(ticket.number + 1000).encode(), b"N")
    assert other_page == missing_page


def _without_csrf_tokens(content):
    import re

    return re.sub(rb'(X-CSRFToken": "|name="csrfmiddlewaretoken" value=")[A-Za-z0-9]+', rb"\1", content)


@pytest.mark.django_db
def test_csrf_is_enforced_on_forms(customer_a):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(customer_a)
    response = client.post(reverse("tickets:new"), {"kind": "error", "subject": "s", "body": "b"})
    assert response.status_code == 403
