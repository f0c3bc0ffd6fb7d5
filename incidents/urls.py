from django.urls import path

from .views import manage, public

app_name = "incidents"

urlpatterns = [
    path("status/", public.status_page, name="status"),
    path("incidents/", manage.incident_list, name="list"),
    path("incidents/new/", manage.incident_declare, name="declare"),
    path("incidents/<int:pk>/", manage.incident_detail, name="detail"),
    path("incidents/<int:pk>/update/", manage.incident_update, name="update"),
    path("incidents/<int:pk>/resolve/", manage.incident_resolve, name="resolve"),
    path("incidents/<int:pk>/link/", manage.incident_link, name="link"),
    path("incidents/<int:pk>/tickets/<int:number>/unlink/", manage.incident_unlink, name="unlink"),
    path("incidents/<int:pk>/tickets/<int:number>/keep-open/", manage.incident_keep_open, name="keep_open"),
    path("incidents/<int:pk>/suggestions/<int:number>/dismiss/", manage.suggestion_dismiss, name="dismiss"),
    path("incidents/<int:pk>/subscribe/", public.subscribe, name="subscribe"),
]
