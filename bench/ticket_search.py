"""Benchmark of ticket search (tickets/search.py) in the queue and the portal at 1,000,000 tickets.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/helpdesk \
        .venv/bin/python bench/ticket_search.py [--tickets 1000000] [--requests 40] [--reseed]

Seeds its own database (helpdesk_search_<tickets>, kept for the next run) with
``bench_seed.seed_tickets`` (set-based): 2,000 organisations, 10,000 customers, 30
engineers, tickets in English, Russian and Polish (a third each, ten subjects per
language), three public messages each, ~26 % open; their search documents are built by
the same analyser as filed tickets; the table is then put in filing order (CLUSTER), as a
real one grows. Then requests /workspace/ as an engineer with every
filter combination of ``bench/queue_page.py`` and the search queries below (a word in
every ticket of its language, a word in every reply, inflected ru/pl forms, a word
nowhere, a reference), and /tickets/ as a customer, through Django's test client, and
prints p50/p95/p99 and the SQL statements per page. The machine may be shared: say so
with the figures (the load average is printed).
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import queue_page  # noqa: E402  (imports sla_sweep: sys.path and the environment for Django)
import sla_sweep  # noqa: E402

ORGS, CUSTOMERS, ENGINEERS = 2_000, 10_000, 30

SUBJECTS = [
    ("Export to Excel fails with error 500", "Open Orders, press Export: the page says error 500 after a minute.", "en"),
    ("Cannot log in after password change", "I changed my password yesterday and now the login page says it is wrong.", "en"),
    ("Invoice PDF is empty", "The invoice for November downloads as an empty PDF file in Firefox and Chrome.", "en"),
    ("Slow search in the catalogue", "Searching the product catalogue takes twenty seconds since the last update.", "en"),
    ("Import of price list stops at row 3000", "The template import stops at row 3000 without a message.", "en"),
    ("Please add a dark theme", "Our operators work at night; a dark theme would help their eyes.", "en"),
    ("SSL certificate expired on the shop", "Browsers warn that the certificate of our shop expired today.", "en"),
    ("Email notifications not arriving", "Customers do not receive order confirmations since Monday morning.", "en"),
    ("Backup restore question", "How do we restore yesterday's backup of the database to a test server?", "en"),
    ("Report totals do not match", "The monthly sales report shows a total different from the orders list.", "en"),
    ("Не работает импорт шаблона", "При загрузке шаблона импорт останавливается на строке 3000 без сообщения.", "ru"),
    ("Ошибка 500 при выгрузке в Excel", "Открываю заказы, нажимаю «Выгрузить» — через минуту ошибка 500.", "ru"),
    ("Истёк сертификат SSL на сайте", "Браузеры предупреждают, что сертификат нашего магазина истёк сегодня.", "ru"),
    ("Не приходят письма с уведомлениями", "Клиенты не получают подтверждения заказов с понедельника.", "ru"),
    ("Пустой счёт в PDF", "Счёт за ноябрь скачивается пустым файлом PDF в Firefox и Chrome.", "ru"),
    ("Не могу войти после смены пароля", "Вчера сменил пароль, теперь страница входа говорит, что он неверный.", "ru"),
    ("Медленный поиск по каталогу", "Поиск по каталогу товаров занимает двадцать секунд после обновления.", "ru"),
    ("Как восстановить резервную копию", "Как восстановить вчерашнюю копию базы данных на тестовый сервер?", "ru"),
    ("Итоги отчёта не совпадают", "Ежемесячный отчёт о продажах показывает итог, отличный от списка заказов.", "ru"),
    ("Добавьте тёмную тему", "Наши операторы работают ночью, тёмная тема помогла бы глазам.", "ru"),
    ("Nie działa przekierowanie domeny", "Po zmianie serwerów DNS przekierowanie domeny nie działa od rana.", "pl"),
    ("Błąd 500 przy eksporcie do Excela", "Otwieram zamówienia, klikam Eksport i po minucie pojawia się błąd 500.", "pl"),
    ("Wygasł certyfikat SSL sklepu", "Przeglądarki ostrzegają, że certyfikat naszego sklepu dziś wygasł.", "pl"),
    ("Nie przychodzą powiadomienia e-mail", "Klienci nie dostają potwierdzeń zamówień od poniedziałku.", "pl"),
    ("Pusta faktura w PDF", "Faktura za listopad pobiera się jako pusty plik PDF.", "pl"),
    ("Nie mogę się zalogować po zmianie hasła", "Wczoraj zmieniłem hasło i teraz strona logowania mówi, że jest złe.", "pl"),
    ("Wolne wyszukiwanie w katalogu", "Wyszukiwanie w katalogu produktów trwa dwadzieścia sekund od aktualizacji.", "pl"),
    ("Jak przywrócić kopię zapasową", "Jak przywrócić wczorajszą kopię bazy danych na serwer testowy?", "pl"),
    ("Import cennika zatrzymuje się", "Import szablonu cennika zatrzymuje się na wierszu 3000 bez komunikatu.", "pl"),
    ("Prośba o ciemny motyw", "Nasi operatorzy pracują w nocy, ciemny motyw pomógłby ich oczom.", "pl"),
]

# Queue searches beyond bench/queue_page.py's: a word in a third of all tickets ("error",
# "ошибка", "błąd" in several subjects), a word in every reply ("screenshot"), inflected
# forms the subjects do not contain (шаблонов, domenę → domeny), several words, nothing.
SEARCHES = [
    {"status": "open", "q": "screenshot"},
    {"status": "", "q": "screenshot"},
    {"status": "open", "q": "шаблонов"},
    {"status": "", "q": "domenę"},
    {"status": "open", "q": "błędy eksportu"},
    {"status": "open", "q": "сертификаты истекли"},
    {"status": "", "q": "ошибка 500", "order": "-created_at"},
    {"status": "open", "q": "faktury listopad"},
    {"status": "", "q": "zebra"},
    {"status": "open", "q": "error", "order": "due"},
]
PORTAL = [{}, {"q": "export"}, {"q": "шаблонов"}, {"q": "domeny"}, {"q": "screenshot"}, {"q": "zebra"},
          {"q": "HD-{number}"}]


def database_ready(cfg, name, tickets):
    import psycopg2

    server = {k.lower(): cfg[k] or None for k in ("HOST", "PORT", "USER", "PASSWORD")}
    try:
        conn = psycopg2.connect(dbname=name, **server)
    except psycopg2.Error:
        return False
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT tickets FROM bench_search_meta")
            return cur.fetchone() == (tickets,)
    except psycopg2.Error:
        return False
    finally:
        conn.close()


def seed(tickets):
    from bench_seed import seed_tickets
    from django.core.management import call_command
    from django.db import connection, transaction

    from helpdesk.accounts.models import Organisation, User
    from sla.models import BusinessCalendar, Tariff
    from sla.services import tariff_revision_for
    from sla.tests.factories import working_week

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    calendar = working_week(BusinessCalendar.objects.create(name="Bench office", time_zone="Europe/Moscow"))
    tariff = Tariff.objects.create(code="bench", name="Bench", is_default=True, calendar=calendar,
                                   first_response_minutes=240, commitment_minutes=120, resolution_minutes=2400)
    Organisation.objects.bulk_create(Organisation(name=f"Bench Org {i}") for i in range(ORGS))
    orgs = list(Organisation.objects.order_by("pk").values_list("pk", flat=True))
    User.objects.bulk_create(
        [User(email=f"customer{i}@bench.example", full_name=f"Customer {i}", organisation_id=orgs[i % ORGS],
              password="!", role=User.Role.CUSTOMER) for i in range(CUSTOMERS)]
        + [User(email=f"engineer{i}@bench.example", full_name=f"Engineer {i}", password="!",
                role=User.Role.ENGINEER, support_level="L1") for i in range(ENGINEERS)], batch_size=5000)
    with connection.cursor() as cur:
        cur.execute("SELECT date_trunc('second', now())")
        t0 = cur.fetchone()[0]
    with transaction.atomic():
        revision = tariff_revision_for(tariff, t0).pk
    seed_tickets(tickets, t0, tariff, {"tariff_revision_id": revision}, SUBJECTS)
    with connection.cursor() as cur:
        # A real table holds its rows in filing order (appended as filed; a reply's UPDATE
        # moves the row to the end). bench_seed draws creation times in scrambled order,
        # which makes every "most recent matches" read random pages; put them in order.
        cur.execute("CLUSTER tickets_ticket USING ticket_created_idx")
        cur.execute("CREATE TABLE bench_search_meta (tickets int, seed_seconds float8)")
        cur.execute("INSERT INTO bench_search_meta VALUES (%s, %s)", [tickets, time.perf_counter() - started])
        cur.execute("VACUUM ANALYZE")
    print(f"seeded {tickets:,} tickets in {time.perf_counter() - started:.0f} s", flush=True)


def time_page(client, path, params, requests):
    """Page times, and per request the time of the statements that search (``@@`` or
    ``ts_rank``) as PostgreSQL's client saw them; plus the slowest statement of the page."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    assert client.get(path, params).status_code == 200  # warm up
    samples, search_samples, slowest = [], [], None
    for _ in range(requests):
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            response = client.get(path, params)
            samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
        search_samples.append(sum(float(q["time"]) * 1000 for q in ctx.captured_queries
                                  if "@@" in q["sql"] or "ts_rank" in q["sql"]))
        top = max(ctx.captured_queries, key=lambda q: float(q["time"]))
        if slowest is None or float(top["time"]) > float(slowest["time"]):
            slowest = top
    return samples, len(ctx.captured_queries), search_samples, slowest


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--db")
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument("--only", default="search,portal", help="comma-separated: queue, search, portal "
                        "(queue: bench/queue_page.py's combinations without a search)")
    args = parser.parse_args()
    import environ

    cfg = environ.Env.db_url_config(os.environ["DATABASE_URL"])
    name = args.db or f"helpdesk_search_{args.tickets}"
    must_seed = args.reseed or not database_ready(cfg, name, args.tickets)
    if must_seed:
        args.keep = False
        sla_sweep.prepare_database(cfg, name, args)  # drops and creates it

    import django
    from django.conf import settings

    django.setup()
    settings.DATABASES["default"]["NAME"] = name
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["*"]
    from django.db import connection

    connection.force_debug_cursor = False  # CaptureQueriesContext turns it on for one request only
    from django.core.management import call_command
    from django.test import Client

    from helpdesk.accounts.models import User
    from tickets.models import Ticket

    if must_seed:
        print(f"seeding {args.tickets:,} tickets into {name} …", flush=True)
        seed(args.tickets)
    else:
        call_command("migrate", verbosity=0)
    engineer = User.objects.filter(role="engineer").order_by("pk").first()
    User.objects.filter(pk=engineer.pk).update(is_staff=True, support_level="L3")
    engineer.refresh_from_db()
    customer = User.objects.filter(role="customer").order_by("pk").first()
    open_ticket = Ticket.objects.filter(status="open").order_by("pk").values("number", "tariff_id").first()
    own_ticket = Ticket.objects.filter(organisation_id=customer.organisation_id).order_by("pk").values("number").first()
    print(f"database {name}: {Ticket.objects.count():,} tickets; load average {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} CPUs (shared machine)\n")
    worst, worst_search = {}, {}
    header = (f"{'page / filters':<50} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'queries':>7}"
              f" {'search p50':>10} {'search p95':>10} {'slowest':>8}  slowest statement")
    for key, title, path, user, combos, values in (
        ("queue", "queue without a search (bench/queue_page.py)", "/workspace/", engineer,
         [c for c in queue_page.COMBINATIONS if "q" not in c], open_ticket),
        ("search", "queue search (bench/queue_page.py's and more)", "/workspace/", engineer,
         [c for c in queue_page.COMBINATIONS if "q" in c] + SEARCHES, open_ticket),
        ("portal", "customer's list", "/tickets/", customer, PORTAL, own_ticket),
    ):
        if key not in args.only.split(","):
            continue
        client = Client()
        client.force_login(user)
        print(f"{title}\n{header}")
        for combo in combos:
            params = {k: v.format(tariff=values.get("tariff_id"), engineer=engineer.pk, number=values["number"])
                      for k, v in combo.items()}
            samples, queries, search_ms, slowest = time_page(client, path, params, args.requests)
            p95, search_p95 = queue_page.percentile(samples, 0.95), queue_page.percentile(search_ms, 0.95)
            worst[title] = max(worst.get(title, 0.0), p95)
            worst_search[title] = max(worst_search.get(title, 0.0), search_p95)
            label = "&".join(f"{k}={v}" for k, v in params.items()) or "(default)"
            print(f"{label[:50]:<50} {statistics.median(samples):7.1f} {p95:7.1f} "
                  f"{queue_page.percentile(samples, 0.99):7.1f} {queries:7d} {statistics.median(search_ms):10.1f} "
                  f"{search_p95:10.1f} {float(slowest['time']) * 1000:8.1f}  {' '.join(slowest['sql'].split())[:70]}")
        print()
    for title, value in worst.items():
        print(f"worst p95, {title}: page {value:.1f} ms, its search statements {worst_search[title]:.1f} ms "
              "(target ≤ 150 ms)")
    print("search p50/p95: ms of the statements that search (@@ or ts_rank) per request; slowest: the "
          "slowest statement seen on that page, whatever it is")
    print(f"load average now {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
