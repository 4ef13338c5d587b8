"""Reads of the results framework. Getters take a project already access-checked and answer 404
for ids of other projects."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Min, Prefetch, QuerySet, Sum
from django.shortcuts import get_object_or_404

from activities.models import Activity
from projects.models import Project

from .measures import Computed, compute
from .models import SEX_PARTS, Indicator, IndicatorUpdate, ReportingPeriod, Result, Target, project_bounds


def result_get(*, project: Project, result_id: int) -> Result:
    return get_object_or_404(Result.objects.filter(project=project), pk=result_id)


def indicator_get(*, project: Project, indicator_id: int) -> Indicator:
    indicator = get_object_or_404(Indicator.objects.filter(project=project).select_related("result"), pk=indicator_id)
    indicator.project = project
    return indicator


def period_get(*, project: Project, period_id: int) -> ReportingPeriod:
    period = get_object_or_404(ReportingPeriod.objects.filter(project=project), pk=period_id)
    period.project = project
    return period


def update_get(*, project: Project, update_id: int) -> IndicatorUpdate:
    return get_object_or_404(
        IndicatorUpdate.objects.filter(project=project).select_related("indicator", "period"), pk=update_id
    )


def periods_for_project(*, project: Project) -> QuerySet[ReportingPeriod]:
    return ReportingPeriod.objects.filter(project=project).order_by("start")


def indicators_for_project(*, project: Project) -> QuerySet[Indicator]:
    return (
        Indicator.objects.filter(project=project)
        .select_related("result")
        .order_by("result__level", "result__order", "result__pk", "order", "pk")
    )


def results_for_project(*, project: Project) -> QuerySet[Result]:
    return Result.objects.filter(project=project).order_by("order", "pk")


def actual_of(indicator: Indicator, updates) -> Decimal | str | None:
    """The approved actual of one indicator in one period: typed numbers add up, otherwise the newest counts."""
    return actual_with_parts(indicator, updates)[0]


def actual_with_parts(indicator: Indicator, updates) -> tuple[Decimal | str | None, dict]:
    """The approved actual and its parts by sex (women/men/other, where any was given)."""
    approved = [update for update in updates if update.status == IndicatorUpdate.Status.APPROVED]
    if not approved:
        return None, {}
    # A computed value is the whole period's: the newest replaces the older ones.
    if indicator.unit == Indicator.Unit.NUMBER and not indicator.is_computed:
        total = sum((update.value or Decimal(0) for update in approved), Decimal(0))
        parts = {}
        for name in SEX_PARTS:
            given = [getattr(update, name) for update in approved if getattr(update, name) is not None]
            if given:
                parts[name] = sum(given, Decimal(0))
        return total, parts
    newest = max(approved, key=lambda update: (update.reviewed_at, update.pk))
    if indicator.unit == Indicator.Unit.TEXT:
        return newest.text, {}
    parts = {name: getattr(newest, name) for name in SEX_PARTS if getattr(newest, name) is not None}
    return newest.value, parts


@dataclass
class FrameworkNode:
    result: Result
    children: list["FrameworkNode"] = field(default_factory=list)


def framework_for_project(*, project: Project) -> list[FrameworkNode]:
    """The project's results as a tree (objective → outcomes → outputs), each with its indicators
    (targets prefetched) and contributing activities: a fixed number of queries however large."""
    results = list(
        Result.objects.filter(project=project)
        .prefetch_related(
            Prefetch(
                "indicators",
                queryset=Indicator.objects.order_by("order", "pk").prefetch_related(
                    Prefetch("targets", queryset=Target.objects.select_related("period").order_by("period__start"))
                ),
            ),
            Prefetch("activities", queryset=Activity.objects.order_by("order", "planned_start", "pk")),
        )
        .order_by("order", "pk")
    )
    nodes = {result.pk: FrameworkNode(result) for result in results}
    roots = []
    for result in results:
        parent = nodes.get(result.parent_id)
        (parent.children if parent else roots).append(nodes[result.pk])
    level_order = {Result.Level.OBJECTIVE: 0, Result.Level.OUTCOME: 1, Result.Level.OUTPUT: 2}
    roots.sort(key=lambda node: (level_order[node.result.level], node.result.order, node.result.pk))
    return roots


@dataclass
class PeriodRow:
    """One indicator on a reporting period's page: its target, what is reported, what may be edited."""

    indicator: Indicator
    target: Target | None
    updates: list[IndicatorUpdate]
    actual: Decimal | str | None
    computed: Computed | None
    editable: IndicatorUpdate | None  # the draft or returned update the form edits, if any

    @property
    def waiting(self) -> list[IndicatorUpdate]:
        return [update for update in self.updates if update.status == IndicatorUpdate.Status.SUBMITTED]

    @property
    def is_reported(self) -> bool:
        return any(
            update.status in (IndicatorUpdate.Status.SUBMITTED, IndicatorUpdate.Status.APPROVED)
            for update in self.updates
        )


