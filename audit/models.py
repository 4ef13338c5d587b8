"""The audit trail: an append-only record of who did what, when and from where.

An entry is written once and never changed or deleted by the application: the model refuses a
second save and a deletion, its querysets refuse `update()` and `delete()`, and on PostgreSQL a
trigger refuses UPDATE and DELETE of the table (migration 0002). Two writes are let through, both
leaving the record as it was: the actor's account being deleted sets `actor` to NULL (the entry
keeps `actor_name`), and the retention purge (`audit.services.audit_purge`), which marks its own
transaction with `SET LOCAL mpf.audit_purge = 'on'`.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEntryChangeRefused(Exception):
    """An audit entry cannot be changed or deleted."""


class Kind(models.TextChoices):
    LOGIN_SUCCEEDED = "login_succeeded", _("Login succeeded")
    LOGIN_FAILED = "login_failed", _("Login failed")
    LOGIN_LOCKED = "login_locked", _("Login locked out")
    SSO_LOGIN_REFUSED = "sso_login_refused", _("Single sign-on refused")
    MFA_ENROLLED = "mfa_enrolled", _("Second factor enrolled")
    MFA_RESET = "mfa_reset", _("Second factor reset")
    MEMBERSHIP_ADDED = "membership_added", _("Member added")
    MEMBERSHIP_CHANGED = "membership_changed", _("Member's role changed")
    MEMBERSHIP_REMOVED = "membership_removed", _("Member removed")
    GROUP_CHANGED = "group_changed", _("Groups changed")
    USER_CREATED = "user_created", _("User created")
    USER_DEACTIVATED = "user_deactivated", _("User deactivated")
    STAFF_GRANTED = "staff_granted", _("Staff status granted")
    STAFF_REVOKED = "staff_revoked", _("Staff status revoked")
    SUPERUSER_GRANTED = "superuser_granted", _("Superuser status granted")
    SUPERUSER_REVOKED = "superuser_revoked", _("Superuser status revoked")
    PROJECT_PUBLISHED = "project_published", _("Project published")
    PROJECT_UNPUBLISHED = "project_unpublished", _("Project unpublished")
    CONCEPT_PUBLISHED = "concept_published", _("Concept published")
    EDITION_FROZEN = "edition_frozen", _("Edition frozen")
    EXPORT_DOWNLOADED = "export_downloaded", _("Export downloaded")
    FILE_DOWNLOADED = "file_downloaded", _("File downloaded")
    RENDER_REQUESTED = "render_requested", _("Printed file requested")
    IMPORT_STARTED = "import_started", _("Import started")
    IMPORT_CONFIRMED = "import_confirmed", _("Import confirmed")
    OBJECT_DELETED = "object_deleted", _("Deleted")
    ADMIN_ACTION = "admin_action", _("Administration")


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        # Deleting a user sets `actor` to NULL on their entries (on_delete=SET_NULL): the one update allowed.
        if kwargs == {"actor": None}:
            return super().update(**kwargs)
        raise AuditEntryChangeRefused("Audit entries cannot be changed.")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AuditEntryChangeRefused("Audit entries cannot be changed.")

    def delete(self):
        raise AuditEntryChangeRefused("Audit entries cannot be deleted (the retention purge is the only way).")

    delete.queryset_only = True

    def for_project(self, project: str):
        """Entries about a project, named by its slug (as recorded) or its id."""
        if not project:
            return self
        by_label = models.Q(project_label__iexact=project)
        return self.filter(by_label | models.Q(project_id=int(project)) if project.isdigit() else by_label)


class AuditEntry(models.Model):
    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_name = models.CharField(_("person's name"), max_length=150, blank=True)
    kind = models.CharField(_("what"), max_length=40, choices=Kind.choices, db_index=True)
    project_id = models.BigIntegerField(_("project id"), null=True, blank=True, db_index=True)
    project_label = models.CharField(_("project"), max_length=100, blank=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_label = models.CharField(_("object"), max_length=200, blank=True)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["actor", "-at"], name="audit_actor_at")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name or '-'} {self.kind}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditEntryChangeRefused("Audit entries cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditEntryChangeRefused("Audit entries cannot be deleted (the retention purge is the only way).")
