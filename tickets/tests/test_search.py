"""Ticket search (tickets/search.py): ru/pl/en forms, replies and notes, who finds what."""

import pytest
from django.db import connection
from django.urls import reverse

from tickets import selectors, services
from tickets.models import Ticket
from tickets.search import query_terms, ticket_search_rebuild

pytestmark = pytest.mark.django_db


def _file(customer, subject, body="x", language="en"):
    return services.ticket_create(requester=customer, data={"kind": "question", "subject": subject, "body": body},
                                  language=language)


def _found(user, text, **kwargs):
    return set(selectors.ticket_list(user, query=text, **kwargs).values_list("number", flat=True))


def test_russian_forms_find_each_other(customer_a, engineer):
    ticket = _file(customer_a, "Импорт шаблона падает", language="ru")
    assert ticket.number in _found(customer_a, "шаблонов")
    assert ticket.number in _found(engineer, "шаблоны импорта")


def test_forms_the_stemmer_leaves_apart_meet_by_prefix(customer_a):
    ticket = _file(customer_a, "Истёк сертификат SSL на сайте", language="ru")
    assert ticket.number in _found(customer_a, "сертификаты истекли")
    assert ticket.number not in _found(customer_a, "сертификаты продлены")


def test_polish_forms_and_missing_diacritics_find_each_other(customer_a):
    ticket = _file(customer_a, "Przekierowanie domeny", "Nie działa hasło do panelu", language="pl")
    for text in ("domenę", "domen", "haslo", "hasła", "przekierowania domen"):
        assert ticket.number in _found(customer_a, text), text


def test_polish_ticket_found_from_an_english_interface(customer_a, engineer):
    """The query does not know the ticket's language: each Latin word asks for both stems."""
    ticket = _file(customer_a, "Faktury nie przychodzą", language="pl")
    assert ticket.number in _found(engineer, "faktura")


def test_every_word_must_match(customer_a):
    ticket = _file(customer_a, "Export fails with error 500")
    assert ticket.number in _found(customer_a, "export error")
    assert ticket.number not in _found(customer_a, "export timeout")


def test_public_replies_are_searched(customer_a, engineer):
    ticket = _file(customer_a, "Slow page")
    services.ticket_reply(ticket=ticket, author=engineer, body="The cause was a missing database index.")
    assert ticket.number in _found(customer_a, "indexes")
    services.ticket_reply(ticket=ticket, author=customer_a, body="Спасибо, страница открывается быстро")
    assert ticket.number in _found(customer_a, "страницы")


def test_internal_notes_are_found_by_engineers_only(client_for, customer_a, engineer):
    ticket = _file(customer_a, "Shop is down")
    services.ticket_reply(ticket=ticket, author=engineer, body="Hoster overbooked the hypervisor", internal=True)
    assert ticket.number in _found(engineer, "hypervisor")
    assert ticket.number in _found(engineer, "shop hypervisor")  # a subject word and a note word together
    assert ticket.number not in _found(customer_a, "hypervisor")
    assert ticket.number not in _found(customer_a, "shop hypervisor")
    page = client_for(customer_a).get(reverse("tickets:list"), {"q": "hypervisor"}).content.decode()
    assert f'href="/tickets/{ticket.number}/"' not in page
    page = client_for(engineer).get(reverse("workspace:queue"), {"q": "hypervisor", "status": ""}).content.decode()
    assert ticket.reference in page


def test_a_word_in_both_a_note_and_a_reply_is_found_by_the_customer(customer_a, engineer):
    ticket = _file(customer_a, "Mail")
    services.ticket_reply(ticket=ticket, author=engineer, body="relay blocked", internal=True)
    assert ticket.number not in _found(customer_a, "relay")
    services.ticket_reply(ticket=ticket, author=engineer, body="We changed the relay for you.")
    assert ticket.number in _found(customer_a, "relay")


def test_escalation_and_system_notes_are_engineers_only(customer_a, engineer):
    ticket = _file(customer_a, "Storage")
    services.ticket_note_system(ticket=ticket, body="Attachment quarantined by antivirus")
    assert ticket.number in _found(engineer, "antivirus")
    assert ticket.number not in _found(customer_a, "antivirus")


def test_customer_never_finds_another_organisations_ticket(customer_a, customer_b, engineer):
    foreign = _file(customer_b, "Certificate expired on the shop")
    assert foreign.number not in _found(customer_a, "certificate")
    assert foreign.number not in _found(customer_a, foreign.reference)
    assert foreign.number in _found(engineer, "certificate")


