"""The REST API under /api/. Explicit paths (no router), so every name is deliberate and
has a row in api/tests/test_permission_matrix.py."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from .views import billing, incidents, kb, me, queue, relations, satisfaction, sla, tickets, tokens

app_name = "api"


class SchemaView(SpectacularAPIView):
    # The schema is public (it describes the API, not anyone's data) and not throttled
    # per token: Swagger UI and client generators fetch it without one.
    permission_classes = []
    throttle_classes = []


class DocsView(SpectacularSwaggerSplitView):
    # The split view serves Swagger UI's start-up script as a file: no inline script,
    # so the Content-Security-Policy needs no exception.
    permission_classes = []
    throttle_classes = []


urlpatterns = [
    # People: make and revoke tokens in the browser.
    path("tokens/", tokens.token_list, name="tokens"),
    path("tokens/<int:token_id>/revoke/", tokens.token_revoke, name="token_revoke"),
    # Schema and docs.
    path("schema/", SchemaView.as_view(), name="schema"),
    path("docs/", DocsView.as_view(url_name="api:schema"), name="docs"),
    # Everyone.
    path("me/", me.MeView.as_view(), name="me"),
    path("tickets/", tickets.TicketListView.as_view(), name="ticket-list"),
    path("tickets/<int:number>/", tickets.TicketDetailView.as_view(), name="ticket-detail"),
    path("tickets/<int:number>/replies/", tickets.TicketReplyView.as_view(), name="ticket-reply"),
    path("tickets/<int:number>/transition/", tickets.TicketTransitionView.as_view(), name="ticket-transition"),
    path(
        "tickets/<int:number>/attachments/<int:attachment_id>/",
        tickets.AttachmentDownloadView.as_view(), name="ticket-attachment",
    ),
    path("tickets/<int:number>/links/", relations.TicketLinksView.as_view(), name="ticket-links"),
    path("kb/suggestions/", kb.SuggestionsView.as_view(), name="kb-suggestions"),
    path("status/", incidents.StatusView.as_view(), name="status"),
    path("incidents/for-me/", incidents.IncidentsForMeView.as_view(), name="incident-for-me"),
    path("incidents/<int:pk>/subscribe/", incidents.IncidentSubscribeView.as_view(), name="incident-subscribe"),
    path("orders/", billing.OrderListView.as_view(), name="order-list"),
    path("wallet/", billing.WalletView.as_view(), name="wallet"),
    # Engineers.
    path("tickets/<int:number>/assign/", queue.TicketAssignView.as_view(), name="ticket-assign"),
    path("queue/", queue.QueueView.as_view(), name="queue"),
    path("tickets/<int:number>/urgency/", queue.TicketUrgencyView.as_view(), name="ticket-urgency"),
    path("tickets/<int:number>/resolve/", queue.TicketResolveView.as_view(), name="ticket-resolve"),
    path("tickets/<int:number>/commit/", queue.TicketCommitView.as_view(), name="ticket-commit"),
    path("tickets/<int:number>/refuse/", queue.TicketRefuseView.as_view(), name="ticket-refuse"),
    path("tickets/<int:number>/escalate/", queue.TicketEscalateView.as_view(), name="ticket-escalate"),
    path("tickets/<int:number>/merge/", relations.TicketMergeView.as_view(), name="ticket-merge"),
    path("tickets/<int:number>/split/", relations.TicketSplitView.as_view(), name="ticket-split"),
    path("tickets/<int:number>/links/<int:link_id>/", relations.TicketLinkDeleteView.as_view(), name="ticket-unlink"),
    path("engineers/", queue.EngineerListView.as_view(), name="engineer-list"),
    path("incidents/", incidents.IncidentListView.as_view(), name="incident-list"),
    path("incidents/<int:pk>/", incidents.IncidentDetailView.as_view(), name="incident-detail"),
    path("incidents/<int:pk>/updates/", incidents.IncidentUpdatePostView.as_view(), name="incident-update"),
    path("incidents/<int:pk>/resolve/", incidents.IncidentResolveView.as_view(), name="incident-resolve"),
    path("incidents/<int:pk>/links/", incidents.IncidentLinkView.as_view(), name="incident-link"),
    path("incidents/<int:pk>/links/<int:number>/", incidents.IncidentUnlinkView.as_view(), name="incident-unlink"),
    # Admins.
    path("tariffs/", sla.TariffListView.as_view(), name="tariff-list"),
    path("tariffs/<slug:code>/", sla.TariffDetailView.as_view(), name="tariff-detail"),
    path("licenses/", sla.LicenseListView.as_view(), name="license-list"),
    path("licenses/<str:serial>/", sla.LicenseDetailView.as_view(), name="license-detail"),
    path("orders/<int:number>/pay/", billing.OrderPayView.as_view(), name="order-pay"),
    path("reports/satisfaction/", satisfaction.SatisfactionReportView.as_view(), name="satisfaction-report"),
]
