"""Admins read tariffs and licenses; nobody writes them through the API."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_admin_reads_tariffs_with_prices(api_for, world, admin_user):
    response = api_for(admin_user).get("/api/tariffs/")
    assert response.status_code == 200
    [tariff] = response.json()["results"]
    assert tariff["code"] == "vip" and tariff["allows_phone"] is True
    assert tariff["prices"] == [{"months": 3, "amount": "9000.00", "currency": "RUB"}]
    detail = api_for(admin_user).get(reverse("api:tariff-detail", args=["vip"]))
    assert detail.json()["name"] == "VIP"
    assert api_for(admin_user).get(reverse("api:tariff-detail", args=["nope"])).status_code == 404


def test_admin_reads_licenses_and_filters_by_organisation(api_for, world, admin_user, org_a, org_b):
    client = api_for(admin_user)
    [license] = client.get("/api/licenses/", {"organisation": org_a.pk}).json()["results"]
    assert license["serial"] == world.license.serial
    assert license["organisation"] == {"id": org_a.pk, "name": org_a.name}
    assert [s["tariff"]["code"] for s in license["subscriptions"]] == ["vip"]
    assert client.get("/api/licenses/", {"organisation": org_b.pk}).json()["results"] == []
    assert client.get("/api/licenses/", {"organisation": "acme"}).status_code == 400
    assert client.get(reverse("api:license-detail", args=[world.license.serial])).status_code == 200


@pytest.mark.parametrize("who", ["customer_a", "engineer"])
def test_tariffs_and_licenses_are_for_admins_only(api_for, world, request, who):
    client = api_for(request.getfixturevalue(who))
    for url in ("/api/tariffs/", "/api/licenses/", reverse("api:tariff-detail", args=["vip"])):
        assert client.get(url).status_code == 403


def test_tariffs_are_read_only(api_for, world, admin_user):
    client = api_for(admin_user)
    assert client.post("/api/tariffs/", {"code": "x"}, format="json").status_code == 405
    assert client.delete(reverse("api:tariff-detail", args=["vip"])).status_code == 405
