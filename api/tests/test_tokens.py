"""API tokens: stored hashed, shown once, revocable, and they record their use."""

import hashlib
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from api.models import ApiToken
from api.selectors import token_for_secret
from api.services import api_token_create, api_token_revoke

pytestmark = pytest.mark.django_db
ME = "/api/me/"


def _bearer(raw):
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_only_a_hash_of_the_secret_is_stored(customer_a):
    token, raw = api_token_create(user=customer_a, name="CRM")
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.hashed_secret == hashlib.sha256(raw.encode()).hexdigest()
    assert stored.prefix == raw[:8]
    assert raw not in {str(v) for v in ApiToken.objects.values_list(flat=False).get(pk=token.pk)}
    assert len(raw) >= 40


def test_token_authenticates_as_its_user(client, customer_a):
    _, raw = api_token_create(user=customer_a, name="CRM")
    response = client.get(ME, **_bearer(raw))
    assert response.status_code == 200
    assert response.json()["email"] == customer_a.email


@pytest.mark.parametrize("header", ["Bearer nonsense-token-value", "Bearer", "Bearer a b", "Bearer ab"])
def test_a_wrong_token_is_a_401_with_a_challenge(client, customer_a, header):
    api_token_create(user=customer_a, name="CRM")
    response = client.get(ME, HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert set(response.json()) == {"detail", "code", "errors"}


def test_no_token_is_a_401(client):
    response = client.get(ME)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_a_token_with_the_right_prefix_but_wrong_secret_is_refused(client, customer_a):
    _, raw = api_token_create(user=customer_a, name="CRM")
    assert client.get(ME, **_bearer(raw[:8] + "x" * 35)).status_code == 401


def test_revoked_token_is_rejected(client, customer_a):
    token, raw = api_token_create(user=customer_a, name="CRM")
    api_token_revoke(token=token)
    assert client.get(ME, **_bearer(raw)).status_code == 401
    assert token_for_secret(raw) is None


def test_token_of_a_deactivated_user_is_rejected(client, customer_a):
    _, raw = api_token_create(user=customer_a, name="CRM")
    customer_a.is_active = False
    customer_a.save()
    assert client.get(ME, **_bearer(raw)).status_code == 401


def test_last_used_at_is_updated_at_most_once_a_minute(client, customer_a, time_machine):
    token, raw = api_token_create(user=customer_a, name="CRM")
    assert token.last_used_at is None
    client.get(ME, **_bearer(raw))
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    time_machine.move_to(first + timedelta(seconds=10))
    client.get(ME, **_bearer(raw))
    token.refresh_from_db()
    assert token.last_used_at == first
    time_machine.move_to(first + timedelta(minutes=2))
    client.get(ME, **_bearer(raw))
    token.refresh_from_db()
    assert token.last_used_at > first


# The page for people.

def test_tokens_page_needs_login(client):
    response = client.get(reverse("api:tokens"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize("who", ["customer_a", "engineer"])
def test_token_is_shown_once_on_creation(client_for, request, who):
    user = request.getfixturevalue(who)
    client = client_for(user)
    response = client.post(reverse("api:tokens"), {"name": "  CRM   sync "})
    assert response.status_code == 200
    token = ApiToken.objects.get(user=user)
    assert token.name == "CRM sync"
    raw = response.context["created"]["secret"]
    assert raw.encode() in response.content
    assert response["Cache-Control"].startswith("max-age=0") or "no-cache" in response["Cache-Control"]
    listing = client.get(reverse("api:tokens"))
    assert raw.encode() not in listing.content
    assert token.prefix.encode() in listing.content
    assert client_for(None).get(ME, **_bearer(raw)).status_code == 200


def test_token_name_is_required(client_for, customer_a):
    response = client_for(customer_a).post(reverse("api:tokens"), {"name": "   "})
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_user_revokes_own_token_by_post(client_for, customer_a):
    token, raw = api_token_create(user=customer_a, name="CRM")
    client = client_for(customer_a)
    url = reverse("api:token_revoke", args=[token.pk])
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert client_for(None).get(ME, **_bearer(raw)).status_code == 401


def test_user_cannot_revoke_someone_elses_token(client_for, customer_a, customer_b):
    token, _ = api_token_create(user=customer_a, name="CRM")
    response = client_for(customer_b).post(reverse("api:token_revoke", args=[token.pk]))
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_revoking_twice_keeps_the_first_time(customer_a):
    token, _ = api_token_create(user=customer_a, name="CRM")
    api_token_revoke(token=token)
    first = token.revoked_at
    api_token_revoke(token=token)
    assert token.revoked_at == first
    assert first <= timezone.now()


def test_admin_revokes_a_token_without_seeing_its_secret(client_for, admin_user, customer_a):
    token, raw = api_token_create(user=customer_a, name="Leaked")
    client = client_for(admin_user)
    page = client.get(reverse("admin:api_apitoken_change", args=[token.pk]))
    assert page.status_code == 200
    assert token.hashed_secret.encode() not in page.content and raw.encode() not in page.content
    response = client.post(
        reverse("admin:api_apitoken_changelist"), {"action": "revoke", "_selected_action": [token.pk]}
    )
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
