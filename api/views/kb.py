"""Knowledge-base suggestions for a text, as the ticket form shows while it is typed."""

from django.conf import settings
from django.urls import NoReverseMatch
from django.utils.translation import get_language
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from knowledgebase.selectors import suggestions

from ..serializers.fields import Text


class SuggestionQuerySerializer(serializers.Serializer):
    q = Text(max_length=1000, allow_blank=True, help_text="What the customer has typed so far (subject and text).")
    language = serializers.ChoiceField(
        choices=[code for code, _name in settings.LANGUAGES], required=False,
        help_text="The reader's language; default: from Accept-Language.",
    )


class SuggestionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    language = serializers.CharField()
    url = serializers.URLField(allow_null=True, help_text="The article's public page.")
    title_html = serializers.CharField(help_text="The title, HTML-escaped, matched words in <mark>.")
    snippet_html = serializers.CharField(help_text="The best-matching sentence, HTML-escaped, matched words in <mark>.")
    score = serializers.FloatField()


class SuggestionListSerializer(serializers.Serializer):
    results = SuggestionSerializer(many=True)


def _url(request, article):
    try:
        return request.build_absolute_uri(article.get_absolute_url())
    except NoReverseMatch:
        return None


class SuggestionsView(APIView):
    ratelimit = {"GET": "kb_suggest"}
    @extend_schema(
        operation_id="kb_suggestions", summary="Knowledge-base articles that may answer a text",
        parameters=[SuggestionQuerySerializer], responses=SuggestionListSerializer,
    )
    def get(self, request):
        query = SuggestionQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        text = query.validated_data["q"].strip()
        language = query.validated_data.get("language") or (get_language() or settings.LANGUAGE_CODE)[:2]
        found = suggestions(text, language) if text else []
        results = [
            {
                "id": item["article"].pk, "title": item["article"].title, "language": item["article"].language,
                "url": _url(request, item["article"]), "title_html": str(item["title"]),
                "snippet_html": str(item["snippet"]), "score": round(float(item["score"]), 4),
            }
            for item in found
        ]
        return Response(SuggestionListSerializer({"results": results}).data)
