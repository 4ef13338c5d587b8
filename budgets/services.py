"""Writes on budget lines, revisions and expenditures: one transaction each, validated first.

Expenditures and revisions entered in a form are checked for plausibility (budgets.plausibility):
given `confirmed` (the keys of the warnings the person has confirmed), a service raises
ConfirmationNeeded while any warning is unconfirmed, and records the confirmed ones in the
history. Without `confirmed` (imports with their own preview, the demo data) nothing is asked.
"""

import datetime
from collections.abc import Collection
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.models import Activity
from audit.models import Kind as AuditKind
from audit.services import record
from common.generations import data_changed
from projects.models import Project

from . import plausibility
from .models import BudgetLine, BudgetRevision, Expenditure


def _check_line_belongs(line: BudgetLine, project: Project) -> None:
    if line.project_id != project.pk:
        raise ValidationError({"line": _("This budget line belongs to another project.")})


def _check_activity_belongs(activity: Activity | None, project: Project) -> None:
    if activity is not None and activity.project_id != project.pk:
        raise ValidationError({"activity": _("This activity belongs to another project.")})


@transaction.atomic
def budget_line_create(
    *, project: Project, category: str, description: str, amount: Decimal, activity: Activity | None = None
) -> BudgetLine:
    _check_activity_belongs(activity, project)
    line = BudgetLine(project=project, category=category, description=description, amount=amount, activity=activity)
    line.full_clean()
    line.save()
    data_changed()
    return line


@transaction.atomic
def budget_line_update(
    *, line: BudgetLine, category: str, description: str, activity: Activity | None = None
) -> BudgetLine:
    """Changes what a line is about. Its amount changes only through a revision."""
    _check_activity_belongs(activity, line.project)
    line.category = category
    line.description = description
    line.activity = activity
    line.full_clean()
    line.save()
    data_changed()
    return line


@transaction.atomic
def budget_revision_record(
    *,
    line: BudgetLine,
    amount: Decimal,
    date: datetime.date,
    reason: str,
    user,
    confirmed: Collection[str] | None = None,
) -> BudgetRevision:
    revision = BudgetRevision(line=line, amount=amount, date=date, reason=reason.strip(), recorded_by=user)
    revision.full_clean()
    if confirmed is not None:
        warnings = plausibility.revision_warnings(line=line, amount=amount)
        revision._change_reason = plausibility.check_confirmed(warnings, confirmed) or None
    revision.save()
    data_changed()
    return revision


def _check_expenditure(expenditure: Expenditure, project: Project, confirmed: Collection[str] | None) -> None:
    if confirmed is None:
        return
    warnings = plausibility.expenditure_warnings(
        project=project,
        line=expenditure.line,
        date=expenditure.date,
        amount=expenditure.amount,
        today=timezone.localdate(),
        expenditure=expenditure,
    )
    expenditure._change_reason = plausibility.check_confirmed(warnings, confirmed) or None


@transaction.atomic
def expenditure_create(
    *,
    project: Project,
    line: BudgetLine,
    date: datetime.date,
    amount: Decimal,
    description: str,
    reference: str = "",
    confirmed: Collection[str] | None = None,
) -> Expenditure:
    _check_line_belongs(line, project)
    expenditure = Expenditure(line=line, date=date, amount=amount, description=description, reference=reference)
    expenditure.full_clean()
    _check_expenditure(expenditure, project, confirmed)
    expenditure.save()
    data_changed()
    return expenditure


@transaction.atomic
def expenditure_update(
    *,
    project: Project,
    expenditure: Expenditure,
    line: BudgetLine,
    date: datetime.date,
    amount: Decimal,
    description: str,
    reference: str = "",
    confirmed: Collection[str] | None = None,
) -> Expenditure:
    _check_line_belongs(line, project)
    expenditure.line = line
    expenditure.date = date
    expenditure.amount = amount
    expenditure.description = description
    expenditure.reference = reference
    expenditure.full_clean()
    _check_expenditure(expenditure, project, confirmed)
    expenditure.save()
    data_changed()
    return expenditure


@transaction.atomic
def expenditure_delete(*, expenditure: Expenditure) -> None:
    details = {"amount": str(expenditure.amount), "date": expenditure.date}
    record(kind=AuditKind.OBJECT_DELETED, target=expenditure, project_id=expenditure.line.project_id, details=details)
    expenditure.delete()
    data_changed()
