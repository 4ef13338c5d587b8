"""Reads for the dashboards, their exports and the read API.

Every figure is summed by the database, per currency (EUR is never added to USD); Python only
merges the few grouped rows that come back. The portfolio's figures add up each project's sums,
kept by dashboards/figures.py, instead of every expenditure. The number of queries does not
depend on the number of projects, lines or expenditures.

Rules the figures follow (also stated on the page):

- Budget (original, revised) comes from the budget lines: revised is a line's newest revision,
  else its original amount. Committed is the projects' total budgets. Remaining is revised
  minus spent; share spent is spent over revised.
- Budget by year: a project's revised budget in the budget periods of its IATI file (at most
  twelve months each from the planned start, shared by days), summed per year a period starts
  in; spending counts in the period its date falls in. Spending outside every period has a row
  of its own without a share spent (see _year_breakdown).
- Beneficiary countries: a project with several counts in equal shares under each of them, as
  in the IATI file; a project with none is shown as "No country given".
"""

import datetime
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    When,
)
from django.db.models.functions import ExtractYear, Length, TruncMonth
from django.utils.translation import gettext as _
from django_countries import countries as iso_countries

from activities.models import Activity
from budgets.models import NEWEST_REVISION_FIRST, BudgetLine, BudgetRevision, Expenditure
from concepts.models import Concept, Edition
from projects.access import ROLE_CAPABILITIES, Capability, is_portfolio_donor
from projects.models import Membership, Project
from projects.selectors import project_get_for_user

from . import figures
from .models import PeriodFigures

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
FINANCE_ROLES = sorted(role for role, granted in ROLE_CAPABILITIES.items() if Capability.FINANCE in granted)
DRAFT_ROLES = sorted(role for role, granted in ROLE_CAPABILITIES.items() if Capability.READ_DRAFTS in granted)
NO_COUNTRY = ""
MILESTONE_DAYS = 90


def _money(value) -> Decimal:
    return Decimal(value or 0).quantize(CENT)


# --- who sees what -----------------------------------------------------------------------


def finance_projects_for_user(*, user) -> QuerySet[Project]:
    """Projects whose budget and spending the user may read (Capability.FINANCE): all for staff,
    published ones for the Donors group, and those where the user is a donor or manager.

    No join and no DISTINCT (membership is a subquery), so it can be aggregated over directly.
    """
    if not user.is_authenticated:
        return Project.objects.none()
    if user.is_staff:
        return Project.objects.all()
    scope = Q(pk__in=Membership.objects.filter(user=user, role__in=FINANCE_ROLES).values("project_id"))
    if is_portfolio_donor(user):
        scope |= Q(is_published=True)
    return Project.objects.filter(scope)


@dataclass(frozen=True)
class DashboardScope:
    """The projects a user follows on the portfolio dashboard, and a key naming them: users with
    the same key see the same projects, so they may share cached figures. Worked out on every request."""

    key: str
    projects: QuerySet[Project]


def dashboard_scope_for_user(*, user) -> DashboardScope | None:
    """The user's dashboard scope, None if they may not use the dashboard (no query for staff, else two).

    finance_projects_for_user's rule: every project for staff; else those where the user is a
    donor or manager, and every published one for the Donors group. The key says which rule and,
    for the last two, which memberships (their digest): never the user.
    """
    if not user.is_authenticated:
        return None
    if user.is_staff:
        return DashboardScope("staff", Project.objects.all())
    member_of = sorted(
        set(Membership.objects.filter(user=user, role__in=FINANCE_ROLES).values_list("project_id", flat=True))
    )
    in_group = is_portfolio_donor(user)
    if not member_of and not in_group:
        return None
    scope = Q(pk__in=member_of)
    if in_group:
        scope |= Q(is_published=True)
    digest = hashlib.sha256(",".join(map(str, member_of)).encode()).hexdigest()[:32]
    return DashboardScope(f"{'donors' if in_group else 'members'}-{digest}", Project.objects.filter(scope))


def dashboard_project_for_user(*, user, slug: str) -> Project:
    """The project `slug` for its dashboard: 404 if the user may not see it, 403 without finance rights."""
    return project_get_for_user(user=user, slug=slug, need=Capability.FINANCE)


