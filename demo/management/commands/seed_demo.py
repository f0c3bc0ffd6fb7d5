"""Demo data for `python3 dev.py run`: idempotent, prints the logins."""

from datetime import time, timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone, translation

from billing.models import PointsPack, PointsPlan, PointsRule
from billing.services import subscriptions_grant_due
from helpdesk.accounts.models import Organisation, User
from sla import services as sla_services
from sla.models import (
    BusinessCalendar,
    Edition,
    EntitlementRule,
    License,
    Tariff,
    TariffPrice,
    TariffUrgencyRule,
    WorkingInterval,
)
from sla.serials import make_serial
from tickets import services
from tickets.models import EngineerSchedule, RootCause, Ticket

PASSWORD = "demo12345"

# What customers read of the admin-entered data, in the three portal languages
# (django-modeltranslation's name_en / name_ru / name_pl columns).
TARIFF_TEXT = {
    "basic": {
        "name": {"en": "Basic", "ru": "Базовый", "pl": "Podstawowy"},
        "description": {
            "en": "Support by email and the web form. We answer within one business day.",
            "ru": "Поддержка по электронной почте и через веб-форму. Отвечаем в течение одного рабочего дня.",
            "pl": "Wsparcie przez e-mail i formularz internetowy. Odpowiadamy w ciągu jednego dnia roboczego.",
        },
    },
    "vip": {
        "name": {"en": "VIP", "ru": "VIP", "pl": "VIP"},
        "description": {
            "en": "Phone support with an engineer and an answer within 5 business hours; critical problems around the clock.",
            "ru": "Поддержка по телефону с инженером и ответ в течение 5 рабочих часов; критические проблемы — круглосуточно.",
            "pl": "Wsparcie telefoniczne z inżynierem i odpowiedź w ciągu 5 godzin roboczych; problemy krytyczne całą dobę.",
        },
    },
    "points": {
        "name": {"en": "Prepaid points", "ru": "Предоплаченные баллы", "pl": "Punkty przedpłacone"},
        "description": {
            "en": "20 support points a month; a question or suggestion costs 10, an urgent error 30, a phone minute 2.",
            "ru": "20 баллов поддержки в месяц; вопрос или предложение стоит 10, срочная ошибка — 30, минута разговора — 2.",
            "pl": "20 punktów wsparcia miesięcznie; pytanie lub sugestia kosztuje 10, pilny błąd 30, minuta rozmowy 2.",
        },
    },
}
EDITION_NAMES = {
    "start": {"en": "Start", "ru": "Старт", "pl": "Start"},
    "business": {"en": "Business", "ru": "Бизнес", "pl": "Biznes"},
    "commerce": {"en": "Commerce", "ru": "Коммерция", "pl": "Handel"},
}
ROOT_CAUSE_NAMES = [
    {"en": "Configuration error", "ru": "Ошибка конфигурации", "pl": "Błąd konfiguracji"},
    {"en": "Software defect", "ru": "Дефект программы", "pl": "Wada oprogramowania"},
    {"en": "Hosting or network", "ru": "Хостинг или сеть", "pl": "Hosting lub sieć"},
    {"en": "Third-party integration", "ru": "Сторонняя интеграция", "pl": "Integracja zewnętrzna"},
    {"en": "User error or training", "ru": "Ошибка пользователя или обучение", "pl": "Błąd użytkownika lub szkolenie"},
    {"en": "Data import / template", "ru": "Импорт данных / шаблон", "pl": "Import danych / szablon"},
]
PACK_NAMES = {"pack-50": {"en": "50 points", "ru": "50 баллов", "pl": "50 punktów"}}


def translate(obj, **fields):
    """Fill each language's text of ``obj`` that is still empty (an admin's edits stay)."""
    changed = False
    for field, texts in fields.items():
        for language, text in texts.items():
            column = f"{field}_{language}"
            if not getattr(obj, column):
                setattr(obj, column, text)
                changed = True
    if changed:
        obj.save()
    return obj

