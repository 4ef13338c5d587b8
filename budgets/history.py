from common.history import register_history_source

from .models import BudgetLine, BudgetRevision, Expenditure


@register_history_source
def budget_line_records(project):
    return BudgetLine.history.filter(project_id=project.pk)


@register_history_source
def expenditure_records(project):
    return Expenditure.history.filter(line__project_id=project.pk)


@register_history_source
def budget_revision_records(project):
    return BudgetRevision.history.filter(line__project_id=project.pk)
