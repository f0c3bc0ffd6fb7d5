"""Hostile or careless staff: permissions, two-factor sign-in, the admin's reach, mailboxes."""

import re
import time
from datetime import timedelta
from html.parser import HTMLParser

import pytest
import time_machine
from auditlog.models import LogEntry
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from api.services import api_token_create
from helpdesk.accounts.tests.factories import EngineerFactory
from inbound import credentials, fetch
from inbound.models import Mailbox
from sla.tests.factories import LicenseFactory, TariffFactory
from tickets import services
from tickets.models import Event, Message, Ticket

pytestmark = pytest.mark.django_db
PASSWORD = "secret-pass-123"


class _FormValues(HTMLParser):
    """The values a browser would submit for the first form with method=post."""

    def __init__(self):
        super().__init__()
        self.data, self._in_form, self._textarea, self._select = {}, False, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("method", "").lower() == "post" and attrs.get("id", "").endswith("_form"):
            self._in_form = True
        if not self._in_form or "name" not in attrs and tag != "option":
            return
        if tag == "input" and attrs.get("type") not in ("checkbox", "submit", "file") or (
            tag == "input" and attrs.get("type") == "checkbox" and "checked" in attrs
        ):
            self.data[attrs["name"]] = attrs.get("value", "on" if attrs.get("type") == "checkbox" else "")
        elif tag == "textarea":
            self._textarea = attrs["name"]
            self.data[self._textarea] = ""
        elif tag == "select":
            self._select = attrs["name"]
            self.data.setdefault(self._select, "")
        elif tag == "option" and self._select and "selected" in attrs:
            self.data[self._select] = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form":
            self._in_form = False

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data


def _admin_form(client, url):
    parser = _FormValues()
    parser.feed(client.get(url).content.decode())
    return parser.data


def _api(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=user, name='t')[1]}")
    return client


# --- API: model permissions, not just is_staff ------------------------------------------


def test_api_admin_endpoints_need_the_models_view_permission(org_a):
    TariffFactory(code="vip")
    LicenseFactory(organisation=org_a)
    staff = EngineerFactory(email="ops@helpdesk.example", support_level="L2", is_staff=True)
    client = _api(staff)
    for url in ("/api/tariffs/", reverse("api:tariff-detail", args=["vip"]), "/api/licenses/"):
        assert client.get(url).status_code == 403, url
    tariff_readers = Group.objects.create(name="Tariff readers")
    tariff_readers.permissions.add(Permission.objects.get(codename="view_tariff"))
    staff.groups.add(tariff_readers)
    assert client.get("/api/tariffs/").status_code == 200
    assert client.get(reverse("api:tariff-detail", args=["vip"])).status_code == 200
    assert client.get("/api/licenses/").status_code == 403
    # The permission without admin access is not enough either.
    customer_with_perm = EngineerFactory(email="l1x@helpdesk.example", support_level="L1")
    customer_with_perm.groups.add(tariff_readers)
    assert _api(customer_with_perm).get("/api/tariffs/").status_code == 403


# --- Two-factor sign-in for staff --------------------------------------------------------


@pytest.fixture
def otp_required(settings):
    settings.STAFF_OTP_REQUIRED = True


@pytest.fixture
def staff(db):
    return EngineerFactory(email="root@helpdesk.example", support_level="L3", is_staff=True, is_superuser=True)


def _code(device, later=0):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + later
    return f"{totp.token():06d}"


