"""Reads for the dashboards, their exports and the read API.

Every figure is summed by the database, per currency (EUR is never added to USD); Python only
merges the few grouped rows that come back. The number of queries does not depend on the
number of projects, lines or expenditures.

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
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Length, TruncMonth
from django.utils.translation import gettext as _
from django_countries import countries as iso_countries

from activities.models import Activity
from budgets.models import MONEY, BudgetLine, BudgetRevision, Expenditure
from concepts.models import Concept, Edition
from projects.access import ROLE_CAPABILITIES, Capability, is_portfolio_donor
from projects.models import Membership, Project
from projects.selectors import project_get_for_user

from . import iati

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


def _revised() -> Coalesce:
    """A budget line's revised amount: its newest revision, else its original amount."""
    newest = BudgetRevision.objects.filter(line=OuterRef("pk")).order_by("-date", "-pk").values("amount")[:1]
    return Coalesce(Subquery(newest, output_field=DecimalField(**MONEY)), F("amount"))


def _lines(projects: QuerySet[Project]) -> QuerySet[BudgetLine]:
    return BudgetLine.objects.filter(project__in=projects.order_by().values("pk")).annotate(revised=_revised())


def _budget_sources(projects: QuerySet[Project]) -> list[tuple[QuerySet, str, str]]:
    """Where the revised budget comes from, as (queryset, path to the project, amount field):
    the lines' original amounts, plus each line's newest revision less its original amount.

    Summing the two gives the revised budget without a correlated subquery per line inside
    the aggregates (the breakdowns repeat the amount in one CASE per country or year).
    """
    ids = projects.order_by().values("pk")
    later = BudgetRevision.objects.filter(line=OuterRef("line")).filter(
        Q(date__gt=OuterRef("date")) | Q(date=OuterRef("date"), pk__gt=OuterRef("pk"))
    )
    newest = (
        BudgetRevision.objects.filter(line__project__in=ids)
        .filter(~Exists(later))
        .annotate(delta=ExpressionWrapper(F("amount") - F("line__amount"), output_field=DecimalField(**MONEY)))
    )
    return [(BudgetLine.objects.filter(project__in=ids), "project__", "amount"), (newest, "line__project__", "delta")]


def _expenditures(projects: QuerySet[Project]) -> QuerySet[Expenditure]:
    return Expenditure.objects.filter(line__project__in=projects.order_by().values("pk"))


def _collect(rows, *, key_field, currency_field, target, labels=None, attr="budget"):
    for row in rows:
        key = row[key_field] if row[key_field] is not None else ""
        entries = target.setdefault(row[currency_field], {})
        if key not in entries:
            entries[key] = Row(key=str(key), label=str((labels or {}).get(key, key)))
        setattr(entries[key], attr, getattr(entries[key], attr) + _money(row["total"]))


def _breakdown(key, title, heading, budget_sources, expenditures, group, labels=None) -> Breakdown:
    """Revised budget and spending grouped by `group` (a field of the project) and currency (three queries)."""
    by_currency: dict[str, dict] = {}
    sources = [(*source, "budget") for source in budget_sources] + [
        (expenditures, "line__project__", "amount", "spent")
    ]
    for queryset, prefix, amount, attr in sources:
        rows = queryset.order_by().values(f"{prefix}currency", f"{prefix}{group}").annotate(total=Sum(amount))
        _collect(rows, key_field=f"{prefix}{group}", currency_field=f"{prefix}currency", target=by_currency,
                 labels=labels, attr=attr)  # fmt: skip
    return Breakdown(key, title, heading, _sorted(by_currency))


def _sorted(by_currency: dict[str, dict], order=None) -> dict[str, list[Row]]:
    def sort_key(row):
        if order is not None:
            return (order(row), row.label)
        return (row.key == "", row.label.casefold())

    return {currency: sorted(rows.values(), key=sort_key) for currency, rows in sorted(by_currency.items())}


