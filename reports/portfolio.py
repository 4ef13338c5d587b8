"""The overview of every report due and overdue across the portfolio (`/reports/`).

Programme staff see every project's reports; a project's managers (those who may approve its
reports, Capability.EDIT) see their projects' ones. Approved reports are done and not listed.
Overdue means still being written (not started, in progress, returned) after the due date; a
submitted report waits for approval and is listed, but is not overdue.
"""

import datetime

from django.contrib.auth import get_user_model
from django.db.models import BooleanField, Case, Prefetch, QuerySet, Value, When

from projects.access import Capability, projects_with

from .models import Report

SORTS = {
    # overdue first in either order, then by due date
    "due": ("-is_overdue", "due_date", "project__title", "pk"),
    "-due": ("-is_overdue", "-due_date", "project__title", "-pk"),
}
DEFAULT_SORT = "due"


def overview_projects(user) -> QuerySet:
    """The projects whose reports `user` follows in the overview (empty: the overview is not for them)."""
    return projects_with(user, Capability.EDIT)


def reports_due(*, user, today: datetime.date, sort: str = DEFAULT_SORT) -> QuerySet[Report]:
    """The reports not yet approved on the projects `user` follows, each with `is_overdue`, sorted."""
    overdue = When(state__in=Report.EDITABLE, due_date__lt=today, then=Value(True))
    responsible = Prefetch("responsible", queryset=get_user_model().objects.order_by("last_name", "username"))
    return (
        Report.objects.filter(project__in=overview_projects(user))
        .exclude(state=Report.State.APPROVED)
        .annotate(is_overdue=Case(overdue, default=Value(False), output_field=BooleanField()))
        .select_related("project")
        .prefetch_related(responsible)
        .order_by(*SORTS.get(sort, SORTS[DEFAULT_SORT]))
    )
