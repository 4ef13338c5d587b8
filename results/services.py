"""Writes on the results framework, its periods and updates: one transaction each, validated first."""

import datetime
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.models import Activity
from common.generations import data_changed
from projects.models import Project

from .measures import compute
from .models import Indicator, IndicatorUpdate, ReportingPeriod, Result, Target, project_bounds

RESULT_FIELDS = {"title", "description", "title_ru", "description_ru"}
INDICATOR_FIELDS = {
    "code",
    "title",
    "title_ru",
    "unit",
    "ascending",
    "baseline_value",
    "baseline_year",
    "baseline_comment",
    "means_of_verification",
    "by_sex",
    "source",
    "activity_kind",
}
UPDATE_FIELDS = {"value", "text", "women", "men", "other", "narrative", "evidence"}
DUE_AFTER = datetime.timedelta(days=30)
FREQUENCIES = {"quarterly": 3, "half_yearly": 6, "yearly": 12}


def _apply(instance, fields: dict, allowed: set[str]) -> None:
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(instance, name, value)


def _next_order(queryset) -> int:
    return (queryset.aggregate(last=Max("order"))["last"] or 0) + 1


# The framework ---------------------------------------------------------------------------------------


@transaction.atomic
def result_create(*, project: Project, level: str, parent: Result | None = None, **fields) -> Result:
    result = Result(project=project, level=level, parent=parent)
    _apply(result, fields, RESULT_FIELDS)
    Project.objects.select_for_update().filter(pk=project.pk).first()  # one objective, orders apart
    result.order = _next_order(project.results.filter(parent=parent))
    result.full_clean()
    result.save()
    data_changed()
    return result


@transaction.atomic
def result_update(*, result: Result, **fields) -> Result:
    _apply(result, fields, RESULT_FIELDS)
    result.full_clean()
    result.save()
    data_changed()
    return result


@transaction.atomic
def result_set_activities(*, result: Result, activities) -> Result:
    """The activities that contribute to an output (or any result): all of the result's project."""
    activities = list(activities)
    if any(activity.project_id != result.project_id for activity in activities):
        raise ValidationError({"activities": _("Choose activities of this project.")})
    if set(result.activities.values_list("pk", flat=True)) != {activity.pk for activity in activities}:
        _set_without_history(result, lambda: result.activities.set(activities))
        result.save()  # one version with the new activities, for the project's history
    data_changed()
    return result


def _set_without_history(instance, change) -> None:
    """Runs `change` (a many-to-many set) without django-simple-history's version per add and remove."""
    instance.skip_history_when_saving = True
    try:
        change()
    finally:
        del instance.skip_history_when_saving


@transaction.atomic
def activity_set_results(*, activity: Activity, results) -> Activity:
    """The results an activity contributes to, set from the activity's side."""
    results = list(results)
    if any(result.project_id != activity.project_id for result in results):
        raise ValidationError({"results": _("Choose results of this project.")})
    before = set(activity.results.all())
    _set_without_history(activity, lambda: activity.results.set(results))
    for result in before.symmetric_difference(results):
        result.save()  # a version of each result gained or lost, with its activities now
    data_changed()
    return activity


@transaction.atomic
def indicator_create(*, result: Result, **fields) -> Indicator:
    indicator = Indicator(project_id=result.project_id, result=result)
    indicator.project = result.project
    _apply(indicator, fields, INDICATOR_FIELDS)
    indicator.order = _next_order(result.indicators.all())
    indicator.full_clean()
    indicator.save()
    data_changed()
    return indicator


@transaction.atomic
def indicator_update(*, indicator: Indicator, **fields) -> Indicator:
    _apply(indicator, fields, INDICATOR_FIELDS)
    indicator.full_clean()
    _check_existing_values(indicator)
    indicator.save()
    data_changed()
    return indicator


def _check_existing_values(indicator: Indicator) -> None:
    """A changed unit must still fit the targets and values already recorded."""
    for target in indicator.targets.all():
        if indicator.value_errors(target.value):
            raise ValidationError({"unit": _("The targets already set do not fit this unit.")})
    for update in indicator.updates.all():
        if indicator.value_errors(update.value):
            raise ValidationError({"unit": _("The values already reported do not fit this unit.")})


@transaction.atomic
def target_set(
    *,
    indicator: Indicator,
    period: ReportingPeriod | None,
    value: Decimal | None = None,
    text: str = "",
    women: Decimal | None = None,
    men: Decimal | None = None,
    other: Decimal | None = None,
    comment: str = "",
) -> Target | None:
    """Sets (or, with neither value nor text, removes) the target of a period or of the whole project."""
    target = Target.objects.filter(indicator=indicator, period=period).first()
    if value is None and not text.strip():
        if target is not None:
            target.delete()
            data_changed()
        return None
    target = target or Target(project_id=indicator.project_id, indicator=indicator, period=period)
    target.indicator = indicator
    target.value, target.text, target.comment = value, text, comment
    target.women, target.men, target.other = women, men, other
    target.full_clean()
    target.save()
    data_changed()
    return target


# Reporting periods -----------------------------------------------------------------------------------


