"""Writes on activities and participation: one transaction each, validated first."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from audit.models import Kind as AuditKind
from audit.services import record
from common.generations import data_changed
from projects.models import Organisation, Project

from .models import Activity, Participation

ACTIVITY_FIELDS = {
    "kind", "title", "description", "theme", "planned_start", "planned_end", "actual_start", "actual_end",
    "status", "is_remote", "city", "country", "outputs", "title_ru", "theme_ru", "description_ru", "outputs_ru",
}  # fmt: skip


def _apply(activity: Activity, fields: dict) -> None:
    unknown = set(fields) - ACTIVITY_FIELDS
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(activity, name, value)


@transaction.atomic
def activity_create(*, project: Project, **fields) -> Activity:
    activity = Activity(project=project)
    _apply(activity, fields)
    # Locks the project row so two activities added at once do not get the same position.
    Project.objects.select_for_update().filter(pk=project.pk).first()
    activity.order = (project.activities.aggregate(last=Max("order"))["last"] or 0) + 1
    activity.full_clean()
    activity.save()
    data_changed()
    return activity


@transaction.atomic
def activity_update(*, activity: Activity, **fields) -> Activity:
    _apply(activity, fields)
    activity.full_clean()
    activity.save()
    data_changed()
    return activity


@transaction.atomic
def activity_cancel(*, activity: Activity) -> Activity:
    activity.status = Activity.Status.CANCELLED
    activity.save(update_fields=["status", "updated_at"])
    data_changed()
    return activity


@transaction.atomic
def activity_move(*, activity: Activity, direction: str) -> None:
    """Swaps the activity with its neighbour above ("up") or below ("down")."""
    if direction not in ("up", "down"):
        raise ValidationError(_("Unknown direction."))
    siblings = list(
        Activity.objects.select_for_update()
        .filter(project_id=activity.project_id)
        .order_by("order", "planned_start", "pk")
    )
    index = next(i for i, sibling in enumerate(siblings) if sibling.pk == activity.pk)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(siblings):
        return
    siblings[index], siblings[other] = siblings[other], siblings[index]
    for position, sibling in enumerate(siblings, start=1):
        if sibling.order != position:
            sibling.order = position
            sibling.save(update_fields=["order"])
    data_changed()


@transaction.atomic
def participation_add(
    *, activity: Activity, organisation: Organisation, role: str, participants: int, women: int | None = None
) -> Participation:
    if Participation.objects.filter(activity=activity, organisation=organisation, role=role).exists():
        raise ValidationError({"organisation": _("This organisation is already listed in that role.")})
    participation = Participation(
        activity=activity, organisation=organisation, role=role, participants=participants, women=women
    )
    participation.full_clean()
    participation.save()
    return participation


@transaction.atomic
def participation_remove(*, participation: Participation) -> None:
    record(kind=AuditKind.OBJECT_DELETED, target=participation, project_id=participation.activity.project_id)
    participation.delete()
