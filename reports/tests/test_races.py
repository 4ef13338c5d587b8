"""A report submitted twice at the same moment, on PostgreSQL (whose row locks the services take)."""

import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from reports import services
from reports.models import NarrativeVersion, Report
from tests.threads import race

from .factories import ReportFactory, write_narrative

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="a real race needs PostgreSQL's row locks"),
    pytest.mark.django_db(transaction=True),
]


def test_a_report_submitted_twice_at_once_is_submitted_once(project, users, monkeypatch):
    report = ReportFactory(project=project)
    write_narrative(report, "Text")
    assemble = services.assemble

    def slow_assemble(**kwargs):  # widens the gap between the state check and the write
        time.sleep(0.3)
        return assemble(**kwargs)

    monkeypatch.setattr(services, "assemble", slow_assemble)
    jobs = [lambda who=who: services.report_submit(report=report, user=users[who]) for who in ("drafter", "manager")]
    results, errors = race(*jobs)
    assert len(results) == 1 and len(errors) == 1
    assert isinstance(errors[0], ValidationError) and "already been submitted" in errors[0].messages[0]
    report.refresh_from_db()
    assert report.state == Report.State.SUBMITTED and report.submitted_by == results[0].submitted_by


def test_two_narrative_saves_from_the_same_version_keep_one_and_refuse_the_other(project, users):
    report = ReportFactory(project=project)
    jobs = [
        lambda who=who: services.narrative_save(
            report=report, language="en", base_number=0, body=f"By {who}", user=users[who]
        )
        for who in ("drafter", "manager")
    ]
    results, errors = race(*jobs)
    assert len(results) == 1 and len(errors) == 1 and isinstance(errors[0], services.StaleNarrative)
    assert list(NarrativeVersion.objects.values_list("number", flat=True)) == [1]
