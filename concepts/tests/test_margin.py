"""The section page's margin (concepts/margin.py) and its one-field comment form, without a browser.

Which comments stand beside their passage and in what order, what the cards carry for the page's
script, how the form opens, where it posts, and which field an error focuses.
"""

from types import SimpleNamespace

import pytest

from concepts import services
from concepts.margin import margin_notes
from concepts.models import Comment
from concepts.tests.factories import ConceptFactory, section_with_version
from projects.models import ProjectPartner, Role
from projects.tests.factories import MembershipFactory, OrganisationFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db

BODY = (
    "The **Law on Migration** sets the rules.\n\n"
    "Quotas are set every year. The asylum procedure takes too long.\n\n"
    "The asylum procedure is described in the annex."
)


@pytest.fixture
def page_setup(db):
    project = ProjectFactory()
    reviewer = UserFactory(username="rita")
    MembershipFactory(project=project, user=reviewer, role=Role.REVIEWER)
    concept = ConceptFactory(project=project)
    section = section_with_version(concept, title="Asylum", body=BODY, author=reviewer, position=1)
    return SimpleNamespace(project=project, reviewer=reviewer, concept=concept, section=section)


def add(setup, body, quote="", **fields):
    return services.comment_add(
        section=setup.section, version=setup.section.head, author=setup.reviewer, body=body, quote=quote,
        notify=False, **fields,
    )  # fmt: skip


def test_quoted_comments_go_to_the_margin_in_reading_order_and_the_rest_to_the_list(page_setup):
    later_passage = add(page_setup, "Too long?", "takes too long")
    general = add(page_setup, "Fine overall.")
    earlier_passage = add(page_setup, "Which law?", "Law on Migration")
    gone = add(page_setup, "Old words.", "a passage that is not in the text")

    notes, listed = margin_notes(
        version=page_setup.section.head, comments=[later_passage, general, earlier_passage, gone]
    )

    assert [note.comment for note in notes] == [earlier_passage, later_passage]
    assert [note.number for note in notes] == [1, 2]
    assert listed == [general, gone]
    assert notes[0].start == BODY.index("Law on Migration")
    assert all(note.occurrence == 1 and note.label == "" for note in notes)


def test_an_anchor_picks_the_occurrence_and_a_removed_passage_sends_the_comment_to_the_list(page_setup):
    twice = add(page_setup, "Which procedure?", "The asylum procedure")
    removed = add(page_setup, "Quotas?", "Quotas are set")
    second = BODY.rindex("The asylum procedure")
    anchors = {
        twice.pk: SimpleNamespace(status="moved", start=second, label="Moved", text=""),
        removed.pk: SimpleNamespace(status="removed", start=None, label="Removed", text=""),
    }

    notes, listed = margin_notes(version=page_setup.section.head, comments=[twice, removed], anchors=anchors)

    assert [(note.comment, note.occurrence, note.start, note.label) for note in notes] == [(twice, 2, second, "Moved")]
    assert listed == [removed]


def test_the_section_page_puts_the_card_in_the_margin_with_what_the_script_needs(client, page_setup):
    quoted = add(page_setup, "Too long?", "takes too long")
    general = add(page_setup, "Fine overall.")
    client.force_login(page_setup.reviewer)

    response = client.get(page_setup.section.get_absolute_url())

    page = response.content.decode()
    margin = page[page.index('id="margin"') : page.index('id="comments"')]
    listed = page[page.index('id="comments"') :]
    assert f'id="comment-{quoted.pk}"' in margin and f'id="comment-{general.pk}"' not in margin
    assert f'id="comment-{general.pk}"' in listed and f'id="comment-{quoted.pk}"' not in listed
    assert 'data-passage="takes too long"' in margin and 'data-occurrence="1"' in margin
    assert "Show the passage" in margin
    assert "Other comments and recommendations" in listed


def test_without_quoted_comments_there_is_no_margin(client, page_setup):
    add(page_setup, "Fine overall.")
    client.force_login(page_setup.reviewer)

    page = client.get(page_setup.section.get_absolute_url()).content.decode()

    assert 'id="margin"' not in page
    assert "Comments and recommendations" in page


def test_the_form_opens_with_the_comment_alone_and_posts_to_itself(client, page_setup):
    client.force_login(page_setup.reviewer)

    page = client.get(page_setup.section.get_absolute_url()).content.decode()

    form = page[page.index('id="comment-form"') : page.index("</form>", page.index('id="comment-form"'))]
    assert f"/sections/{page_setup.section.pk}/comments/#new-comment" in page
    body_at = form.index('name="body"')
    assert "<details" not in form[:body_at]  # the comment comes first, outside every disclosure
    for name in ("quote", "suggestion_mode", "suggested_text", "is_recommendation", "source_activity"):
        at = form.index(f'name="{name}"')
        assert form.rfind("<details", 0, at) > form.rfind("</details>", 0, at), f"{name} is behind a disclosure"
    assert '<details class="comment-option mb-2" id="comment-quote">' in form  # closed while empty


