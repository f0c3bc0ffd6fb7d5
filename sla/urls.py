from django.urls import path

from . import views

app_name = "sla"

urlpatterns = [path("support/plans/", views.plans, name="plans")]
