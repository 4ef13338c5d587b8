"""Budget lines and expenditure from a spreadsheet, for any number of projects at once.

A budget line is recognised by its project and its description. A line already in the
portal keeps its amount (that changes only through a revision); only its category may
change. An expenditure with a reference is recognised by its line, reference and date, so
importing the same file twice records it once; one without a reference is always recorded.

`ledger_preview()` only reads. `ledger_import()` validates again and then writes everything
in one transaction, or nothing at all if a single row is refused.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.imports import import_job_close
from common.tabular import (
    Action,
    ImportPreview,
    ImportRow,
    columns_of,
    is_blank,
    normalise_header,
    parse_amount,
    parse_date,
    preview_to_json,
    read_stored,
)
from projects.models import Project

from . import services
from .models import BudgetLine, Expenditure

COLUMNS = [
    "project_code",
    "record",
    "category",
    "description",
    "amount",
    "date",
    "reference",
    "budget_line",
    "currency",
]
REQUIRED_COLUMNS = ["project_code", "record", "description", "amount"]
BUDGET_LINE = "budget_line"
EXPENDITURE = "expenditure"

COLUMN_HELP = [
    ("project_code", True, gettext_lazy("The code of a project already in the portal.")),
    ("record", True, gettext_lazy("budget_line or expenditure.")),
    ("category", False, gettext_lazy(
        "For budget lines: a category such as travel, or its name, such as Events and meetings."
    )),
    ("description", True, gettext_lazy(
        "What the line or the expenditure is for. A budget line is recognised by its description within its project."
    )),
    ("amount", True, gettext_lazy(
        "For a new budget line, its original amount; for an expenditure, the amount spent. "
        "The amount of an existing line changes only through a revision, on the budget page."
    )),
    ("date", False, gettext_lazy("For expenditures: the date, written 2025-03-31 or 31.03.2025.")),
    ("reference", False, gettext_lazy(
        "For expenditures: the invoice or voucher number. An expenditure with a reference is recorded only once, "
        "however often the file is imported."
    )),
    ("budget_line", False, gettext_lazy(
        "For expenditures: the description of the budget line it is charged to, already in the portal "
        "or on an earlier row of the file."
    )),
    ("currency", False, gettext_lazy("If given, it must be the project's currency.")),
]  # fmt: skip


class _Stop(Exception):
    """Not an error: leaves the import's transaction, rolling back what it wrote."""


@dataclass
class _LinePlan:
    row: ImportRow
    line: BudgetLine  # in the portal (with the file's category applied) or new, not saved yet
    saved: BudgetLine | None = None


@dataclass
class _ExpenditurePlan:
    row: ImportRow
    project: Project | None
    expenditure: Expenditure  # in the portal (with the file's values applied) or new, not saved yet
    line: BudgetLine | None = None  # a line already in the portal…
    line_plan: _LinePlan | None = None  # …or one the file creates on an earlier row


@dataclass
class _Lookups:
    projects: dict[str, Project]
    lines: dict[tuple[int, str], list[BudgetLine]]  # (project, description) → lines
    expenditures: dict[tuple[int, str, datetime.date], list[Expenditure]]  # (line, reference, date)
    categories: dict[str, str]
    new_lines: dict[tuple[int, str], _LinePlan] = field(default_factory=dict)
    seen: dict[tuple, int] = field(default_factory=dict)  # what a row of the file is about → its line

    @classmethod
    def load(cls, rows: list[dict]) -> "_Lookups":
        codes = {row.get("project_code", "") for row in rows} - {""}
        projects = {p.code: p for p in Project.objects.filter(code__in=codes)}
        lines: dict[tuple[int, str], list[BudgetLine]] = {}
        for line in BudgetLine.objects.filter(project__in=projects.values()).order_by("pk"):
            lines.setdefault((line.project_id, line.description.casefold()), []).append(line)
        references = {row.get("reference", "") for row in rows} - {""}
        expenditures: dict[tuple[int, str, datetime.date], list[Expenditure]] = {}
        matching = Expenditure.objects.filter(line__project__in=projects.values(), reference__in=references)
        for expenditure in matching.order_by("pk"):
            key = (expenditure.line_id, expenditure.reference, expenditure.date)
            expenditures.setdefault(key, []).append(expenditure)
        return cls(projects=projects, lines=lines, expenditures=expenditures, categories=_category_names())

    def claim(self, key: tuple, line: int) -> int | None:
        """The earlier row of the file about the same thing, if any."""
        earlier = self.seen.setdefault(key, line)
        return earlier if earlier != line else None


