import datetime
import re

import icalendar
import pytest
from django.utils import timezone

from activities import services
from activities.models import Activity, Participation
from activities.tests.factories import ActivityFactory, ParticipationFactory
from activities.timeline import build_timeline
from projects.tests.factories import OrganisationFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def activity_form(**overrides):
    data = {
        "kind": "study_visit",
        "title": "Study visit to Vienna",
        "planned_start": "2025-06-02",
        "planned_end": "2025-06-06",
        "status": "planned",
        "city": "Vienna",
        "country": "AT",
    }
    data.update(overrides)
    return data


def test_manager_adds_an_activity_at_the_end_of_the_list(client_for, project):
    ActivityFactory(project=project, order=5)
    response = client_for("manager").post(f"/projects/{project.slug}/activities/new/", activity_form())
    assert response.status_code == 302
    activity = Activity.objects.get(title="Study visit to Vienna")
    assert activity.order == 6
    assert activity.location == "Vienna, Austria"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"planned_end": "2025-06-01"}, "planned_end"),
        ({"actual_start": "2025-06-05", "actual_end": "2025-06-04"}, "actual_end"),
        ({"kind": "party"}, "kind"),
        ({"planned_start": "not a date"}, "planned_start"),
    ],
)
def test_bad_activity_input_is_refused_at_the_field(client_for, project, overrides, field):
    response = client_for("manager").post(f"/projects/{project.slug}/activities/new/", activity_form(**overrides))
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert not Activity.objects.exists()


def test_activity_outside_the_project_dates_is_saved_with_a_warning(client_for, project):
    response = client_for("manager").post(
        f"/projects/{project.slug}/activities/new/",
        activity_form(planned_start="2030-01-01", planned_end="2030-01-02"),
        follow=True,
    )
    assert Activity.objects.filter(planned_start="2030-01-01").exists()
    assert (
        "fall outside the project&#x27;s time frame" in response.content.decode()
        or "outside the project's time frame" in response.content.decode()
    )


def test_drafter_cannot_add_activities(client_for, project):
    response = client_for("drafter").post(f"/projects/{project.slug}/activities/new/", activity_form())
    assert response.status_code == 403
    assert not Activity.objects.exists()


def test_activity_of_another_project_is_not_found_through_this_one(client_for, project, other_project):
    foreign = ActivityFactory(project=other_project)
    client = client_for("manager")
    assert client.get(f"/projects/{project.slug}/activities/{foreign.pk}/").status_code == 404
    assert client.post(f"/projects/{project.slug}/activities/{foreign.pk}/cancel/").status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == Activity.Status.PLANNED


def test_cancel_marks_the_activity_cancelled(client_for, project):
    activity = ActivityFactory(project=project)
    client_for("manager").post(f"/projects/{project.slug}/activities/{activity.pk}/cancel/")
    activity.refresh_from_db()
    assert activity.status == Activity.Status.CANCELLED


def test_reorder_moves_an_activity_up_and_down(client_for, project):
    first, second, third = (ActivityFactory(project=project, order=n, title=f"A{n}") for n in (1, 2, 3))
    client = client_for("manager")
    client.post(f"/projects/{project.slug}/activities/{third.pk}/move/", {"direction": "up"})
    assert list(project.activities.values_list("title", flat=True)) == ["A1", "A3", "A2"]
    client.post(f"/projects/{project.slug}/activities/{first.pk}/move/", {"direction": "down"})
    assert list(project.activities.values_list("title", flat=True)) == ["A3", "A1", "A2"]
    client.post(f"/projects/{project.slug}/activities/{first.pk}/move/", {"direction": "sideways"})
    assert list(project.activities.values_list("title", flat=True)) == ["A3", "A1", "A2"]


@pytest.mark.parametrize(
    ("participants", "women", "field"),
    [("-1", "", "participants"), ("10", "11", "women"), ("ten", "", "participants")],
)
def test_bad_participation_is_refused_at_the_field(client_for, project, participants, women, field):
    activity = ActivityFactory(project=project)
    organisation = OrganisationFactory()
    response = client_for("manager").post(
        f"/projects/{project.slug}/activities/{activity.pk}/participants/",
        {"organisation": organisation.pk, "role": "participant", "participants": participants, "women": women},
    )
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert not Participation.objects.exists()


def test_participation_counts_are_recorded_and_totalled(client_for, project):
    activity = ActivityFactory(project=project)
    ParticipationFactory(activity=activity, participants=14, women=8)
    client_for("manager").post(
        f"/projects/{project.slug}/activities/{activity.pk}/participants/",
        {
            "organisation": OrganisationFactory(name="UNHCR").pk,
            "role": "participant",
            "participants": "2",
            "women": "1",
        },
    )
    response = client_for("donor").get(f"/projects/{project.slug}/activities/{activity.pk}/")
    assert response.context["totals"] == {"participants": 16, "women": 9}
    assert "UNHCR" in response.content.decode()