def period_rows(*, project: Project, period: ReportingPeriod) -> list[PeriodRow]:
    """Every indicator of the project for one period (computed ones computed)."""
    indicators = list(
        indicators_for_project(project=project).prefetch_related(
            Prefetch("targets", queryset=Target.objects.filter(period=period), to_attr="period_targets"),
            Prefetch(
                "updates",
                queryset=IndicatorUpdate.objects.filter(period=period)
                .select_related("created_by", "submitted_by", "reviewed_by")
                .order_by("created_at", "pk"),
                to_attr="period_updates",
            ),
        )
    )
    rows = []
    for indicator in indicators:
        indicator.project = project
        updates = indicator.period_updates
        editable = next((update for update in reversed(updates) if update.is_editable), None)
        rows.append(
            PeriodRow(
                indicator=indicator,
                target=indicator.period_targets[0] if indicator.period_targets else None,
                updates=updates,
                actual=actual_of(indicator, updates),
                computed=compute(indicator, period),
                editable=editable,
            )
        )
    return rows


def period_state(period: ReportingPeriod, *, today: datetime.date) -> str:
    """ "upcoming" (not ended), "open" (ended, reports not yet due), "overdue" (past the due date)."""
    if today <= period.end:
        return "upcoming"
    return "open" if today <= period.due else "overdue"


def waiting_updates(*, project: Project) -> QuerySet[IndicatorUpdate]:
    """Submitted updates waiting for a manager, oldest first."""
    return (
        IndicatorUpdate.objects.filter(project=project, status=IndicatorUpdate.Status.SUBMITTED)
        .select_related("indicator", "indicator__result", "period", "created_by", "submitted_by")
        .order_by("submitted_at", "pk")
    )


def unreported_counts(*, project: Project, periods: list[ReportingPeriod]) -> dict[int, int]:
    """Period id → how many of the project's indicators have nothing submitted or approved in it."""
    indicator_count = Indicator.objects.filter(project=project).count()
    reported = dict(
        IndicatorUpdate.objects.filter(
            project=project, status__in=[IndicatorUpdate.Status.SUBMITTED, IndicatorUpdate.Status.APPROVED]
        )
        .order_by()
        .values("period_id")
        .annotate(indicators=Count("indicator_id", distinct=True))
        .values_list("period_id", "indicators")
    )
    return {period.pk: indicator_count - reported.get(period.pk, 0) for period in periods}


@dataclass
class IatiPeriod:
    start: datetime.date
    end: datetime.date
    target: Target | None
    actual: Decimal | str | None
    actual_parts: dict


LEVEL_ORDER = {Result.Level.OBJECTIVE: 0, Result.Level.OUTCOME: 1, Result.Level.OUTPUT: 2}


def results_for_iati(*, project_ids) -> dict[int, list[Result]]:
    """Project id → its results that have indicators, each indicator with `iati_periods`: the reporting
    periods with a target or an approved actual, or else one period over the project for a target set
    for the whole project (never both, so one indicator's periods do not overlap). Four queries."""
    project_ids = list(project_ids)
    results = (
        Result.objects.filter(project_id__in=project_ids)
        .select_related("project")
        .prefetch_related(
            Prefetch(
                "indicators",
                queryset=Indicator.objects.order_by("order", "pk").prefetch_related(
                    Prefetch("targets", queryset=Target.objects.select_related("period"))
                ),
            )
        )
    )
    updates: dict[int, dict[int, list]] = {}
    approved = IndicatorUpdate.objects.filter(project_id__in=project_ids, status=IndicatorUpdate.Status.APPROVED)
    for update in approved.select_related("period"):
        updates.setdefault(update.indicator_id, {}).setdefault(update.period, []).append(update)
    by_project: dict[int, list[Result]] = {}
    for result in sorted(results, key=lambda r: (LEVEL_ORDER[r.level], r.order, r.pk)):
        indicators = list(result.indicators.all())
        if not indicators:
            continue
        for indicator in indicators:
            indicator.project = result.project
            indicator.iati_periods = _iati_periods(indicator, updates.get(indicator.pk, {}))
        result.iati_indicators = indicators
        by_project.setdefault(result.project_id, []).append(result)
    return by_project


def _iati_periods(indicator: Indicator, updates_by_period: dict) -> list[IatiPeriod]:
    targets = {target.period: target for target in indicator.targets.all()}
    periods = {period for period in targets if period is not None} | set(updates_by_period)
    if not periods:
        whole = targets.get(None)
        if whole is None:
            return []
        start, end = project_bounds(indicator.project)
        return [IatiPeriod(start, end, whole, None, {})]
    rows = []
    for period in sorted(periods, key=lambda period: period.start):
        actual, parts = actual_with_parts(indicator, updates_by_period.get(period, []))
        rows.append(IatiPeriod(period.start, period.end, targets.get(period), actual, parts))
    return rows


