from common.history import register_history_source

from .models import Indicator, IndicatorUpdate, ReportingPeriod, Result, Target


@register_history_source
def result_records(project):
    return Result.history.filter(project_id=project.pk)


@register_history_source
def indicator_records(project):
    return Indicator.history.filter(project_id=project.pk)


@register_history_source
def target_records(project):
    return Target.history.filter(project_id=project.pk)


@register_history_source
def period_records(project):
    return ReportingPeriod.history.filter(project_id=project.pk)


@register_history_source
def update_records(project):
    return IndicatorUpdate.history.filter(project_id=project.pk)
