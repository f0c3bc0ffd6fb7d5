"""The OpenAPI schema and the docs page: stable URLs, offline assets, the error shape."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_schema_is_openapi_3_and_public(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/tickets/" in schema["paths"]
    assert schema["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http", "scheme": "bearer", "description": schema["components"]["securitySchemes"]["bearerAuth"]["description"],
    }


def test_every_operation_documents_the_error_shape(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert set(schema["components"]["schemas"]["Error"]["required"]) == {"detail", "code", "errors"}
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            responses = operation["responses"]
            assert "429" in responses, (method, path)
            assert "401" in responses and "403" in responses, (method, path)
            if "{" in path:
                assert "404" in responses, (method, path)
            if method == "post":
                assert "400" in responses, (method, path)


def test_docs_work_offline(client):
    response = client.get(reverse("api:docs"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "cdn" not in html.lower() and "unpkg" not in html and "jsdelivr" not in html
    assets = re.findall(r'(?:src|href)="/static/([^"]+)"', html)
    assert any("swagger-ui" in a for a in assets)
    for asset in assets:
        assert finders.find(asset), f"missing static asset {asset}"


def test_errors_have_one_shape(api_for, customer_a):
    client = api_for(customer_a)
    not_found = client.get("/api/tickets/999999999/").json()
    forbidden = client.get("/api/tariffs/").json()
    invalid = client.post("/api/tickets/", {}, format="json").json()
    for body in (not_found, forbidden, invalid):
        assert set(body) == {"detail", "code", "errors"}
    assert not_found["code"] == "not_found" and not_found["errors"] == {}
    assert forbidden["code"] == "permission_denied"
    assert set(invalid["errors"]) == {"subject", "body"}


def test_errors_are_in_the_requests_language(api_for, customer_a):
    body = api_for(customer_a).post("/api/tickets/", {}, format="json", HTTP_ACCEPT_LANGUAGE="pl").json()
    assert body["errors"]["subject"] != ["This field is required."]
