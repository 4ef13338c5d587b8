import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from activities.models import Activity
from budgets.models import BudgetLine, Expenditure
from projects.models import Membership, Project, ProjectPartner

pytestmark = pytest.mark.django_db


def seed_scale(**options):
    call_command("seed_scale", stdout=StringIO(), **options)


def scale_projects():
    return Project.objects.filter(code__startswith="scale-")


def test_seed_scale_creates_projects_with_partners_and_members():
    seed_scale(projects=30)

    projects = scale_projects()
    assert projects.count() == 30
    assert set(projects.values_list("slug", flat=True)) == {f"scale-{n:05d}" for n in range(1, 31)}
    for project in projects.prefetch_related("partners"):
        assert {partner.role for partner in project.partners.all()} == {
            ProjectPartner.PartnerRole.IMPLEMENTING,
            ProjectPartner.PartnerRole.BENEFICIARY,
        }
    assert Membership.objects.filter(project__in=projects).count() == 60
    # About 80% published: with 30 projects, anything from a half to all but one is plausible.
    assert 15 <= projects.filter(is_published=True).count() <= 29
    assert projects.values("status").distinct().count() > 1


def test_seed_scale_is_deterministic_and_reset_does_not_duplicate():
    seed_scale(projects=30, seed=7)
    first = list(scale_projects().order_by("code").values_list("code", "title", "status", "is_published"))

    seed_scale(projects=30, seed=7, reset=True)
    assert scale_projects().count() == 30
    assert ProjectPartner.objects.filter(project__in=scale_projects()).count() == 60
    assert list(scale_projects().order_by("code").values_list("code", "title", "status", "is_published")) == first

    seed_scale(projects=30, seed=7)
    assert scale_projects().count() == 30


def test_seed_scale_keeps_other_projects(project):
    seed_scale(projects=5, reset=True)
    assert Project.objects.filter(pk=project.pk).exists()


def test_reset_deletes_scale_projects_with_spending():
    """seed_demo gives a budget with expenditure to every project it finds; reset still works."""
    seed_scale(projects=2)
    line = BudgetLine.objects.create(
        project=scale_projects().first(), category="staff", description="Team", amount=Decimal("100.00")
    )
    Expenditure.objects.create(line=line, date=datetime.date(2025, 1, 1), amount=Decimal("10.00"), description="x")

    seed_scale(projects=0, reset=True)
    assert not scale_projects().exists()
    assert not BudgetLine.objects.filter(pk=line.pk).exists()


def test_seed_scale_adds_activities_budget_lines_and_expenditures():
    seed_scale(projects=4, activities_per_project=5, expenditures_per_project=30)

    projects = scale_projects()
    assert Activity.objects.filter(project__in=projects).count() == 20
    assert BudgetLine.objects.filter(project__in=projects).count() == 24
    assert Expenditure.objects.filter(line__project__in=projects).count() == 120
    for project in projects:
        # The lines add up to the project's total budget; spending stays within its planned period.
        lines = BudgetLine.objects.filter(project=project)
        assert sum(line.amount for line in lines) == project.total_budget
        dates = Expenditure.objects.filter(line__project=project).values_list("date", flat=True)
        assert all(project.planned_start <= day <= project.planned_end for day in dates)
        activities = Activity.objects.filter(project=project)
        assert all(project.planned_start <= a.planned_start <= a.planned_end <= project.planned_end for a in activities)
    first = list(Expenditure.objects.order_by("line__project__code", "reference").values_list("reference", "amount"))

    seed_scale(projects=4, activities_per_project=5, expenditures_per_project=30, reset=True)
    again = list(Expenditure.objects.order_by("line__project__code", "reference").values_list("reference", "amount"))
    assert again == first  # deterministic
    seed_scale(projects=0, reset=True)
    assert not Expenditure.objects.exists() and not Activity.objects.exists()
