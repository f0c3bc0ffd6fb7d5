import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from helpdesk.mail.models import OutboundEmail
from tickets import services
from tickets.forms import browser_from_user_agent
from tickets.models import Message, Ticket

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64
CHROME_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.85 Safari/537.36"


def _form(**extra):
    return {"kind": "error", "subject": "Import fails", "body": "Error 500", "customer_urgency": "high", **extra}


@pytest.mark.parametrize(
    "ua,expected",
    [
        (CHROME_UA, "Chrome 131"),
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0", "Firefox 133"),
        ("Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 Chrome/131.0 Safari/537.36 Edg/131.0.2903", "Edge 131"),
        ("Mozilla/5.0 (Macintosh) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15", "Safari 17"),
        ("Mozilla/5.0 AppleWebKit/537.36 Chrome/128.0 YaBrowser/24.10.1.598 Safari/537.36", "Yandex Browser 24"),
        ("curl/8.0", ""),
    ],
)
def test_browser_name_from_user_agent(ua, expected):
    assert browser_from_user_agent(ua) == expected


def test_new_ticket_form_prefills_browser(client_for, customer_a):
    response = client_for(customer_a).get(reverse("tickets:new"), HTTP_USER_AGENT=CHROME_UA)
    assert 'value="Chrome 131"' in response.content.decode()


def test_filing_shows_reference_on_success_page(client_for, customer_a):
    client = client_for(customer_a)
    response = client.post(
        reverse("tickets:new"), _form(attachments=[SimpleUploadedFile("a.png", PNG), SimpleUploadedFile("b.log", b"log")])
    )
    ticket = Ticket.objects.get()
    assert response["Location"] == reverse("tickets:created", args=[ticket.number])
    page = client.get(response["Location"]).content.decode()
    assert ticket.reference in page
    assert ticket.attachments.count() == 2


def test_forbidden_attachment_gives_form_error_and_saves_nothing(client_for, customer_a):
    response = client_for(customer_a).post(
        reverse("tickets:new"), _form(attachments=[SimpleUploadedFile("photo.png", EXE)])
    )
    assert response.status_code == 200
    assert "photo.png" in response.content.decode()
    assert not Ticket.objects.exists() and not OutboundEmail.objects.exists()


def test_oversized_attachment_error_names_file_and_limit(client_for, customer_a, settings):
    settings.ATTACHMENT_MAX_FILE_BYTES = 40
    response = client_for(customer_a).post(
        reverse("tickets:new"), _form(attachments=[SimpleUploadedFile("huge.png", PNG)])
    )
    text = response.content.decode()
    assert "huge.png" in text and "40" in text
    assert not Ticket.objects.exists()


def test_user_html_is_escaped_everywhere(client_for, customer_a, engineer):
    client = client_for(customer_a)
    client.post(reverse("tickets:new"), _form(subject="<b>bold</b>", body="<script>alert(1)</script>"))
    ticket = Ticket.objects.get()
    for c, name in ((client, "tickets:detail"), (client_for(engineer), "workspace:work")):
        html = c.get(reverse(name, args=[ticket.number])).content.decode()
        assert "<script>alert(1)" not in html and "&lt;script&gt;" in html
        assert "<b>bold</b>" not in html
    assert "<b>bold</b>" not in client.get(reverse("tickets:list")).content.decode()


def _listed(page, ticket):
    return f'href="/tickets/{ticket.number}/"' in page


def test_customer_sees_whole_organisation_and_can_search(client_for, customer_a, customer_a2, customer_b):
    own = services.ticket_create(requester=customer_a, data={"kind": "error", "subject": "Импорт шаблона падает", "body": "x"})
    colleague = services.ticket_create(requester=customer_a2, data={"kind": "question", "subject": "Faktura VAT", "body": "y"})
    foreign = services.ticket_create(requester=customer_b, data={"kind": "question", "subject": "Faktura VAT", "body": "z"})
    client = client_for(customer_a)
    page = client.get(reverse("tickets:list")).content.decode()
    assert _listed(page, own) and _listed(page, colleague) and not _listed(page, foreign)
    page = client.get(reverse("tickets:list"), {"q": "faktura"}).content.decode()
    assert _listed(page, colleague) and not _listed(page, own) and not _listed(page, foreign)
    page = client.get(reverse("tickets:list"), {"q": own.reference}).content.decode()
    assert _listed(page, own) and not _listed(page, colleague)
    page = client.get(reverse("tickets:list"), {"q": foreign.reference}).content.decode()
    assert not _listed(page, foreign)


def test_customer_status_filter(client_for, customer_a):
    a = services.ticket_create(requester=customer_a, data={"kind": "error", "subject": "one", "body": "x"})
    b = services.ticket_create(requester=customer_a, data={"kind": "error", "subject": "two", "body": "x"})
    services.ticket_transition(ticket=b, actor=customer_a, to_status="closed")
    page = client_for(customer_a).get(reverse("tickets:list"), {"status": "closed"}).content.decode()
    assert _listed(page, b) and not _listed(page, a)


