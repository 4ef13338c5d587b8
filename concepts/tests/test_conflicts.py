"""The conflict page: what did not collide is combined, each colliding passage is settled in plain words."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from concepts import merging, services
from concepts.merging import Resolution
from concepts.models import Comment, SectionVersion
from concepts.tests.factories import ConceptFactory, section_with_version

pytestmark = pytest.mark.django_db

BASE = (
    "Purpose of the concept.\n\n"
    "The State provides legal aid to asylum seekers.\n\n"
    "Returns are voluntary where possible.\n\n"
    "Funding comes from the national budget."
)
# The manager saves first: she changes the second paragraph and the first.
THEIRS = BASE.replace("provides legal aid", "provides legal assistance").replace("Purpose of", "The purpose of")
# The drafter, from the same version, changes the second paragraph too, and the last.
MINE = BASE.replace("provides legal aid", "provides legal counsel").replace("national budget", "state budget")
MARKERS = ("<<<<<<<", "=======", ">>>>>>>")


@pytest.fixture
def concept(project):
    return ConceptFactory(project=project)


@pytest.fixture
def section(concept, users):
    users["manager"].first_name, users["manager"].last_name = "Alena", "Counterpart"
    users["manager"].save()
    return section_with_version(concept, title="Legal aid", body=BASE, author=users["drafter"])


def save(section, user, body, base=1, title="Legal aid"):
    return services.section_save(section=section, base_number=base, title=title, body=body, user=user)


def edit_url(concept, section, action="edit"):
    return f"/concepts/{concept.pk}/sections/{section.pk}/{action}/"


def collide(client_for, concept, section, users, body=MINE, title="Legal aid"):
    """The manager saves THEIRS; the drafter then saves `body` from version 1: the conflict page."""
    save(section, users["manager"], THEIRS)
    client = client_for("drafter")
    response = client.post(edit_url(concept, section), {"base_number": 1, "title": title, "body": body})
    assert response.status_code == 409
    return client, response


def carried(response, **choices):
    """The conflict page's form as the browser would post it, with `choices` (choice_0="both", …)."""
    form = response.context["form"]
    data = {name: form[name].value() for name in form.fields if not name.startswith(("choice_", "edited_"))}
    data = {name: value for name, value in data.items() if value is not None}
    return {**data, **choices}


def test_the_conflict_page_shows_your_wording_first_and_who_saved_the_other_and_when(
    client_for, concept, section, users
):
    _client, response = collide(client_for, concept, section, users)
    page = response.content.decode()
    saved_at = timezone.localtime(section.versions.get(number=2).created_at).strftime("%H:%M")
    fieldset = re.search(r'<fieldset class="resolver-passage[^"]*" id="passage-1">(.*?)</fieldset>', page, re.S).group(
        1
    )
    assert fieldset.index("Your wording") < fieldset.index(f"Saved by Alena Counterpart at {saved_at}")
    assert fieldset.index("provides legal counsel") < fieldset.index("provides legal assistance")
    labels = re.findall(r'<label class="form-check-label" for="id_choice_0_\d">([^<]+)</label>', fieldset)
    assert labels == ["Keep mine", "Keep theirs", "Keep both", "Edit"]
    assert "<legend" in fieldset and "Passage 1 of 1" in fieldset
    # Only one passage collided: the other changes are combined already, and shown as such.
    assert len(response.context["passages"]) == 1
    assert "<ins>state</ins>" in response.context["my_changes"]
    assert "<ins>The purpose</ins>" in response.context["their_changes"]


def test_no_version_control_marker_reaches_the_page(client_for, concept, section, users):
    _client, response = collide(client_for, concept, section, users)
    page = response.content.decode()
    for marker in MARKERS:
        assert marker not in page
    preview = client_for("drafter").post(edit_url(concept, section, "resolve"), carried(response, action="preview"))
    for marker in MARKERS:
        assert marker not in preview.content.decode()


def test_no_template_and_no_merge_code_writes_a_marker():
    sources = [Path(merging.__file__), *(Path(settings.BASE_DIR) / "templates").rglob("*.html")]
    for source in sources:
        text = source.read_text(encoding="utf-8")
        assert not any(marker in text for marker in MARKERS), source


@pytest.mark.parametrize(
    ("choice", "edited", "expected"),
    [
        ("mine", "", "The State provides legal counsel to asylum seekers."),
        ("theirs", "", "The State provides legal assistance to asylum seekers."),
        (
            "both",
            "",
            "The State provides legal counsel to asylum seekers.\n\n"
            "The State provides legal assistance to asylum seekers.",
        ),
        (
            "edit",
            "The State provides legal counsel and assistance.",
            "The State provides legal counsel and assistance.",
        ),
    ],
)
def test_each_choice_is_saved_on_top_of_the_other_version_with_the_combined_changes(
    client_for, concept, section, users, choice, edited, expected
):
    client, response = collide(client_for, concept, section, users)
    saved = client.post(
        edit_url(concept, section, "resolve"),
        carried(response, choice_0=choice, edited_0=edited, summary="Settled legal aid"),
    )
    assert saved.status_code == 302
    head = section.versions.get(number=3)
    assert (
        head.body == f"The purpose of the concept.\n\n{expected}\n\nReturns are voluntary where possible.\n\n"
        "Funding comes from the state budget."
    )
    assert (head.based_on.number, head.author, head.summary) == (2, users["drafter"], "Settled legal aid")


