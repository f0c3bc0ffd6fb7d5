"""Admin-entered text customers read is kept per language (django-modeltranslation) with
a fallback: the visitor's language, then English, then whichever language was filled in."""

import pytest
from django.contrib import admin
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import translation

from helpdesk.accounts.models import Organisation, User
from helpdesk.accounts.tests.factories import OrganisationFactory, UserFactory
from knowledgebase.models import Category
from sla.models import Tariff
from sla.tests.factories import TariffFactory
from tickets.models import RootCause

pytestmark = pytest.mark.django_db


def _tariff(**names):
    tariff = TariffFactory(code="basic", is_default=True)
    for field, value in names.items():
        setattr(tariff, field, value)
    tariff.save()
    return Tariff.objects.get(pk=tariff.pk)


def test_a_tariff_reads_in_the_visitors_language():
    tariff = _tariff(name_en="Basic", name_ru="Базовый", name_pl="Podstawowy",
                     description_en="By email.", description_ru="По почте.", description_pl="Przez e-mail.")
    for language, name, description in (("en", "Basic", "By email."), ("ru", "Базовый", "По почте."),
                                        ("pl", "Podstawowy", "Przez e-mail.")):
        with translation.override(language):
            assert (tariff.name, tariff.description, str(tariff)) == (name, description, name)


def test_an_empty_language_falls_back_to_english_then_to_any_language_filled_in():
    tariff = _tariff(name_en="Basic", name_ru="Базовый", name_pl="", description_en="", description_ru="Только по-русски.",
                     description_pl="")
    with translation.override("pl"):
        assert tariff.name == "Basic"
        assert tariff.description == "Только по-русски."


@pytest.mark.parametrize("language, shown, hidden", [
    ("ru", "Поддержка по почте.", "Support by email."),
    ("pl", "Wsparcie przez e-mail.", "Support by email."),
    ("en", "Support by email.", "Поддержка по почте."),
])
def test_the_plans_page_shows_the_tariff_in_the_visitors_language(language, shown, hidden):
    _tariff(name_en="Basic", name_ru="Базовый", name_pl="Podstawowy", description_en="Support by email.",
            description_ru="Поддержка по почте.", description_pl="Wsparcie przez e-mail.")
    page = Client(HTTP_ACCEPT_LANGUAGE=language).get(reverse("sla:plans")).content.decode()
    assert shown in page and hidden not in page


def test_root_causes_and_categories_follow_the_language():
    cause = RootCause.objects.create(name_en="Software defect", name_ru="Дефект программы", name_pl="Wada oprogramowania")
    shelf = Category.objects.create(slug="mail", name_en="Mail", name_ru="Почта", name_pl="Poczta")
    with translation.override("ru"):
        assert (RootCause.objects.get(pk=cause.pk).name, Category.objects.get(pk=shelf.pk).name) == ("Дефект программы", "Почта")
    with translation.override("pl"):
        assert RootCause.objects.get(pk=cause.pk).name == "Wada oprogramowania"


def test_root_causes_left_empty_in_a_language_do_not_collide():
    """Root-cause names are unique per language; an empty language is NULL, not a second ""."""
    RootCause.objects.create(name_en="Bug", name_ru="Ошибка")
    RootCause.objects.create(name_en="Network", name_ru="Сеть")
    assert RootCause.objects.filter(name_pl__isnull=True).count() == 2


def test_admin_edits_each_language_and_falls_back_to_english(client_for, admin_user):
    client = client_for(admin_user)
    page = client.get(reverse("admin:tickets_rootcause_add")).content.decode()
    assert all(f'name="name_{code}"' in page for code in ("en", "ru", "pl"))
    response = client.post(reverse("admin:tickets_rootcause_add"), {
        "name_en": "Hosting", "name_ru": "Хостинг", "name_pl": "", "is_active": "on",
    })
    assert response.status_code == 302
    cause = RootCause.objects.get(name_en="Hosting")
    with translation.override("pl"):
        assert RootCause.objects.get(pk=cause.pk).name == "Hosting"
    tariff_page = client.get(reverse("admin:sla_tariff_add")).content.decode()
    assert all(f'name="{f}_{code}"' in tariff_page for f in ("name", "description") for code in ("en", "ru", "pl"))