def test_internal_notes_and_their_files_never_reach_the_customer(client_for, customer_a, engineer):
    ticket = services.ticket_create(requester=customer_a, data={"kind": "error", "subject": "s", "body": "b"})
    services.ticket_reply(
        ticket=ticket, author=engineer, body="SECRET: db password rotated", internal=True,
        files=[SimpleUploadedFile("internal.png", PNG)],
    )
    note_file = ticket.attachments.get()
    client = client_for(customer_a)
    html = client.get(reverse("tickets:detail", args=[ticket.number])).content.decode()
    assert "SECRET" not in html and "internal.png" not in html
    assert client.get(reverse("tickets:attachment", args=[ticket.number, note_file.pk])).status_code == 404
    assert client_for(engineer).get(reverse("tickets:attachment", args=[ticket.number, note_file.pk])).status_code == 200


def test_customer_reply_with_attachment_and_close_reopen(client_for, customer_a):
    ticket = services.ticket_create(requester=customer_a, data={"kind": "error", "subject": "s", "body": "b"})
    client = client_for(customer_a)
    client.post(reverse("tickets:reply", args=[ticket.number]), {"body": "log attached", "attachments": [SimpleUploadedFile("x.log", b"ERR")]})
    message = Message.objects.get()
    assert message.attachments.get().original_name == "x.log"
    client.post(reverse("tickets:transition", args=[ticket.number]), {"status": "closed", "confirm": "1"})
    ticket.refresh_from_db()
    assert ticket.status == "closed"
    response = client.post(reverse("tickets:reply", args=[ticket.number]), {"body": "again"})
    assert response.status_code == 400
    client.post(reverse("tickets:transition", args=[ticket.number]), {"status": "open"})
    ticket.refresh_from_db()
    assert ticket.status == "open"


def test_attachment_download_headers(client_for, customer_a):
    ticket = services.ticket_create(
        requester=customer_a, data={"kind": "error", "subject": "s", "body": "b"},
        files=[SimpleUploadedFile("shot.png", PNG), SimpleUploadedFile("page.txt", b"<html><script>alert(1)</script>")],
    )
    png, html = ticket.attachments.order_by("pk")
    client = client_for(customer_a)
    url = reverse("tickets:attachment", args=[ticket.number, png.pk])
    response = client.get(url)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment")
    assert client.get(url, {"inline": "1"})["Content-Disposition"].startswith("inline")
    response = client.get(reverse("tickets:attachment", args=[ticket.number, html.pk]), {"inline": "1"})
    assert response["Content-Type"].startswith("text/plain")
    assert response["Content-Disposition"].startswith("attachment")


def test_queue_filters_and_order(client_for, customer_a, engineer):
    first = services.ticket_create(requester=customer_a, data={"kind": "error", "subject": "first", "body": "x"})
    second = services.ticket_create(requester=customer_a, data={"kind": "question", "subject": "second", "body": "x"})
    closed = services.ticket_create(requester=customer_a, data={"kind": "error", "subject": "gone", "body": "x"})
    services.ticket_transition(ticket=closed, actor=customer_a, to_status="closed")
    client = client_for(engineer)
    page = client.get(reverse("workspace:queue")).content.decode()
    assert first.reference in page and second.reference in page and closed.reference not in page
    page = client.get(reverse("workspace:queue"), {"status": "open", "order": "-created_at"}).content.decode()
    assert page.index(second.reference) < page.index(first.reference)
    page = client.get(reverse("workspace:queue"), {"status": "open", "kind": "error", "order": "created_at"}).content.decode()
    assert first.reference in page and second.reference not in page
    page = client.get(reverse("workspace:queue"), {"status": "", "order": "created_at"}).content.decode()
    assert page.index(first.reference) < page.index(closed.reference)


def test_queue_sorts_by_nearest_deadline_by_default(client_for, customer_a, engineer):
    from sla.tests.factories import TariffFactory

    TariffFactory(code="basic", is_default=True)
    older = services.ticket_create(requester=customer_a, data={"kind": "error", "subject": "older", "body": "x"})
    newer = services.ticket_create(requester=customer_a, data={"kind": "error", "subject": "newer", "body": "x"})
    services.ticket_set_urgency(ticket=older, actor=engineer, urgency="low")
    from tickets.models import Ticket as T

    T.objects.filter(pk=newer.pk).update(next_due_at=older.next_due_at - __import__("datetime").timedelta(hours=1))
    page = client_for(engineer).get(reverse("workspace:queue")).content.decode()
    assert page.index(newer.reference) < page.index(older.reference)
    assert "(business hours)" in page
