"""Which activities contribute to a result is part of the project's change history."""

import pytest
from django.urls import reverse

from activities.tests.factories import ActivityFactory
from common.history import project_history
from results import services

from .factories import framework

pytestmark = pytest.mark.django_db


def activity_changes(project):
    return [
        (entry.subject, entry.who, old, new)
        for entry in project_history(project)
        for label, old, new in entry.changes
        if label == "contributing activities"
    ]


def test_changing_an_outputs_activities_in_its_form_shows_on_the_history_page(client_for, project):
    fw = framework(project)
    visit = ActivityFactory(project=project, title="Study visit to Vienna")
    training = ActivityFactory(project=project, title="Training of trainers")
    services.result_set_activities(result=fw["output"], activities=[visit])
    manager = client_for("manager")
    url = reverse("results:result_edit", kwargs={"slug": project.slug, "result_id": fw["output"].pk})
    response = manager.post(url, {"title": "Output", "activities": [visit.pk, training.pk]})
    assert response.status_code == 302

    changes = activity_changes(project)
    assert changes[0] == ("Output", "manager", "Study visit to Vienna", "Study visit to Vienna; Training of trainers")
    assert changes[1] == ("Output", "", "—", "Study visit to Vienna")
    page = manager.get(reverse("projects:history", kwargs={"slug": project.slug})).content.decode()
    assert "<td>contributing activities</td><td>Study visit to Vienna</td>" in page
    assert "<td>Study visit to Vienna; Training of trainers</td>" in page


def test_saving_the_same_activities_or_other_fields_records_no_activity_change(project):
    fw = framework(project)
    visit = ActivityFactory(project=project, title="Study visit to Vienna")
    services.result_set_activities(result=fw["output"], activities=[visit])
    before = fw["output"].history.count()
    services.result_set_activities(result=fw["output"], activities=[visit])
    services.result_update(result=fw["output"], title="Renamed output")
    assert fw["output"].history.count() == before + 1  # the rename only
    assert len(activity_changes(project)) == 1


def test_setting_an_activitys_results_records_each_result_gained_or_lost(project):
    fw = framework(project)
    visit = ActivityFactory(project=project, title="Study visit to Vienna")
    services.activity_set_results(activity=visit, results=[fw["output"]])
    services.activity_set_results(activity=visit, results=[fw["outcome"]])
    changes = activity_changes(project)
    assert ("Outcome", "", "—", "Study visit to Vienna") in changes
    assert ("Output", "", "Study visit to Vienna", "—") in changes
    assert ("Output", "", "—", "Study visit to Vienna") in changes
    assert len(changes) == 3


def test_a_deleted_activity_stays_named_by_its_number(project):
    fw = framework(project)
    visit = ActivityFactory(project=project, title="Study visit to Vienna")
    services.result_set_activities(result=fw["output"], activities=[visit])
    services.result_set_activities(result=fw["output"], activities=[])
    pk = visit.pk
    visit.delete()
    assert activity_changes(project)[0] == ("Output", "", f"#{pk}", "—")
