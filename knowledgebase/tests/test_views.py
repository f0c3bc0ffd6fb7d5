"""Pages and endpoints: who sees what, suggestions, deflection, rate limit, editor."""

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse

from knowledgebase.models import Article, ArticleVote, Deflection, SearchMiss

from .factories import CannedReplyFactory, CategoryFactory, make_article

pytestmark = pytest.mark.django_db


def tickets_count():
    # Read through the app registry: the knowledge base never imports tickets.
    return apps.get_model("tickets", "Ticket").objects.count()


@pytest.fixture
def articles(db):
    shelf = CategoryFactory(slug="mail", name_en="Mail", name_ru="Почта")
    public = make_article("Смена пароля почтового ящика", "Пароль почтового **ящика** меняется в разделе «Почта».",
                          "ru", category=shelf)
    english = make_article("Changing a mailbox password", "Open **Mail** in the control panel.", "en",
                           category=shelf, translation_of=public)
    polish_only = make_article("Przekierowanie poczty", "Przekierowanie ustawisz w sekcji Poczta.", "pl",
                               category=shelf)
    draft = make_article("Черновик: новый почтовый сервер", "Скоро.", "ru", status="draft", category=shelf)
    internal = make_article("Для инженеров: почтовый сервер", "Логи в /var/log/mail.", "ru",
                            visibility="internal", category=shelf)
    return {"shelf": shelf, "public": public, "english": english, "polish_only": polish_only,
            "draft": draft, "internal": internal}


def ru(client):
    client.cookies["django_language"] = "ru"
    return client


@pytest.mark.parametrize("who", ["anonymous", "customer"])
def test_drafts_and_internal_articles_are_hidden_from_customers_and_visitors(who, articles, customer_a, client_for):
    client = client_for(None if who == "anonymous" else customer_a)
    for key in ("draft", "internal"):
        assert client.get(reverse("kb:article", args=[articles[key].pk])).status_code == 404
    page = ru(client).get(reverse("kb:category", args=["mail"])).content.decode()
    assert "Черновик" not in page and "Для инженеров" not in page


def test_engineers_preview_drafts_and_internal_articles(articles, engineer, client_for):
    client = client_for(engineer)
    response = client.get(reverse("kb:article", args=[articles["draft"].pk]))
    assert response.status_code == 200 and "customers do not see it" in response.content.decode()
    assert client.get(reverse("kb:article", args=[articles["internal"].pk])).status_code == 200
    Article.objects.filter(pk=articles["draft"].pk).update(view_count=0)


def test_article_page_renders_markdown_safely_and_counts_views(articles, client_for):
    articles["english"].body = "**bold** <script>alert(1)</script> [x](javascript:alert(1))"
    articles["english"].save()
    response = client_for(None).get(reverse("kb:article", args=[articles["english"].pk]))
    body = response.content.decode()
    assert "<strong>bold</strong>" in body and "<script>alert" not in body and 'href="javascript' not in body
    assert Article.objects.get(pk=articles["english"].pk).view_count == 1


def test_article_offers_its_translations(articles, client_for):
    response = client_for(None).get(reverse("kb:article", args=[articles["public"].pk]))
    assert "Changing a mailbox password" in response.content.decode()


def test_category_lists_the_visitor_language_and_offers_other_languages(articles, client_for):
    page = ru(client_for(None)).get(reverse("kb:category", args=["mail"])).content.decode()
    assert "Смена пароля почтового ящика" in page
    assert "Przekierowanie poczty" in page  # no Russian version: offered as fallback
    assert "Changing a mailbox password" not in page  # a translation of a Russian article shown


def test_search_marks_matches_and_falls_back_to_other_languages(articles, client_for):
    page = ru(client_for(None)).get(reverse("kb:search"), {"q": "пароли почтовых ящиков"}).content.decode()
    assert "<mark>" in page and reverse("kb:article", args=[articles["public"].pk]) in page
    page = ru(client_for(None)).get(reverse("kb:search"), {"q": "przekierowanie poczty"}).content.decode()
    assert reverse("kb:article", args=[articles["polish_only"].pk]) in page