def _category_names() -> dict[str, str]:
    names = {}
    for category in BudgetLine.Category:
        names[category.value] = category.value
        names[str(category.label).casefold()] = category.value
        with translation.override("en"):
            names[str(category.label).casefold()] = category.value
    return names


def ledger_preview(*, rows: list[dict]) -> ImportPreview:
    """What importing `rows` would do, row by row. Reads only."""
    preview, _plans = _plan(rows)
    return preview


def ledger_import(*, rows: list[dict], user, progress: Callable[[float], None] | None = None) -> ImportPreview:
    """Validates `rows` again and imports them in one transaction: all of them, or none if one is refused.

    `progress` is told the fraction done as rows are written (the first fifth: validating them)."""
    progress = progress or (lambda fraction: None)
    preview = ImportPreview()
    try:
        with transaction.atomic():
            preview, plans = _plan(rows)
            progress(0.2)
            if not preview.can_import:
                return preview
            for done, plan in enumerate(plans, start=1):
                _write(plan)
                if done % 50 == 0:
                    progress(0.2 + 0.8 * done / len(plans))
            preview.imported = True
    except _Stop:
        preview.imported = False
    return preview


def projects_in(rows: list[dict]) -> list[Project]:
    """The projects a ledger file is about, for sending the user to their budget afterwards."""
    codes = {row.get("project_code", "") for row in rows} - {""}
    return list(Project.objects.filter(code__in=codes))


def _write(plan: _LinePlan | _ExpenditurePlan) -> None:
    try:
        if isinstance(plan, _LinePlan):
            _write_line(plan)
        else:
            _write_expenditure(plan)
    except ValidationError as error:  # changed since the preview
        _refuse_for(plan.row, error)
        raise _Stop from None


def _write_line(plan: _LinePlan) -> None:
    line = plan.line
    if plan.row.action == Action.CREATE:
        plan.saved = services.budget_line_create(
            project=line.project, category=line.category, description=line.description, amount=line.amount
        )
    elif plan.row.action == Action.UPDATE:
        plan.saved = services.budget_line_update(
            line=line, category=line.category, description=line.description, activity=line.activity
        )
    else:
        plan.saved = line


def _write_expenditure(plan: _ExpenditurePlan) -> None:
    expenditure = plan.expenditure
    line = plan.line or plan.line_plan.saved
    values = {
        "project": plan.project,
        "line": line,
        "date": expenditure.date,
        "amount": expenditure.amount,
        "description": expenditure.description,
        "reference": expenditure.reference,
    }
    if plan.row.action == Action.CREATE:
        services.expenditure_create(**values)
    elif plan.row.action == Action.UPDATE:
        services.expenditure_update(expenditure=expenditure, **values)


def _plan(rows: list[dict]) -> tuple[ImportPreview, list]:
    columns = columns_of(rows)
    preview = ImportPreview(
        missing_columns=[column for column in REQUIRED_COLUMNS if column not in columns],
        unknown_columns=[column for column in columns if column not in COLUMNS],
    )
    lookups = _Lookups.load(rows)
    plans = []
    for index, values in enumerate(rows):
        if is_blank(values):
            continue
        row = ImportRow(line=index + 2)
        preview.rows.append(row)
        plan = _plan_row(values, row, lookups, preview.missing_columns)
        if plan is not None:
            plans.append(plan)
        if row.refused:
            row.action = Action.REFUSED
    return preview, plans