def test_public_project_page_lists_activities_in_order_with_their_descriptions(client, published_project):
    ActivityFactory(project=published_project, order=2, title="Closing event", description="Held in **Minsk**.")
    ActivityFactory(project=published_project, order=1, title="Desk research", description="Reviewed the laws.")
    page = client.get(published_project.get_absolute_url()).content.decode()
    assert page.index("Desk research") < page.index("Closing event")
    assert "<strong>Minsk</strong>" in page


def test_calendar_feed_parses_as_icalendar_with_all_day_events(client, published_project):
    ActivityFactory(
        project=published_project, title="Closing event, Minsk; final draft", planned_start=datetime.date(2020, 2, 25),
        planned_end=datetime.date(2020, 2, 25), city="Minsk", country="BY", description="Final *Concept* presented.",
    )  # fmt: skip
    ActivityFactory(project=published_project, title="Knowledge exchange", planned_start=datetime.date(2019, 9, 10),
                    planned_end=datetime.date(2019, 9, 11), is_remote=True)  # fmt: skip
    response = client.get(f"/projects/{published_project.slug}/activities.ics")
    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    events = {str(event["SUMMARY"]): event for event in calendar.walk("VEVENT")}
    closing = events["Closing event, Minsk; final draft"]
    assert closing.decoded("DTSTART") == datetime.date(2020, 2, 25)
    assert closing.decoded("DTEND") == datetime.date(2020, 2, 26)
    assert str(closing["LOCATION"]) == "Minsk, Belarus"
    assert str(closing["DESCRIPTION"]) == "Final Concept presented."
    assert str(closing["UID"]).startswith("activity-")
    assert events["Knowledge exchange"].decoded("DTEND") == datetime.date(2019, 9, 12)
    assert str(events["Knowledge exchange"]["LOCATION"]) == "Remote"


def test_calendar_of_an_unpublished_project_is_hidden_from_outsiders(client_for, project):
    ActivityFactory(project=project)
    assert client_for("outsider").get(f"/projects/{project.slug}/activities.ics").status_code == 404


def test_timeline_has_one_planned_bar_per_activity_and_actual_bars_where_started(client, published_project):
    ActivityFactory(project=published_project, title="Planned only")
    ActivityFactory(project=published_project, title="Done", actual_start=datetime.date(2025, 3, 12),
                    actual_end=datetime.date(2025, 3, 14))  # fmt: skip
    ActivityFactory(project=published_project, title="One day", planned_start=datetime.date(2025, 5, 1),
                    planned_end=datetime.date(2025, 5, 1))  # fmt: skip
    page = client.get(f"/projects/{published_project.slug}/timeline/").content.decode()
    svg = page[page.index('<svg class="gantt"') : page.index("</svg>", page.index('<svg class="gantt"'))]
    assert len(re.findall(r'class="gantt-row', svg)) == 3
    assert len(re.findall(r'class="bar-planned"', svg)) == 2
    assert len(re.findall(r'class="bar-actual"', svg)) == 1
    assert len(re.findall(r'class="milestone"', svg)) == 1
    assert svg.count("<a href=") == 3
    assert "Planned:" in svg and "Status:" in svg


def test_timeline_places_actual_after_planned_when_the_activity_slipped():
    activity = ActivityFactory.build(
        planned_start=datetime.date(2019, 6, 17), planned_end=datetime.date(2019, 6, 21),
        actual_start=datetime.date(2019, 6, 24), actual_end=datetime.date(2019, 6, 28),
    )  # fmt: skip
    timeline = build_timeline([activity], today=datetime.date(2026, 1, 1))
    row = timeline.rows[0]
    assert row.actual.x > row.planned.x
    assert row.actual.width == pytest.approx(row.planned.width)
    assert timeline.today_x is None


