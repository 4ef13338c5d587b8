"""A small portfolio in two currencies, and plain-Python sums over it to check the dashboards against.

The expected figures are computed here from the model instances, one by one, without the
selectors' SQL: if the database's sums and these agree, both are right.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.test import TestCase

from activities.tests.factories import ActivityFactory
from budgets.models import BudgetLine, BudgetRevision, Expenditure
from budgets.tests.factories import BudgetLineFactory, ExpenditureFactory
from common.generations import data_changed
from projects.models import DONORS_GROUP, Project, Role
from projects.revision import touch
from projects.tests.factories import FundingInstrumentFactory, MembershipFactory, ProjectFactory, UserFactory

d = datetime.date
CENT = Decimal("0.01")


@pytest.fixture(autouse=True)
def _dashboard_cache_on(settings):
    """The figures are cached as in production; tests that change data after a read go through the services."""
    settings.DASHBOARD_CACHE_SECONDS = 300  # the cached figures are tested with the cache on, as it runs


@dataclass
class Portfolio:
    eur: Project  # published, two countries, revised line
    private: Project  # unpublished, no members: staff only
    usd: Project  # published, in dollars
    bare: Project  # published, no country, no instrument, no lines


@pytest.fixture
def portfolio(db, users):
    amif = FundingInstrumentFactory(code="AMIF", name="Asylum, Migration and Integration Fund")
    ndici = FundingInstrumentFactory(code="NDICI", name="Global Europe")
    eur = ProjectFactory(
        code="P-EUR", slug="p-eur", title="Border data in Belarus and Ukraine", is_published=True,
        countries=["BY", "UA"], instrument=amif, thematic_area="Border management", currency="EUR",
        planned_start=d(2024, 7, 1), planned_end=d(2025, 6, 30), total_budget=Decimal("120000.00"),
        status=Project.Status.IMPLEMENTATION, actual_start=d(2024, 7, 15),
    )  # fmt: skip
    staff_line = BudgetLineFactory(project=eur, category=BudgetLine.Category.STAFF, amount=Decimal("60000.00"))
    BudgetRevision.objects.create(line=staff_line, amount=Decimal("50000.00"), date=d(2024, 8, 1), reason="Cut")
    BudgetRevision.objects.create(line=staff_line, amount=Decimal("66000.00"), date=d(2024, 9, 1), reason="Raise")
    travel = BudgetLineFactory(project=eur, category=BudgetLine.Category.TRAVEL, amount=Decimal("40000.00"))
    ExpenditureFactory(line=staff_line, date=d(2024, 8, 15), amount=Decimal("1000.00"))
    ExpenditureFactory(line=staff_line, date=d(2025, 2, 1), amount=Decimal("2500.50"))
    ExpenditureFactory(line=travel, date=d(2024, 12, 31), amount=Decimal("700.25"))

    private = ProjectFactory(
        code="P-PRIVATE", slug="p-private", title="Confidential reintegration pilot in Morocco", is_published=False,
        countries=["MA"], instrument=ndici, thematic_area="Return and reintegration", currency="EUR",
        planned_start=d(2025, 1, 1), planned_end=d(2026, 12, 31), total_budget=Decimal("200000.00"),
        status=Project.Status.PIPELINE,
    )  # fmt: skip
    activity = ActivityFactory(project=private, title="Reintegration workshop")
    events = BudgetLineFactory(
        project=private, category=BudgetLine.Category.EVENTS, amount=Decimal("150000.00"), activity=activity
    )
    ExpenditureFactory(line=events, date=d(2025, 5, 5), amount=Decimal("5000.00"))

    usd = ProjectFactory(
        code="P-USD", slug="p-usd", title="Labour mobility in Georgia", is_published=True, countries=["GE"],
        instrument=ndici, thematic_area="Border management", currency="USD", planned_start=d(2023, 3, 1),
        planned_end=d(2024, 2, 29), total_budget=Decimal("90000.00"), status=Project.Status.CLOSED,
        actual_start=d(2023, 3, 1), actual_end=d(2024, 2, 29),
    )  # fmt: skip
    experts = BudgetLineFactory(project=usd, category=BudgetLine.Category.EXPERTS, amount=Decimal("80000.00"))
    ExpenditureFactory(line=experts, date=d(2023, 6, 1), amount=Decimal("30000.00"))
    ExpenditureFactory(line=experts, date=d(2024, 1, 10), amount=Decimal("10000.00"))

    bare = ProjectFactory(
        code="P-BARE", slug="p-bare", title="Scoping study", is_published=True, countries=[], instrument=None,
        thematic_area="", currency="EUR", planned_start=d(2026, 1, 1), planned_end=d(2026, 3, 31),
        total_budget=Decimal("10000.00"),
    )  # fmt: skip
    return Portfolio(eur=eur, private=private, usd=usd, bare=bare)


@pytest.fixture
def donor_of_private(portfolio):
    """A user who is a donor member of the unpublished project only."""
    user = UserFactory(username="private_donor")
    MembershipFactory(project=portfolio.private, user=user, role=Role.DONOR)
    return user


# --- plain-Python sums -------------------------------------------------------------------


def revised(line: BudgetLine) -> Decimal:
    revisions = list(line.revisions.all())
    if not revisions:
        return line.amount
    return max(revisions, key=lambda revision: (revision.date, revision.pk)).amount


def project_figures(project: Project) -> dict:
    lines = list(project.budget_lines.all())
    expenditures = [e for line in lines for e in line.expenditures.all()]
    return {
        "original": sum((line.amount for line in lines), Decimal(0)),
        "revised": sum((revised(line) for line in lines), Decimal(0)),
        "spent": sum((e.amount for e in expenditures), Decimal(0)),
        "expenditures": expenditures,
    }


def expected_totals(projects) -> dict[str, dict]:
    totals: dict[str, dict] = {}
    for project in projects:
        zero = Decimal(0)
        entry = totals.setdefault(
            project.currency, {"projects": 0, "committed": zero, "original": zero, "revised": zero, "spent": zero}
        )
        figures = project_figures(project)
        entry["projects"] += 1
        entry["committed"] += project.total_budget
        for name in ("original", "revised", "spent"):
            entry[name] += figures[name]
    return totals


def expected_breakdown(projects, key) -> dict[tuple[str, str], dict]:
    """{(currency, label key): {"budget": revised, "spent": spent}} for instrument, theme or country."""
    result: dict = defaultdict(lambda: {"budget": Decimal(0), "spent": Decimal(0)})
    for project in projects:
        figures = project_figures(project)
        if key == "instrument":
            keys, share = [project.instrument.code if project.instrument else ""], 1
        elif key == "theme":
            keys, share = [project.thematic_area], 1
        else:
            keys = [country.code for country in project.countries] or [""]
            share = len(keys)
        for value in keys:
            result[(project.currency, value)]["budget"] += figures["revised"] / share
            result[(project.currency, value)]["spent"] += figures["spent"] / share
    # A group with neither budget lines nor spending has no row.
    return {
        k: {n: v.quantize(CENT) for n, v in entry.items()}
        for k, entry in result.items()
        if entry["budget"] or entry["spent"]
    }


def breakdown_as_dict(breakdown) -> dict[tuple[str, str], dict]:
    return {
        (currency, row.key): {"budget": row.budget, "spent": row.spent}
        for currency, rows in breakdown.by_currency.items()
        for row in rows
    }


def many_projects(count: int, *, expenditures_per_project: int, published: bool = True) -> list[Project]:
    """`count` projects with two lines each and expenditures written in bulk (for query counts)."""
    projects = [
        ProjectFactory(is_published=published, countries=["BY", "MD"] if n % 2 else ["UA"],
                       currency="USD" if n % 3 == 0 else "EUR")
        for n in range(count)
    ]  # fmt: skip
    rows = []
    for project in projects:
        lines = [BudgetLineFactory(project=project), BudgetLineFactory(project=project, category="staff")]
        BudgetRevision.objects.create(line=lines[0], amount=Decimal("900.00"), date=d(2025, 2, 1), reason="x")
        for n in range(expenditures_per_project):
            rows.append(
                Expenditure(line=lines[n % 2], date=d(2025, 1 + n % 12, 1), amount=Decimal("10.00"), description="x")
            )
    Expenditure.objects.bulk_create(rows)
    touch(*(project.pk for project in projects))  # bulk_create goes round the signals, as the seeding commands do
    with TestCase.captureOnCommitCallbacks(execute=True):
        data_changed()  # written round the services: as the seeding commands do, the data generation moved on
    return projects


def donors_group_member(username="group_donor"):
    user = UserFactory(username=username)
    user.groups.add(Group.objects.get_or_create(name=DONORS_GROUP)[0])
    return user