def _plan_row(values: dict, row: ImportRow, lookups: _Lookups, missing_columns: list[str]):
    code = values.get("project_code", "")
    record = normalise_header(values.get("record", ""))
    row.label = " · ".join(
        part for part in [code, values.get("budget_line", ""), values.get("description", "")] if part
    )
    for column in missing_columns:
        row.refuse(_("This column is missing from the file, and every row needs it."), column)
    project = lookups.projects.get(code)
    if not code:
        row.refuse(_("Every row needs the code of its project."), "project_code")
    elif project is None:
        row.refuse(_("There is no project with the code “%(code)s”.") % {"code": code}, "project_code")
    currency = values.get("currency", "").upper()
    if project is not None and currency and currency != project.currency:
        row.refuse(
            _("The project's budget is in %(project)s, not %(file)s.")
            % {"project": project.currency, "file": currency},
            "currency",
        )
    if record == BUDGET_LINE:
        row.kind = _("Budget line")
        return _plan_line(values, row, project, lookups)
    if record == EXPENDITURE:
        row.kind = _("Expenditure")
        return _plan_expenditure(values, row, project, lookups)
    row.refuse(_("Write budget_line or expenditure, not “%(value)s”.") % {"value": values.get("record", "")}, "record")
    return None


def _amount(values: dict, row: ImportRow) -> tuple[Decimal | None, bool]:
    """The row's amount (None if empty) and whether it could be read."""
    text = values.get("amount", "")
    if not text:
        return None, True
    try:
        return parse_amount(text), True
    except ValueError:
        row.refuse(_("“%(value)s” is not an amount. Write amounts as 1234.56.") % {"value": text}, "amount")
        return None, False


def _plan_line(values: dict, row: ImportRow, project: Project | None, lookups: _Lookups) -> _LinePlan:
    description = values.get("description", "")
    category = None
    if text := values.get("category"):
        category = lookups.categories.get(text.casefold())
        if category is None:
            row.refuse(
                _("“%(value)s” is not a budget category. Use one of: %(categories)s.")
                % {"value": text, "categories": ", ".join(BudgetLine.Category.values)},
                "category",
            )
    amount, amount_read = _amount(values, row)
    key = (project.pk, description.casefold()) if project is not None and description else None
    if key is not None and (earlier := lookups.claim(("line", *key), row.line)):
        row.refuse(_("Line %(line)s of the file already has this budget line.") % {"line": earlier}, "description")
    existing = lookups.lines.get(key, []) if key else []
    if len(existing) > 1:
        row.refuse(
            _(
                "The project has several budget lines described “%(description)s”. "
                "Give them different descriptions first."
            )
            % {"description": description},
            "description",
        )
    if len(existing) == 1:
        line = existing[0]
        if amount is not None and amount != line.amount:
            row.refuse(
                _(
                    "the amount of an existing line changes only through a revision "
                    "(it is %(current)s, the file says %(new)s)."
                )
                % {"current": line.amount, "new": amount},
                "amount",
            )
        if category and category != line.category:
            row.changes["category"] = (line.get_category_display(), str(BudgetLine.Category(category).label))
            line.category = category
        _validate(line, row, exclude=["project"])
        row.action = Action.UPDATE if row.changes else Action.UNCHANGED
        return _LinePlan(row=row, line=line)
    line = BudgetLine(project=project, category=category or "", description=description, amount=amount)
    exclude = ["project"]
    if amount is None:
        exclude.append("amount")
        if amount_read:
            row.refuse(_("A new budget line needs an amount."), "amount")
    if category is None:
        exclude.append("category")
        if not values.get("category"):
            row.refuse(_("A new budget line needs a category."), "category")
    _validate(line, row, exclude=exclude)
    row.action = Action.CREATE
    plan = _LinePlan(row=row, line=line)
    if key is not None and not existing:
        lookups.new_lines.setdefault(key, plan)
    return plan


