"""Canned replies filled in for one ticket. Knows nothing of tickets: the caller passes
a plain context, e.g. {"customer_name": …, "reference": …, "engineer_name": …}."""

import re

from django.conf import settings

from .models import CannedReply

PLACEHOLDER_RE = re.compile(r"\{(\w+)\}")


def article_links(reply):
    base = getattr(settings, "SITE_URL", "").rstrip("/")
    articles = reply.public_articles if hasattr(reply, "public_articles") else reply.articles.public()
    return "\n".join(f"- {a.title}: {base}{a.get_absolute_url()}" for a in articles)


def canned_reply_render(reply, context):
    """The reply's text with placeholders filled; unknown placeholders stay as typed.
    Linked articles go where {articles} is, or at the end."""
    values = {key: str(value) for key, value in (context or {}).items() if value is not None}
    links = article_links(reply)
    values["articles"] = links
    text = PLACEHOLDER_RE.sub(lambda m: values.get(m.group(1), m.group(0)), reply.body)
    if links and "{articles}" not in reply.body:
        text = f"{text.rstrip()}\n\n{links}"
    return text


def canned_reply_for(pk):
    return CannedReply.objects.filter(pk=pk, is_active=True).first() if str(pk).isdigit() else None


def canned_replies_rendered(language, context, pk=None):
    """Active canned replies filled in for one ticket, the ticket's language first:
    [{"id", "title", "language", "text"}]. Two queries, however many replies."""
    from django.db.models import Prefetch

    from .models import Article

    replies = CannedReply.objects.filter(is_active=True).only("pk", "title", "language", "body").prefetch_related(
        Prefetch("articles", queryset=Article.objects.public().only("pk", "title"), to_attr="public_articles")
    )
    if pk is not None:
        replies = replies.filter(pk=pk)
    ordered = sorted(replies, key=lambda r: (r.language != language, r.language, r.title.lower()))
    return [
        {"id": r.pk, "title": r.title, "language": r.language, "text": canned_reply_render(r, context)}
        for r in ordered
    ]
