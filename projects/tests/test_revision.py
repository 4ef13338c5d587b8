"""The projects' content revision moves on with every row that belongs to the project (projects/revision.py)."""

import pytest
from django.db import transaction

from activities.tests.factories import ActivityFactory, ParticipationFactory
from budgets.tests.factories import BudgetLineFactory, ExpenditureFactory
from concepts.models import Section
from concepts.tests.factories import ConceptFactory
from projects import revision
from projects.models import Project
from projects.tests.factories import FundingInstrumentFactory, OrganisationFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def _revision(project) -> int:
    return Project.objects.values_list("content_revision", flat=True).get(pk=project.pk)


@pytest.fixture
def two_projects():
    return ProjectFactory(), ProjectFactory()


def test_a_saved_project_moves_on(two_projects):
    project, other = two_projects
    before, other_before = _revision(project), _revision(other)
    project.title = "Renamed"
    project.save()
    assert _revision(project) == before + 1
    assert _revision(other) == other_before


def test_saving_an_object_read_earlier_never_writes_an_older_revision_back(two_projects):
    project, _ = two_projects
    stale = Project.objects.get(pk=project.pk)
    ActivityFactory(project=project)
    ActivityFactory(project=project)
    moved = _revision(project)
    stale.title = "Saved from an old form"
    stale.save()
    assert _revision(project) == moved + 1


def test_a_row_with_a_project_key_moves_its_project_on_when_saved_and_deleted(two_projects):
    project, other = two_projects
    before, other_before = _revision(project), _revision(other)
    activity = ActivityFactory(project=project)
    assert _revision(project) == before + 1
    activity.title = "Study visit to Riga"
    activity.save()
    assert _revision(project) == before + 2
    activity.delete()
    assert _revision(project) == before + 3
    assert _revision(other) == other_before


def test_a_row_one_step_further_moves_its_project_on(two_projects):
    project, other = two_projects
    line = BudgetLineFactory(project=project)
    activity = ActivityFactory(project=project)
    organisation = OrganisationFactory()
    before, other_before = _revision(project), _revision(other)
    expenditure = ExpenditureFactory(line=line)
    assert _revision(project) == before + 1
    fresh = type(expenditure).objects.get(pk=expenditure.pk)  # its line not loaded: found by a query
    fresh.amount = 5
    fresh.save()
    assert _revision(project) == before + 2
    ParticipationFactory(activity=activity, organisation=organisation)
    assert _revision(project) == before + 3
    fresh.delete()
    assert _revision(project) == before + 4
    assert _revision(other) == other_before


def test_a_shared_name_moves_every_project_on(two_projects):
    project, other = two_projects
    before, other_before = _revision(project), _revision(other)
    instrument = FundingInstrumentFactory()
    assert (_revision(project), _revision(other)) == (before, other_before)  # a new one is on no page yet
    organisation = OrganisationFactory()  # offered by every concept's comment form
    assert (_revision(project), _revision(other)) == (before + 1, other_before + 1)
    organisation.name = "Renamed ministry"
    organisation.save()
    assert (_revision(project), _revision(other)) == (before + 2, other_before + 2)
    instrument.name = "Renamed instrument"
    instrument.save()
    assert (_revision(project), _revision(other)) == (before + 3, other_before + 3)


def test_a_rolled_back_change_leaves_the_revision(two_projects):
    project, _ = two_projects
    before = _revision(project)
    with pytest.raises(RuntimeError), transaction.atomic():
        ActivityFactory(project=project)
        assert _revision(project) == before + 1  # moved on in the same transaction as the row
        raise RuntimeError
    assert _revision(project) == before


def test_concept_drafting_does_not_move_the_project_on(two_projects):
    project, _ = two_projects
    concept = ConceptFactory(project=project)
    before = _revision(project)
    Section.objects.create(concept=concept, position=1)
    assert _revision(project) == before


def test_followed_models():
    followed = revision.followed_models()
    for label in (
        "projects.Project",
        "activities.Activity",
        "budgets.Expenditure",
        "documents.Document",
        "results.Target",
    ):
        assert label in followed
    for label in ("concepts.Section", "concepts.RenderJob", "reports.ReportRenderJob"):
        assert label not in followed
    assert not [label for label in followed if ".Historical" in label]


def test_the_fragment_key_names_the_revision(two_projects):
    project, _ = two_projects
    key = revision.project_fragment_key(project, "timeline", "staff")
    project.title = "Renamed"
    project.save()
    project.refresh_from_db()
    assert revision.project_fragment_key(project, "timeline", "staff") != key
    assert revision.project_fragment_key(project, "timeline", "donor") != revision.project_fragment_key(
        project, "timeline", "staff"
    )
