from django.urls import path

from .views import files, portal, satisfaction, similar

app_name = "tickets"

urlpatterns = [
    path("tickets/", portal.ticket_list, name="list"),
    path("tickets/new/", portal.ticket_new, name="new"),
    path("tickets/similar/", similar.similar, name="similar"),
    path("tickets/<int:number>/", portal.ticket_detail, name="detail"),
    path("tickets/<int:number>/filed/", portal.ticket_created, name="created"),
    path("tickets/<int:number>/reply/", portal.ticket_reply, name="reply"),
    path("tickets/<int:number>/status/", portal.ticket_transition, name="transition"),
    path("tickets/<int:number>/callback/", portal.ticket_callback, name="callback"),
    path("feedback/<uuid:token>/", satisfaction.satisfaction, name="satisfaction"),
    path("tickets/<int:number>/files/<int:attachment_id>/", files.attachment_download, name="attachment"),
    path("tickets/<int:number>/files/<int:attachment_id>/view/", files.attachment_text_view, name="attachment_text"),
]
