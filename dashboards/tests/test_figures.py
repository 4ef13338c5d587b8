"""Each project's budget and spending, kept summed for the dashboards (dashboards/figures.py).

The kept sums are checked against plain-Python sums over the model instances after every kind of
change; a change through the services sums its project when it commits; a reader sums again
only the projects whose data changed since, and, when none did, reads no expenditure at all.
"""

import datetime
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import F
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from budgets import services as budget_services
from budgets.models import BudgetLine, Expenditure
from budgets.tests.factories import BudgetLineFactory, ExpenditureFactory
from common.generations import data_changed
from dashboards import figures, iati, selectors
from dashboards.models import PeriodFigures, ProjectFigures
from dashboards.tests.conftest import many_projects, project_figures
from projects.models import Project
from projects.revision import touch
from projects.tests.factories import OrganisationFactory, ProjectFactory
from tests.threads import run_together

d = datetime.date


def kept(project: Project) -> ProjectFigures:
    return ProjectFigures.objects.get(project=project)


def assert_kept_equals_plain_sums(project: Project) -> None:
    project.refresh_from_db()
    row, plain = kept(project), project_figures(project)
    assert row.revision == project.data_revision
    assert (row.original, row.revised, row.spent) == (plain["original"], plain["revised"], plain["spent"])
    assert row.lines == project.budget_lines.count()
    spans = iati.budget_periods(project.planned_start, project.planned_end) if row.lines else []
    periods = list(PeriodFigures.objects.filter(project=project).order_by("first"))
    assert [(p.first, p.last) for p in periods] == spans
    assert sum((p.budget for p in periods), Decimal(0)) == (plain["revised"] if spans else 0)
    for period in periods:
        within = [e.amount for e in plain["expenditures"] if period.first <= e.date <= period.last]
        assert period.spent == sum(within, Decimal(0))
    outside = [e.amount for e in plain["expenditures"] if not any(f <= e.date <= last for f, last in spans)]
    assert row.unplanned_spent == sum(outside, Decimal(0))
    assert row.unplanned_budget == (0 if spans else plain["revised"])


@pytest.mark.django_db(transaction=True)
def test_a_change_through_the_services_sums_its_project_when_it_commits():
    """No reader is needed: every kind of ledger change leaves the kept sums equal to the plain ones."""
    project = ProjectFactory(currency="EUR", planned_start=d(2024, 3, 1), planned_end=d(2026, 2, 28))
    other = ProjectFactory(currency="EUR", planned_start=d(2024, 3, 1), planned_end=d(2026, 2, 28))
    line = budget_services.budget_line_create(
        project=project, category=BudgetLine.Category.STAFF, description="Experts", amount=Decimal("10000.00")
    )
    assert_kept_equals_plain_sums(project)
    spent = budget_services.expenditure_create(
        project=project, line=line, date=d(2024, 5, 2), amount=Decimal("1250.50"), description="Fee"
    )
    budget_services.expenditure_create(
        project=project, line=line, date=d(2030, 1, 1), amount=Decimal("99.00"), description="Late"
    )
    assert_kept_equals_plain_sums(project)
    budget_services.budget_revision_record(
        line=line, amount=Decimal("12000.00"), date=d(2025, 1, 1), reason="More experts", user=None
    )
    assert kept(project).revised == Decimal("12000.00")
    budget_services.expenditure_update(
        project=project, expenditure=spent, line=line, date=d(2025, 6, 1), amount=Decimal("700.00"),
        description="Fee",
    )  # fmt: skip
    assert_kept_equals_plain_sums(project)
    budget_services.expenditure_delete(expenditure=spent)
    assert_kept_equals_plain_sums(project)
    project.planned_start = d(2024, 9, 1)  # new budget periods
    project.save()
    assert_kept_equals_plain_sums(project)
    assert [p.first for p in PeriodFigures.objects.filter(project=project).order_by("first")] == [
        d(2024, 9, 1), d(2025, 9, 1),
    ]  # fmt: skip
    assert not ProjectFigures.objects.filter(project=other, lines__gt=0).exists()  # the other was not touched


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_leaves_the_kept_sums_as_they_were():
    project = ProjectFactory(currency="EUR", planned_start=d(2024, 1, 1), planned_end=d(2024, 12, 31))
    line = BudgetLineFactory(project=project, amount=Decimal("500.00"))
    before = kept(project).spent
    with pytest.raises(RuntimeError):
        from django.db import transaction

        with transaction.atomic():
            ExpenditureFactory(line=line, date=d(2024, 2, 1), amount=Decimal("80.00"))
            raise RuntimeError("the import failed")
    assert kept(project).spent == before == 0
    assert_kept_equals_plain_sums(project)


