import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from projects.demo import SEED_SLUG
from reports.demo import seed_due_reports
from reports.models import Report

pytestmark = pytest.mark.django_db


def test_demo_reports_are_approved_frozen_and_loaded_once():
    call_command("seed_demo", "--not-production", verbosity=0)
    call_command("seed_demo", "--not-production", verbosity=0)
    seed = Report.objects.filter(project__slug=SEED_SLUG).order_by("period_end")
    assert [(r.title, r.state, r.period_end) for r in seed] == [
        ("Interim report 2019", Report.State.APPROVED, datetime.date(2019, 12, 31)),
        ("Final report", Report.State.APPROVED, datetime.date(2020, 2, 29)),
    ]
    interim, final = seed
    assert interim.frozen_versions.count() == 2  # English and Russian
    held = [activity["title"] for activity in interim.snapshot["activities"]]
    assert held and all(activity["start"] <= "2019-12-31" for activity in interim.snapshot["activities"])
    assert len(final.snapshot["activities"]) > len(held)
    recommendations = [len(r.snapshot["recommendations"]["items"]) for r in (interim, final)]
    assert 0 < recommendations[0] < recommendations[1]  # dated by the activities they were raised at
    assert len(final.snapshot["results"]) > len(interim.snapshot["results"]) > 0  # both years in the final one
    today = timezone.localdate()
    due = dict(Report.objects.filter(project__slug="labour-migration-data-georgia").values_list("title", "due_date"))
    assert due == {
        "Quarterly report (overdue)": today - datetime.timedelta(days=5),
        "Quarterly report (due soon)": today + datetime.timedelta(days=14),
    }


def test_due_reports_move_with_the_day_they_are_loaded():
    call_command("seed_demo", "--not-production", verbosity=0)
    georgia = Report.objects.get(title="Quarterly report (due soon)").project
    seed_due_reports(georgia, today=timezone.localdate() + datetime.timedelta(days=10))
    assert Report.objects.get(
        title="Quarterly report (due soon)"
    ).due_date == timezone.localdate() + datetime.timedelta(days=24)