def visible_projects_for_user(*, user) -> QuerySet[Project]:
    """Projects whose page the user may open (published ones, their own, or all for staff), without DISTINCT."""
    if user.is_authenticated and user.is_staff:
        return Project.objects.all()
    if not user.is_authenticated:
        return Project.objects.filter(is_published=True)
    mine = Membership.objects.filter(user=user).values("project_id")
    return Project.objects.filter(Q(is_published=True) | Q(pk__in=mine))


def editions_for_user(*, user) -> QuerySet[Edition]:
    """Editions the user may read: every edition of concepts whose drafts they may read (staff;
    the project's managers, drafters and reviewers), and the final editions of published
    concepts on projects they may see (concepts/selectors.py and the edition page's rule)."""
    public = Q(
        is_final=True,
        concept__status=Concept.Status.PUBLISHED,
        concept__project__in=visible_projects_for_user(user=user).values("pk"),
    )
    if user.is_authenticated and user.is_staff:
        scope = Q(pk__isnull=False)
    elif user.is_authenticated:
        drafts = Membership.objects.filter(user=user, role__in=DRAFT_ROLES).values("project_id")
        scope = public | Q(concept__project__in=drafts)
    else:
        scope = public
    return Edition.objects.filter(scope)


# --- filters -----------------------------------------------------------------------------


def filter_projects(projects: QuerySet[Project], filters: dict) -> QuerySet[Project]:
    """The dashboard's filters (see forms.DashboardFilterForm); each is optional."""
    projects = projects.filtered(
        status=filters.get("status"),
        country=filters.get("country"),
        instrument=filters.get("instrument"),
        year=filters.get("year"),
    )
    if filters.get("thematic_area"):
        projects = projects.filter(thematic_area=filters["thematic_area"])
    return projects


def filter_choices(projects: QuerySet[Project]) -> dict:
    """The countries and thematic areas the given projects use: the filters' short lists (two queries)."""
    codes: set[str] = set()
    for value in projects.order_by().values_list("countries", flat=True).distinct():
        codes.update(code for code in str(value).split(",") if code)
    themes = projects.exclude(thematic_area="").order_by("thematic_area").values_list("thematic_area", flat=True)
    return {"country_codes": sorted(codes), "themes": list(themes.distinct())}


# --- the portfolio's figures -------------------------------------------------------------


@dataclass
class Totals:
    """One currency's headline figures."""

    currency: str
    projects: int = 0
    committed: Decimal = ZERO
    original: Decimal = ZERO
    revised: Decimal = ZERO
    spent: Decimal = ZERO

    @property
    def remaining(self) -> Decimal:
        return self.revised - self.spent

    @property
    def share_spent(self) -> Decimal | None:
        if not self.revised:
            return None
        return (self.spent / self.revised * 100).quantize(Decimal("0.1"))

    @property
    def overspent(self) -> bool:
        return self.spent > self.revised


@dataclass
class Row:
    key: str
    label: str
    budget: Decimal = ZERO
    spent: Decimal = ZERO
    yearly: bool = True  # False for the year breakdown's row outside the budget periods: no share spent

    @property
    def share_spent(self) -> Decimal | None:
        if not self.budget or not self.yearly:
            return None
        return (self.spent / self.budget * 100).quantize(Decimal("0.1"))


@dataclass
class Breakdown:
    """One breakdown (by instrument, country, theme or year): rows per currency."""

    key: str
    title: str
    label_heading: str
    by_currency: dict[str, list[Row]] = field(default_factory=dict)


@dataclass
class PortfolioFigures:
    status_counts: list[dict]
    project_count: int
    totals: list[Totals]
    breakdowns: list[Breakdown]


def _lines(projects: QuerySet[Project]) -> QuerySet[BudgetLine]:
    return BudgetLine.objects.filter(project__in=projects.order_by().values("pk")).with_revised()


def _expenditures(projects: QuerySet[Project]) -> QuerySet[Expenditure]:
    return Expenditure.objects.filter(line__project__in=projects.order_by().values("pk"))


def _row(by_currency: dict, currency: str, key, label) -> Row:
    entries = by_currency.setdefault(currency, {})
    if key not in entries:
        entries[key] = Row(key=str(key), label=str(label))
    return entries[key]