@transaction.atomic
def period_create(
    *, project: Project, start: datetime.date, end: datetime.date, due: datetime.date | None = None
) -> ReportingPeriod:
    Project.objects.select_for_update().filter(pk=project.pk).first()  # two periods added at once cannot overlap
    period = ReportingPeriod(project=project, start=start, end=end, due=due or (end + DUE_AFTER if end else None))
    period.full_clean()
    period.save()
    data_changed()
    return period


@transaction.atomic
def period_update(*, period: ReportingPeriod, start, end, due) -> ReportingPeriod:
    period.start, period.end, period.due = start, end, due
    period.full_clean()
    period.save()
    data_changed()
    return period


def period_plan(*, project: Project, frequency: str) -> list[tuple[datetime.date, datetime.date]]:
    """Quarters, half-years or years from the project's start to its end; the last one ends with the project."""
    months = FREQUENCIES.get(frequency)
    if months is None:
        raise ValidationError({"frequency": _("Choose quarterly, half-yearly or yearly.")})
    first, last = project_bounds(project)
    spans = []
    start = first
    while start <= last:
        end = min(start + relativedelta(months=months) - datetime.timedelta(days=1), last)
        spans.append((start, end))
        start = end + datetime.timedelta(days=1)
    return spans


@transaction.atomic
def periods_generate(*, project: Project, frequency: str) -> list[ReportingPeriod]:
    """The project's periods at that frequency; refused if the project has periods already."""
    spans = period_plan(project=project, frequency=frequency)
    Project.objects.select_for_update().filter(pk=project.pk).first()
    if project.reporting_periods.exists():
        raise ValidationError(
            {"frequency": _("The project has reporting periods already: add further ones one by one.")}
        )
    return [period_create(project=project, start=start, end=end) for start, end in spans]


# Updates ---------------------------------------------------------------------------------------------


@transaction.atomic
def update_save(
    *,
    indicator: Indicator,
    period: ReportingPeriod,
    user,
    update: IndicatorUpdate | None = None,
    submit: bool = False,
    **fields,
) -> IndicatorUpdate:
    """Creates an update, or changes a draft or returned one; with `submit`, hands it in for approval."""
    if update is None:
        update = IndicatorUpdate(project_id=indicator.project_id, indicator=indicator, period=period, created_by=user)
    else:
        update = IndicatorUpdate.objects.select_for_update().get(pk=update.pk)
        if not update.is_editable:
            raise ValidationError(_("This update was submitted already: it can no longer be changed."))
    update.indicator, update.period = indicator, period
    _apply(update, fields, UPDATE_FIELDS)
    _take_computed_value(update)
    update.full_clean()
    if submit:
        _mark_submitted(update, user)
    update.save()
    return update


def _take_computed_value(update: IndicatorUpdate) -> None:
    """A computed indicator reports what the portal computes, not what was typed."""
    computed = compute(update.indicator, update.period)
    if computed is None:
        return
    update.value = computed.value
    update.women, update.men, update.other = (computed.parts.get(name) for name in ("women", "men", "other"))
    if computed.evidence_url and computed.evidence_url not in update.evidence_links:
        update.evidence = "\n".join([computed.evidence_url, *update.evidence_links])


def _mark_submitted(update: IndicatorUpdate, user) -> None:
    if update.value is None and not update.text.strip():
        raise ValidationError({"value": _("Give the actual value before submitting.")})
    update.status = IndicatorUpdate.Status.SUBMITTED
    update.submitted_by, update.submitted_at = user, timezone.now()


@transaction.atomic
def update_submit(*, update: IndicatorUpdate, user) -> IndicatorUpdate:
    update = IndicatorUpdate.objects.select_for_update().select_related("indicator").get(pk=update.pk)
    if not update.is_editable:
        raise ValidationError(_("Only a draft or a returned update can be submitted."))
    _mark_submitted(update, user)
    update.save()
    return update


def _reviewable(update: IndicatorUpdate, user) -> IndicatorUpdate:
    update = IndicatorUpdate.objects.select_for_update().select_related("indicator", "period").get(pk=update.pk)
    if update.status != IndicatorUpdate.Status.SUBMITTED:
        raise ValidationError(_("Only a submitted update can be approved or returned."))
    if settings.RESULTS_FORBID_SELF_APPROVAL and user.pk in (update.created_by_id, update.submitted_by_id):
        raise ValidationError(_("Someone else must review an update you entered or submitted yourself."))
    return update


@transaction.atomic
def update_approve(*, update: IndicatorUpdate, user) -> IndicatorUpdate:
    update = _reviewable(update, user)
    update.status = IndicatorUpdate.Status.APPROVED
    update.reviewed_by, update.reviewed_at, update.review_comment = user, timezone.now(), ""
    update.save()
    data_changed()
    return update


@transaction.atomic
def update_return(*, update: IndicatorUpdate, user, comment: str) -> IndicatorUpdate:
    if not comment.strip():
        raise ValidationError({"comment": _("Say what should be corrected.")})
    update = _reviewable(update, user)
    update.status = IndicatorUpdate.Status.RETURNED
    update.reviewed_by, update.reviewed_at, update.review_comment = user, timezone.now(), comment.strip()
    update.save()
    return update