def test_reference_search_still_works(customer_a):
    ticket = _file(customer_a, "Anything")
    assert _found(customer_a, ticket.reference) == {ticket.number}
    ranked = list(selectors.ticket_list(customer_a, query=ticket.reference, ranked=True))
    assert [t.number for t in ranked] == [ticket.number]


def test_nothing_searchable_finds_nothing_and_does_not_fail(client_for, customer_a):
    _file(customer_a, "The and of")
    assert _found(customer_a, "the and") == set()
    assert _found(customer_a, "'&|!:*()") == set()
    response = client_for(customer_a).get(reverse("tickets:list"), {"q": "' & | ! ( :*"})
    assert response.status_code == 200


def test_ranked_subject_over_reply(customer_a, engineer):
    in_reply = _file(customer_a, "Question")
    services.ticket_reply(ticket=in_reply, author=engineer, body="The firewall blocks it.")
    in_subject = _file(customer_a, "Firewall blocks the shop")
    order = [t.number for t in selectors.ticket_list(customer_a, query="firewall", ranked=True)]
    assert order == [in_subject.number, in_reply.number]


def test_customers_ranking_ignores_notes(customer_a, engineer):
    """A customer's order must not depend on (and so reveal) what internal notes say."""
    first, second = _file(customer_a, "Backup"), _file(customer_a, "Backup")
    for _ in range(3):
        services.ticket_reply(ticket=first, author=engineer, body="backup backup backup", internal=True)
    scores = {t.number: t.search_rank for t in selectors.ticket_list(customer_a, query="backup", ranked=True)}
    assert scores[first.number] == pytest.approx(scores[second.number])


def test_saving_an_old_copy_of_a_ticket_keeps_the_new_document(customer_a, engineer):
    ticket = _file(customer_a, "Printer")
    stale = Ticket.objects.filter(pk=ticket.pk).defer(None).get()  # even one that read the document
    services.ticket_reply(ticket=ticket, author=engineer, body="Toner cartridge replaced")
    stale.subject = "Printer offline"
    stale.save()
    assert ticket.number in _found(customer_a, "toner")
    ticket_search_rebuild([ticket.pk])
    assert ticket.number in _found(customer_a, "offline") and ticket.number in _found(customer_a, "toner")


def test_rebuild_gives_the_document_the_services_built(customer_a, engineer):
    ticket = _file(customer_a, "Ошибка при оплате", "Карта отклонена банком", language="ru")
    services.ticket_reply(ticket=ticket, author=engineer, body="Проверьте лимиты карты", internal=True)
    services.ticket_reply(ticket=ticket, author=customer_a, body="Лимиты в порядке")
    with connection.cursor() as cur:
        cur.execute("SELECT search::text FROM tickets_ticket WHERE id = %s", [ticket.pk])
        built = cur.fetchone()[0]
        ticket_search_rebuild([ticket.pk])
        cur.execute("SELECT search::text FROM tickets_ticket WHERE id = %s", [ticket.pk])
        assert cur.fetchone()[0] == built


def test_query_terms_drop_stopwords_and_cap_words():
    assert query_terms("the export of") == [["export"]]
    assert query_terms("истекли") == [["истекл", "истек:*"]]
    assert len(query_terms(" ".join(f"word{i}" for i in range(30)))) == 8


def test_search_uses_the_gin_index(customer_a):
    _file(customer_a, "Index me")
    query = selectors.ticket_search(Ticket.objects.order_by(), "index", include_internal=True).query
    with connection.cursor() as cur:
        cur.execute("SET enable_seqscan = off")
        sql, params = query.sql_with_params()
        cur.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cur.fetchall())
        cur.execute("SET enable_seqscan = on")
    assert "ticket_search_gin" in plan


# ---------------------------------------------------------------- possible duplicates


def test_a_colleagues_open_ticket_is_a_possible_duplicate(customer_a, customer_a2, customer_b):
    colleague = _file(customer_a2, "Export to Excel fails with error 500", "Open Orders, press Export: error 500.")
    _file(customer_b, "Export to Excel fails with error 500")  # another organisation's: never
    _file(customer_a2, "Invoice PDF is empty")
    found = selectors.possible_duplicates(customer_a, "Excel export gives error 500", "")
    assert [t.number for t in found] == [colleague.number]
    assert found[0].similarity >= 0.6


