import pytest

from common.models import UserPreferences
from concepts import services
from concepts.tests.factories import ConceptFactory, section_with_version

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]


@pytest.fixture
def section(project, users):
    return section_with_version(ConceptFactory(project=project), title="Asylum", body="Text.", author=users["drafter"])


def test_drafters_get_an_email_when_their_section_gets_a_comment(
    section, users, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_add(section=section, version=section.head, author=users["reviewer"], body="Define asylum.")
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert sorted(message.to) == sorted([users["drafter"].email, users["manager"].email])
    assert "Asylum" in message.subject
    assert "Define asylum." in message.body
    assert f"/concepts/{section.concept_id}/sections/{section.pk}/" in message.body


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
    client_for("drafter").post("/accounts/preferences/", {})  # the unticked box turns them off
    assert UserPreferences.objects.get(user=users["drafter"]).email_notifications is False
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_add(section=section, version=section.head, author=users["reviewer"], body="x")
    assert [m.to for m in mailoutbox] == [[users["manager"].email]]


def test_no_email_is_sent_if_the_comment_is_rolled_back(section, users, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.comment_add(section=section, version=section.head, author=users["reviewer"], body="x")
    assert [cb for cb in callbacks if cb.__qualname__.startswith("_send.")]  # the e-mail waits for the commit
    assert mailoutbox == []
