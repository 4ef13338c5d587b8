"""Unsent comments and replies kept on the server: a reviewer types, the browser is gone, and in a
new browser the section page offers the text back (Restore / Discard); no one else ever sees it."""

import re
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from concepts import services
from concepts.models import Comment, CommentDraft
from concepts.tests.factories import ConceptFactory, section_with_version
from projects.models import Role
from projects.tests.factories import MembershipFactory, ProjectFactory, UserFactory
from tests.e2e.axe import assert_accessible
from tests.e2e.test_editor_journeys import new_page, sign_in

pytestmark = pytest.mark.e2e

PASSWORD = "correct-horse-battery"
REMARK = "Name the agency that hears appeals."
REPLY = "Thirty days is the norm in the region."


@pytest.fixture
def consultation(db):
    project = ProjectFactory(slug="belarus-migration-policy", title="Migration policy in Belarus")
    dana = UserFactory(username="dana", first_name="Dana", last_name="Petrova", password=PASSWORD)
    rita = UserFactory(username="rita", first_name="Rita", last_name="Novak", password=PASSWORD)
    MembershipFactory(project=project, user=dana, role=Role.DRAFTER)
    MembershipFactory(project=project, user=rita, role=Role.REVIEWER)
    concept = ConceptFactory(project=project, title="Concept of the National Migration Policy", created_by=dana)
    section = section_with_version(
        concept, title="Legal aid", body="Free legal aid is guaranteed to every applicant.", author=dana
    )
    question = services.comment_add(
        section=section, version=section.head, author=dana, body="Is thirty days enough?", notify=False
    )
    return SimpleNamespace(section=section, question=question, dana=dana, rita=rita)


def status(page, form):
    return page.locator(f"#{form} [data-draft-status]")


def test_an_unsent_comment_is_offered_back_in_a_new_browser_and_restored(browser, live_server, consultation):
    context, page, problems = new_page(browser, live_server, viewport={"width": 1280, "height": 900})
    sign_in(page, "rita")
    page.goto(consultation.section.get_absolute_url())
    page.get_by_label("Comment*", exact=True).fill(REMARK)
    expect(status(page, "comment-form")).to_have_text(
        re.compile(r"^A draft of your comment was kept at \d\d:\d\d\.$"), timeout=15_000
    )
    context.close()  # no post, no warning answered: the browser is simply gone
    assert not problems, problems

    # Dana, on the same page, never sees Rita's unsent words.
    context, page, problems = new_page(browser, live_server, viewport={"width": 1280, "height": 900})
    sign_in(page, "dana")
    page.goto(consultation.section.get_absolute_url())
    expect(page.get_by_role("heading", name="Add a comment")).to_be_visible()
    expect(page.locator("[data-draft-offer-for]")).to_have_count(0)
    expect(page.get_by_text(REMARK)).to_have_count(0)
    context.close()

    context, page, problems = new_page(browser, live_server, viewport={"width": 1280, "height": 900})
    sign_in(page, "rita")
    page.goto(consultation.section.get_absolute_url())
    offer = page.locator('[data-draft-offer-for="comment-form"]')
    expect(offer.get_by_role("heading")).to_have_text(re.compile(r"^You have an unsent comment from \d\d:\d\d$"))
    expect(offer).to_contain_text(REMARK)
    expect(page.get_by_label("Comment*", exact=True)).to_have_value("")  # nothing changes until asked
    assert_accessible(page)

    offer.get_by_role("link", name="Restore").click()
    expect(page.get_by_label("Comment*", exact=True)).to_have_value(REMARK)
    expect(status(page, "comment-form")).to_have_text("Your unsent text is back in the form. It is not posted yet.")
    expect(page.locator("[data-draft-offer-for]")).to_have_count(0)
    assert "comment_draft" not in page.url
    assert_accessible(page)

    # Leaving with the restored text asks first; posting it does not, and the draft is gone.
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    page.get_by_role("link", name="History", exact=True).click()
    page.wait_for_timeout(500)
    assert dialogs == ["beforeunload"]
    page.get_by_role("button", name="Add comment").click()
    expect(page.locator(".messages .alert-success")).to_have_text("Your comment was added.")
    assert dialogs == ["beforeunload"]
    assert Comment.objects.filter(author=consultation.rita, body=REMARK).exists()
    assert not CommentDraft.objects.exists()
    expect(page.locator("[data-draft-offer-for]")).to_have_count(0)
    context.close()
    assert not problems, problems


def test_an_unsent_reply_is_offered_under_its_comment_and_discarded(browser, live_server, consultation):
    context, page, problems = new_page(browser, live_server, viewport={"width": 1280, "height": 900})
    sign_in(page, "rita")
    page.goto(consultation.section.get_absolute_url())
    form = f"reply-form-{consultation.question.pk}"
    page.locator(f"#comment-{consultation.question.pk}").get_by_text("Reply", exact=True).click()
    page.get_by_label("Your reply").fill(REPLY)
    expect(status(page, form)).to_have_text(
        re.compile(r"^A draft of your reply was kept at \d\d:\d\d\.$"), timeout=15_000
    )
    context.close()

    context, page, problems = new_page(browser, live_server, viewport={"width": 1280, "height": 900})
    sign_in(page, "rita")
    page.goto(consultation.section.get_absolute_url())
    offer = page.locator(f'[data-draft-offer-for="{form}"]')
    expect(offer.get_by_role("heading")).to_have_text(re.compile(r"^You have an unsent reply from \d\d:\d\d$"))
    expect(offer).to_be_visible()  # the reply is unfolded to show it
    assert_accessible(page)
    offer.get_by_role("button", name="Discard").click()
    expect(page.locator(".messages .alert-info")).to_have_text("Your unsent text was discarded.")
    expect(page.locator("[data-draft-offer-for]")).to_have_count(0)
    expect(page.locator("[data-draft-local-offer]:visible")).to_have_count(0)
    assert not CommentDraft.objects.exists()
    context.close()
    assert not problems, problems