def test_a_shared_error_code_alone_is_not_a_duplicate(customer_a, customer_a2):
    _file(customer_a2, "Export to Excel fails with error 500")
    assert selectors.possible_duplicates(customer_a, "Login page shows error 500", "") == []


def test_duplicates_are_open_tickets_only(customer_a, customer_a2, engineer):
    closed = _file(customer_a2, "Certificate expired on the shop")
    services.ticket_transition(ticket=closed, actor=customer_a2, to_status="closed")
    assert selectors.possible_duplicates(customer_a, "The shop certificate expired", "") == []


def test_duplicates_compare_the_statements_never_the_notes(customer_a, customer_a2, engineer):
    ticket = _file(customer_a2, "Shop is slow")
    services.ticket_reply(ticket=ticket, author=engineer, body="hypervisor overbooked migration pending", internal=True)
    assert selectors.possible_duplicates(customer_a, "hypervisor overbooked migration", "") == []


def test_russian_and_polish_duplicates(customer_a, customer_a2):
    ru = _file(customer_a2, "Не работает импорт шаблона", "Импорт останавливается на строке 3000", language="ru")
    pl = _file(customer_a2, "Nie działa przekierowanie domeny", language="pl")
    assert [t.number for t in selectors.possible_duplicates(customer_a, "Импорт шаблонов не работает", "", "ru")] == [ru.number]
    assert [t.number for t in selectors.possible_duplicates(customer_a, "przekierowanie domen nie dziala", "", "pl")] == [pl.number]


def test_engineer_sees_possible_duplicates_on_the_ticket_page(client_for, customer_a, customer_a2, customer_b, engineer):
    first = _file(customer_a2, "Email notifications not arriving", "Customers get no order confirmations since Monday")
    second = _file(customer_a, "Order confirmation emails not arriving", "Since Monday no notifications reach customers")
    foreign = _file(customer_b, "Email notifications not arriving")
    page = client_for(engineer).get(reverse("workspace:work", args=[second.number])).content.decode()
    assert 'id="ticket-duplicates"' in page and first.reference in page and foreign.reference not in page


def test_similar_endpoint_offers_a_colleagues_ticket(client_for, customer_a, customer_a2, customer_b):
    colleague = _file(customer_a2, "SSL certificate expired on the shop")
    foreign = _file(customer_b, "SSL certificate expired on the shop")
    response = client_for(customer_a).post(reverse("tickets:similar"), {"subject": "Shop SSL certificate expired", "body": ""})
    page = response.content.decode()
    assert response.status_code == 200 and colleague.reference in page and foreign.reference not in page
    assert "Jan Nowak" in page  # who filed it


def test_similar_endpoint_refuses_bad_requests(client_for, customer_a, engineer):
    client = client_for(customer_a)
    assert client.get(reverse("tickets:similar")).status_code == 405
    response = client.post(reverse("tickets:similar"), {"subject": "x" * 20_001})
    assert response.status_code == 400 and b"too long" in response.content
    assert client.post(reverse("tickets:similar"), {}).status_code == 200
    assert client_for(engineer).post(reverse("tickets:similar"), {"subject": "x"}).status_code == 403


def test_recent_matches_reads_the_newest_tickets_first_then_asks_the_index(customer_a, monkeypatch):
    from tickets import search

    printers = [_file(customer_a, f"Printer jam {i}") for i in range(4)]
    scanner = _file(customer_a, "Scanner offline")
    monkeypatch.setattr(search, "RANK_WINDOW", 2)
    query = search.search_query("printer", include_internal=True)
    newest_two = [printers[3].pk, printers[2].pk]
    monkeypatch.setattr(search, "RECENT_SLICE", 4)  # the window fills from the newest four
    assert search.recent_matches(Ticket.objects.all(), query) == newest_two
    monkeypatch.setattr(search, "RECENT_SLICE", 1)  # only the scanner in the slice: the index answers
    assert search.recent_matches(Ticket.objects.all(), query) == newest_two
    assert search.recent_matches(Ticket.objects.all(), search.search_query("zebra", include_internal=True)) == []
    by_reference = search.recent_matches(Ticket.objects.all(), search.search_query("zebra", include_internal=True),
                                         reference=scanner.number)
    assert by_reference == [scanner.pk]
