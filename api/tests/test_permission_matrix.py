"""Every API URL × every audience, called as integrations call it (Bearer token), or with
the browser session for the pages. A new api:* URL without a row fails the suite.

The project-wide matrix (tickets/tests/test_permission_matrix.py) leaves the "api"
namespace to this one: it calls with a session, while the API's callers use tokens.
"""

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from api.services import api_token_create

ROLES = ["anonymous", "customer_a", "customer_b", "engineer", "admin"]


def _row(method, args, expected, data=None, auth="token"):
    return {"method": method, "args": args, "data": data, "auth": auth, "expected": dict(zip(ROLES, expected))}


# args: "ticket" → (customer A's ticket,), "attachment" → (its file), "token" → (customer A's
# token), "license" → (customer A's license), a tuple → as is, None → ().
MATRIX = {
    "api:tokens": [_row("get", None, [302, 200, 200, 200, 200], auth="session")],
    "api:token_revoke": [_row("post", "token", [302, 302, 404, 404, 404], auth="session")],
    "api:schema": [_row("get", None, [200] * 5)],
    "api:docs": [_row("get", None, [200] * 5)],
    "api:kb-suggestions": [_row("get", None, [401, 200, 200, 200, 200], {"q": " "})],
    "api:me": [_row("get", None, [401, 200, 200, 200, 200])],
    "api:ticket-list": [
        _row("get", None, [401, 200, 200, 200, 200]),
        _row("post", None, [401, 201, 201, 403, 403], {"subject": "s", "body": "b"}),
    ],
    "api:ticket-detail": [_row("get", "ticket", [401, 200, 404, 200, 200])],
    "api:ticket-reply": [_row("post", "ticket", [401, 201, 404, 201, 201], {"body": "hello"})],
    # An open ticket: customers may close it; engineers may not (the workflow says 400).
    "api:ticket-transition": [_row("post", "ticket", [401, 200, 404, 400, 400], {"status": "closed"})],
    "api:ticket-attachment": [_row("get", "attachment", [401, 200, 404, 200, 200])],
    "api:ticket-assign": [_row("post", "ticket", [401, 403, 403, 200, 200], {"assignee": None})],
    "api:ticket-urgency": [_row("post", "ticket", [401, 403, 403, 200, 200], {"urgency": "high"})],
    "api:queue": [_row("get", None, [401, 403, 403, 200, 200])],
    # A system error needs the prevention too: the service's 400 shows the role got through.
    "api:ticket-resolve": [_row("post", "ticket", [401, 403, 403, 400, 400], {"summary": "Fixed"})],
    "api:ticket-commit": [_row("post", "ticket", [401, 403, 403, 200, 200], {"planned_at": "2099-01-01T10:00:00Z"})],
    "api:ticket-refuse": [_row("post", "ticket", [401, 403, 403, 200, 200], {"reason": "Out of the scope of support."})],
    "api:ticket-escalate": [_row("post", "ticket", [401, 403, 403, 200, 200], {"to_level": "L2", "reason": "needs L2"})],
    # Merge, split and links: engineers act (a reference or message that does not exist is
    # the 400 that shows the role got through); anyone who sees the ticket reads its links.
    "api:ticket-links": [
        _row("get", "ticket", [401, 200, 404, 200, 200]),
        _row("post", "ticket", [401, 403, 403, 400, 400], {"ticket": "HD-1", "kind": "related"}),
    ],
    "api:ticket-merge": [_row("post", "ticket", [401, 403, 403, 400, 400], {"into": "HD-1"})],
    "api:ticket-split": [_row("post", "ticket", [401, 403, 403, 400, 400], {"message": 999999, "subject": "x"})],
    "api:ticket-unlink": [_row("delete", "no_link", [401, 403, 403, 404, 404])],
    "api:engineer-list": [_row("get", None, [401, 403, 403, 200, 200])],
    "api:tariff-list": [_row("get", None, [401, 403, 403, 403, 200])],
    "api:tariff-detail": [_row("get", ("vip",), [401, 403, 403, 403, 200])],
    "api:license-list": [_row("get", None, [401, 403, 403, 403, 200])],
    "api:license-detail": [_row("get", "license", [401, 403, 403, 403, 200])],
    "api:order-list": [_row("get", None, [401, 200, 200, 403, 403])],
    "api:wallet": [_row("get", None, [401, 200, 200, 403, 403])],
    # No such order: the admin gets past the permission to the 404.
    "api:satisfaction-report": [_row("get", None, [401, 403, 403, 403, 200])],
    "api:order-pay": [_row("post", (999999,), [401, 403, 403, 403, 404], {"payment_reference": "X"})],
    # Incidents: "incident" is open, affects customer A's organisation only and has the
    # world's ticket linked. The public status needs no token.
    "api:status": [_row("get", None, [200] * 5)],
    "api:incident-for-me": [_row("get", None, [401, 200, 200, 403, 403])],
    "api:incident-subscribe": [_row("post", "incident", [401, 201, 404, 403, 403])],
    "api:incident-list": [
        _row("get", None, [401, 403, 403, 200, 200]),
        _row("post", None, [401, 403, 403, 201, 201], {"title_en": "Outage", "status_text_en": "Looking.",
                                                        "affects_everyone": True}),
    ],
    "api:incident-detail": [_row("get", "incident", [401, 403, 403, 200, 200])],
    "api:incident-update": [_row("post", "incident", [401, 403, 403, 201, 201], {"state": "identified", "body_en": "Found."})],
    "api:incident-resolve": [_row("post", "incident", [401, 403, 403, 201, 201], {"summary": "Fixed.", "prevention": "Alerts."})],
    "api:incident-link": [_row("post", "incident", [401, 403, 403, 200, 200], {"tickets": [999999]})],
    "api:incident-unlink": [_row("delete", "incident_ticket", [401, 403, 403, 204, 204])],
}
CASES = [(name, i) for name in sorted(MATRIX) for i in range(len(MATRIX[name]))]