def _country_breakdown(budget_sources, expenditures, codes: list[str]) -> Breakdown:
    """Each project's figures in equal shares under each of its countries (three queries).

    The database sums per country and per number of countries; the division by that number
    happens on the few grouped rows, in exact decimals.
    """
    names = dict(iso_countries)
    by_currency: dict[str, dict] = {}
    sources = [(*source, "budget") for source in budget_sources] + [
        (expenditures, "line__project__", "amount", "spent")
    ]
    for queryset, prefix, amount, attr in sources:
        countries_field = f"{prefix}countries"
        sums = {
            f"c_{code}": Sum(Case(When(**{f"{countries_field}__contains": code}, then=F(amount)), default=None))
            for code in codes
        }
        sums["c_"] = Sum(Case(When(**{countries_field: ""}, then=F(amount)), default=None))
        count = ExpressionWrapper((Length(countries_field) + 1) / 3, output_field=IntegerField())
        rows = queryset.order_by().annotate(country_count=count).values(f"{prefix}currency", "country_count")
        for row in rows.annotate(**sums):
            share = max(row["country_count"], 1)
            entries = by_currency.setdefault(row[f"{prefix}currency"], {})
            for code in [*codes, NO_COUNTRY]:
                value = row[f"c_{code}"]
                if value is None:
                    continue
                if code not in entries:
                    label = names.get(code, code) if code else _("No country given")
                    entries[code] = Row(key=code, label=str(label))
                setattr(entries[code], attr, getattr(entries[code], attr) + Decimal(value) / share)
    for entries in by_currency.values():
        for entry in entries.values():
            entry.budget, entry.spent = _money(entry.budget), _money(entry.spent)
    return Breakdown("country", _("By beneficiary country"), _("Country"), _sorted(by_currency))


OUTSIDE_PERIODS = "outside"  # the year breakdown's row for what no budget period holds


def _year_breakdown(budget_sources, expenditures) -> Breakdown:
    """Each project's revised budget in its budget periods, per year a period starts in, against
    the spending dated within those same periods (three queries).

    The periods and their shares are the IATI file's (iati.budget_periods, iati.spread): at most
    twelve months from the planned start, shared by days. The database sums the budget per
    currency and planned period, and the spending per currency, planned period and date; Python
    cuts those grouped rows into periods. Projects with the same planned period are spread
    together, so a year can differ from the sum of their IATI budgets by a cent per project.
    Spending dated outside every budget period, and the budget of a project too short to have
    one, go to a row of their own, which has no share spent: there is no yearly budget to set
    that spending against.
    """
    spans: dict[tuple, Decimal] = {}
    for queryset, prefix, amount in budget_sources:
        fields = (f"{prefix}currency", f"{prefix}planned_start", f"{prefix}planned_end")
        for row in queryset.order_by().values(*fields).annotate(total=Sum(amount)):
            key = tuple(row[name] for name in fields)
            spans[key] = spans.get(key, ZERO) + Decimal(row["total"] or 0)
    by_currency: dict[str, dict] = {}

    def entry_for(currency: str, key: str) -> Row:
        entries = by_currency.setdefault(currency, {})
        if key not in entries:
            label = _("Outside the budget periods") if key == OUTSIDE_PERIODS else key
            entries[key] = Row(key=key, label=str(label), yearly=key != OUTSIDE_PERIODS)
        return entries[key]

    periods_of: dict[tuple, list] = {}

    def periods_for(start, end) -> list:
        # Worked out once per planned period: the spending below has a row per day spent.
        if (start, end) not in periods_of:
            periods_of[start, end] = iati.budget_periods(start, end)
        return periods_of[start, end]

    for (currency, start, end), total in spans.items():
        periods = periods_for(start, end)
        if not periods:
            entry_for(currency, OUTSIDE_PERIODS).budget += total
            continue
        weights = [(last - first).days + 1 for first, last in periods]
        for (first, _last), share in zip(periods, iati.spread(total, weights), strict=True):
            entry_for(currency, str(first.year)).budget += share
    spent = (
        expenditures.order_by()
        .values("line__project__currency", "line__project__planned_start", "line__project__planned_end", "date")
        .annotate(total=Sum("amount"))
    )
    for row in spent:
        start, end = row["line__project__planned_start"], row["line__project__planned_end"]
        periods = periods_for(start, end)
        within = next((first for first, last in periods if first <= row["date"] <= last), None)
        key = str(within.year) if within else OUTSIDE_PERIODS
        entry_for(row["line__project__currency"], key).spent += _money(row["total"])
    for entries in by_currency.values():
        for entry in entries.values():
            entry.budget = _money(entry.budget)

    def order(row: Row) -> tuple:
        return (not row.yearly, int(row.key) if row.yearly else 0)

    return Breakdown("year", _("By year"), _("Budget periods starting in"), _sorted(by_currency, order=order))


