"""Demo data for `python3 dev.py run`: idempotent, prints the logins."""

from django.core.management.base import BaseCommand
from django.db import transaction

from datetime import time, timedelta

from django.utils import timezone

from helpdesk.accounts.models import Organisation, User
from sla import services as sla_services
from sla.models import BusinessCalendar, Edition, EntitlementRule, License, Tariff, TariffPrice, TariffUrgencyRule, WorkingInterval
from sla.serials import make_serial
from tickets import services
from tickets.models import EngineerSchedule, RootCause, Ticket

PASSWORD = "demo12345"

PEOPLE = [
    # email, name, role, level, organisation, staff
    ("customer@acme.example", "Anna Kowalska", "customer", "", "Acme Hosting", False),
    ("customer@globex.example", "Ivan Petrov", "customer", "", "Globex Shop", False),
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
        self._workspace(users)
        if not Ticket.objects.exists():
            for email, kind, subject, body, integration in TICKETS:
                services.ticket_create(
                    requester=users[email],
                    data={"kind": kind, "subject": subject, "body": body, "is_integration": integration},
                )
        self.stdout.write("Demo logins (password for all: %s):" % PASSWORD)
        self.stdout.write("  (Acme holds a Commerce license with a VIP trial; Globex is on Basic)")
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
        if created:
            TariffUrgencyRule.objects.create(tariff=vip, urgency="critical", calendar=always, first_response_minutes=60)
            for months, amount in ((3, 9000), (6, 13000), (12, 17000)):
                TariffPrice.objects.create(tariff=vip, months=months, amount=amount, currency="RUB")
        for code, name in (("start", "Start"), ("business", "Business"), ("commerce", "Commerce")):
            Edition.objects.get_or_create(code=code, defaults={"name": name})
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

    def _workspace(self, users):
        for name in ("Configuration error", "Software defect", "Hosting or network", "Third-party integration",
                     "User error or training", "Data import / template"):
            RootCause.objects.get_or_create(name=name)
        office = BusinessCalendar.objects.get(name="Moscow office, Mon–Fri 09:00–18:00")
        for email in ("l1@helpdesk.example", "l2@helpdesk.example", "admin@helpdesk.example"):
            EngineerSchedule.objects.get_or_create(engineer=users[email], defaults={"calendar": office})
