"""Demo data for `python3 dev.py run`: idempotent, prints the logins."""

from django.core.management.base import BaseCommand
from django.db import transaction

from helpdesk.accounts.models import Organisation, User
from tickets import services
from tickets.models import Ticket

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
        if not Ticket.objects.exists():
            for email, kind, subject, body, integration in TICKETS:
                services.ticket_create(
                    requester=users[email],
                    data={"kind": kind, "subject": subject, "body": body, "is_integration": integration},
                )
        self.stdout.write("Demo logins (password for all: %s):" % PASSWORD)
        for email, name, role, level, org_name, staff in PEOPLE:
            what = "admin" if staff else (f"engineer {level}" if role == "engineer" else f"customer of {org_name}")
            self.stdout.write(f"  {what:<28} {email}")
