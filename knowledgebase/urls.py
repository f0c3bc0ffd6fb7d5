from django.urls import path

from .views import editor, public, suggest

app_name = "kb"

urlpatterns = [
    path("", public.home, name="home"),
    path("search/", public.search, name="search"),
    path("c/<slug:slug>/", public.category, name="category"),
    path("articles/<int:pk>/", public.article, name="article"),
    path("articles/<int:pk>/vote/", public.vote, name="vote"),
    path("suggest/", suggest.suggest, name="suggest"),
    path("deflect/", suggest.deflect, name="deflect"),
    path("solved/", suggest.deflected, name="deflected"),
    path("manage/", editor.manage, name="manage"),
    path("manage/new/", editor.edit, name="article_new"),
    path("manage/<int:pk>/", editor.edit, name="article_edit"),
    path("stats/", editor.stats, name="stats"),
]