def portfolio_figures(*, projects: QuerySet[Project], country_codes: list[str]) -> PortfolioFigures:
    """Headline figures and the four breakdowns of `projects`, per currency (19 queries, whatever the data)."""
    projects = projects.order_by()
    status_labels = dict(Project.Status.choices)
    status_counts = [
        {"status": row["status"], "label": str(status_labels.get(row["status"], row["status"])), "count": row["count"]}
        for row in projects.values("status").annotate(count=Count("pk")).order_by("status")
    ]
    totals: dict[str, Totals] = {}
    for row in projects.values("currency").annotate(count=Count("pk"), committed=Sum("total_budget")):
        totals[row["currency"]] = Totals(row["currency"], projects=row["count"], committed=_money(row["committed"]))
    budget_sources = _budget_sources(projects)
    expenditures = _expenditures(projects)
    for index, (queryset, prefix, amount) in enumerate(budget_sources):
        for row in queryset.order_by().values(f"{prefix}currency").annotate(total=Sum(amount)):
            entry = totals.setdefault(row[f"{prefix}currency"], Totals(row[f"{prefix}currency"]))
            if index == 0:
                entry.original += _money(row["total"])
            entry.revised += _money(row["total"])
    for row in expenditures.order_by().values("line__project__currency").annotate(total=Sum("amount")):
        entry = totals.setdefault(row["line__project__currency"], Totals(row["line__project__currency"]))
        entry.spent = _money(row["total"])
    instruments = _breakdown(
        "instrument", _("By funding instrument"), _("Funding instrument"), budget_sources, expenditures,
        "instrument__code", labels={"": _("No instrument")},
    )  # fmt: skip
    themes = _breakdown(
        "theme", _("By thematic area"), _("Thematic area"), budget_sources, expenditures, "thematic_area",
        labels={"": _("No thematic area")},
    )  # fmt: skip
    return PortfolioFigures(
        status_counts=status_counts,
        project_count=sum(row["count"] for row in status_counts),
        totals=[totals[currency] for currency in sorted(totals)],
        breakdowns=[
            instruments,
            _country_breakdown(budget_sources, expenditures, country_codes),
            themes,
            _year_breakdown(budget_sources, expenditures),
        ],
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
    """One row per project with its original and revised budget and its spending (one query, read in chunks)."""
    money = DecimalField(**MONEY)
    zero = Value(ZERO, output_field=money)

    def per_project(queryset, path, amount):
        grouped = queryset.filter(**{path: OuterRef("pk")}).order_by().values(path).annotate(total=Sum(amount))
        return Coalesce(Subquery(grouped.values("total"), output_field=money), zero)

    lines, newest = (source for source, _prefix, _amount in _budget_sources(projects))
    rows = (
        projects.order_by("code")
        .annotate(original=per_project(lines, "project", "amount"))
        .annotate(
            revised_total=ExpressionWrapper(
                F("original") + per_project(newest, "line__project", "delta"), output_field=money
            ),
            spent_total=per_project(Expenditure.objects.all(), "line__project", "amount"),
        )
        .values_list(
            "code", "title", "status", "countries", "instrument__code", "thematic_area", "planned_start",
            "planned_end", "actual_start", "actual_end", "currency", "original", "revised_total", "spent_total",
        )
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


def transaction_export_count(*, projects: QuerySet[Project]) -> int:
    """The rows transaction_export_rows gives: one per budget line and one per expenditure (two counts)."""
    ids = projects.order_by().values("pk")
    return BudgetLine.objects.filter(project__in=ids).count() + _expenditures(projects).count()


def transaction_export_rows(*, projects: QuerySet[Project]):
    """Pivot-ready: one row per budget line (its original and revised amount, and the date of the
    revision that set the revised one), then one per expenditure (its date and the amount spent),
    each with its project's country, instrument and theme. Dates are dates, amounts Decimals."""
    labels = dict(BudgetLine.Category.choices)
    newest_date = BudgetRevision.objects.filter(line=OuterRef("pk")).order_by("-date", "-pk").values("date")[:1]
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