def _plan_expenditure(values: dict, row: ImportRow, project: Project | None, lookups: _Lookups) -> _ExpenditurePlan:
    plan = _ExpenditurePlan(row=row, project=project, expenditure=Expenditure())
    line_name = values.get("budget_line", "")
    key = (project.pk, line_name.casefold()) if project is not None and line_name else None
    if not line_name:
        row.refuse(_("Say which budget line of the project this expenditure is charged to."), "budget_line")
    elif key is not None:
        existing = lookups.lines.get(key, [])
        if len(existing) == 1:
            plan.line = existing[0]
        elif len(existing) > 1:
            row.refuse(
                _("The project has several budget lines described “%(line)s”. Give them different descriptions first.")
                % {"line": line_name},
                "budget_line",
            )
        elif key in lookups.new_lines:
            plan.line_plan = lookups.new_lines[key]
        else:
            row.refuse(
                _(
                    "Project %(code)s has no budget line “%(line)s”. Add the line first, on the budget page "
                    "or on an earlier row of this file."
                )
                % {"code": project.code, "line": line_name},
                "budget_line",
            )
    exclude = ["line"]
    date = None
    if text := values.get("date"):
        try:
            date = parse_date(text)
        except ValueError:
            row.refuse(
                _("“%(value)s” is not a date. Write dates as 2025-03-31 or 31.03.2025.") % {"value": text}, "date"
            )
            exclude.append("date")
    else:
        row.refuse(_("An expenditure needs a date."), "date")
        exclude.append("date")
    amount, amount_read = _amount(values, row)
    if amount is None:
        exclude.append("amount")
        if amount_read:
            row.refuse(_("An expenditure needs an amount."), "amount")
    reference = values.get("reference", "")
    description = values.get("description", "")
    if reference and date and key is not None:
        if earlier := lookups.claim(("expenditure", *key, reference, date), row.line):
            row.refuse(
                _("Line %(line)s of the file has the same expenditure (budget line, reference and date).")
                % {"line": earlier},
                "reference",
            )
        found = lookups.expenditures.get((plan.line.pk, reference, date), []) if plan.line else []
        if len(found) > 1:
            row.refuse(
                _(
                    "Several expenditures of this budget line have this reference and date; "
                    "the import cannot tell them apart."
                ),
                "reference",
            )
        elif found:
            plan.expenditure = found[0]
    expenditure = plan.expenditure
    new = {"date": date, "amount": amount, "description": description, "reference": reference}
    if expenditure.pk:
        for name in ("amount", "description"):
            if new[name] not in (None, "") and new[name] != getattr(expenditure, name):
                row.changes[name] = (str(getattr(expenditure, name)), str(new[name]))
                setattr(expenditure, name, new[name])
        row.action = Action.UPDATE if row.changes else Action.UNCHANGED
    else:
        for name, value in new.items():
            setattr(expenditure, name, value)
        row.action = Action.CREATE
    _validate(expenditure, row, exclude=exclude)
    return plan


def _validate(instance, row: ImportRow, *, exclude: list[str]) -> None:
    # The check constraints (amounts not negative) repeat the fields' own validators, and checking
    # them costs a query per row; the services check them again when writing.
    try:
        instance.full_clean(exclude=exclude, validate_constraints=False)
    except ValidationError as error:
        _refuse_for(row, error)


def _refuse_for(row: ImportRow, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        for message in error.messages:
            row.refuse(message)
        return
    for name, messages in error.message_dict.items():
        column = {NON_FIELD_ERRORS: None, "line": "budget_line"}.get(name, name)
        for message in messages:
            row.refuse(message, column)


# As a background job (common.imports) ------------------------------------------------------------

JOB_KIND = "ledger"


def import_job_write(job, progress) -> dict:
    """The work of a ledger import job: the stored file, validated again and written (all or nothing)."""
    rows = read_stored(job.upload).rows
    preview = ledger_import(rows=rows, user=job.user, progress=progress)
    if preview.imported:
        import_job_close(job=job)
    projects = [(project.slug, project.title) for project in projects_in(rows)] if preview.imported else []
    return {"preview": preview_to_json(preview), "projects": projects}
