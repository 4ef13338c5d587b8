from django.db.models import Count, QuerySet, Sum
from django.shortcuts import get_object_or_404

from projects.models import Project

from .models import Activity, Participation


def activities_for_project(*, project: Project) -> QuerySet[Activity]:
    return (
        Activity.objects.filter(project=project)
        .select_related("project")
        .annotate(organisations=Count("participations"), participant_total=Sum("participations__participants"))
        .order_by("order", "planned_start", "pk")
    )


def activity_get(*, project: Project, activity_id: int) -> Activity:
    """An activity of `project` (already access-checked), or 404: ids of other projects do not resolve."""
    activity = get_object_or_404(Activity.objects.filter(project=project), pk=activity_id)
    activity.project = project  # keeps the caller's access annotations
    return activity


def participations_for_activity(*, activity: Activity) -> QuerySet[Participation]:
    return activity.participations.select_related("organisation").order_by("role", "organisation__name")


def participation_totals(*, activity: Activity) -> dict:
    return activity.participations.aggregate(participants=Sum("participants"), women=Sum("women"))
