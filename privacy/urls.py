from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("", views.privacy_page, name="page"),
    path("export/", views.export_ask, name="export"),
    path("export/<uuid:token>/", views.export_download, name="export_download"),
    path("erase/", views.erasure_ask, name="erase"),
]