def _breakdown(key, title, heading, budgeted: QuerySet[Project], group: str, labels: dict) -> Breakdown:
    """Revised budget and spending grouped by `group` (a field of the project) and currency (one query)."""
    by_currency: dict[str, dict] = {}
    rows = budgeted.values("currency", group).annotate(budget=Sum("figures__revised"), spent=Sum("figures__spent"))
    for row in rows:
        value = row[group] if row[group] is not None else ""
        entry = _row(by_currency, row["currency"], value, labels.get(value, value))
        entry.budget += _money(row["budget"])
        entry.spent += _money(row["spent"])
    return Breakdown(key, title, heading, _sorted(by_currency))


def _sorted(by_currency: dict[str, dict], order=None) -> dict[str, list[Row]]:
    def sort_key(row):
        if order is not None:
            return (order(row), row.label)
        return (row.key == "", row.label.casefold())

    return {currency: sorted(rows.values(), key=sort_key) for currency, rows in sorted(by_currency.items())}


def _country_breakdown(budgeted: QuerySet[Project], codes: list[str]) -> Breakdown:
    """Each project's figures in equal shares under each of its countries (one query).

    The database sums per country and per number of countries; the division by that number
    happens on the few grouped rows, in exact decimals.
    """
    names = dict(iso_countries)
    sums = {}
    for code in [*codes, NO_COUNTRY]:
        under = Q(countries__contains=code) if code else Q(countries="")
        sums[f"budget_{code}"] = Sum(Case(When(under, then=F("figures__revised")), default=None))
        sums[f"spent_{code}"] = Sum(Case(When(under, then=F("figures__spent")), default=None))
    count = ExpressionWrapper((Length("countries") + 1) / 3, output_field=IntegerField())
    rows = budgeted.annotate(country_count=count).values("currency", "country_count").annotate(**sums)
    by_currency: dict[str, dict] = {}
    for row in rows:
        share = max(row["country_count"], 1)
        for code in [*codes, NO_COUNTRY]:
            if row[f"budget_{code}"] is None:
                continue
            label = names.get(code, code) if code else _("No country given")
            entry = _row(by_currency, row["currency"], code, label)
            entry.budget += Decimal(row[f"budget_{code}"]) / share
            entry.spent += Decimal(row[f"spent_{code}"]) / share
    for entries in by_currency.values():
        for entry in entries.values():
            entry.budget, entry.spent = _money(entry.budget), _money(entry.spent)
    return Breakdown("country", _("By beneficiary country"), _("Country"), _sorted(by_currency))


OUTSIDE_PERIODS = "outside"  # the year breakdown's row for what no budget period holds


def _year_breakdown(budgeted: QuerySet[Project]) -> Breakdown:
    """Each project's revised budget in its budget periods, per year a period starts in, against
    the spending dated within those same periods (two queries).

    The periods and their shares are the IATI file's (iati.budget_periods, iati.spread): at most
    twelve months from the planned start, shared by days; each project's are kept with its
    figures (dashboards/figures.py). Spending dated outside every budget period, and the budget
    of a project too short to have one, go to a row of their own, which has no share spent: there
    is no yearly budget to set that spending against.
    """
    by_currency: dict[str, dict] = {}
    periods = (
        PeriodFigures.objects.filter(project__in=budgeted.values("pk"))
        .order_by()
        .values("project__currency", year=ExtractYear("first"))
        .annotate(budget=Sum("budget"), spent=Sum("spent"))
    )
    for row in periods:
        entry = _row(by_currency, row["project__currency"], str(row["year"]), row["year"])
        entry.budget += _money(row["budget"])
        entry.spent += _money(row["spent"])
    unplanned = (
        budgeted.filter(Q(figures__periods=0) | Q(figures__unplanned_spent__gt=0))
        .values("currency")
        .annotate(budget=Sum("figures__unplanned_budget"), spent=Sum("figures__unplanned_spent"))
    )
    for row in unplanned:
        entry = _row(by_currency, row["currency"], OUTSIDE_PERIODS, _("Outside the budget periods"))
        entry.yearly = False
        entry.budget += _money(row["budget"])
        entry.spent += _money(row["spent"])

    def order(row: Row) -> tuple:
        return (not row.yearly, int(row.key) if row.yearly else 0)

    return Breakdown("year", _("By year"), _("Budget periods starting in"), _sorted(by_currency, order=order))


