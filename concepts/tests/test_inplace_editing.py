"""Editing a section in place on the concept page (htmx): the block's editor, saving back into
the page, cancelling, and a save that meets someone else's on the same passage."""

import pytest
from django.urls import reverse

from concepts import services
from concepts.models import SectionDraft, SectionVersion
from concepts.tests.factories import ConceptFactory, section_with_version

pytestmark = pytest.mark.django_db

BODY = "First paragraph about labour migration.\n\nSecond paragraph about asylum."
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def concept(project, users):
    return ConceptFactory(project=project, created_by=users["manager"])


@pytest.fixture
def section(concept, users):
    section_with_version(concept, title="Introduction", body="Opening words.", author=users["manager"])
    return section_with_version(concept, title="Purpose", body=BODY, author=users["manager"], position=2)


def url(name, section):
    return reverse(f"concepts:{name}", args=[section.concept_id, section.pk])


def save(client, section, body, base_number=1, title="Purpose"):
    data = {"base_number": base_number, "title": title, "body": body, "summary": "", "language": "en"}
    return client.post(url("section_inplace", section), data, **HTMX)


def test_the_edit_link_is_shown_to_whoever_may_draft_even_after_a_reviewer_filled_the_cache(
    client_for, concept, section
):
    inplace = url("section_inplace", section)
    reviewer_page = client_for("reviewer").get(concept.get_absolute_url()).content.decode()
    assert "Second paragraph about asylum." in reviewer_page
    assert inplace not in reviewer_page
    # The drafter may draft but not edit the outline, as the reviewer: the block is cached apart all the same.
    drafter_page = client_for("drafter").get(concept.get_absolute_url()).content.decode()
    assert f'hx-get="{inplace}"' in drafter_page
    assert f'href="{url("section_edit", section)}"' in drafter_page  # without JavaScript: the edit page
    assert 'id="rich-editor-labels"' in drafter_page and 'id="draft-labels"' in drafter_page


def test_the_editor_opens_inside_the_block(client_for, section):
    client_for("manager").get(url("section_inplace", section), **HTMX)
    response = client_for("drafter").get(url("section_inplace", section), **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert html.startswith('<section class="concept-section') and f'id="section-{section.pk}"' in html
    assert "Editing 2 “Purpose”" in html
    assert f'hx-post="{url("section_inplace", section)}"' in html
    assert f'action="{url("section_edit", section)}"' in html  # the plain form still posts to the edit page
    assert "data-draft-form" in html and "data-rich-editor" in html
    assert "Second paragraph about asylum." in html
    assert f'hx-get="{url("section_block", section)}"' in html  # Cancel
    assert "manager also has this section open for editing." in html


@pytest.mark.parametrize(("role", "status"), [("reviewer", 403), ("outsider", 404), ("other_drafter", 404)])
def test_who_may_not_draft_gets_no_editor_and_saves_nothing(client_for, section, role, status):
    client = client_for(role)
    assert client.get(url("section_inplace", section), **HTMX).status_code == status
    assert save(client, section, "Rewritten by someone else.").status_code == status
    assert SectionVersion.objects.filter(section=section).count() == 1


def test_anonymous_is_sent_to_log_in(client_for, section):
    response = client_for("anonymous").get(url("section_inplace", section), **HTMX)
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_a_save_answers_the_new_block_and_keeps_no_draft(client_for, section, users):
    client = client_for("drafter")
    services_draft = {"kind": "edit", "base_number": "1", "title": "Purpose", "body": BODY + " Typed."}
    client.post(url("section_draft_save", section), services_draft)
    assert SectionDraft.objects.count() == 1

    response = save(client, section, BODY.replace("asylum", "asylum and return"))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="section-{section.pk}"' in html
    assert "Second paragraph about asylum and return." in html
    assert "<form" not in html and "<textarea" not in html
    assert "Version 2, drafter" in html
    assert 'id="inplace-status"' in html and 'hx-swap-oob="true"' in html and "Saved as version 2." in html
    section.refresh_from_db()
    assert section.head.number == 2 and section.head.author == users["drafter"]
    assert not SectionDraft.objects.exists()
    page = client.get(section.concept.get_absolute_url()).content.decode()
    assert "Second paragraph about asylum and return." in page


def test_saving_the_same_text_records_no_version(client_for, section):
    response = save(client_for("drafter"), section, BODY)
    assert response.status_code == 200
    assert "Nothing was changed, so no new version was saved." in response.content.decode()
    assert SectionVersion.objects.filter(section=section).count() == 1


def test_an_invalid_save_shows_its_error_in_the_block_and_keeps_the_text(client_for, section):
    response = save(client_for("drafter"), section, "My new words.", title="")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith('<section class="concept-section') and "This field is required." in html
    assert "My new words." in html and "data-draft-restored" in html
    assert SectionVersion.objects.filter(section=section).count() == 1


def test_a_save_from_a_stale_version_that_collides_keeps_the_text_and_goes_to_the_edit_page(client_for, section, users):
    services.section_save(
        section=section, base_number=1, title="Purpose", body=BODY.replace("asylum", "refugees"), user=users["manager"]
    )
    client = client_for("drafter")
    typed = BODY.replace("asylum", "international protection")
    response = save(client, section, typed, base_number=1)
    draft = SectionDraft.objects.get(user=users["drafter"], section=section)
    assert draft.body == typed and draft.base_number == 1
    assert response["HX-Redirect"] == f"{url('section_edit', section)}?draft={draft.pk}"
    assert SectionVersion.objects.filter(section=section).count() == 2  # nothing saved over the other's words

    # The edit page has the typed text back; saving it there shows both wordings on the conflict page.
    editor = client.get(response["HX-Redirect"]).content.decode()
    assert "Second paragraph about international protection." in editor
    conflict = client.post(
        url("section_edit", section),
        {"base_number": 1, "title": "Purpose", "body": typed, "summary": "", "language": "en", "source_number": 2},
    )
    assert conflict.status_code == 409
    page = conflict.content.decode()
    assert "international protection" in page and "refugees" in page


def test_cancel_puts_back_the_unchanged_block(client_for, section):
    response = client_for("drafter").get(url("section_block", section), **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="section-{section.pk}"' in html and "2 Purpose" in html and "<form" not in html
    assert f'hx-get="{url("section_inplace", section)}"' in html
    assert client_for("outsider").get(url("section_block", section), **HTMX).status_code == 404


def test_cancel_stops_showing_the_user_as_editing_the_section(client_for, concept, section):
    client_for("manager").get(url("section_inplace", section), **HTMX)
    assert "Being edited by manager" in client_for("drafter").get(concept.get_absolute_url()).content.decode()
    client_for("manager").get(url("section_block", section), **HTMX)  # Cancel
    assert "Being edited by manager" not in client_for("drafter").get(concept.get_absolute_url()).content.decode()
    html = client_for("drafter").get(url("section_inplace", section), **HTMX).content.decode()
    assert "also has this section open" not in html


def test_a_removed_section_has_no_editor(client_for, section):
    services.section_remove(section=section)
    assert client_for("drafter").get(url("section_inplace", section), **HTMX).status_code == 404
    assert client_for("drafter").get(url("section_block", section), **HTMX).status_code == 404
