from django.urls import path

from .views import actions, files, portal, reports, workspace

app_name = "tickets"

urlpatterns = [
    path("tickets/", portal.ticket_list, name="list"),
    path("tickets/new/", portal.ticket_new, name="new"),
    path("tickets/<int:number>/", portal.ticket_detail, name="detail"),
    path("tickets/<int:number>/filed/", portal.ticket_created, name="created"),
    path("tickets/<int:number>/reply/", portal.ticket_reply, name="reply"),
    path("tickets/<int:number>/status/", portal.ticket_transition, name="transition"),
    path("tickets/<int:number>/callback/", portal.ticket_callback, name="callback"),
    path("tickets/<int:number>/files/<int:attachment_id>/", files.attachment_download, name="attachment"),
    path("workspace/", workspace.queue, name="queue"),
    path("workspace/bulk/", workspace.queue_bulk, name="bulk"),
    path("workspace/reports/", reports.reports_page, name="reports"),
    path("workspace/tickets/<int:number>/triage/", actions.triage, name="triage"),
    path("workspace/tickets/<int:number>/commit/", actions.commit, name="commit"),
    path("workspace/tickets/<int:number>/refuse/", actions.refuse, name="refuse"),
    path("workspace/tickets/<int:number>/escalate/", actions.escalate, name="escalate"),
    path("workspace/tickets/<int:number>/call/", actions.log_call, name="call"),
    path("workspace/tickets/<int:number>/resolve/", actions.resolve, name="resolve"),
    path("workspace/tickets/<int:number>/presence/", actions.presence, name="presence"),
    path("workspace/tickets/<int:number>/", workspace.ticket_work, name="work"),
    path("workspace/tickets/<int:number>/take/", workspace.ticket_take, name="take"),
    path("workspace/tickets/<int:number>/reply/", workspace.ticket_reply, name="work_reply"),
    path("workspace/tickets/<int:number>/status/", workspace.ticket_transition, name="work_transition"),
]