def portfolio_figures(*, projects: QuerySet[Project], country_codes: list[str]) -> PortfolioFigures:
    """Headline figures and the four breakdowns of `projects`, per currency.

    Added up from each project's kept figures (dashboards/figures.py), one row per project, after
    summing again those whose data changed since (none, usually: a change sums its project when it
    commits). Seven queries then, whatever the number of projects and expenditures.
    """
    projects = projects.order_by()
    figures.refresh_stale(projects)
    status_labels = dict(Project.Status.choices)
    status_counts = [
        {"status": row["status"], "label": str(status_labels.get(row["status"], row["status"])), "count": row["count"]}
        for row in projects.values("status").annotate(count=Count("pk")).order_by("status")
    ]
    totals = [
        Totals(
            row["currency"], projects=row["count"], committed=_money(row["committed"]),
            original=_money(row["original"]), revised=_money(row["revised"]), spent=_money(row["spent"]),
        )
        for row in projects.values("currency").order_by("currency").annotate(
            count=Count("pk"), committed=Sum("total_budget"), original=Sum("figures__original"),
            revised=Sum("figures__revised"), spent=Sum("figures__spent"),
        )
    ]  # fmt: skip
    budgeted = projects.filter(figures__lines__gt=0)
    instruments = _breakdown(
        "instrument", _("By funding instrument"), _("Funding instrument"), budgeted, "instrument__code",
        labels={"": _("No instrument")},
    )  # fmt: skip
    themes = _breakdown(
        "theme", _("By thematic area"), _("Thematic area"), budgeted, "thematic_area",
        labels={"": _("No thematic area")},
    )  # fmt: skip
    return PortfolioFigures(
        status_counts=status_counts,
        project_count=sum(row["count"] for row in status_counts),
        totals=totals,
        breakdowns=[instruments, _country_breakdown(budgeted, country_codes), themes, _year_breakdown(budgeted)],
    )


def timeline_projects(*, projects: QuerySet[Project], order: tuple[str, ...]) -> QuerySet[Project]:
    """The projects for the portfolio timeline and its table, with what their rows show."""
    return projects.select_related("instrument").order_by(*order)


# --- one project's dashboard -------------------------------------------------------------


@dataclass
class MonthPoint:
    month: datetime.date
    planned: Decimal | None  # cumulative planned spending at the end of the month
    spent: Decimal  # spending in the month
    cumulative: Decimal | None  # cumulative spending at the end of the month (None after today)