def _api_urls(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace or ""
            yield from _api_urls(pattern, f"{namespace}{ns}:" if ns else namespace)
        elif isinstance(pattern, URLPattern) and pattern.name and namespace.startswith("api:"):
            yield f"{namespace}{pattern.name}"


def test_every_api_url_has_a_row_in_the_matrix():
    urls = set(_api_urls())
    assert urls, "the api namespace is not mounted"
    assert not sorted(urls - set(MATRIX)), f"add these URLs to the API permission matrix: {sorted(urls - set(MATRIX))}"
    assert not sorted(set(MATRIX) - urls), "rows for URLs that no longer exist"


@pytest.fixture
def people(customer_a, customer_b, engineer, admin_user):
    return {"anonymous": None, "customer_a": customer_a, "customer_b": customer_b, "engineer": engineer, "admin": admin_user}


def _client(user, auth):
    client = Client()
    if user is None:
        return client, {}
    if auth == "session":
        client.force_login(user)
        return client, {}
    return client, {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=user, name='matrix')[1]}"}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name,index", CASES)
def test_api_permission_matrix(name, index, role, people, world, customer_a):
    row = MATRIX[name][index]
    own_token, _ = api_token_create(user=customer_a, name="CRM")
    incident = None
    if row["args"] in ("incident", "incident_ticket"):
        from incidents import services as incident_services

        incident = incident_services.incident_declare(
            actor=people["engineer"], data={"title_en": "Mail outage", "status_text_en": "Investigating."},
            organisations=[customer_a.organisation],
        )
        incident_services.incident_link(incident=incident, ticket=world.ticket, actor=people["engineer"])
    args = {
        None: (),
        "incident": (incident.pk,) if incident else None,
        "incident_ticket": (incident.pk, world.ticket.number) if incident else None,
        "ticket": (world.ticket.number,),
        "attachment": (world.ticket.number, world.public_file.pk),
        "token": (own_token.pk,),
        "license": (world.license.serial,),
        "no_link": (world.ticket.number, 999999),
    }.get(row["args"], row["args"])
    client, headers = _client(people[role], row["auth"])
    url = reverse(name, args=args)
    if row["method"] == "get":
        response = client.get(url, row["data"] or {}, **headers)
    elif row["method"] == "delete":
        response = client.delete(url, **headers)
    else:
        response = client.post(url, row["data"] or {}, content_type="application/json", **headers)
    assert response.status_code == row["expected"][role], f"{row['method']} {name} as {role}: {response.status_code}"


@pytest.mark.django_db
def test_session_calls_need_the_csrf_token(customer_a, world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(customer_a)
    assert client.get(reverse("api:ticket-list")).status_code == 200
    response = client.post(reverse("api:ticket-list"), {"subject": "s", "body": "b"}, content_type="application/json")
    assert response.status_code == 403


@pytest.mark.django_db
def test_token_calls_need_no_csrf_token(customer_a, token_for):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        reverse("api:ticket-list"), {"subject": "s", "body": "b"}, content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token_for(customer_a)}",
    )
    assert response.status_code == 201


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["api:ticket-reply", "api:ticket-transition", "api:ticket-assign", "api:ticket-urgency"])
def test_state_changing_api_urls_refuse_get(name, api_for, engineer, world):
    response = api_for(engineer).get(reverse(name, args=[world.ticket.number]))
    assert response.status_code == 405
    world.ticket.refresh_from_db()
    assert world.ticket.assignee is None and world.ticket.urgency == "normal"
