from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.i18n import set_language

from . import views

# The admin carries the product's name in the admin's language, not "Django administration".
admin.site.site_header = _("Helpdesk administration")
admin.site.site_title = _("Helpdesk")
admin.site.index_title = _("Settings, tariffs and people")

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("accounts/", include("helpdesk.accounts.urls")),
    path("admin/", admin.site.urls),
    path("", include("sla.urls")),
    path("kb/", include("knowledgebase.urls")),
    path("billing/", include("billing.urls")),
    path("privacy/", include("privacy.urls")),
    path("api/", include("api.urls")),
    path("workspace/", include("workspace.urls")),
    path("", include("incidents.urls")),
    path("", include("tickets.urls")),
]

# A request too large to read gets a page saying what to do (helpdesk/request_limits.py).
handler400 = "helpdesk.request_limits.bad_request"
