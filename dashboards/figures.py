"""Each project's budget and spending, kept summed for the dashboards (ProjectFigures, PeriodFigures).

The portfolio dashboard adds up one row per project instead of every expenditure: at 10,000
projects and two million expenditures, milliseconds instead of seconds after each change. The
rows follow the project's data revision (projects/revision.py), which moves on in the same
transaction as any saved or deleted budget line, budget revision, expenditure or project field
(not when an organisation's or instrument's name changes: the dashboards read those live):

- when a transaction that changed a project's budget or spending commits, that project is summed
  again (`connect`: signals note the project, `transaction.on_commit` sums it);
- whoever reads the figures sums again, first, any project whose figures are missing or older
  than its revision (`refresh_stale`). What a bulk write, a shell or a failed commit hook left
  behind is caught there, so the figures read are never older than the data.

Summing is set-based: the same few queries for one project or five hundred (`refresh`). Nothing
else writes these rows; who may see them is decided by the dashboards' views, as before.
"""

import logging
from decimal import Decimal

from django.db import DatabaseError, connection, transaction
from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.signals import post_delete, post_save

from budgets.models import BudgetLine, BudgetRevision, Expenditure
from projects.models import Project
from projects.revision import project_path

from . import iati
from .models import PeriodFigures, ProjectFigures

logger = logging.getLogger("mpf.dashboards")

CHUNK = 500  # projects summed in one transaction
ZERO = Decimal("0.00")
FIGURE_FIELDS = ["revision", "lines", "original", "revised", "spent", "periods", "unplanned_budget", "unplanned_spent"]


def stale(projects: QuerySet[Project]) -> QuerySet[Project]:
    """Those of `projects` whose kept figures are missing or were summed at an older revision."""
    current = ProjectFigures.objects.filter(project=OuterRef("pk"), revision=OuterRef("data_revision"))
    return projects.order_by().filter(~Exists(current))


def refresh_stale(projects: QuerySet[Project]) -> int:
    """Sums again those of `projects` whose figures are not current (one query when all are); how many."""
    ids = list(stale(projects).values_list("pk", flat=True))
    return refresh(ids)


def refresh(project_ids) -> int:
    """Sums these projects' budgets and spending again, CHUNK projects per transaction; how many."""
    ids = sorted({pk for pk in project_ids if pk is not None})
    for start in range(0, len(ids), CHUNK):
        _refresh_chunk(ids[start : start + CHUNK])
    return len(ids)


@transaction.atomic
def _refresh_chunk(ids: list[int]) -> None:
    # Claim the rows, then lock them in order: two readers summing the same projects take turns.
    ids = list(Project.objects.filter(pk__in=ids).order_by("pk").values_list("pk", flat=True))
    ProjectFigures.objects.bulk_create([ProjectFigures(project_id=pk) for pk in ids], ignore_conflicts=True)
    list(ProjectFigures.objects.select_for_update().filter(project__in=ids).order_by("project").values_list("pk"))
    # The revisions are read before the sums: a change committed meanwhile has moved its project past
    # the revision kept here, so the next read sums that project again.
    projects = list(
        Project.objects.filter(pk__in=ids).values_list("pk", "data_revision", "planned_start", "planned_end")
    )
    # Each line's revised amount and spending as the budget page shows them (BudgetLineQuerySet.with_figures).
    ledger = {
        pk: (lines, original, revised, spent)
        for pk, lines, original, revised, spent in BudgetLine.objects.filter(project__in=ids)
        .with_figures()
        .order_by()
        .values("project")
        .annotate(lines=Count("pk"), original=Sum("amount"), revised_total=Sum("revised"), spent_total=Sum("spent"))
        .values_list("project", "lines", "original", "revised_total", "spent_total")
    }
    figures, periods = [], []
    for pk, revision, start, end in projects:
        lines, original, revised, spent = ledger.get(pk, (0, ZERO, ZERO, ZERO))
        spans = iati.budget_periods(start, end) if lines else []
        weights = [(last - first).days + 1 for first, last in spans]
        for (first, last), share in zip(spans, iati.spread(revised, weights), strict=True):
            periods.append(PeriodFigures(project_id=pk, first=first, last=last, budget=share))
        figures.append(
            ProjectFigures(
                project_id=pk, revision=revision, lines=lines, original=original, revised=revised, spent=spent,
                periods=len(spans), unplanned_budget=ZERO if spans else revised,
            )
        )  # fmt: skip
    PeriodFigures.objects.filter(project__in=ids).delete()
    PeriodFigures.objects.bulk_create(periods)
    # The spending within each period, in one grouped join (a project's periods with its own expenditures).
    dated = "project__budget_lines__expenditures__date"
    within = Q(**{f"{dated}__gte": F("first"), f"{dated}__lte": F("last")})
    spent_within = dict(
        PeriodFigures.objects.filter(project__in=ids, project__budget_lines__expenditures__isnull=False)
        .order_by()
        .values("pk")
        .annotate(total=Sum("project__budget_lines__expenditures__amount", filter=within))
        .values_list("pk", "total")
    )
    in_periods: dict[int, Decimal] = {}
    for period in periods:
        period.spent = Decimal(spent_within.get(period.pk) or 0)
        in_periods[period.project_id] = in_periods.get(period.project_id, ZERO) + period.spent
    PeriodFigures.objects.bulk_update([period for period in periods if period.spent], ["spent"])
    for row in figures:
        row.unplanned_spent = row.spent - in_periods.get(row.project_id, ZERO)
    ProjectFigures.objects.bulk_update(figures, FIGURE_FIELDS)


# --- summing again when a change commits ---------------------------------------------------

FOLLOWED = (Project, BudgetLine, BudgetRevision, Expenditure)  # what the sums are taken from
_PATHS = {}


def _pending() -> set:
    if not hasattr(connection, "dashboard_figures_pending"):
        connection.dashboard_figures_pending = set()
    return connection.dashboard_figures_pending


def _flush() -> None:
    pending = _pending()
    ids = list(pending)
    pending.clear()
    if not ids:
        return
    try:
        refresh(ids)
    except DatabaseError:
        # The change itself has committed; the first reader sums these projects instead.
        logger.warning("Dashboard figures of projects %s were not summed after a change", ids, exc_info=True)


def _on_changed(sender, instance, raw=False, **kwargs):
    if raw:  # loading fixtures
        return
    pk = _PATHS[sender](instance)
    if pk is not None:
        _pending().add(pk)
        transaction.on_commit(_flush)  # later calls find nothing left to do


def connect() -> None:
    """Sums a project again when a change to its budget or spending commits (AppConfig.ready)."""
    for model in FOLLOWED:
        _PATHS[model] = project_path(model)  # the row's project, through a loaded budget line if it can
        uid = f"dashboard-figures:{model._meta.label}"
        post_save.connect(_on_changed, sender=model, dispatch_uid=uid)
        post_delete.connect(_on_changed, sender=model, dispatch_uid=uid)