def test_an_error_reopens_its_disclosure_and_focuses_its_field(client, page_setup):
    client.force_login(page_setup.reviewer)

    response = client.post(
        f"/concepts/{page_setup.concept.pk}/sections/{page_setup.section.pk}/comments/",
        {"version_number": 1, "body": "A recommendation.", "is_recommendation": "on"},
    )

    page = response.content.decode()
    assert response.status_code == 200 and not Comment.objects.exists()
    assert '<details class="comment-option mb-3" id="comment-sources" open>' in page
    field = page[page.index('name="source_activity"') - 200 : page.index('name="source_activity"') + 200]
    assert "autofocus" in field
    assert page.count("autofocus") == 1
    assert 'id="comment-recommendation" open' in page  # what was ticked stays in sight


def test_a_picked_occurrence_is_accepted_and_a_nonsense_one_refused(client, page_setup):
    client.force_login(page_setup.reviewer)
    url = f"/concepts/{page_setup.concept.pk}/sections/{page_setup.section.pk}/comments/"

    refused = client.post(
        url, {"version_number": 1, "body": "Which one?", "quote": "The asylum procedure", "quote_occurrence": "-1"}
    )
    assert refused.status_code == 200 and not Comment.objects.exists()

    added = client.post(
        url, {"version_number": 1, "body": "Which one?", "quote": "The asylum procedure", "quote_occurrence": "1"}
    )
    assert added.status_code == 302
    assert Comment.objects.get().quote == "The asylum procedure"


def test_the_projects_partners_come_first_among_the_organisations(client, page_setup):
    OrganisationFactory(name="Academy of Sciences")
    partner = OrganisationFactory(name="State Border Committee")
    ProjectPartner.objects.create(project=page_setup.project, organisation=partner, role="beneficiary")
    client.force_login(page_setup.reviewer)

    page = client.get(page_setup.section.get_absolute_url()).content.decode()

    start = page.index('name="source_organisation"')
    select = page[start : page.index("</select>", start)]
    assert select.index("Partners of this project") < select.index("State Border Committee")
    assert select.index("State Border Committee") < select.index("Other organisations")
    assert select.index("Other organisations") < select.index("Academy of Sciences")


def test_the_section_page_places_each_card_where_its_passage_stands_now(client, page_setup):
    reworded = add(page_setup, "Too long?", "takes too long")
    removed = add(page_setup, "Which law?", "Law on Migration")
    second = add(page_setup, "The annex one.", "The asylum procedure", occurrence=1)
    drafter = UserFactory(username="dana")
    MembershipFactory(project=page_setup.project, user=drafter, role=Role.DRAFTER)
    new_body = (
        "The rules are set by decree.\n\n"
        "Quotas are set every year. The asylum procedure lasts far too long.\n\n"
        "The asylum procedure is described in the annex."
    )
    services.section_save(section=page_setup.section, base_number=1, title="Asylum", body=new_body, user=drafter)
    client.force_login(page_setup.reviewer)

    page = client.get(page_setup.section.get_absolute_url()).content.decode()

    card = page[page.index(f'id="comment-{reworded.pk}"') :]
    card = card[: card.index("</article>")]
    assert 'data-passage="lasts far too long"' in card and "Text changed" in card
    card = page[page.index(f'id="comment-{second.pk}"') :]
    assert 'data-occurrence="2"' in card[: card.index(">")]  # still the annex's, the second place
    margin = page[page.index('class="margin-notes') : page.index(f'id="comment-{removed.pk}"')]
    assert f'id="comment-{removed.pk}"' not in margin  # its passage is gone: in the general list


def test_the_section_page_reads_the_passages_places_once_for_the_margin_and_the_suggestions(client, page_setup):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    add(page_setup, "Too long?", "takes too long")
    add(page_setup, "Shorter.", "takes too long", suggestion_mode="replace", suggested_text="is slow")
    client.force_login(page_setup.reviewer)

    with CaptureQueriesContext(connection) as queries:
        page = client.get(page_setup.section.get_absolute_url()).content.decode()

    assert "is slow" in page  # the suggestion is shown in place
    anchor_reads = [q["sql"] for q in queries if 'FROM "concepts_commentanchor"' in q["sql"] and "SELECT" in q["sql"]]
    assert len(anchor_reads) == 1, anchor_reads