@pytest.mark.django_db
def test_a_reader_sums_again_only_the_projects_whose_data_changed():
    projects = many_projects(6, expenditures_per_project=12)
    assert figures.refresh_stale(Project.objects.all()) == 6  # written in bulk: nobody summed them yet
    assert figures.refresh_stale(Project.objects.all()) == 0
    changed = projects[2]
    line = changed.budget_lines.first()
    # Written round the services and signals, as an import or a seeding command does: it moves the revision on.
    Expenditure.objects.bulk_create(
        [Expenditure(line=line, date=d(2025, 3, 3), amount=Decimal("5.00"), description="x")]
    )
    touch(changed.pk)
    assert list(figures.stale(Project.objects.all()).values_list("pk", flat=True)) == [changed.pk]
    plain = project_figures(changed)["spent"]
    assert kept(changed).spent == plain - Decimal("5.00")  # until someone reads
    assert figures.refresh_stale(Project.objects.all()) == 1
    assert_kept_equals_plain_sums(changed)


@pytest.mark.django_db
def test_figures_summed_at_an_older_revision_are_not_taken_as_current():
    (project,) = many_projects(1, expenditures_per_project=3)
    figures.refresh_stale(Project.objects.all())
    # A slower reader writes back what it summed before the last change.
    ProjectFigures.objects.filter(project=project).update(revision=F("revision") - 1, spent=Decimal("1.00"))
    assert figures.refresh_stale(Project.objects.all()) == 1
    assert_kept_equals_plain_sums(project)


@pytest.mark.django_db
def test_the_dashboard_reads_no_expenditure_when_no_project_changed(client, staff_user):
    many_projects(8, expenditures_per_project=20)
    client.force_login(staff_user)
    assert client.get(reverse("dashboards:portfolio")).status_code == 200  # sums the new projects once
    with TestCase.captureOnCommitCallbacks(execute=True):
        data_changed()  # the cached page is out of date, the projects' data is not
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("dashboards:portfolio"))
    assert response.status_code == 200
    tables = " ".join(query["sql"] for query in queries.captured_queries)
    assert "budgets_expenditure" not in tables and "budgets_budgetrevision" not in tables
    assert response.context["figures"].totals[0].spent > 0


@pytest.mark.django_db
def test_after_one_change_the_first_read_sums_that_project_alone(client, staff_user, monkeypatch):
    projects = many_projects(12, expenditures_per_project=10)
    client.force_login(staff_user)
    client.get(reverse("dashboards:portfolio"))
    summed = []
    refresh = figures.refresh
    monkeypatch.setattr(figures, "refresh", lambda ids: summed.append(sorted(ids)) or refresh(ids))
    changed = projects[5]
    ExpenditureFactory(line=changed.budget_lines.first(), date=d(2025, 4, 1), amount=Decimal("321.00"))
    with TestCase.captureOnCommitCallbacks(execute=True):
        data_changed()
    response = client.get(reverse("dashboards:portfolio"))
    assert summed == [[changed.pk]]
    totals = {t.currency: t for t in response.context["figures"].totals}
    want = sum((project_figures(p)["spent"] for p in projects if p.currency == changed.currency), Decimal(0))
    assert totals[changed.currency].spent == want


@pytest.mark.django_db
def test_a_deleted_project_takes_its_figures_with_it(client, staff_user):
    projects = many_projects(2, expenditures_per_project=2)
    figures.refresh_stale(Project.objects.all())
    doomed, pk = projects[0], projects[0].pk
    assert PeriodFigures.objects.filter(project_id=pk).exists()
    Expenditure.objects.filter(line__project=doomed).delete()
    doomed.delete()
    assert not ProjectFigures.objects.filter(project_id=pk).exists()
    assert not PeriodFigures.objects.filter(project_id=pk).exists()
    figures.refresh([pk])  # a late commit hook for it writes nothing
    assert not ProjectFigures.objects.filter(project_id=pk).exists()