def test_search_without_results_is_recorded_for_admins(articles, client_for):
    client_for(None).get(reverse("kb:search"), {"q": "пицца с доставкой"})
    assert SearchMiss.objects.get().query == "пицца с доставкой"


def test_vote_once_per_visitor(articles, customer_a, client_for):
    client = client_for(customer_a)
    url = reverse("kb:vote", args=[articles["public"].pk])
    assert client.post(url, {"helpful": "yes"}).status_code == 302
    client.post(url, {"helpful": "no"})
    Client().post(url, {"helpful": "yes"})
    assert ArticleVote.objects.filter(article=articles["public"]).count() == 2
    assert client.get(url).status_code == 405


def test_suggestions_show_matching_articles_with_snippets_opening_in_a_new_tab(articles, customer_a, client_for):
    response = ru(client_for(customer_a)).post(
        reverse("kb:suggest"), {"subject": "Как сменить пароль почтового ящика", "body": ""}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert reverse("kb:article", args=[articles["public"].pk]) in html
    assert 'target="_blank"' in html and "<mark>пароль</mark>" in html.lower()
    assert reverse("kb:deflect") in html
    assert "Черновик" not in html and "Для инженеров" not in html


def test_suggestions_are_empty_for_short_or_unrelated_text(articles, client_for):
    client = ru(client_for(None))
    assert client.post(reverse("kb:suggest"), {"subject": "п"}).content.decode().strip() == ""
    assert "<li" not in client.post(reverse("kb:suggest"), {"subject": "рецепт борща со сметаной"}).content.decode()


@pytest.mark.parametrize(
    "subject,body",
    [("'\"", "%"), ("_", "%_%"), ("😀" * 50, "🔥"), ("пароль password hasło 密码", "mixed"),
     ("x" * 10_000, "y" * 10_000), ("' OR 1=1 --", "<script>alert(1)</script>"), ("!:*&|<->()", "\\")],
)
def test_suggest_never_errors_on_odd_input(articles, client_for, subject, body):
    response = client_for(None).post(reverse("kb:suggest"), {"subject": subject, "body": body})
    assert response.status_code == 200
    assert "<script>alert" not in response.content.decode()


def test_suggest_is_rate_limited_per_client(articles, settings, customer_a, customer_b, client_for):
    settings.KB_SUGGEST_RATE = (3, 60)
    settings.CACHES = {**settings.CACHES, "default": {**settings.CACHES["default"], "KEY_PREFIX": "kb-rate-test"}}
    from django.core.cache import cache

    cache.clear()
    client = client_for(customer_a)
    codes = [client.post(reverse("kb:suggest"), {"subject": "пароль"}).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    limited = client.post(reverse("kb:suggest"), {"subject": "пароль"})
    assert limited["Retry-After"] == "60" and "pause" in limited.content.decode()
    assert client_for(customer_b).post(reverse("kb:suggest"), {"subject": "пароль"}).status_code == 200
    cache.clear()


def test_this_solved_my_problem_records_a_deflection_and_files_no_ticket(articles, customer_a, client_for):
    client = client_for(customer_a)
    before = tickets_count()
    response = client.post(reverse("kb:deflect"), {"article": articles["public"].pk, "q": "пароль " * 200})
    assert response.status_code == 302 and response["Location"].startswith(reverse("kb:deflected"))
    deflection = Deflection.objects.get()
    assert deflection.user == customer_a and deflection.article == articles["public"]
    assert len(deflection.query) <= 500
    assert tickets_count() == before
    assert "Glad it helped" in client.get(response["Location"]).content.decode()


def test_deflection_needs_post_csrf_and_a_public_article(articles, customer_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(customer_a)
    assert client.post(reverse("kb:deflect"), {"article": articles["public"].pk}).status_code == 403
    assert client.get(reverse("kb:deflect")).status_code == 405
    plain = Client()
    plain.post(reverse("kb:deflect"), {"article": articles["draft"].pk})
    plain.post(reverse("kb:deflect"), {"article": "x"})
    assert not Deflection.objects.exists()


def test_engineer_writes_previews_and_publishes_an_article(engineer, client_for):
    client = client_for(engineer)
    data = {"title": "Очистка кэша", "language": "ru", "body": "Нажмите **Очистить кэш**.", "status": "draft",
            "visibility": "public", "tag_names": "кэш, скорость"}
    preview = client.post(reverse("kb:article_new"), {**data, "preview": "1"})
    assert preview.status_code == 200 and "<strong>Очистить кэш</strong>" in preview.content.decode()
    assert not Article.objects.exists()
    client.post(reverse("kb:article_new"), {**data, "save": "1"})
    article = Article.objects.get()
    assert article.author == engineer and sorted(t.name for t in article.tags.all()) == ["кэш", "скорость"]
    data["status"] = "published"
    client.post(reverse("kb:article_edit", args=[article.pk]), {**data, "save": "1"})
    from knowledgebase import selectors

    assert selectors.ranked("как очистить кэш ", "ru")[0][0] == article.pk


def test_stats_page_shows_views_votes_deflections_and_misses(articles, admin_user, client_for):
    from knowledgebase import services

    services.article_vote(article=articles["public"], helpful=True, session_key="s1")
    services.deflection_record(article=articles["public"], query="пароль", language="ru")
    services.search_miss_record(query="как заказать пиццу", language="ru", source="suggest")
    page = client_for(admin_user).get(reverse("kb:stats")).content.decode()
    assert "Смена пароля почтового ящика" in page and "как заказать пиццу" in page


def _file_ticket(client):
    response = client.post(reverse("tickets:new"), {
        "kind": "question", "subject": "Почта", "body": "Не могу сменить пароль", "customer_urgency": "normal",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    return int(response["Location"].strip("/").split("/")[-2])


def test_canned_reply_is_inserted_into_the_workspace_reply(articles, customer_a, engineer, client_for):
    number = _file_ticket(client_for(customer_a))
    reply = CannedReplyFactory(language="ru", title="Пароль почты", body="Здравствуйте, {customer_name}! {reference}")
    reply.articles.set([articles["public"]])
    client = client_for(engineer)
    page = client.get(reverse("workspace:work", args=[number])).content.decode()
    assert "Пароль почты" in page  # offered
    page = client.get(reverse("workspace:work", args=[number]), {"canned": reply.pk}).content.decode()
    assert f"Здравствуйте, {customer_a.full_name}! HD-{number}" in page
    assert f"/kb/articles/{articles['public'].pk}/" in page


def test_suggest_takes_the_text_in_a_csrf_protected_post(articles, customer_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(customer_a)
    assert client.get(reverse("kb:suggest"), {"subject": "пароль"}).status_code == 405
    assert client.post(reverse("kb:suggest"), {"subject": "пароль"}).status_code == 403
    client.get(reverse("tickets:new"))
    token = client.cookies["csrftoken"].value
    response = client.post(reverse("kb:suggest"), {"subject": "пароль"}, headers={"X-CSRFToken": token})
    assert response.status_code == 200


def test_suggest_refuses_an_overlong_field_with_a_clear_400(articles, client_for):
    from knowledgebase.views.suggest import MAX_POSTED_CHARS

    response = client_for(None).post(reverse("kb:suggest"), {"subject": "пароль", "body": "я" * (MAX_POSTED_CHARS + 1)})
    assert response.status_code == 400
    assert "too long" in response.content.decode()


def test_document_counts_are_cached_per_database(settings):
    from django.db import connection

    from knowledgebase.search import engine

    key = engine.doc_count_key("ru")
    assert connection.settings_dict["NAME"] in key
    original = connection.settings_dict["NAME"]
    connection.settings_dict["NAME"] = "another_database"
    try:
        assert engine.doc_count_key("ru") != key
    finally:
        connection.settings_dict["NAME"] = original
