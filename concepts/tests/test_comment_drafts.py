"""Unsent comments and replies: kept on the server for their author alone while they type, offered
back on the section page (not put back silently), gone once posted or discarded."""

import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from activities.tests.factories import ActivityFactory
from concepts import services
from concepts.models import Comment, CommentDraft
from concepts.tests.factories import ConceptFactory, section_with_version

pytestmark = pytest.mark.django_db

BODY = "Access to free legal aid is guaranteed.\n\nAppeals are heard within thirty days."
ROLES_WHO_COMMENT = ["reviewer", "drafter", "manager", "staff"]


@pytest.fixture
def concept(project, users):
    return ConceptFactory(project=project, created_by=users["manager"])


@pytest.fixture
def section(concept, users):
    return section_with_version(concept, title="Legal aid", body=BODY, author=users["drafter"])


@pytest.fixture
def comment(section, users):
    return services.comment_add(
        section=section, version=section.head, author=users["drafter"], body="Is thirty days enough?", notify=False
    )


def save_url(section):
    return reverse("concepts:comment_draft_save", args=[section.concept_id, section.pk])


def discard_url(section, draft):
    return reverse("concepts:comment_draft_discard", args=[section.concept_id, section.pk, draft.pk])


def keep(client, section, body, **fields):
    return client.post(save_url(section), {"version_number": "1", "body": body, **fields})


def page(client, section, query=""):
    return client.get(section.get_absolute_url() + query).content.decode()


def test_typing_a_comment_keeps_one_private_draft_per_person(client_for, section, users):
    client = client_for("reviewer")
    assert keep(client, section, "Add a right").status_code == 200
    response = keep(client, section, "Add a right of appeal.", quote="free legal aid", is_recommendation="on")
    answer = json.loads(response.content)
    assert answer["message"].startswith("A draft of your comment was kept at ")
    draft = CommentDraft.objects.get()
    assert (draft.user, draft.section, draft.language, draft.parent) == (users["reviewer"], section, "en", None)
    assert (draft.body, draft.quote, draft.options) == (
        "Add a right of appeal.",
        "free legal aid",
        {"is_recommendation": "on"},
    )

    keep(client_for("drafter"), section, "The drafter's own words.")
    assert CommentDraft.objects.count() == 2


def test_a_reply_keeps_its_own_draft_beside_the_comment(client_for, section, comment):
    client = client_for("reviewer")
    keep(client, section, "A new comment.")
    response = keep(client, section, "Thirty days is the EU norm.", parent_id=str(comment.pk))
    assert json.loads(response.content)["message"].startswith("A draft of your reply was kept at ")
    assert CommentDraft.objects.filter(parent=comment).get().body == "Thirty days is the EU norm."
    assert CommentDraft.objects.filter(parent=None).get().body == "A new comment."


def test_a_reply_to_a_comment_of_another_section_is_404(client_for, concept, section, users):
    other = section_with_version(concept, title="Other", body="Other text.", author=users["drafter"])
    elsewhere = services.comment_add(section=other, version=other.head, author=users["drafter"], body="?", notify=False)
    assert keep(client_for("reviewer"), section, "Reply.", parent_id=str(elsewhere.pk)).status_code == 404
    assert not CommentDraft.objects.exists()


def test_emptying_the_form_deletes_the_draft(client_for, section):
    client = client_for("reviewer")
    keep(client, section, "Typed.")
    response = keep(client, section, "  ", quote="a quote alone is not typed")
    assert response.status_code == 200
    assert not CommentDraft.objects.exists()


def test_a_comment_longer_than_a_comment_may_be_is_refused_with_the_limit(client_for, section):
    response = keep(client_for("reviewer"), section, "x" * 20_001)
    assert response.status_code == 413
    assert "20,000" in json.loads(response.content)["error"]
    assert not CommentDraft.objects.exists()
    assert keep(client_for("reviewer"), section, "x", quote="q" * 5_001).status_code == 413
    assert keep(client_for("reviewer"), section, "x" * 20_000).status_code == 200


@pytest.mark.parametrize("role", ["anonymous", "outsider", "other_drafter", "donor", "portfolio_donor"])
def test_those_who_may_not_comment_keep_no_draft(client_for, section, role):
    response = keep(client_for(role), section, "Typed.")
    assert response.status_code in (302, 404) if role == "anonymous" else response.status_code == 404
    assert not CommentDraft.objects.exists()


def test_a_draft_post_without_the_csrf_token_is_refused(section, users):
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["reviewer"])
    assert keep(client, section, "Typed.").status_code == 403


def test_the_section_page_offers_the_unsent_comment_to_its_author_only(client_for, section):
    keep(client_for("reviewer"), section, "Unsent private remark.")
    mine = page(client_for("reviewer"), section)
    assert "You have an unsent comment from" in mine
    assert 'data-draft-offer-for="comment-form"' in mine
    assert "Unsent private remark." in mine
    form = mine[mine.index('id="comment-form"') :]
    # Offered, not put back silently: the form's field is empty until Restore.
    assert "Unsent private remark." not in form[: form.index("</form>")]
    for role in ["drafter", "manager", "staff", "donor"]:
        other = page(client_for(role), section)
        assert "Unsent private remark." not in other
        assert "data-draft-offer-for" not in other