def test_demo_data_ships_in_three_languages():
    from django.core.management import call_command

    call_command("seed_demo", verbosity=0)
    basic = Tariff.objects.get(code="basic")
    assert basic.description_en.startswith("Support by email")
    assert basic.description_ru.startswith("Поддержка по электронной почте")
    assert basic.description_pl.startswith("Wsparcie przez e-mail")
    assert not RootCause.objects.filter(name_ru__isnull=True).exists()
    assert not RootCause.objects.filter(name_pl__isnull=True).exists()
    assert set(Category.objects.values_list("name_pl", flat=True)) >= {"Poczta", "Licencje"}
    page = Client(HTTP_ACCEPT_LANGUAGE="ru").get(reverse("sla:plans")).content.decode()
    assert "Support by email" not in page and "Поддержка по электронной почте" in page


# Admin searches find by any part of a name or an email.

def _search(client, url_name, term):
    return client.get(reverse(url_name), {"q": term}).content.decode()


def test_admin_finds_an_organisation_by_a_word_inside_its_name(client_for, admin_user):
    OrganisationFactory(name="ООО Ромашка")
    OrganisationFactory(name="Globex")
    page = _search(client_for(admin_user), "admin:accounts_organisation_changelist", "Ромашка")
    assert "ООО Ромашка" in page and "Globex" not in page


def test_admin_finds_people_by_surname_and_part_of_the_email(client_for, admin_user):
    UserFactory(full_name="Пётр Иванов", email="p.ivanov@romashka.example")
    UserFactory(full_name="Anna Nowak", email="anna@acme.example")
    client = client_for(admin_user)
    assert "Пётр Иванов" in _search(client, "admin:accounts_user_changelist", "Иванов")
    by_domain = _search(client, "admin:accounts_user_changelist", "romashka")
    assert "p.ivanov@romashka.example" in by_domain and "anna@acme.example" not in by_domain


def test_admin_searches_use_contains_lookups():
    """No "^" (prefix) or "=" (exact) left on the names and emails admins look people up by."""
    assert admin.site._registry[Organisation].search_fields == ["name"]
    assert admin.site._registry[User].search_fields == ["email", "full_name"]


def test_contains_searches_are_served_by_trigram_indexes_where_pg_trgm_exists():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
        if cursor.fetchone() is None:
            pytest.skip("this PostgreSQL has no pg_trgm (the embedded one): the search scans")
        cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname LIKE '%%_trgm_idx'")
        names = {row[0] for row in cursor.fetchall()}
    assert {"organisation_name_trgm_idx", "user_email_trgm_idx", "user_full_name_trgm_idx"} <= names


def test_reports_name_the_tariff_in_the_readers_language(customer_a, engineer):
    """Aggregates over another model read the translated column of the active language
    (helpdesk.translated.localized), not the base column."""
    from datetime import timedelta

    from django.utils import timezone

    from tickets import services
    from tickets.tests.factories import TicketFactory
    from workspace import services as workspace_services
    from workspace.satisfaction_reports import satisfaction_by

    tariff = _tariff(name_en="Basic", name_ru="Базовый", name_pl="")
    ticket = TicketFactory(requester=customer_a, organisation=customer_a.organisation, assignee=engineer,
                           kind="question", tariff=tariff)
    services.ticket_transition(ticket=ticket, actor=engineer, to_status="open")
    workspace_services.ticket_resolve(ticket=ticket, actor=engineer, summary="Reset the cache.")
    now = timezone.now()
    for language, name in (("ru", "Базовый"), ("pl", "Basic"), ("en", "Basic")):
        with translation.override(language):
            assert [r["tariff"] for r in satisfaction_by(now - timedelta(days=1), now + timedelta(days=1))] == [name]