def test_without_a_choice_nothing_is_saved_and_the_page_asks_for_one(client_for, concept, section, users):
    client, response = collide(client_for, concept, section, users)
    again = client.post(edit_url(concept, section, "resolve"), carried(response))
    assert again.status_code == 200
    assert "Choose what to keep of this passage." in again.content.decode()
    assert section.versions.count() == 2


def test_show_the_result_previews_without_saving(client_for, concept, section, users):
    client, response = collide(client_for, concept, section, users)
    initial = response.content.decode()
    assert "[Passage 1: choose what to keep]" in initial
    preview = client.post(edit_url(concept, section, "resolve"), carried(response, choice_0="both", action="preview"))
    page = preview.content.decode()
    assert preview.status_code == 200 and section.versions.count() == 2
    shown = re.search(r'id="resolution-preview"[^>]*>(.*?)</div>', page, re.S).group(1)
    assert (
        "<mark>The State provides legal counsel to asylum seekers.\n\n"
        "The State provides legal assistance to asylum seekers.\n</mark>" in shown
    )
    assert re.search(r'<input type="radio" name="choice_0" value="both"[^>]*checked', page)


def test_a_third_save_meanwhile_on_another_paragraph_is_merged_with_the_resolution(client_for, concept, section, users):
    client, response = collide(client_for, concept, section, users)
    save(section, users["staff"], THEIRS.replace("voluntary", "voluntary and dignified"), base=2)
    saved = client.post(edit_url(concept, section, "resolve"), carried(response, choice_0="mine"))
    assert saved.status_code == 302
    head = SectionVersion.objects.filter(section=section).order_by("-number").first()
    assert head.number == 4 and head.merged_author == users["staff"]
    assert "legal counsel" in head.body and "voluntary and dignified" in head.body and "state budget" in head.body


def test_a_third_save_meanwhile_on_the_same_passage_is_a_conflict_again(client_for, concept, section, users):
    client, response = collide(client_for, concept, section, users)
    save(section, users["staff"], THEIRS.replace("legal assistance", "legal representation"), base=2)
    again = client.post(edit_url(concept, section, "resolve"), carried(response, choice_0="mine"))
    assert again.status_code == 409 and section.versions.count() == 3
    conflict = again.context["passages"][0]["conflict"]
    assert "legal counsel" in conflict.mine and "legal representation" in conflict.theirs
    saved = client.post(edit_url(concept, section, "resolve"), carried(again, choice_0="both"))
    assert saved.status_code == 302
    head = section.versions.get(number=4)
    assert "legal counsel" in head.body and "legal representation" in head.body and "state budget" in head.body


def test_both_titles_changed_the_title_is_chosen_too(client_for, concept, section, users):
    save(section, users["manager"], BASE, title="Free legal aid")
    client = client_for("drafter")
    response = client.post(edit_url(concept, section), {"base_number": 1, "title": "Legal assistance", "body": BASE})
    assert response.status_code == 409 and response.context["passages"] == []
    saved = client.post(edit_url(concept, section, "resolve"), carried(response, title_choice="theirs"))
    assert saved.status_code == 302
    assert section.versions.get(number=3).title == "Free legal aid"


def test_a_suggestion_that_collides_is_settled_on_the_page_and_marked_incorporated(client_for, concept, section, users):
    comment = services.comment_add(
        section=section,
        version=section.head,
        author=users["reviewer"],
        body="Free.",
        quote="provides legal aid",
        suggestion_mode="replace",
        suggested_text="provides legal counsel",
        notify=False,
    )
    save(section, users["manager"], THEIRS)
    client = client_for("drafter")
    response = client.post(f"/concepts/{concept.pk}/comments/{comment.pk}/accept/")
    assert response.status_code == 409
    page = response.content.decode()
    assert "The suggested wording" in page and "Keep the suggestion" in page
    saved = client.post(edit_url(concept, section, "resolve"), carried(response, choice_0="mine"))
    assert saved.status_code == 302
    comment.refresh_from_db()
    assert comment.disposition == Comment.Disposition.INCORPORATED and comment.incorporated_in.number == 3
    assert "provides legal counsel" in comment.incorporated_in.body and "The purpose of" in comment.incorporated_in.body


def test_a_tampered_form_is_refused_and_nothing_is_saved(client_for, concept, section, users):
    client, response = collide(client_for, concept, section, users)
    refused = client.post(
        edit_url(concept, section, "resolve"), {**carried(response, choice_0="mine"), "theirs_number": 9}
    )
    assert refused.status_code == 400 and section.versions.count() == 2


@pytest.mark.parametrize(("role", "status"), [("reviewer", 403), ("outsider", 404), ("other_drafter", 404)])
def test_only_drafters_may_resolve(client_for, concept, section, users, role, status):
    _client, response = collide(client_for, concept, section, users)
    data = carried(response, choice_0="mine")
    assert client_for(role).post(edit_url(concept, section, "resolve"), data).status_code == status
    assert section.versions.count() == 2


def test_the_service_resolves_per_passage(concept, section, users):
    save(section, users["manager"], THEIRS)
    conflict = services.edit_conflict(
        section=section, language=concept.language, base_number=1, theirs_number=2, title="Legal aid", body=MINE
    )
    result = services.section_resolve_conflict(
        section=section,
        conflict=conflict,
        resolutions=[Resolution("both")],
        keep_my_title=True,
        summary="",
        user=users["drafter"],
        language=concept.language,
    )
    assert result.version.number == 3
    assert result.version.body.count("to asylum seekers.") == 2
