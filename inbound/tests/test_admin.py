"""Mailbox passwords are never stored in plain text; admins see and re-process mail."""

import pytest
from cryptography.fernet import Fernet
from django.urls import reverse

from inbound import credentials, services
from inbound.models import InboundMessage, Mailbox

from .conftest import build_mail

pytestmark = pytest.mark.django_db


def test_password_is_stored_encrypted_and_read_back(mailbox):
    mailbox.password_env = ""
    mailbox.set_password("s3cret-imap-pass")
    mailbox.save()
    stored = Mailbox.objects.values_list("password_encrypted", flat=True).get(pk=mailbox.pk)
    assert "s3cret" not in stored and stored.startswith("gAAAA")
    assert Mailbox.objects.get(pk=mailbox.pk).get_password() == "s3cret-imap-pass"


def test_mailbox_key_from_the_environment_is_used_when_set(settings, mailbox):
    settings.MAILBOX_KEY = Fernet.generate_key().decode()
    token = credentials.encrypt("pw")
    assert Fernet(settings.MAILBOX_KEY.encode()).decrypt(token.encode()) == b"pw"
    settings.MAILBOX_KEY = Fernet.generate_key().decode()
    with pytest.raises(credentials.SecretUnavailable):
        credentials.decrypt(token)


def test_password_can_come_from_an_environment_variable(mailbox, monkeypatch):
    monkeypatch.setenv("HELPDESK_MAILBOX_TEST_PASSWORD", "from-env")
    assert mailbox.get_password() == "from-env"
    monkeypatch.delenv("HELPDESK_MAILBOX_TEST_PASSWORD")
    with pytest.raises(credentials.SecretUnavailable):
        mailbox.get_password()


def test_admin_creates_a_mailbox_with_an_encrypted_password(client_for, admin_user):
    client = client_for(admin_user)
    response = client.post(reverse("admin:inbound_mailbox_add"), {
        "name": "sales", "address": "sales@example.com", "is_active": "on", "language": "pl",
        "unknown_senders": "contact", "protocol": "imap", "security": "tls", "host": "imap.example.com",
        "port": "", "username": "sales", "password": "typed-secret", "password_env": "", "folder": "INBOX",
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    box = Mailbox.objects.get(name="sales")
    assert box.get_password() == "typed-secret" and "typed-secret" not in box.password_encrypted
    page = client.get(reverse("admin:inbound_mailbox_change", args=[box.pk])).content.decode()
    assert "typed-secret" not in page and box.password_encrypted not in page


def test_admin_sees_fetched_mail_and_processes_it_again(client_for, admin_user, mailbox, customer_a):
    row, _ = services.inbound_store(mailbox, build_mail(sender="nobody@nowhere.example", subject="Lost"))
    services.inbound_process(row.pk)
    client = client_for(admin_user)
    listing = client.get(reverse("admin:inbound_inboundmessage_changelist")).content.decode()
    assert "nobody@nowhere.example" in listing and "Unknown sender" in listing
    detail = client.get(reverse("admin:inbound_inboundmessage_change", args=[row.pk])).content.decode()
    assert "Subject: Lost" in detail  # the raw message
    # The sender turns out to be a customer's second address: the admin adds them, then re-processes.
    customer_a.email = "nobody@nowhere.example"
    customer_a.save()
    response = client.post(reverse("admin:inbound_inboundmessage_changelist"),
                           {"action": "process_again", "_selected_action": [row.pk]})
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.state == InboundMessage.State.IMPORTED and row.ticket.requester == customer_a


def test_customers_and_engineers_cannot_reach_the_mailbox_admin(client_for, customer_a, engineer):
    for user in (None, customer_a, engineer):
        response = client_for(user).get(reverse("admin:inbound_mailbox_changelist"))
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
