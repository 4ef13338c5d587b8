"""Changes of user accounts made in the admin: created, deactivated, rights granted or revoked, groups.

Mixed into the user admin (accounts/admin.py), which compares each account before and after a save.
"""

from .models import Kind
from .services import record

RIGHTS = (
    ("is_staff", Kind.STAFF_GRANTED, Kind.STAFF_REVOKED),
    ("is_superuser", Kind.SUPERUSER_GRANTED, Kind.SUPERUSER_REVOKED),
)


def _groups(account) -> set[str]:
    return set(account.groups.values_list("name", flat=True)) if account.pk else set()


class UserChangesAuditMixin:
    def save_model(self, request, obj, form, change):
        before = type(obj).objects.filter(pk=obj.pk).values("is_active", "is_staff", "is_superuser").first()
        obj._audit_groups_before = _groups(obj)  # the form's groups are saved later, by save_related
        super().save_model(request, obj, form, change)
        if before is None:
            details = {"is_staff": obj.is_staff, "is_superuser": obj.is_superuser}
            record(kind=Kind.USER_CREATED, request=request, target=obj, details=details)
            before = {"is_active": True, "is_staff": False, "is_superuser": False}
        if before["is_active"] and not obj.is_active:
            record(kind=Kind.USER_DEACTIVATED, request=request, target=obj)
        for field, granted, revoked in RIGHTS:
            if before[field] != getattr(obj, field):
                record(kind=granted if getattr(obj, field) else revoked, request=request, target=obj)

    def save_related(self, request, form, formsets, change):
        account = form.instance
        before = getattr(account, "_audit_groups_before", set())
        super().save_related(request, form, formsets, change)
        after = _groups(account)
        if before != after:
            details = {"added": sorted(after - before), "removed": sorted(before - after)}
            record(kind=Kind.GROUP_CHANGED, request=request, target=account, details=details)