PEOPLE = [
    # email, name, role, level, organisation, staff
    ("customer@acme.example", "Anna Kowalska", "customer", "", "Acme Hosting", False),
    ("customer@globex.example", "Ivan Petrov", "customer", "", "Globex Shop", False),
    ("customer@initech.example", "Marta Nowak", "customer", "", "Initech", False),
    ("l1@helpdesk.example", "Olga L1 Engineer", "engineer", "L1", None, False),
    ("l2@helpdesk.example", "Piotr L2 Engineer", "engineer", "L2", None, False),
    ("admin@helpdesk.example", "Admin", "engineer", "L3", None, True),
]

TICKETS = [
    ("customer@acme.example", "error", "Ошибка 500 при импорте шаблона",
     "После загрузки архива шаблона страница выдаёт ошибку 500.\nШаги: Шаблоны → Импорт → выбрать архив.", True),
    ("customer@acme.example", "question", "Jak zmienić domenę sklepu?",
     "Chcemy przenieść sklep na nową domenę. Co trzeba zrobić po stronie panelu?", False),
    ("customer@globex.example", "suggestion", "Export orders to CSV",
     "It would help us a lot to export the order list as CSV with the customer's VAT number.", False),
]


class Command(BaseCommand):
    help = "Create demo organisations, users and tickets (safe to run again)."

    @transaction.atomic
    def handle(self, *args, **options):
        # Lookups by a translated field (``name=``) read the active language's column.
        with translation.override("en"):
            self._handle()

    def _handle(self):
        self._tariffs()
        users = {}
        for email, name, role, level, org_name, staff in PEOPLE:
            org = Organisation.objects.get_or_create(name=org_name)[0] if org_name else None
            user = User.objects.filter(email=email).first()
            if user is None:
                user = User.objects.create_user(
                    email=email, password=PASSWORD, full_name=name, role=role, support_level=level,
                    organisation=org, is_staff=staff, is_superuser=staff,
                )
            users[email] = user
        self._licenses()
        self._points()
        self._workspace(users)
        self._kb(users)
        if not Ticket.objects.exists():
            for email, kind, subject, body, integration in TICKETS:
                services.ticket_create(
                    requester=users[email],
                    data={"kind": kind, "subject": subject, "body": body, "is_integration": integration},
                )
        self.stdout.write("Demo logins (password for all: %s):" % PASSWORD)
        self.stdout.write("  (Acme holds a Commerce license with a VIP trial; Globex is on Basic; Initech pays in support points)")
        for email, name, role, level, org_name, staff in PEOPLE:
            what = "admin" if staff else (f"engineer {level}" if role == "engineer" else f"customer of {org_name}")
            self.stdout.write(f"  {what:<28} {email}")

    def _tariffs(self):
        """Seed 000: Basic (web and email, slower) and VIP (phone, 5 hours, sold per license)."""
        office, created = BusinessCalendar.objects.get_or_create(
            name="Moscow office, Mon–Fri 09:00–18:00", defaults={"time_zone": "Europe/Moscow", "holiday_country": "RU"}
        )
        if created:
            for day in range(5):
                WorkingInterval.objects.create(calendar=office, weekday=day, start=time(9), end=time(18))
        always, _ = BusinessCalendar.objects.get_or_create(name="24x7", defaults={"always_open": True})
        basic, _ = Tariff.objects.get_or_create(
            code="basic",
            defaults=dict(
                name="Basic", rank=0, is_default=True, allows_phone=False, calendar=office,
                first_response_minutes=8 * 60, commitment_minutes=120,
                description="Support by email and the web form. We answer within one business day.",
            ),
        )
        vip, created = Tariff.objects.get_or_create(
            code="vip",
            defaults=dict(
                name="VIP", rank=10, allows_phone=True, phone_number="+7 495 000-00-00", calendar=office,
                first_response_minutes=5 * 60, commitment_minutes=120,
                description="Phone support with an engineer and an answer within 5 business hours; critical problems around the clock.",
            ),
        )
        for tariff in (basic, vip):
            translate(tariff, **TARIFF_TEXT[tariff.code])
        if created:
            TariffUrgencyRule.objects.create(tariff=vip, urgency="critical", calendar=always, first_response_minutes=60)
            for months, amount in ((3, 9000), (6, 13000), (12, 17000)):
                TariffPrice.objects.create(tariff=vip, months=months, amount=amount, currency="RUB")
        for code, name in (("start", "Start"), ("business", "Business"), ("commerce", "Commerce")):
            edition = Edition.objects.get_or_create(code=code, defaults={"name": name})[0]
            translate(edition, name=EDITION_NAMES[code])
        for level in ("gold", "platinum"):
            EntitlementRule.objects.get_or_create(
                name=f"VIP free for {level} partners",
                defaults={"kind": "partner_level", "partner_level": level, "tariff": vip},
            )
        EntitlementRule.objects.get_or_create(
            name="3-month VIP trial for Commerce owners",
            defaults={"kind": "edition_trial", "edition": Edition.objects.get(code="commerce"), "tariff": vip, "months": 3},
        )

    def _licenses(self):
        today = timezone.localdate()
        dealer, _ = Organisation.objects.get_or_create(
            name="Gold Dealer LLC", defaults={"kind": "partner", "partner_level": "gold"}
        )
        Organisation.objects.filter(name="Globex Shop", dealer__isnull=True).update(dealer=dealer)
        for org_name, edition, body in (("Acme Hosting", "commerce", "ACMEC0MMERCE0000001"), ("Globex Shop", "business", "GL0BEXBUS1NESS00001")):
            serial = make_serial(body)
            if not License.objects.filter(serial=serial).exists():
                sla_services.license_register(
                    serial=serial, edition=Edition.objects.get(code=edition),
                    organisation=Organisation.objects.get(name=org_name), support_until=today + timedelta(days=365),
                )

    def _points(self):
        """Seed 000's commenter: a plan with support points, requests that cost points, packs."""
        office = BusinessCalendar.objects.get(name="Moscow office, Mon–Fri 09:00–18:00")
        points, created = Tariff.objects.get_or_create(
            code="points",
            defaults=dict(
                name="Prepaid points", rank=5, allows_phone=True, phone_number="+7 495 000-00-01", calendar=office,
                first_response_minutes=6 * 60, commitment_minutes=120,
                description="20 support points a month; a question or suggestion costs 10, an urgent error 30, a phone minute 2.",
            ),
        )
        translate(points, **TARIFF_TEXT["points"])
        if created:
            TariffPrice.objects.create(tariff=points, months=3, amount=6000, currency="RUB")
            PointsPlan.objects.create(tariff=points, points_per_month=20)
            for kind, urgency, cost in (("", "", 10), ("error", "high", 20), ("", "critical", 30)):
                PointsRule.objects.create(tariff=points, item="ticket", ticket_kind=kind, urgency=urgency, points=cost)
            PointsRule.objects.create(tariff=points, item="phone_minute", points=2)
            PointsRule.objects.create(tariff=points, item="callback", points=5)
        pack = PointsPack.objects.get_or_create(
            code="pack-50", defaults={"name": "50 points", "points": 50, "valid_months": 12, "amount": 5000, "currency": "RUB"}
        )[0]
        translate(pack, name=PACK_NAMES["pack-50"])
        initech = Organisation.objects.get_or_create(name="Initech")[0]
        serial = make_serial("1N1TECHP01NTS000001")
        license = License.objects.filter(serial=serial).first()
        if license is None:
            license = sla_services.license_register(
                serial=serial, edition=Edition.objects.get(code="business"), organisation=initech,
                support_until=timezone.localdate() + timedelta(days=365),
            )
            sla_services.subscription_activate(license=license, tariff=points, months=3)
        subscriptions_grant_due()

    def _workspace(self, users):
        for names in ROOT_CAUSE_NAMES:
            translate(RootCause.objects.get_or_create(name_en=names["en"], defaults={"name": names["en"]})[0], name=names)
        RootCause.objects.filter(name="Software defect").update(free_of_charge=True)
        office = BusinessCalendar.objects.get(name="Moscow office, Mon–Fri 09:00–18:00")
        for email in ("l1@helpdesk.example", "l2@helpdesk.example", "admin@helpdesk.example"):
            EngineerSchedule.objects.get_or_create(engineer=users[email], defaults={"calendar": office})

    def _kb(self, users):
        """Knowledge base: a few articles per language (one translated), a canned reply."""
        from knowledgebase import services as kb_services
        from knowledgebase.models import Article, CannedReply, Category

        if Article.objects.exists():
            return
        shelves = {}
        for slug, en, ru, pl in (("account", "Account and access", "Учётная запись и доступ", "Konto i dostęp"),
                                 ("mail", "Mail", "Почта", "Poczta"), ("licenses", "Licenses", "Лицензии", "Licencje")):
            shelves[slug] = translate(Category.objects.get_or_create(slug=slug, defaults={"name": en})[0],
                                      name={"en": en, "ru": ru, "pl": pl})
        author = users["l2@helpdesk.example"]
        commerce = Edition.objects.filter(code="commerce")
        articles = [
            ("account", "ru", "Восстановление пароля от панели администрирования",
             "Откройте страницу входа в **панель администрирования** и нажмите «Забыли пароль?».\n\n"
             "Письмо со ссылкой для сброса придёт на e-mail администратора; ссылка действует 60 минут.\n\n"
             "Пароль почтового ящика меняется отдельно, в разделе «Почта» панели управления хостингом.", ["пароль"]),
            ("mail", "ru", "Письма с сайта попадают в спам",
             "Чтобы письма не попадали в спам, добавьте в DNS домена записи **SPF** и **DKIM**:\n\n"
             "1. Откройте раздел «DNS» панели управления.\n2. Добавьте TXT-запись `v=spf1 include:_spf.example ~all`.\n"
             "3. Включите DKIM в разделе «Почта».", ["почта", "dns"]),
            ("account", "pl", "Jak zmienić hasło do skrzynki pocztowej",
             "Hasło do skrzynki zmienisz w **panelu klienta**, w sekcji *Poczta → Skrzynki*.\n\n"
             "Nowe hasło musi mieć co najmniej 8 znaków. Po zmianie wpisz je także w programie pocztowym.", ["hasło"]),
            ("licenses", "pl", "Numer seryjny jest nieprawidłowy",
             "Komunikat „Numer seryjny jest nieprawidłowy lub nie pasuje do domeny” oznacza, że licencja jest "
             "przypisana do innej domeny. Przepisz licencję na nową domenę w panelu klienta, w sekcji *Licencje*.", []),
            ("account", "en", "Resetting the admin panel password",
             "Open the login page of the **admin panel** and click *Forgot password?*. The reset link arrives by "
             "email and is valid for 60 minutes.", ["password"]),
            ("licenses", "en", "Moving a license to a new domain",
             "A license is bound to one domain. To move the site, open *Licenses* in the client area and change "
             "the domain; the old one stops working at once.", ["license"]),
        ]
        made = {}
        for slug, language, title, body, tags in articles:
            made[(slug, language)] = kb_services.article_create(
                author=author, title=title, body=body, language=language, category=shelves[slug],
                status=Article.Status.PUBLISHED, tags=tags,
                editions=list(commerce) if slug == "licenses" else [],
            )
        kb_services.article_update(
            article=made[("account", "en")], translation_of=made[("account", "ru")],
        )
        reply = CannedReply.objects.create(
            title="Сброс пароля администратора", language="ru",
            body="Здравствуйте, {customer_name}!\n\nПо обращению {reference}: пароль от панели администрирования "
                 "можно сбросить самостоятельно, инструкция здесь:\n{articles}\n\nС уважением, {engineer_name}",
        )
        reply.articles.set([made[("account", "ru")]])
