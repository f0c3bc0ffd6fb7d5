"""Who may call what: the same roles as the web UI's decorators (tickets.views.access)."""

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission


class IsCustomer(BasePermission):
    message = _("Only customers can do this.")

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.is_customer)


class IsEngineer(BasePermission):
    message = _("Only support engineers can do this.")

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.is_engineer)


class IsAdmin(BasePermission):
    message = _("Only admins can do this.")

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.is_active and request.user.is_staff)