def _months(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return months


def spending_curve(*, project: Project, revised_total: Decimal, today: datetime.date) -> list[MonthPoint]:
    """Month by month: the planned curve (the revised budget spread evenly over the planned
    months) and actual spending, monthly and cumulative (one query, TruncMonth)."""
    monthly = {
        row["month"]: _money(row["total"])
        for row in Expenditure.objects.filter(line__project=project)
        .annotate(month=TruncMonth("date"))
        .values("month")
        .annotate(total=Sum("amount"))
        .order_by("month")
    }
    planned_months = _months(project.planned_start, project.planned_end)
    first = min([planned_months[0], *monthly])
    last = max([planned_months[-1], *monthly])
    this_month = today.replace(day=1)
    per_month = revised_total / len(planned_months)
    points, cumulative = [], ZERO
    for month in _months(first, last):
        if month < planned_months[0]:
            planned = ZERO
        elif month > planned_months[-1]:
            planned = revised_total
        else:
            planned = _money(per_month * (planned_months.index(month) + 1))
        spent = monthly.get(month, ZERO)
        cumulative += spent
        shown = cumulative if month <= this_month or spent else None
        points.append(MonthPoint(month=month, planned=planned, spent=spent, cumulative=shown))
    return points


def overdue_activities(*, project: Project, today: datetime.date, limit: int = 50) -> list[Activity]:
    """Activities whose planned end has passed and that are neither completed nor cancelled."""
    return list(
        Activity.objects.filter(project=project, planned_end__lt=today)
        .exclude(status__in=[Activity.Status.COMPLETED, Activity.Status.CANCELLED])
        .select_related("project")
        .order_by("planned_end", "pk")[:limit]
    )


def upcoming_milestones(*, project: Project, today: datetime.date, limit: int = 50) -> list[Activity]:
    """One-day activities in the next 90 days (today included), not cancelled."""
    return list(
        Activity.objects.filter(
            project=project,
            planned_start=F("planned_end"),
            planned_start__gte=today,
            planned_start__lte=today + datetime.timedelta(days=MILESTONE_DAYS),
        )
        .exclude(status=Activity.Status.CANCELLED)
        .select_related("project")
        .order_by("planned_start", "pk")[:limit]
    )


# --- exports -----------------------------------------------------------------------------

PORTFOLIO_HEADER = [
    "code", "title", "status", "countries", "instrument", "thematic_area", "planned_start", "planned_end",
    "actual_start", "actual_end", "currency", "budget_original", "budget_revised", "spent",
]  # fmt: skip
TRANSACTIONS_HEADER = [
    "record", "project_code", "countries", "instrument", "thematic_area", "category", "activity", "date",
    "original_amount", "revised_amount", "revision_date", "amount_spent", "currency", "budget_line_id", "description",
]  # fmt: skip
CHUNK = 2000


def _countries(value: str) -> str:
    return ";".join(code for code in str(value).split(",") if code)


def portfolio_export_rows(*, projects: QuerySet[Project]):
    """One row per project with its original and revised budget and its spending (one query, read in
    chunks, from the figures kept per project: those not current are summed again first)."""
    figures.refresh_stale(projects)
    rows = projects.order_by("code").values_list(
        "code", "title", "status", "countries", "instrument__code", "thematic_area", "planned_start",
        "planned_end", "actual_start", "actual_end", "currency", "figures__original", "figures__revised",
        "figures__spent",
    )  # fmt: skip
    labels = dict(Project.Status.choices)
    for row in rows.iterator(chunk_size=CHUNK):
        (code, title, status, countries, instrument, theme, planned_start, planned_end, actual_start, actual_end,
         currency, original_total, revised_total, spent_total) = row  # fmt: skip
        yield [
            code, title, str(labels.get(status, status)), _countries(countries), instrument or "", theme,
            planned_start, planned_end, actual_start, actual_end, currency,
            _money(original_total), _money(revised_total), _money(spent_total),
        ]  # fmt: skip


def transaction_export_count(*, projects: QuerySet[Project], at_most: int | None = None) -> int:
    """The rows transaction_export_rows gives: one per budget line and one per expenditure (two counts).
    With `at_most`, counting stops once it is passed (at_most + 1): counting two million expenditures
    took 1.2 s, to learn only that the file is too large for a request."""
    ids = projects.order_by().values("pk")
    lines, expenditures = BudgetLine.objects.filter(project__in=ids).order_by(), _expenditures(projects).order_by()
    if at_most is None:
        return lines.count() + expenditures.count()
    counted = lines[: at_most + 1].count()
    return counted + (expenditures[: at_most + 1 - counted].count() if counted <= at_most else 0)


def transaction_export_rows(*, projects: QuerySet[Project]):
    """Pivot-ready: one row per budget line (its original and revised amount, and the date of the
    revision that set the revised one), then one per expenditure (its date and the amount spent),
    each with its project's country, instrument and theme. Dates are dates, amounts Decimals."""
    labels = dict(BudgetLine.Category.choices)
    newest = BudgetRevision.objects.filter(line=OuterRef("pk")).order_by(*NEWEST_REVISION_FIRST)
    newest_date = newest.values("date")[:1]
    lines = (
        _lines(projects)
        .annotate(revision_date=Subquery(newest_date))
        .order_by("project__code", "pk")
        .values_list(
            "project__code", "project__countries", "project__instrument__code", "project__thematic_area",
            "category", "activity__title", "amount", "revised", "revision_date", "project__currency", "pk",
            "description",
        )
    )  # fmt: skip
    for row in lines.iterator(chunk_size=CHUNK):
        (code, countries, instrument, theme, category, activity, original, revised, revised_on, currency, pk,
         description) = row  # fmt: skip
        yield ["budget_line", code, _countries(countries), instrument or "", theme, str(labels.get(category, category)),
               activity or "", None, _money(original), _money(revised), revised_on, None, currency, pk,
               description]  # fmt: skip
    expenditures = (
        _expenditures(projects)
        .order_by("line__project__code", "date", "pk")
        .values_list(
            "line__project__code", "line__project__countries", "line__project__instrument__code",
            "line__project__thematic_area", "line__category", "line__activity__title", "date", "amount",
            "line__project__currency", "line_id", "description",
        )
    )  # fmt: skip
    for row in expenditures.iterator(chunk_size=CHUNK):
        code, countries, instrument, theme, category, activity, date, amount, currency, line_id, description = row
        yield ["expenditure", code, _countries(countries), instrument or "", theme,
               str(labels.get(category, category)), activity or "", date, None, None, None, _money(amount), currency,
               line_id, description]  # fmt: skip
