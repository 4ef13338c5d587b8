"""The seed project's framework, and the computed indicators checked against counts made here
independently (by walking the demo's records in Python, not through results.measures)."""

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from activities.models import Activity
from concepts.models import Comment, Edition
from projects.demo import SEED_SLUG
from projects.models import Project
from results import selectors
from results.measures import compute
from results.models import Indicator, IndicatorUpdate, ReportingPeriod, Result

pytestmark = pytest.mark.django_db


@pytest.fixture
def seed():
    call_command("seed_demo", "--not-production", verbosity=0)
    return Project.objects.get(slug=SEED_SLUG)


def _periods(project):
    return list(ReportingPeriod.objects.filter(project=project).order_by("start"))


def _ended(activity) -> datetime.date:
    return activity.actual_end or activity.planned_end


def _received(comment) -> datetime.date:
    if comment.source_activity:
        return _ended(comment.source_activity)
    return comment.created_at.date()


def _recommendations(project):
    return [c for c in Comment.objects.filter(section__concept__project=project) if c.is_recommendation]


def test_the_seed_framework_fits_the_project_page(seed):
    objective = Result.objects.get(project=seed, level="objective")
    assert objective.title.startswith("Migration management and governance in Belarus")
    assert Result.objects.filter(project=seed, level="outcome").get().title.startswith("A Concept of the National")
    outputs = Result.objects.filter(project=seed, level="output")
    assert outputs.count() == 4
    exchanges = outputs.get(title__contains="four knowledge exchanges")
    assert exchanges.activities.count() == 4
    held = Indicator.objects.get(project=seed, title="Knowledge exchanges held")
    assert held.targets.get(period=None).value == 4
    assert Indicator.objects.get(project=seed, title="Officials trained").by_sex
    assert Indicator.objects.get(project=seed, title__startswith="Concept presented").unit == "yes_no"
    assert [(p.start.year, p.end.year) for p in _periods(seed)] == [(2019, 2019), (2020, 2020)]


def test_seed_has_approved_values_one_returned_update_and_one_due(seed):
    first, second = _periods(seed)
    assert IndicatorUpdate.objects.filter(project=seed, status="approved", period=first).exists()
    assert IndicatorUpdate.objects.filter(project=seed, status="approved", period=second).exists()
    returned = IndicatorUpdate.objects.get(project=seed, status="returned")
    assert returned.review_comment and returned.indicator.title == "Officials trained"
    rows = selectors.period_rows(project=seed, period=second)
    due = [row.indicator.title for row in rows if not row.is_reported]
    assert due == [
        "Recommendations received from stakeholders",
        "Stakeholders met on the fact-finding mission",
        "Officials trained",
        "Knowledge exchanges held",
    ]
    trained = next(
        row for row in selectors.period_rows(project=seed, period=first) if row.indicator.code == "officials-trained"
    )
    assert trained.actual == Decimal(43)  # two approved updates add up


def test_seeding_twice_adds_nothing(seed):
    counts = (Result.objects.count(), Indicator.objects.count(), IndicatorUpdate.objects.count())
    call_command("seed_demo", "--not-production", verbosity=0)
    assert (Result.objects.count(), Indicator.objects.count(), IndicatorUpdate.objects.count()) == counts


def test_knowledge_exchanges_and_participants_match_independent_counts(seed):
    for period in _periods(seed):
        activities = [
            a
            for a in Activity.objects.filter(project=seed)
            if period.start <= _ended(a) <= period.end and a.status == "completed"
        ]
        held = compute(Indicator.objects.get(project=seed, title="Knowledge exchanges held"), period)
        assert held.value == len([a for a in activities if a.kind == "knowledge_exchange"])
        mission = [a for a in activities if a.kind == "fact_finding"]
        people = [p for a in mission for p in a.participations.all()]
        consulted = compute(Indicator.objects.get(project=seed, title__startswith="Stakeholders met"), period)
        assert consulted.value == sum(p.participants for p in people)
        assert consulted.parts["women"] == sum(p.women or 0 for p in people)
        assert sum(v or 0 for v in consulted.parts.values()) == consulted.value
    first, second = _periods(seed)
    assert compute(Indicator.objects.get(project=seed, title="Knowledge exchanges held"), first).value == 4
    assert compute(Indicator.objects.get(project=seed, title__startswith="Stakeholders met"), first).value == 37


def test_recommendation_measures_match_independent_counts(seed):
    recommendations = _recommendations(seed)
    assert recommendations
    for period in _periods(seed):
        so_far = [c for c in recommendations if _received(c) <= period.end]
        in_period = [c for c in so_far if _received(c) >= period.start]
        received = compute(Indicator.objects.get(project=seed, title__startswith="Recommendations received"), period)
        assert received.value == len(in_period)
        incorporated = compute(
            Indicator.objects.get(project=seed, title__startswith="Share of recommendations inc"), period
        )
        expected = Decimal(100 * sum(c.disposition == "incorporated" for c in so_far) / len(so_far))
        assert incorporated.value == expected.quantize(Decimal("0.01"))
        disposed = compute(Indicator.objects.get(project=seed, title__contains="recorded disposition"), period)
        expected = Decimal(100 * sum(c.disposition != "open" for c in so_far) / len(so_far))
        assert disposed.value == expected.quantize(Decimal("0.01"))
        assert "/dispositions/" in disposed.evidence_url


def test_concept_presented_matches_the_editions(seed):
    presented = Indicator.objects.get(project=seed, title__startswith="Concept presented")
    for period in _periods(seed):
        editions = [
            e
            for e in Edition.objects.filter(concept__project=seed)
            if e.presented_at and period.start <= _ended(e.presented_at) <= period.end
        ]
        assert compute(presented, period).value == (1 if editions else 0)
    assert compute(presented, _periods(seed)[1]).value == 1


def test_a_computed_update_stores_the_computed_value_whatever_was_typed(seed, client):
    from django.contrib.auth import get_user_model

    first, second = _periods(seed)
    received = Indicator.objects.get(project=seed, title__startswith="Recommendations received")
    client.force_login(get_user_model().objects.get(username="counterpart"))
    url = reverse("results:period", kwargs={"slug": seed.slug, "period_id": second.pk})
    page = client.get(url).content.decode()
    assert "Computed by the portal:" in page
    client.post(url, {f"i{received.pk}-report": "on", f"i{received.pk}-value": "999", "submit": "1"})
    update = IndicatorUpdate.objects.get(indicator=received, period=second)
    assert update.status == "submitted" and update.value == compute(received, second).value != 999
    assert any("/dispositions/" in link for link in update.evidence_links)


def test_framework_page_of_the_seed_project(seed, client):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="donor"))
    page = client.get(reverse("results:framework", kwargs={"slug": seed.slug})).content.decode()
    assert "Knowledge exchange 4 and group drafting exercise" in page
    assert "Concept presented to the national authorities" in page