@pytest.mark.parametrize("zoom", ["fit", "months", "quarters"])
def test_timeline_of_sixty_activities_over_three_years_stays_legible(zoom):
    start = datetime.date(2024, 1, 1)
    activities = [
        ActivityFactory.build(
            planned_start=start + datetime.timedelta(days=18 * n),
            planned_end=start + datetime.timedelta(days=18 * n + 3),
        )  # fmt: skip
        for n in range(60)
    ]
    timeline = build_timeline(activities, today=datetime.date(2025, 6, 1), zoom=zoom)
    assert len(timeline.rows) == 60
    assert len(timeline.ticks) >= 36  # a line for every month
    labelled = [tick for tick in timeline.ticks if tick.label]
    spacing = [b.x - a.x for a, b in zip(labelled, labelled[1:], strict=False)]
    assert min(spacing) >= 30  # labels do not overlap
    assert timeline.rows[1].y - timeline.rows[0].y >= 24
    assert timeline.today_x is not None
    if zoom == "months":
        assert len(labelled) == len(timeline.ticks)
    if zoom == "quarters":  # January shows the year, the other quarters their number
        assert [tick.label for tick in labelled[:5]] == ["2024", "Q2", "Q3", "Q4", "2025"]


def thirteen_month_activities():
    """The seed project's shape: February 2019 to February 2020, the closing event in 2020."""
    project = ProjectFactory.build(planned_start=datetime.date(2019, 2, 1), planned_end=datetime.date(2020, 2, 29))
    activities = [
        ActivityFactory.build(planned_start=datetime.date(2019, 2, 4), planned_end=datetime.date(2019, 3, 29)),
        ActivityFactory.build(planned_start=datetime.date(2020, 1, 20), planned_end=datetime.date(2020, 1, 24)),
        ActivityFactory.build(planned_start=datetime.date(2020, 2, 27), planned_end=datetime.date(2020, 2, 27)),
    ]
    return project, activities


def test_fitted_timeline_shows_a_thirteen_month_project_within_a_laptop_page():
    project, activities = thirteen_month_activities()
    fitted = build_timeline(activities, project=project, today=datetime.date(2026, 1, 1))
    assert fitted.zoom == "fit"
    # Bootstrap's container leaves 1,116 px for the page at 1,366 px; the drawing fits in it.
    assert fitted.width <= 1116
    assert max(row.planned.x + row.planned.width for row in fitted.rows) <= fitted.width
    assert [tick.label for tick in fitted.ticks if tick.year_start] == ["2020"]
    assert fitted.ticks[0].label == "Feb 2019"  # the first months have their year too
    months = build_timeline(activities, project=project, today=datetime.date(2026, 1, 1), zoom="months")
    assert months.width > 1300  # a hundred pixels a month: scrolls sideways
    quarters = build_timeline(activities, project=project, today=datetime.date(2026, 1, 1), zoom="quarters")
    assert fitted.width < months.width and quarters.width < months.width


def test_today_line_only_when_today_is_in_the_range():
    project, activities = thirteen_month_activities()
    inside = build_timeline(activities, project=project, today=datetime.date(2019, 9, 1))
    assert inside.today == datetime.date(2019, 9, 1)
    assert inside.rows[0].planned.x < inside.today_x < inside.rows[1].planned.x
    outside = build_timeline(activities, project=project, today=datetime.date(2026, 1, 1))
    assert outside.today is None and outside.today_x is None


def timeline_page(client, project, **query):
    response = client.get(f"/projects/{project.slug}/timeline/", query)
    assert response.status_code == 200
    return response, response.content.decode()


def test_zoom_is_kept_in_the_address_and_marked_as_current(client, published_project):
    ActivityFactory(project=published_project)
    response, content = timeline_page(client, published_project, zoom="quarters")
    assert response.context["timeline"].zoom == "quarters"
    assert '<a class="btn btn-sm btn-primary" href="?zoom=quarters" aria-current="true">Quarters</a>' in content
    assert 'href="?zoom=fit"' in content and 'href="?zoom=months"' in content
    assert content.count('aria-current="true"') == 1
    response, content = timeline_page(client, published_project, zoom="sideways")  # unknown: fitted
    assert response.context["timeline"].zoom == "fit"
    assert 'class="timeline-scroll timeline-fit"' in content


def test_today_line_is_labelled_for_screen_readers(client, published_project):
    today = timezone.localdate()
    published_project.planned_start = today - datetime.timedelta(days=200)
    published_project.planned_end = today + datetime.timedelta(days=200)
    published_project.save()
    ActivityFactory(project=published_project, planned_start=today - datetime.timedelta(days=100),
                    planned_end=today + datetime.timedelta(days=100))  # fmt: skip
    _, content = timeline_page(client, published_project)
    assert content.count('class="today-marker" role="img" aria-label="Today, ') == 1
    assert '<text class="today-label"' in content


def test_no_today_line_for_a_past_project(client, published_project):
    ActivityFactory(project=published_project, planned_start=datetime.date(2019, 2, 4),
                    planned_end=datetime.date(2019, 2, 8))  # fmt: skip
    published_project.planned_start, published_project.planned_end = (
        datetime.date(2019, 2, 1),
        datetime.date(2020, 2, 29),
    )
    published_project.save()
    _, content = timeline_page(client, published_project)
    assert "today-marker" not in content and "today-line" not in content


