"""The admin of users and groups: only superusers hand out rights.

A staff user may hold every permission of the auth app (an old demo group did) and still gets no
path to more rights than they have: the fields that grant rights are read-only for them (a POST
that sends them changes nothing), groups and their permissions are read-only, accounts with rights
(staff, superusers) other than their own are read-only, and they may not set another user's
password. Whoever may change an account's e-mail may take it over by a reset link, hence the last two.
Only a superuser resets another user's second factor (never by e-mail alone).
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import admin as auth_admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from audit.users import UserChangesAuditMixin

from . import services

RIGHTS_FIELDS = ("is_staff", "is_superuser", "groups", "user_permissions")

admin.site.unregister(get_user_model())
admin.site.unregister(Group)


def _may_manage(request, account) -> bool:
    """A non-superuser manages only accounts without rights, and their own."""
    if request.user.is_superuser or account is None:
        return True
    return account.pk == request.user.pk or not (account.is_staff or account.is_superuser)


@admin.register(get_user_model())
class UserAdmin(UserChangesAuditMixin, auth_admin.UserAdmin):
    actions = ["reset_second_factor"]

    @admin.action(description=_("Reset two-factor login (for users who lost every factor)"), permissions=["reset"])
    def reset_second_factor(self, request, queryset):
        """A superuser removes the app and the recovery codes of others and ends their sessions; never their own."""
        accounts = list(queryset.exclude(pk=request.user.pk))
        for account in accounts:
            services.second_factors_remove(user=account, removed_by=request.user)
        self.message_user(
            request,
            ngettext(
                "Two-factor login was reset for %(count)d user: they log in with their password alone, "
                "or enrol again if their role requires it.",
                "Two-factor login was reset for %(count)d users: they log in with their password alone, "
                "or enrol again if their role requires it.",
                len(accounts),
            )
            % {"count": len(accounts)},
            messages.SUCCESS,
        )

    def has_reset_permission(self, request):
        return request.user.is_superuser

    def get_readonly_fields(self, request, obj=None):
        readonly = tuple(super().get_readonly_fields(request, obj))
        return readonly if request.user.is_superuser else readonly + RIGHTS_FIELDS

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and _may_manage(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and _may_manage(request, obj)

    def user_change_password(self, request, id, form_url=""):
        account = self.get_object(request, unquote(id))
        if not request.user.is_superuser and (account is None or account.pk != request.user.pk):
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)


@admin.register(Group)
class GroupAdmin(auth_admin.GroupAdmin):
    """Groups carry permissions: only superusers create, change or delete them."""

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser
