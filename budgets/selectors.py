from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet, Sum

from common.languages import in_reader_language
from projects.models import Project

from .models import BudgetLine, Expenditure

ZERO = Decimal("0.00")
CENT = Decimal("0.01")


def _money(value) -> Decimal:
    """SQLite hands sums back with stray digits; money always has two decimals."""
    return Decimal(value or 0).quantize(CENT)


@dataclass
class BudgetFigures:
    original: Decimal = ZERO
    revised: Decimal = ZERO
    spent: Decimal = ZERO

    @property
    def remaining(self) -> Decimal:
        return self.revised - self.spent

    @property
    def share_used(self) -> Decimal | None:
        """Spent as a percentage of the revised budget; None when nothing is budgeted."""
        if not self.revised:
            return None
        return (self.spent / self.revised * 100).quantize(Decimal("0.1"))

    @property
    def overspent(self) -> bool:
        return self.spent > self.revised


@dataclass
class CategoryFigures(BudgetFigures):
    category: str = ""
    label: str = ""


@dataclass
class BudgetSummary:
    project: Project
    categories: list[CategoryFigures] = field(default_factory=list)
    total: BudgetFigures = field(default_factory=BudgetFigures)

    @property
    def difference_from_project_total(self) -> Decimal:
        """Revised lines minus the project's total budget: not zero means they do not add up."""
        return self.total.revised - self.project.total_budget

    @property
    def difference_size(self) -> Decimal:
        return abs(self.difference_from_project_total)

    @property
    def adds_up(self) -> bool:
        return self.difference_from_project_total == 0


def budget_lines_for_project(*, project: Project) -> QuerySet[BudgetLine]:
    return (
        BudgetLine.objects.filter(project=project).with_figures().select_related("activity").order_by("category", "pk")
    )


def budget_summary(*, project: Project) -> BudgetSummary:
    """Original, revised and spent per category and in total, summed by the database."""
    labels = dict(BudgetLine.Category.choices)
    rows = (
        BudgetLine.objects.filter(project=project)
        .with_figures()
        .order_by()
        .values("category")
        .annotate(original_sum=Sum("amount"), revised_sum=Sum("revised"), spent_sum=Sum("spent"))
    )
    summary = BudgetSummary(project=project)
    order = list(labels)
    for row in sorted(rows, key=lambda r: order.index(r["category"])):
        summary.categories.append(
            CategoryFigures(
                category=row["category"],
                label=labels[row["category"]],
                original=_money(row["original_sum"]),
                revised=_money(row["revised_sum"]),
                spent=_money(row["spent_sum"]),
            )
        )
    summary.total = BudgetFigures(
        original=sum((c.original for c in summary.categories), ZERO),
        revised=sum((c.revised for c in summary.categories), ZERO),
        spent=sum((c.spent for c in summary.categories), ZERO),
    )
    return summary


def budget_by_activity(*, project: Project) -> list[dict]:
    """Planned (revised) and spent per activity, for lines linked to an activity; summed by the database."""
    rows = (
        BudgetLine.objects.filter(project=project, activity__isnull=False)
        .with_figures()
        .order_by()
        .values("activity_id", "activity__title", "activity__title_ru", "activity__order")
        .annotate(planned=Sum("revised"), spent_sum=Sum("spent"))
        .order_by("activity__order", "activity_id")
    )
    return [
        {
            "title": in_reader_language(row["activity__title"], row["activity__title_ru"]),
            "planned": _money(row["planned"]),
            "spent": _money(row["spent_sum"]),
            "remaining": _money(row["planned"]) - _money(row["spent_sum"]),
        }
        for row in rows
    ]


def budget_overview(*, project: Project) -> tuple[list[BudgetLine], BudgetSummary, list[dict]]:
    """The budget page's lines (with their figures and activity), the summary per category and the
    figures per activity, from one query of the lines: the same sums as `budget_summary` and
    `budget_by_activity`, added up here rather than asked of the database twice more."""
    lines = list(budget_lines_for_project(project=project))
    labels = dict(BudgetLine.Category.choices)
    per_category: dict[str, CategoryFigures] = {}
    per_activity: dict[int, dict] = {}
    for line in lines:
        figures = per_category.setdefault(line.category, CategoryFigures(category=line.category))
        _add(figures, line.amount, line.revised, line.spent)
        if line.activity_id is not None:
            _add_to_activity(per_activity, line)
    summary = BudgetSummary(project=project)
    for category in labels:
        if category in per_category:
            summary.categories.append(_rounded(per_category[category], labels[category]))
    summary.total = BudgetFigures(
        original=sum((c.original for c in summary.categories), ZERO),
        revised=sum((c.revised for c in summary.categories), ZERO),
        spent=sum((c.spent for c in summary.categories), ZERO),
    )
    by_activity = [per_activity[key] for key in sorted(per_activity, key=lambda pk: (per_activity[pk]["order"], pk))]
    for row in by_activity:
        del row["order"]
        row["planned"], row["spent"] = _money(row["planned"]), _money(row["spent"])
        row["remaining"] = row["planned"] - row["spent"]
    return lines, summary, by_activity


def _add(figures: BudgetFigures, original, revised, spent) -> None:
    figures.original += original or 0
    figures.revised += revised or 0
    figures.spent += spent or 0


def _rounded(figures: CategoryFigures, label: str) -> CategoryFigures:
    return CategoryFigures(
        category=figures.category,
        label=label,
        original=_money(figures.original),
        revised=_money(figures.revised),
        spent=_money(figures.spent),
    )


def _add_to_activity(per_activity: dict[int, dict], line: BudgetLine) -> None:
    activity = line.activity
    row = per_activity.get(activity.pk)
    if row is None:
        title = in_reader_language(activity.title, activity.title_ru)
        row = per_activity[activity.pk] = {"title": title, "order": activity.order, "planned": ZERO, "spent": ZERO}
    row["planned"] += line.revised or 0
    row["spent"] += line.spent or 0


def expenditures_for_project(*, project: Project) -> QuerySet[Expenditure]:
    return Expenditure.objects.filter(line__project=project).select_related("line").order_by("-date", "-pk")


def budget_export_rows(*, project: Project):
    """One row per budget line, then one per expenditure, read in chunks; amounts are Decimals
    with two decimals and dates are dates, written by each format its own way."""
    lines = budget_lines_for_project(project=project).values_list(
        "pk", "category", "description", "amount", "revised", "spent"
    )
    labels = dict(BudgetLine.Category.choices)
    for pk, category, description, amount, revised, spent in lines.iterator(chunk_size=2000):
        yield ["budget_line", project.code, pk, labels[category], description, None, "", "", _money(amount),
               _money(revised), _money(spent), project.currency]  # fmt: skip
    expenditures = (
        Expenditure.objects.filter(line__project=project)
        .order_by("date", "pk")
        .values_list("line_id", "line__category", "line__description", "date", "description", "reference", "amount")
    )
    for line_id, category, line_description, date, description, reference, amount in expenditures.iterator(
        chunk_size=2000
    ):
        yield ["expenditure", project.code, line_id, labels[category], line_description, date,
               description, reference, None, None, _money(amount), project.currency]  # fmt: skip


EXPORT_HEADER = [
    "record", "project_code", "budget_line_id", "category", "budget_line", "date", "description", "reference",
    "original_amount", "revised_amount", "amount_spent", "currency",
]  # fmt: skip