def test_admin_login_requires_enrolling_then_a_code(otp_required, staff):
    client = Client()
    login = client.post(reverse("admin:login"), {"username": staff.email, "password": PASSWORD, "next": "/admin/"})
    assert login.status_code == 302
    blocked = client.get("/admin/")
    assert blocked.status_code == 302 and blocked["Location"].startswith(reverse("accounts:two_factor_setup"))
    assert client.get("/api/tokens/").status_code == 302
    setup = client.get(blocked["Location"])
    page = setup.content.decode()
    assert "<svg" in page and re.search(r"<code[^>]*>[A-Z2-7]{32}</code>", page)
    device = TOTPDevice.objects.get(user=staff, confirmed=False)
    wrong = client.post(blocked["Location"], {"code": "000000", "next": "/admin/"})
    assert wrong.status_code == 200 and "not right" in wrong.content.decode()
    time.sleep(1.1)  # a wrong code makes the next try wait a second (django-otp throttling)
    done = client.post(blocked["Location"], {"code": _code(device), "next": "/admin/"})
    assert done.status_code == 302 and done["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed

    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        again = Client()
        again.post(reverse("admin:login"), {"username": staff.email, "password": PASSWORD, "next": "/admin/"})
        verify = again.get("/admin/")
        assert verify["Location"].startswith(reverse("accounts:two_factor_verify"))
        assert again.post(verify["Location"], {"code": "123456"}).status_code == 200
        assert again.get("/admin/").status_code == 302
    with time_machine.travel(timezone.now() + timedelta(minutes=3)):
        device.refresh_from_db()
        ok = again.post(verify["Location"], {"code": _code(device), "next": "/admin/"})
        assert ok["Location"] == "/admin/" and again.get("/admin/").status_code == 200


def test_site_login_of_staff_also_asks_for_the_code(otp_required, staff):
    client = Client()
    client.post(reverse("accounts:login"), {"username": staff.email, "password": PASSWORD})
    response = client.get(reverse("workspace:queue"))
    assert response.status_code == 302 and reverse("accounts:two_factor_setup") in response["Location"]


def test_customers_and_engineers_without_a_device_are_not_asked(otp_required, customer_a, engineer, client_for):
    assert client_for(customer_a).get(reverse("tickets:list")).status_code == 200
    assert client_for(engineer).get(reverse("workspace:queue")).status_code == 200


def test_an_engineer_who_enrolled_is_asked_even_when_not_required(engineer, client_for):
    TOTPDevice.objects.create(user=engineer, name="phone", confirmed=True)
    response = client_for(engineer).get(reverse("workspace:queue"))
    assert response.status_code == 302 and reverse("accounts:two_factor_verify") in response["Location"]


def test_two_factor_is_off_in_tests_unless_turned_on(staff, client_for):
    assert client_for(staff).get("/admin/").status_code == 200


# --- The admin cannot bypass the workflow, the events or the SLA clocks --------------------


def test_ticket_workflow_fields_are_read_only_in_admin(customer_a, org_b, engineer, admin_user, client_for):
    ticket = services.ticket_create(requester=customer_a, data={"kind": "error", "subject": "Import", "body": "b"})
    services.ticket_reply(ticket=ticket, author=customer_a, body="more")
    client = client_for(admin_user)
    url = reverse("admin:tickets_ticket_change", args=[ticket.pk])
    data = _admin_form(client, url)
    assert "status" not in data and "assignee" not in data and "level" not in data and "organisation" not in data
    events_before, messages_before = Event.objects.count(), Message.objects.count()
    message_delete_keys = [key for key in data if key.startswith("messages-") and key.endswith("-id")]
    assert message_delete_keys
    data.update({
        "subject": "Import (typo fixed)", "status": "closed", "assignee": engineer.pk, "level": "L3",
        "organisation": org_b.pk, "urgency": "critical",
        **{key.replace("-id", "-DELETE"): "on" for key in message_delete_keys},
    })
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    ticket.refresh_from_db()
    assert ticket.subject == "Import (typo fixed)"
    assert (ticket.status, ticket.assignee_id, ticket.level, ticket.organisation_id) == ("new", None, "L1", customer_a.organisation_id)
    assert ticket.urgency != "critical"
    assert Message.objects.count() == messages_before and Event.objects.count() == events_before


def test_tickets_cannot_be_deleted_or_added_in_admin(customer_a, admin_user, client_for):
    ticket = services.ticket_create(requester=customer_a, data={"kind": "error", "subject": "s", "body": "b"})
    client = client_for(admin_user)
    assert client.get(reverse("admin:tickets_ticket_delete", args=[ticket.pk])).status_code == 403
    assert client.post(reverse("admin:tickets_ticket_delete", args=[ticket.pk]), {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:tickets_ticket_add")).status_code == 403
    bulk = client.post(reverse("admin:tickets_ticket_changelist"), {"action": "delete_selected", "_selected_action": [ticket.pk], "post": "yes"})
    assert bulk.status_code in (200, 302)
    assert Ticket.objects.filter(pk=ticket.pk).exists() and Event.objects.filter(ticket=ticket).exists()


# --- Audit log of admin changes -----------------------------------------------------------


def test_admin_changes_are_in_the_audit_log_with_who_made_them(admin_user, org_a, client_for):
    tariff = TariffFactory(code="basic", name="Basic")
    client = client_for(admin_user)
    url = reverse("admin:sla_tariff_change", args=[tariff.pk])
    data = _admin_form(client, url)
    data["name_en"] = "Basic (renamed)"  # one field per language (modeltranslation)
    data["name_ru"] = "Базовый"
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    entry = LogEntry.objects.get_for_object(tariff).filter(action=LogEntry.Action.UPDATE).get()
    assert entry.actor == admin_user and entry.changes_dict["name_en"] == ["Basic", "Basic (renamed)"]
    assert entry.changes_dict["name_ru"][1] == "Базовый"
    user_url = reverse("admin:accounts_organisation_change", args=[org_a.pk])
    data = _admin_form(client, user_url)
    data["name"] = "Acme Hosting Ltd"
    assert client.post(user_url, data).status_code == 302
    listing = client.get(reverse("admin:auditlog_logentry_changelist")).content.decode()
    assert "Basic (renamed)" in listing and "Acme Hosting Ltd" in listing
    assert client.get(reverse("admin:auditlog_logentry_changelist"), {"q": admin_user.email}).status_code == 200


def test_audit_log_of_a_user_never_holds_the_password_hash(admin_user, customer_a):
    customer_a.set_password("another-long-pass")
    customer_a.full_name = "Anna K."
    customer_a.save()
    entry = LogEntry.objects.get_for_object(customer_a).latest("timestamp")
    assert "password" not in entry.changes_dict and "full_name" in entry.changes_dict


# --- Mailboxes: which secrets, which servers --------------------------------------------------


def _mailbox_form(**extra):
    return {
        "name": "sales", "address": "sales@example.com", "is_active": "on", "language": "en",
        "unknown_senders": "instructions", "protocol": "imap", "security": "tls", "host": "8.8.8.8",
        "port": "", "username": "sales", "password": "", "password_env": "HELPDESK_MAILBOX_SALES", "folder": "INBOX",
        **extra,
    }


@pytest.mark.parametrize("name", ["DJANGO_SECRET_KEY", "DATABASE_URL", "HELPDESK_MAILBOX_"])
def test_mailbox_password_env_is_limited_to_the_documented_prefix(admin_user, client_for, name):
    response = client_for(admin_user).post(reverse("admin:inbound_mailbox_add"), _mailbox_form(password_env=name))
    assert response.status_code == 200 and "HELPDESK_MAILBOX_" in response.content.decode()
    assert not Mailbox.objects.exists()


def test_a_stored_mailbox_cannot_read_other_variables_at_poll_time(monkeypatch):
    monkeypatch.setenv("DJANGO_SECRET_KEY", "the-real-secret")
    box = Mailbox.objects.create(name="old", address="a@example.com", host="8.8.8.8", username="u", password_env="DJANGO_SECRET_KEY")
    with pytest.raises(credentials.SecretUnavailable):
        box.get_password()
    started = time.monotonic()
    stats = fetch.mailbox_poll(box)
    assert "HELPDESK_MAILBOX_" in stats["error"] and time.monotonic() - started < 1, "refused before connecting"
    box.refresh_from_db()
    assert "HELPDESK_MAILBOX_" in box.last_error


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "10.1.2.3", "192.168.0.5", "169.254.169.254", "::1"])
def test_loopback_and_private_mail_servers_are_refused_unless_allowed(settings, admin_user, client_for, host):
    settings.MAILBOX_ALLOW_PRIVATE_HOSTS = False
    response = client_for(admin_user).post(reverse("admin:inbound_mailbox_add"), _mailbox_form(host=host))
    assert response.status_code == 200 and "private network" in response.content.decode()
    assert not Mailbox.objects.exists()
    settings.MAILBOX_ALLOW_PRIVATE_HOSTS = True
    assert client_for(admin_user).post(reverse("admin:inbound_mailbox_add"), _mailbox_form(host=host)).status_code == 302


def test_plain_text_mailbox_only_for_a_server_on_a_private_network(admin_user, client_for, monkeypatch):
    monkeypatch.setenv("HELPDESK_MAILBOX_SALES", "pw")
    client = client_for(admin_user)
    refused = client.post(reverse("admin:inbound_mailbox_add"), _mailbox_form(security="plain", host="8.8.8.8"))
    assert refused.status_code == 200 and "Without TLS" in refused.content.decode()
    assert client.post(reverse("admin:inbound_mailbox_add"), _mailbox_form(security="starttls")).status_code == 302
    box = Mailbox.objects.get()
    assert box.get_password() == "pw"
    Mailbox.objects.filter(pk=box.pk).update(security="plain")
    box.refresh_from_db()
    with pytest.raises(credentials.SecretUnavailable):
        box.get_password()
