import pytest

from common.models import UserPreferences
from concepts import services
from concepts.tests.factories import ConceptFactory, section_with_version

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]


@pytest.fixture
def section(project, users):
    return section_with_version(ConceptFactory(project=project), title="Asylum", body="Text.", author=users["drafter"])


def test_the_sections_drafter_gets_an_email_when_it_gets_a_comment(
    section, users, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_add(section=section, version=section.head, author=users["reviewer"], body="Define asylum.")
    assert [message.to for message in mailoutbox] == [[users["drafter"].email]]  # the manager wrote none of it
    message = mailoutbox[0]
    assert "Asylum" in message.subject
    assert "Define asylum." in message.body
    assert f"/concepts/{section.concept_id}/sections/{section.pk}/" in message.body


def test_each_drafter_of_the_section_gets_an_email_of_their_own(
    section, users, mailoutbox, django_capture_on_commit_callbacks
):
    services.section_save(section=section, base_number=1, title="Asylum", body="Text, revised.", user=users["manager"])
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_add(section=section, version=section.head, author=users["reviewer"], body="Define asylum.")
    assert sorted(message.to for message in mailoutbox) == sorted([[users["drafter"].email], [users["manager"].email]])
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_add(section=section, version=section.head, author=users["manager"], body="Noted.")
    assert mailoutbox[-1].to == [users["drafter"].email] and len(mailoutbox) == 3  # not to the comment's author


def test_a_section_no_current_drafter_wrote_goes_to_the_projects_drafters_and_managers(
    project, users, mailoutbox, django_capture_on_commit_callbacks
):
    concept = ConceptFactory(project=project)
    orphan = section_with_version(concept, title="Annex", body="Text.", author=users["outsider"])
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_add(section=orphan, version=orphan.head, author=users["reviewer"], body="Who wrote this?")
    assert sorted(message.to for message in mailoutbox) == sorted([[users["drafter"].email], [users["manager"].email]])


def test_the_author_hears_what_became_of_their_comment(section, users, mailoutbox, django_capture_on_commit_callbacks):
    comment = services.comment_add(section=section, version=section.head, author=users["reviewer"], body="x")
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_set_disposition(comment=comment, disposition="declined", reason="Out of scope",
                                         user=users["drafter"])  # fmt: skip
    assert [m.to for m in mailoutbox] == [[users["reviewer"].email]]
    assert "Declined" in mailoutbox[0].subject
    assert "Out of scope" in mailoutbox[0].body


def test_users_who_turned_emails_off_get_none(
    client_for, section, users, mailoutbox, django_capture_on_commit_callbacks
):
    services.section_save(section=section, base_number=1, title="Asylum", body="Text, revised.", user=users["manager"])
    client_for("drafter").post("/accounts/preferences/", {})  # the unticked box turns them off
    assert UserPreferences.objects.get(user=users["drafter"]).email_notifications is False
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_add(section=section, version=section.head, author=users["reviewer"], body="x")
    assert [m.to for m in mailoutbox] == [[users["manager"].email]]


def test_no_email_is_sent_if_the_comment_is_rolled_back(section, users, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.comment_add(section=section, version=section.head, author=users["reviewer"], body="x")
    assert [cb for cb in callbacks if cb.__qualname__.startswith("email_queue.")]  # the e-mail waits for the commit
    assert mailoutbox == []
