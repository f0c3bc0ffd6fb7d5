"""Production headers: a Content-Security-Policy with a nonce on every page and no
inline script or handler in any template, no-store on every authenticated answer, and
`manage.py check --deploy` with the production settings silent."""

import os
import re
import subprocess
import sys

import pytest
from django.urls import reverse

from api.services import api_token_create

from ..conftest import PROJECT_ROOT

TEMPLATES = PROJECT_ROOT / "templates"
INLINE_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.I)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)


def _csp(response):
    policy = response["Content-Security-Policy"]
    return dict((part.split(" ", 1) + [""])[:2] for part in (p.strip() for p in policy.split(";")) if part)


@pytest.mark.django_db
@pytest.mark.parametrize("who,url", [
    (None, "/accounts/login/"), (None, "/kb/"), ("customer", "/tickets/"), ("customer", "/tickets/new/"),
    ("engineer", "/workspace/"), ("admin", "/admin/"), (None, "/api/docs/"),
])
def test_every_page_has_a_strict_script_policy(who, url, client_for, customer_a, engineer, admin_user):
    user = {"customer": customer_a, "engineer": engineer, "admin": admin_user}.get(who)
    response = client_for(user).get(url)
    assert response.status_code == 200, (url, response.status_code)
    policy = _csp(response)
    scripts = policy["script-src"].split()
    assert "'self'" in scripts and "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts
    assert policy["object-src"] == "'none'" and policy["frame-ancestors"] == "'none'"
    html = response.content.decode()
    for tag in INLINE_SCRIPT.findall(html):
        nonce = re.search(r'nonce="([^"]+)"', tag)
        assert nonce and f"'nonce-{nonce.group(1)}'" in scripts, f"{url}: inline script without nonce: {tag}"
    assert not INLINE_HANDLER.search(html), f"{url}: inline event handler"


def test_no_template_has_an_inline_handler_or_an_unnonced_script():
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        if INLINE_HANDLER.search(text) or "javascript:" in text:
            offenders.append(f"{path}: inline handler")
        for tag in INLINE_SCRIPT.findall(text):
            if "csp_nonce" not in tag:
                offenders.append(f"{path}: {tag}")
        if "hx-on" in text or re.search(r'hx-trigger="[^"]*\[', text):
            offenders.append(f"{path}: htmx code in an attribute (needs eval)")
    assert not offenders, offenders


@pytest.mark.django_db
def test_authenticated_pages_and_api_answers_are_never_stored(client_for, customer_a, client):
    page = client_for(customer_a).get(reverse("tickets:list"))
    assert "no-store" in page["Cache-Control"] and "private" in page["Cache-Control"]
    token = api_token_create(user=customer_a, name="t")[1]
    api = client.get("/api/me/", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.status_code == 200 and "no-store" in api["Cache-Control"]
    assert "no-store" in client.get("/api/tickets/")["Cache-Control"], "even the 401"
    assert "no-store" not in client.get(reverse("kb:home")).get("Cache-Control", ""), "public pages may be cached"


def test_check_deploy_with_production_settings_prints_no_warning(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SECURE_"))},
        "DJANGO_SETTINGS_MODULE": "helpdesk.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "x7Lq2v9Rk4Tz8Wm1Np6Ys3Hd5Fg0Jc2Bv7Xn4Qa9Ue1Io6Pl3Kr8Ts5Mw2Ez0Vy",
        "DJANGO_ALLOWED_HOSTS": "helpdesk.example.com",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues (0 silenced)." in output, output
    assert "WARNING" not in output.upper().replace("WARNINGS", "WARNING"), output


def test_production_settings_redirect_to_https_behind_the_proxy_with_hsts():
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SECURE_"))},
        "DJANGO_SETTINGS_MODULE": "helpdesk.settings", "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "x7Lq2v9Rk4Tz8Wm1Np6Ys3Hd5Fg0Jc2Bv7Xn4Qa9Ue1Io6Pl3Kr8Ts5Mw2Ez0Vy",
    }
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SECURE_SSL_REDIRECT, s.SECURE_PROXY_SSL_HEADER, s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True,
                         timeout=60).stdout.strip().splitlines()[-1]
    assert out == "True ('HTTP_X_FORWARDED_PROTO', 'https') 31536000 True"


