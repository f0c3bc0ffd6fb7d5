from django.urls import path

from .views import actions, queue, relations, reports, sales, satisfaction, ticket

app_name = "workspace"

urlpatterns = [
    path("", queue.queue, name="queue"),
    path("bulk/", queue.queue_bulk, name="bulk"),
    path("views/", queue.saved_view_save, name="saved_view_save"),
    path("views/<int:pk>/delete/", queue.saved_view_delete, name="saved_view_delete"),
    path("reports/", reports.reports_page, name="reports"),
    path("reports/sales/", sales.sales_page, name="sales"),
    path("reports/satisfaction/", satisfaction.satisfaction_page, name="satisfaction"),
    path("tickets/<int:number>/triage/", actions.triage, name="triage"),
    path("tickets/<int:number>/commit/", actions.commit, name="commit"),
    path("tickets/<int:number>/refuse/", actions.refuse, name="refuse"),
    path("tickets/<int:number>/escalate/", actions.escalate, name="escalate"),
    path("tickets/<int:number>/call/", actions.log_call, name="call"),
    path("tickets/<int:number>/resolve/", actions.resolve, name="resolve"),
    path("tickets/<int:number>/article/", actions.article_draft, name="article_draft"),
    path("tickets/<int:number>/presence/", actions.presence, name="presence"),
    path("tickets/<int:number>/merge/", relations.merge, name="merge"),
    path("tickets/<int:number>/split/<int:message_id>/", relations.split, name="split"),
    path("tickets/<int:number>/links/", relations.link, name="link"),
    path("tickets/<int:number>/links/<int:link_id>/delete/", relations.unlink, name="unlink"),
    path("tickets/<int:number>/", ticket.ticket_work, name="work"),
    path("tickets/<int:number>/take/", ticket.ticket_take, name="take"),
    path("tickets/<int:number>/live/", ticket.ticket_live, name="live"),
    path("tickets/<int:number>/suggestions/", ticket.reply_suggestions, name="suggestions"),
    path("tickets/<int:number>/reply/", ticket.ticket_reply, name="work_reply"),
    path("tickets/<int:number>/status/", ticket.ticket_transition, name="work_transition"),
]