def test_restore_puts_the_comment_back_into_the_form(client_for, section, users):
    activity = ActivityFactory(project=section.concept.project)
    client = client_for("reviewer")
    keep(
        client,
        section,
        "Restored words.",
        quote="free legal aid",
        is_recommendation="on",
        source_activity=str(activity.pk),
    )
    draft = CommentDraft.objects.get()
    html = page(client, section, f"?comment_draft={draft.pk}")
    form = html[html.index('id="comment-form"') :]
    form = form[: form.index("</form>")]
    assert "data-draft-restored" in form
    assert ">\nRestored words.</textarea>" in form
    assert ">\nfree legal aid</textarea>" in form
    assert re.search(r'<input type="checkbox" name="is_recommendation"[^>]* checked', form)
    assert f'value="{activity.pk}" selected' in form
    assert "data-draft-offer-for" not in html


def test_restore_puts_a_reply_back_under_its_comment(client_for, section, comment):
    client = client_for("reviewer")
    keep(client, section, "Reply words.", parent_id=str(comment.pk))
    draft = CommentDraft.objects.get()
    offered = page(client, section)
    assert "You have an unsent reply from" in offered
    assert f"?comment_draft={draft.pk}#reply-{comment.pk}" in offered
    html = page(client, section, f"?comment_draft={draft.pk}")
    assert f'id="reply-{comment.pk}" rows="2" required>Reply words.</textarea>' in html


@pytest.mark.parametrize("role", ["drafter", "manager", "staff", "outsider", "anonymous"])
def test_another_persons_draft_is_404_on_restore_and_discard(client_for, section, role):
    keep(client_for("reviewer"), section, "Private words.")
    draft = CommentDraft.objects.get()
    client = client_for(role)
    assert client.get(section.get_absolute_url() + f"?comment_draft={draft.pk}").status_code == 404
    response = client.post(discard_url(section, draft))
    assert response.status_code == (302 if role == "anonymous" else 404)
    assert CommentDraft.objects.exists()


def test_a_draft_asked_for_under_another_section_is_404(client_for, concept, section, users):
    other = section_with_version(concept, title="Other", body="Other text.", author=users["drafter"])
    client = client_for("reviewer")
    keep(client, section, "Typed.")
    draft = CommentDraft.objects.get()
    assert client.get(other.get_absolute_url() + f"?comment_draft={draft.pk}").status_code == 404
    assert client.post(discard_url(other, draft)).status_code == 404
    assert client.get(section.get_absolute_url() + "?comment_draft=nonsense").status_code == 404


def test_posting_the_comment_deletes_its_draft_only(client_for, section, comment):
    client = client_for("reviewer")
    keep(client, section, "Posted soon.")
    keep(client, section, "A reply kept.", parent_id=str(comment.pk))
    url = reverse("concepts:comment_add", args=[section.concept_id, section.pk])
    response = client.post(url, {"version_number": "1", "language": "en", "body": "Posted soon."})
    assert response.status_code == 302
    assert Comment.objects.filter(body="Posted soon.").exists()
    assert list(CommentDraft.objects.values_list("body", flat=True)) == ["A reply kept."]
    client.post(url, {"version_number": "1", "language": "en", "body": "A reply kept.", "parent_id": str(comment.pk)})
    assert not CommentDraft.objects.exists()
    assert "data-draft-offer-for" not in page(client, section)


def test_a_comment_refused_by_the_form_keeps_its_draft(client_for, section):
    client = client_for("reviewer")
    keep(client, section, "Recommended.", is_recommendation="on")
    url = reverse("concepts:comment_add", args=[section.concept_id, section.pk])
    # A recommendation must name its source: refused, the text shown again and the draft kept.
    html = client.post(
        url, {"version_number": "1", "language": "en", "body": "Recommended.", "is_recommendation": "on"}
    )
    assert html.status_code == 200
    assert CommentDraft.objects.get().body == "Recommended."


def test_discarding_deletes_the_draft_and_returns_to_the_form(client_for, section):
    client = client_for("reviewer")
    keep(client, section, "Never mind.")
    draft = CommentDraft.objects.get()
    response = client.post(discard_url(section, draft))
    assert response.status_code == 302
    assert response["Location"].endswith(f"{section.get_absolute_url()}#new-comment")
    assert not CommentDraft.objects.exists()
    assert client.post(discard_url(section, draft)).status_code == 404
    fetched = keep(client, section, "Again.")
    assert fetched.status_code == 200
    draft = CommentDraft.objects.get()
    assert client.post(discard_url(section, draft), headers={"X-Requested-With": "fetch"}).status_code == 204


def test_a_section_page_with_drafts_reads_them_in_a_fixed_number_of_queries(
    client_for, section, users, django_assert_max_num_queries
):
    comments = [
        services.comment_add(section=section, version=section.head, author=users["drafter"], body=f"C{n}", notify=False)
        for n in range(8)
    ]
    client = client_for("reviewer")
    keep(client, section, "New.")
    keep(client, section, "One reply.", parent_id=str(comments[0].pk))
    client.get(section.get_absolute_url())  # warm the session and caches
    # As many with one reply kept as with eight (14: the comment form lists the project's partners first).
    with django_assert_max_num_queries(14):
        page(client, section)
    for comment in comments:
        keep(client, section, f"Reply to {comment.body}", parent_id=str(comment.pk))
    with django_assert_max_num_queries(14):
        html = page(client, section)
    assert html.count('data-draft-offer-for="reply-form-') == 8
    assert html.count('data-draft-offer-for="comment-form"') == 1
