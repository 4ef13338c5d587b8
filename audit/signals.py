"""Django's own events, recorded: logins (and axes' lock-outs) and the admin's actions.

The portal's own actions (publishing, exports, imports…) call `services.record` where they happen.
"""

import json

from axes.signals import user_locked_out
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.contrib.contenttypes.models import ContentType
from django.db.models.signals import post_save
from django.dispatch import receiver

from .models import Kind
from .services import record

ADMIN_ACTIONS = {ADDITION: "added", CHANGE: "changed", DELETION: "deleted"}


@receiver(user_logged_in, dispatch_uid="audit.login_succeeded")
def login_succeeded(sender, request, user, **kwargs):
    # Single sign-on marks its request (accounts/views.py): the entry says which way the user came in.
    via = getattr(request, "audit_login_details", None)
    record(kind=Kind.LOGIN_SUCCEEDED, actor=user, request=request, details=via)


@receiver(user_login_failed, dispatch_uid="audit.login_failed")
def login_failed(sender, credentials, request=None, **kwargs):
    # Django hides the password in `credentials`; only the name that was typed is kept.
    username = str(credentials.get("username", ""))
    record(kind=Kind.LOGIN_FAILED, request=request, actor_name=username, details={"username": username})


@receiver(user_locked_out, dispatch_uid="audit.login_locked")
def login_locked(sender, request, username, ip_address, **kwargs):
    record(kind=Kind.LOGIN_LOCKED, request=request, actor_name=str(username or ""), details={"username": username})


def _changed_fields(change_message: str) -> list[str]:
    """The names of the fields an admin change touched (never their values)."""
    try:
        changes = json.loads(change_message or "[]")
    except ValueError:
        return []
    if not isinstance(changes, list):
        return []
    return [
        str(name)
        for change in changes
        if isinstance(change, dict)
        for name in change.get("changed", {}).get("fields", [])
    ]


@receiver(post_save, sender=LogEntry, dispatch_uid="audit.admin_action")
def admin_action(sender, instance: LogEntry, created, **kwargs):
    """Every addition, change and deletion made in the Django admin (it writes a LogEntry for each)."""
    if not created:
        return
    content_type = ContentType.objects.get_for_id(instance.content_type_id) if instance.content_type_id else None
    record(
        kind=Kind.OBJECT_DELETED if instance.action_flag == DELETION else Kind.ADMIN_ACTION,
        actor=instance.user,
        details={
            "via": "admin",
            "action": ADMIN_ACTIONS.get(instance.action_flag, str(instance.action_flag)),
            "model": f"{content_type.app_label}.{content_type.model}" if content_type else "",
            "object_id": str(instance.object_id),
            # A comment's name is the start of its text: concepts' objects are named by id only.
            "object": "" if content_type and content_type.app_label == "concepts" else instance.object_repr,
            "fields": _changed_fields(instance.change_message),
        },
    )


def connect_admin_actions():
    """The admin's "delete selected" writes its LogEntry rows in one bulk insert when it deletes several
    objects, which sends no signal: the site's action is wrapped to record that deletion."""
    from django.contrib import admin
    from django.contrib.admin.actions import delete_selected

    def audited_delete_selected(modeladmin, request, queryset):
        confirmed = request.POST.get("post")
        deleted = [(obj.pk, str(obj)) for obj in queryset[:101]] if confirmed else []
        count = queryset.count() if confirmed else 0
        response = delete_selected(modeladmin, request, queryset)
        if confirmed and response is None and count > 1:
            record(
                kind=Kind.OBJECT_DELETED,
                request=request,
                details={
                    "via": "admin",
                    "action": "delete_selected",
                    "model": queryset.model._meta.model_name,
                    "count": count,
                    "object_ids": [str(pk) for pk, _label in deleted[:100]],
                    "objects": [label for _pk, label in deleted[:20]],
                },
            )
        return response

    audited_delete_selected.allowed_permissions = delete_selected.allowed_permissions
    audited_delete_selected.short_description = delete_selected.short_description
    admin.site.add_action(audited_delete_selected, "delete_selected")
