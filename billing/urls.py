from django.urls import path

from . import views

app_name = "billing"

urlpatterns = [
    path("order/", views.order_page, name="order_page"),
    path("order/place/", views.order_place, name="place"),
    path("orders/", views.order_list, name="orders"),
    path("orders/<int:number>/", views.order_detail, name="order"),
    path("orders/<int:number>/invoice.pdf", views.order_invoice, name="invoice"),
    path("orders/<int:number>/cancel/", views.order_cancel, name="cancel"),
    path("renew/<int:subscription_id>/", views.reorder, name="reorder"),
    path("wallet/", views.wallet, name="wallet"),
]
