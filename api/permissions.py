"""Who may call what: the same roles as the web UI's decorators (tickets.views.access)."""

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission, DjangoModelPermissions


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


class HasModelPermissions(DjangoModelPermissions):
    """Django's model permissions on the view's ``queryset`` model, reads included: a
    read needs ``view_<model>``, as in admin (DRF's default asks nothing for reads).
    With ``IsAdmin``: an admin whose groups do not grant the permission gets a 403."""

    message = _("Your admin account does not have the permission for this.")
    perms_map = {
        **DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
    }


ADMIN_PERMISSIONS = [IsAdmin, HasModelPermissions]