@pytest.mark.django_db
def test_the_portfolio_export_adds_up_the_kept_figures(staff_user):
    projects = many_projects(3, expenditures_per_project=4)
    rows = {row[0]: row for row in selectors.portfolio_export_rows(projects=Project.objects.all())}
    for project in projects:
        plain = project_figures(project)
        assert rows[project.code][-3:] == [plain["original"], plain["revised"], plain["spent"]]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="SQLite lets one writer in at a time")
def test_readers_summing_the_same_projects_at_once_take_turns():
    projects = many_projects(4, expenditures_per_project=30)
    errors = run_together(lambda: figures.refresh([p.pk for p in projects]), 4)
    assert errors == []
    for project in projects:
        assert_kept_equals_plain_sums(project)
    assert ProjectFigures.objects.count() == 4


@pytest.mark.django_db
def test_a_new_or_renamed_organisation_leaves_the_kept_sums_current():
    """Every project's page shows the organisations, so their content revision moves on; their sums need not."""
    many_projects(3, expenditures_per_project=2)
    figures.refresh_stale(Project.objects.all())
    organisation = OrganisationFactory()
    organisation.name = "Renamed"
    organisation.save()
    assert figures.refresh_stale(Project.objects.all()) == 0


@pytest.mark.django_db
def test_the_workers_task_and_the_command_sum_what_a_bulk_write_left_out_of_date():
    from io import StringIO

    from django.core.management import call_command

    from dashboards.tasks import dashboard_figures_task

    first, second = many_projects(2, expenditures_per_project=3)
    assert dashboard_figures_task.apply().get() == 2
    assert_kept_equals_plain_sums(first)
    Expenditure.objects.bulk_create([Expenditure(line=second.budget_lines.first(), date=d(2025, 5, 5),
                                                 amount=Decimal("7.00"), description="x")])  # fmt: skip
    touch(second.pk)
    out = StringIO()
    call_command("sum_dashboard_figures", stdout=out)
    assert "summed again: 1 (" in out.getvalue()
    assert_kept_equals_plain_sums(second)
    assert dashboard_figures_task.apply().get() == 0


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="readers in threads need a database server")
def test_two_readers_after_one_change_wait_for_one_computation(staff_user, monkeypatch, settings):
    """A committed expenditure sums its project; two donors arriving together then get the new totals
    from one computation of the portfolio figures, which reads no expenditure."""
    from django.core.cache import cache
    from django.test import Client

    settings.DASHBOARD_CACHE_SECONDS = 300
    cache.clear()
    (project,) = many_projects(1, expenditures_per_project=4)
    figures.refresh_stale(Project.objects.all())
    before = kept(project).spent
    budget_services.expenditure_create(
        project=project, line=project.budget_lines.first(), date=d(2025, 6, 1), amount=Decimal("40.00"),
        description="Taxi",
    )  # fmt: skip
    assert kept(project).spent == before + Decimal("40.00")  # summed when the change committed
    computed, summed_by_readers = [], []
    portfolio_figures, refresh = selectors.portfolio_figures, figures.refresh

    def slow_figures(**kwargs):
        computed.append(1)
        threading.Event().wait(0.3)  # long enough for the other reader to arrive
        return portfolio_figures(**kwargs)

    monkeypatch.setattr(selectors, "portfolio_figures", slow_figures)
    monkeypatch.setattr(figures, "refresh", lambda ids: summed_by_readers.append(list(ids)) or refresh(ids))
    pages = []

    def reader():
        client = Client()
        client.force_login(staff_user)
        pages.append(client.get(reverse("dashboards:portfolio")).content.decode())

    assert run_together(reader, 2) == []
    assert len(computed) == 1
    assert summed_by_readers in ([], [[]])  # nothing left for the readers to sum
    spent = f"{kept(project).spent:,.2f}"
    assert len(pages) == 2 and all(spent in page for page in pages)