def test_phone_list_has_every_activity_in_date_order_with_kind_and_dates(client, published_project):
    ActivityFactory(project=published_project, title="Closing event", order=1, kind="consultation",
                    planned_start=datetime.date(2025, 9, 1), planned_end=datetime.date(2025, 9, 1))  # fmt: skip
    ActivityFactory(project=published_project, title="Desk research", order=2, kind="desk_research",
                    planned_start=datetime.date(2025, 2, 3), planned_end=datetime.date(2025, 3, 28))  # fmt: skip
    _, content = timeline_page(client, published_project)
    listing = content.split('<ol class="timeline-list')[1].split("</ol>")[0]
    assert listing.count("<li") == 2
    assert listing.index("Desk research") < listing.index("Closing event")  # by date, not by the set order
    assert "Desk research" in listing and "Consultation" in listing
    assert "3 Feb 2025" in listing and "28 Mar 2025" in listing


def test_timeline_and_activity_list_query_counts_are_fixed_at_sixty_activities(
    client_for, project, django_assert_max_num_queries
):
    for n in range(60):
        activity = ActivityFactory(project=project, order=n)
        ParticipationFactory(activity=activity)
    client = client_for("manager")
    # The project page also reads its public documents and its approved results: one query each.
    pages = {"timeline/": 8, "activities/": 8, "activities.ics": 8, "": 9}
    for page, most in pages.items():
        with django_assert_max_num_queries(most):
            assert client.get(f"/projects/{project.slug}/{page}").status_code == 200


def test_service_refuses_a_budget_line_for_another_projects_activity(project, other_project):
    from django.core.exceptions import ValidationError

    from budgets.services import budget_line_create

    with pytest.raises(ValidationError) as error:
        budget_line_create(project=project, category="travel", description="x", amount=1,
                           activity=ActivityFactory(project=other_project))  # fmt: skip
    assert "activity" in error.value.message_dict


def test_participation_service_refuses_the_same_organisation_twice_in_a_role(project):
    activity = ActivityFactory(project=project)
    organisation = OrganisationFactory()
    services.participation_add(activity=activity, organisation=organisation, role="host", participants=3)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.participation_add(activity=activity, organisation=organisation, role="host", participants=3)


def _feed_events(client, project, **extra) -> dict[str, icalendar.Event]:
    response = client.get(f"/projects/{project.slug}/activities.ics", **extra)
    assert response.status_code == 200
    return {str(event["SUMMARY"]): event for event in icalendar.Calendar.from_ical(response.content).walk("VEVENT")}


def test_calendar_uids_are_the_same_through_any_host_name(client, published_project, settings):
    settings.ALLOWED_HOSTS = ["portal.example.org", "mpf.example.net"]
    settings.PORTAL_BASE_URL = "https://portal.example.org"
    ActivityFactory(project=published_project, title="Study visit")
    ActivityFactory(project=published_project, title="Closing event")
    first = _feed_events(client, published_project, HTTP_HOST="portal.example.org")
    second = _feed_events(client, published_project, HTTP_HOST="mpf.example.net")
    uids = {title: str(event["UID"]) for title, event in first.items()}
    assert uids == {title: str(event["UID"]) for title, event in second.items()}
    assert len(set(uids.values())) == 2
    assert all(uid.endswith("@portal.example.org") for uid in uids.values())


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("planned", "TENTATIVE"),
        ("postponed", "TENTATIVE"),
        ("ongoing", "CONFIRMED"),
        ("completed", "CONFIRMED"),
        ("cancelled", "CANCELLED"),
    ],
)
def test_calendar_event_status_follows_the_activity(client, published_project, status, expected):
    ActivityFactory(project=published_project, title="The event", status=status)
    assert str(_feed_events(client, published_project)["The event"]["STATUS"]) == expected


def test_an_activity_cancelled_with_the_form_is_cancelled_in_the_feed(client_for, published_project):
    activity = ActivityFactory(project=published_project, title="Workshop", status="planned")
    manager = client_for("manager")
    assert str(_feed_events(manager, published_project)["Workshop"]["STATUS"]) == "TENTATIVE"
    response = manager.post(f"/projects/{published_project.slug}/activities/{activity.pk}/cancel/")
    assert response.status_code == 302
    anonymous = client_for("anonymous")
    assert str(_feed_events(anonymous, published_project)["Workshop"]["STATUS"]) == "CANCELLED"