@dataclass
class ValueRow:
    label: str
    target: Decimal | str | None
    actual: Decimal | str | None


def indicator_tables(*, project: Project) -> list[Indicator]:
    """Every indicator of the project with `rows`: one per reporting period (target and approved actual),
    and a last one for the whole project's target. Four queries however many indicators and periods (one
    without indicators)."""
    indicators = list(
        indicators_for_project(project=project).prefetch_related(
            Prefetch("targets", queryset=Target.objects.order_by())
        )
    )
    if not indicators:
        return []
    periods = list(ReportingPeriod.objects.filter(project=project).order_by("start"))
    updates: dict[tuple[int, int], list] = {}
    approved = IndicatorUpdate.objects.filter(project=project, status=IndicatorUpdate.Status.APPROVED)
    for update in approved:
        updates.setdefault((update.indicator_id, update.period_id), []).append(update)
    for indicator in indicators:
        indicator.project = project
        targets = {target.period_id: target for target in indicator.targets.all()}
        indicator.rows = [
            ValueRow(
                label=str(period),
                target=_target_value(indicator, targets.get(period.pk)),
                actual=actual_of(indicator, updates.get((indicator.pk, period.pk), [])),
            )
            for period in periods
        ]
        indicator.project_target = _target_value(indicator, targets.get(None))
    return indicators


def _target_value(indicator: Indicator, target: Target | None):
    if target is None:
        return None
    return target.text if indicator.unit == Indicator.Unit.TEXT else target.value


def export_rows(*, project: Project):
    """The framework and its values, one row per indicator and reporting period (and one for the
    whole project's target): what the XLSX and CSV exports hold. Four queries."""
    periods = list(ReportingPeriod.objects.filter(project=project).order_by("start"))
    indicators = list(
        indicators_for_project(project=project).prefetch_related(
            Prefetch("targets", queryset=Target.objects.order_by())
        )
    )
    updates: dict[tuple[int, int], list] = {}
    approved = IndicatorUpdate.objects.filter(project=project, status=IndicatorUpdate.Status.APPROVED)
    for update in approved:
        updates.setdefault((update.indicator_id, update.period_id), []).append(update)
    for indicator in sorted(indicators, key=lambda i: (LEVEL_ORDER[i.result.level], i.result.order, i.order, i.pk)):
        indicator.project = project
        targets = {target.period_id: target for target in indicator.targets.all()}
        spans = [(period.pk, period.start, period.end) for period in periods] + [(None, None, None)]
        for period_id, start, end in spans:
            target = targets.get(period_id)
            actual, parts = (
                (None, {})
                if period_id is None
                else actual_with_parts(indicator, updates.get((indicator.pk, period_id), []))
            )
            if period_id is None and target is None:
                continue
            yield [
                indicator.result.get_level_display(),
                indicator.result.title,
                indicator.title,
                indicator.code,
                indicator.get_unit_display(),
                indicator.iati_measure,
                indicator.ascending,
                indicator.baseline_value,
                indicator.baseline_year,
                indicator.means_of_verification,
                start,
                end,
                _target_value(indicator, target),
                *[getattr(target, name) if target else None for name in SEX_PARTS],
                actual,
                *[parts.get(name) for name in SEX_PARTS],
            ]


def shared_indicators(*, projects: QuerySet[Project]) -> list[dict]:
    """Indicators with a code, added up across `projects` in the database: how many projects have one,
    their targets for the whole project, and their approved actual values with the parts by sex.
    Typed numbers only: percentages and yes/no do not add up, and a computed value is replaced by the
    next one approved, not added to it. Three queries."""
    in_scope = projects.order_by().values("pk")
    typed = Indicator.objects.filter(project__in=in_scope, unit=Indicator.Unit.NUMBER, source="").exclude(code="")
    rows = {
        row["code"]: dict(row, target=None, actual=None, women=None, men=None, other=None)
        for row in typed.values("code").annotate(projects=Count("project", distinct=True), title=Min("title"))
    }
    if not rows:
        return []
    targets = (
        Target.objects.filter(indicator__in=typed, period__isnull=True)
        .values("indicator__code")
        .annotate(total=Sum("value"))
    )
    for row in targets:
        rows[row["indicator__code"]]["target"] = row["total"]
    actuals = (
        IndicatorUpdate.objects.filter(indicator__in=typed, status=IndicatorUpdate.Status.APPROVED)
        .values("indicator__code")
        .annotate(total=Sum("value"), women_total=Sum("women"), men_total=Sum("men"), other_total=Sum("other"))
    )
    for row in actuals:
        rows[row["indicator__code"]].update(
            actual=row["total"], women=row["women_total"], men=row["men_total"], other=row["other_total"]
        )
    return sorted(rows.values(), key=lambda row: row["code"])
