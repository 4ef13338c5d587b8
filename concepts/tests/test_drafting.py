import datetime
import re
import threading
from urllib.parse import urlencode

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from concepts import services
from concepts.models import Comment, Concept, Edition, Section, SectionVersion
from concepts.tests.factories import ConceptFactory, section_with_version
from projects.tests.factories import OrganisationFactory
from tests.threads import race

pytestmark = pytest.mark.django_db

BASE = "First paragraph about labour migration.\n\nSecond paragraph about asylum procedures.\n\nThird paragraph."


@pytest.fixture
def concept(project):
    return ConceptFactory(project=project)


@pytest.fixture
def section(concept, users):
    return section_with_version(concept, title="Asylum", body=BASE, author=users["drafter"])


def save(section, user, body, base=1, title="Asylum", summary=""):
    return services.section_save(section=section, base_number=base, title=title, body=body, user=user, summary=summary)


def test_a_save_from_the_current_version_writes_the_next_version(section, users):
    result = save(section, users["drafter"], BASE + "\n\nFourth.", summary="added a fourth paragraph")
    section.refresh_from_db()
    assert (result.version.number, section.head_id) == (2, result.version.pk)
    assert result.version.based_on.number == 1
    assert result.version.summary == "added a fourth paragraph"


def test_versions_are_immutable(section):
    version = section.head
    version.body = "rewritten"
    with pytest.raises(ValueError, match="immutable"):
        version.save()


def test_concurrent_edits_of_different_paragraphs_are_merged_with_both_authors(section, users):
    save(section, users["manager"], BASE.replace("First paragraph", "The first paragraph"))
    result = save(section, users["drafter"], BASE.replace("Third paragraph.", "Third paragraph, revised."))
    assert result.merged
    assert "The first paragraph" in result.version.body
    assert "Third paragraph, revised." in result.version.body
    assert result.version.author == users["drafter"]
    assert result.version.merged_author == users["manager"]
    assert SectionVersion.objects.filter(section=section).count() == 3


def test_concurrent_edits_of_the_same_passage_write_nothing_and_report_a_conflict(section, users):
    save(section, users["manager"], BASE.replace("asylum procedures", "asylum and return procedures"))
    result = save(section, users["drafter"], BASE.replace("asylum procedures", "international protection"))
    assert result.conflict
    assert result.theirs.number == 2
    assert SectionVersion.objects.filter(section=section).count() == 2


def test_conflict_page_shows_both_texts_and_keeps_what_the_user_typed(client_for, concept, section, users):
    save(section, users["manager"], BASE.replace("asylum procedures", "asylum and return procedures"))
    response = client_for("drafter").post(
        f"/concepts/{concept.pk}/sections/{section.pk}/edit/",
        {"base_number": 1, "title": "Asylum", "body": BASE.replace("asylum procedures", "my own wording")},
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "my own wording" in page
    assert "asylum and return procedures" in page
    conflict = response.context["passages"][0]["conflict"]
    assert "my own wording" in conflict.mine and "asylum and return procedures" in conflict.theirs
    assert response.context["form"].initial["theirs_number"] == 2
    assert response.context["form"].initial["body"] == BASE.replace("asylum procedures", "my own wording")


def test_a_title_changed_differently_by_both_is_a_conflict(section, users):
    save(section, users["manager"], BASE, title="Asylum policy")
    result = save(section, users["drafter"], BASE + "\n\nMore.", title="Asylum and protection")
    assert result.conflict and result.title_conflict


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a real race needs PostgreSQL's row locks")
@pytest.mark.django_db(transaction=True)
def test_two_saves_racing_from_the_same_base_never_lose_an_update(project, users):
    section = section_with_version(ConceptFactory(project=project), title="Asylum", body=BASE, author=users["drafter"])
    edits = [
        BASE.replace("First paragraph", "Edited first paragraph"),
        BASE.replace("Third paragraph.", "Edited third."),
    ]
    barrier = threading.Barrier(2)
    results, errors = [], []

    def worker(body, user):
        try:
            barrier.wait(timeout=10)
            results.append(save(Section.objects.get(pk=section.pk), user, body))
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=worker, args=(body, users[name]))
        for body, name in zip(edits, ["manager", "drafter"], strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    head = Section.objects.get(pk=section.pk).head
    assert head.number == 3
    assert "Edited first paragraph" in head.body and "Edited third." in head.body


def _race(*jobs):
    """Runs each job in its own thread and database connection, all released at once."""
    results, errors = race(*jobs)
    assert not errors, errors
    return results


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a real race needs PostgreSQL's row locks")
@pytest.mark.django_db(transaction=True)
def test_two_saves_racing_over_the_same_passage_give_one_version_and_one_conflict(project, users):
    section = section_with_version(ConceptFactory(project=project), title="Asylum", body=BASE, author=users["drafter"])
    results = _race(
        lambda: save(Section.objects.get(pk=section.pk), users["manager"], BASE.replace("asylum procedures", "return")),
        lambda: save(Section.objects.get(pk=section.pk), users["drafter"], BASE.replace("asylum procedures", "asylum")),
    )
    assert sorted(bool(result.conflict) for result in results) == [False, True]
    written = next(result.version for result in results if not result.conflict)
    assert Section.objects.get(pk=section.pk).head == written
    assert SectionVersion.objects.filter(section=section).count() == 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a real race needs PostgreSQL's row locks")
@pytest.mark.django_db(transaction=True)
def test_a_restore_racing_with_a_save_still_restores(project, users, monkeypatch):
    section = section_with_version(ConceptFactory(project=project), title="Asylum", body=BASE, author=users["drafter"])
    save(section, users["drafter"], "Replaced everything.")
    real_head_in, savers, saved = services.head_in, [], []

    def save_in_another_connection():
        try:
            saved.append(save(Section.objects.get(pk=section.pk), users["manager"], "Another text.", base=2))
        finally:
            connection.close()

    def head_in_then_a_save_lands(*args, **kwargs):
        head = real_head_in(*args, **kwargs)
        if not savers:
            savers.append(threading.Thread(target=save_in_another_connection))
            savers[0].start()
            savers[0].join(timeout=1)  # while the restore holds the section, the save waits for it
        return head

    monkeypatch.setattr(services, "head_in", head_in_then_a_save_lands)
    result = services.version_restore(section=section, version=section.versions.get(number=1), user=users["manager"])
    savers[0].join(timeout=10)
    assert result.version is not None and result.version.body == BASE
    assert result.version.number == 3
    assert len(saved) == 1 and saved[0].conflict  # the later save meets the restored text: nothing lost


def test_restoring_an_old_version_writes_a_new_version(section, users):
    save(section, users["drafter"], "Replaced everything.")
    result = services.version_restore(section=section, version=section.versions.get(number=1), user=users["manager"])
    assert result.version.number == 3
    assert result.version.body == BASE
    assert result.version.restored_from.number == 1


def test_a_one_megabyte_section_is_refused_with_a_clear_limit_message(client_for, concept, section):
    response = client_for("drafter").post(
        f"/concepts/{concept.pk}/sections/{section.pk}/edit/",
        {"base_number": 1, "title": "Asylum", "body": "x" * 1_000_000},
    )
    assert response.status_code == 200
    assert "too long" in str(response.context["form"].errors["body"])
    assert section.versions.count() == 1


def test_a_long_text_in_cyrillic_posted_as_a_browser_does_gets_the_limit_message(client_for, concept, section):
    body = urlencode({"base_number": 1, "title": "Asylum", "body": "ж" * 1_000_000})  # about 6 MB on the wire
    response = client_for("drafter").post(f"/concepts/{concept.pk}/sections/{section.pk}/edit/", body,
                                          content_type="application/x-www-form-urlencoded")  # fmt: skip
    assert response.status_code == 200
    assert "too long" in str(response.context["form"].errors["body"])
    assert response.context["form"]["body"].value() == "ж" * 1_000_000  # given back whole, to shorten or split


def test_the_browser_is_not_told_to_cut_pasted_text_at_the_limit(client_for, concept, section):
    page = client_for("drafter").get(f"/concepts/{concept.pk}/sections/{section.pk}/edit/").content.decode()
    textarea = re.search(r"<textarea[^>]*name=\"body\"[^>]*>", page).group(0)
    assert "maxlength" not in textarea


def test_a_request_over_the_form_limit_says_nothing_was_saved(client_for, concept, section, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100_000
    body = urlencode({"base_number": 1, "title": "Asylum", "body": "x" * 200_000})
    response = client_for("drafter").post(f"/concepts/{concept.pk}/sections/{section.pk}/edit/", body,
                                          content_type="application/x-www-form-urlencoded")  # fmt: skip
    assert response.status_code == 400
    assert "Too much to send at once" in response.content.decode()
    assert "nothing was saved" in response.content.decode()
    assert section.versions.count() == 1


def test_sections_are_numbered_and_nested_at_most_three_levels(concept, users):
    one = services.section_add(concept=concept, title="One", user=users["manager"])
    services.section_add(concept=concept, title="Two", user=users["manager"])
    one_one = services.section_add(concept=concept, title="One.One", parent=one, user=users["manager"])
    third = services.section_add(concept=concept, title="Deep", parent=one_one, user=users["manager"])
    with pytest.raises(ValidationError):
        services.section_add(concept=concept, title="Too deep", parent=third, user=users["manager"])
    from concepts.selectors import outline_for_concept

    numbers = [(entry.number, entry.section.head.title) for entry in outline_for_concept(concept=concept)]
    assert numbers == [("1", "One"), ("1.1", "One.One"), ("1.1.1", "Deep"), ("2", "Two")]


@pytest.fixture
def outline(concept, users):
    """1 Introduction; 2 Asylum (2.1 Procedures (2.1.1 Appeals), 2.2 Reception); 3 Integration."""
    manager = users["manager"]

    def add(title, parent=None):
        return services.section_add(concept=concept, title=title, body=f"{title} text.", parent=parent, user=manager)

    intro, asylum = add("Introduction"), add("Asylum")
    procedures = add("Procedures", asylum)
    sections = {"intro": intro, "asylum": asylum, "procedures": procedures, "appeals": add("Appeals", procedures),
                "reception": add("Reception", asylum), "integration": add("Integration")}  # fmt: skip
    return sections


def numbered(concept):
    from concepts.selectors import outline_for_concept

    return [f"{entry.number} {entry.section.head.title}" for entry in outline_for_concept(concept=concept)]


def test_a_section_moves_with_its_subsections_to_another_level_and_parent(concept, outline):
    services.section_place(section=outline["procedures"], parent=None, after=outline["intro"])
    assert numbered(concept) == ["1 Introduction", "2 Procedures", "2.1 Appeals", "3 Asylum", "3.1 Reception",
                                 "4 Integration"]  # fmt: skip
    services.section_place(section=outline["integration"], parent=outline["asylum"], after=None)
    assert numbered(concept)[3:] == ["3 Asylum", "3.1 Integration", "3.2 Reception"]


@pytest.mark.parametrize(
    ("moved", "parent", "message"),
    [
        ("asylum", "procedures", "inside itself or its subsections"),
        ("procedures", "reception", "more than three levels deep"),  # Appeals would be 2.2.1.1
    ],
)
def test_a_section_cannot_go_inside_itself_or_below_the_third_level(concept, outline, moved, parent, message):
    before = numbered(concept)
    with pytest.raises(ValidationError, match=message):
        services.section_place(section=outline[moved], parent=outline[parent], after=None)
    assert numbered(concept) == before


def test_the_move_page_offers_only_places_the_section_may_go_and_moves_it(client_for, concept, outline):
    client = client_for("manager")
    url = f"/concepts/{concept.pk}/sections/{outline['procedures'].pk}/place/"
    form = client.get(url).context["form"]
    groups = dict(form.fields["place"].choices)
    assert list(groups) == [
        "At the top level",
        "Under “1 Introduction”",
        "Under “2 Asylum”",
        "Under “3 Integration”",
    ]  # fmt: skip (not under itself, Appeals, or 2.2: too deep)
    assert [label for _value, label in groups["Under “2 Asylum”"]] == ["First", "After “2.2 Reception”"]
    crafted = client.post(url, {"place": f"{outline['appeals'].pk}:0"})  # under its own subsection
    assert crafted.status_code == 200 and "place" in crafted.context["form"].errors
    response = client.post(url, {"place": f"{outline['integration'].pk}:0"}, follow=True)
    assert "“Procedures” is now section 3.1." in response.content.decode()
    assert numbered(concept)[-3:] == ["3 Integration", "3.1 Procedures", "3.1.1 Appeals"]


def test_moving_a_removed_section_is_refused_with_a_message(client_for, concept, section, users):
    services.section_remove(section=section)
    response = client_for("manager").post(f"/concepts/{concept.pk}/sections/{section.pk}/move/",
                                          {"direction": "up"}, follow=True)  # fmt: skip
    assert response.status_code == 200
    assert "This section has been removed, so it cannot be moved." in response.content.decode()


def test_a_removed_section_leaves_new_editions_but_stays_in_old_ones(concept, section, users):
    other = section_with_version(concept, title="Other", body="b", author=users["drafter"], position=2)
    first = services.edition_create(concept=concept, name="First advanced draft", date=datetime.date(2020, 1, 15),
                                    is_final=False, user=users["manager"])  # fmt: skip
    services.section_remove(section=other)
    save(section, users["drafter"], BASE + "\n\nAfter the first edition.")
    final = services.edition_create(concept=concept, name="Final draft", date=datetime.date(2020, 2, 25), is_final=True,
                                    user=users["manager"])  # fmt: skip
    assert [e.version.title for e in first.entries.all()] == ["Asylum", "Other"]
    assert [e.version.title for e in final.entries.all()] == ["Asylum"]
    assert first.entries.get(section=section).version.number == 1
    assert final.entries.get(section=section).version.number == 2
    assert other.versions.count() == 1


def test_an_edition_never_changes_once_frozen(admin_client, concept, section, users):
    edition = services.edition_create(concept=concept, name="First advanced draft", date=datetime.date(2020, 1, 15),
                                      is_final=False, user=users["manager"])  # fmt: skip
    edition.name = "Renamed"
    with pytest.raises(ValueError, match="frozen"):
        edition.save()
    entry = edition.entries.get()
    entry.version = save(section, users["drafter"], BASE + "\n\nLater.").version
    with pytest.raises(ValueError, match="frozen"):
        entry.save()
    assert admin_client.post(f"/admin/concepts/edition/{edition.pk}/delete/", {"post": "yes"}).status_code == 403
    assert admin_client.get("/admin/concepts/edition/add/").status_code == 403
    edition.refresh_from_db()
    assert edition.name == "First advanced draft" and edition.entries.get().version.number == 1


def test_freezing_a_final_edition_of_a_published_concept_warns_that_it_goes_public(client_for, concept, section, users):
    url = f"/concepts/{concept.pk}/editions/new/"
    assert "public on the project page as soon as" not in client_for("manager").get(url).content.decode()
    concept.status = Concept.Status.PUBLISHED
    concept.save()
    assert "public on the project page as soon as" in client_for("manager").get(url).content.decode()


def test_edition_names_are_unique_in_a_concept(concept, section, users):
    services.edition_create(concept=concept, name="Final draft", date=datetime.date(2020, 2, 25), is_final=True,
                            user=users["manager"])  # fmt: skip
    with pytest.raises(ValidationError):
        services.edition_create(concept=concept, name="Final draft", date=datetime.date(2020, 2, 26), is_final=True,
                                user=users["manager"])  # fmt: skip
    assert Edition.objects.filter(concept=concept).count() == 1


def test_publishing_needs_a_final_edition(concept, section, users):
    services.concept_advance_status(concept=concept)
    services.concept_advance_status(concept=concept)
    with pytest.raises(ValidationError, match="final edition"):
        services.concept_advance_status(concept=concept)
    services.edition_create(concept=concept, name="Final", date=datetime.date(2020, 2, 25), is_final=True,
                            user=users["manager"])  # fmt: skip
    assert services.concept_advance_status(concept=concept).status == Concept.Status.PUBLISHED


def test_reviewer_comments_on_the_version_they_read_and_extra_fields_are_ignored(client_for, concept, section, users):
    response = client_for("reviewer").post(
        f"/concepts/{concept.pk}/sections/{section.pk}/comments/",
        {"version_number": 1, "body": "Please define asylum.", "is_recommendation": "on", "author": users["manager"].pk,
         "source_organisation": OrganisationFactory(name="UNHCR office").pk, "disposition": "accepted",
         "section": 999},
    )  # fmt: skip
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert comment.source_organisation.name == "UNHCR office"
    assert comment.author == users["reviewer"]
    assert comment.disposition == Comment.Disposition.OPEN
    assert comment.version.number == 1 and comment.section == section


def test_a_recommendation_without_a_source_is_refused_at_the_field(client_for, concept, section):
    response = client_for("reviewer").post(
        f"/concepts/{concept.pk}/sections/{section.pk}/comments/",
        {"version_number": 1, "body": "Please define asylum.", "is_recommendation": "on"},
    )
    errors = response.context["comment_form"].errors["source_activity"]
    assert "A recommendation names where it came from" in str(errors)
    assert not Comment.objects.exists()
    plain = client_for("reviewer").post(f"/concepts/{concept.pk}/sections/{section.pk}/comments/",
                                        {"version_number": 1, "body": "Please define asylum."})  # fmt: skip
    assert plain.status_code == 302 and Comment.objects.count() == 1


def test_a_comment_on_an_older_version_says_so_and_links_to_the_diff(client_for, concept, section, users):
    services.comment_add(section=section, version=section.head, author=users["reviewer"], body="Old remark")
    save(section, users["drafter"], BASE + "\n\nNew.")
    page = client_for("reviewer").get(f"/concepts/{concept.pk}/sections/{section.pk}/").content.decode()
    assert "made on an older version" in page
    assert "compare/?from=1&amp;to=2" in page


def test_reviewer_may_not_edit_or_set_a_disposition(client_for, concept, section, users):
    comment = services.comment_add(section=section, version=section.head, author=users["reviewer"], body="x")
    client = client_for("reviewer")
    assert client.post(f"/concepts/{concept.pk}/sections/{section.pk}/edit/",
                       {"base_number": 1, "title": "T", "body": "B"}).status_code == 403  # fmt: skip
    assert client.post(f"/concepts/{concept.pk}/comments/{comment.pk}/disposition/",
                       {"disposition": "accepted"}).status_code == 403  # fmt: skip
    comment.refresh_from_db()
    assert comment.disposition == "open" and section.versions.count() == 1


def test_donor_may_read_a_published_concept_but_not_comment(client_for, published_project, users):
    concept = ConceptFactory(project=published_project, status="published")
    section = section_with_version(concept, author=users["drafter"])
    response = client_for("donor").post(f"/concepts/{concept.pk}/sections/{section.pk}/comments/",
                                        {"version_number": 1, "body": "x"})  # fmt: skip
    assert response.status_code == 403
    assert not Comment.objects.exists()


def test_declining_needs_a_reason_and_incorporated_needs_a_version_of_the_same_section(concept, section, users):
    comment = services.comment_add(section=section, version=section.head, author=users["reviewer"], body="x")
    with pytest.raises(ValidationError) as error:
        services.comment_set_disposition(comment=comment, disposition="declined", reason=" ", user=users["drafter"])
    assert "disposition_reason" in error.value.message_dict
    other = section_with_version(concept, title="Other", author=users["drafter"], position=2)
    with pytest.raises(ValidationError) as error:
        services.comment_set_disposition(comment=comment, disposition="incorporated", incorporated_in=other.head,
                                         user=users["drafter"])  # fmt: skip
    assert "incorporated_in" in error.value.message_dict
    comment.refresh_from_db()
    assert comment.disposition == "open"


def test_an_id_from_another_project_is_not_found(client_for, concept, section, other_project, users):
    foreign_concept = ConceptFactory(project=other_project)
    foreign = section_with_version(foreign_concept, author=users["other_drafter"])
    client = client_for("drafter")
    assert client.get(f"/concepts/{concept.pk}/sections/{foreign.pk}/").status_code == 404
    assert client.get(f"/concepts/{foreign_concept.pk}/sections/{foreign.pk}/").status_code == 404
    assert client.get(f"/concepts/{concept.pk}/sections/{section.pk}/versions/99/").status_code == 404


SUGGESTION_QUOTE = "asylum procedures"


def suggest(section, users, text="asylum and international protection procedures"):
    return services.comment_add(section=section, version=section.head, author=users["reviewer"], body="Wider scope.",
                                quote=SUGGESTION_QUOTE, suggestion_mode="replace", suggested_text=text)  # fmt: skip


def test_accepting_a_suggestion_applies_it_once_as_a_new_version(concept, section, users):
    comment = suggest(section, users)
    result = services.suggestion_accept(comment=comment, user=users["drafter"])
    assert "asylum and international protection procedures" in result.version.body
    assert result.version.summary == "Accepted the suggestion of reviewer on “asylum procedures”"
    comment.refresh_from_db()
    assert (comment.disposition, comment.incorporated_in) == ("incorporated", result.version)
    again = services.suggestion_accept(comment=comment, user=users["drafter"])
    assert again.already_done and section.versions.count() == 2


def test_a_suggestion_is_merged_into_text_that_moved_on_elsewhere(concept, section, users):
    comment = suggest(section, users)
    save(section, users["manager"], BASE.replace("First paragraph", "Opening paragraph"))
    result = services.suggestion_accept(comment=comment, user=users["drafter"])
    assert "Opening paragraph" in result.version.body
    assert "international protection procedures" in result.version.body


def test_a_suggestion_whose_passage_was_rewritten_is_a_conflict_not_an_overwrite(concept, section, users):
    comment = suggest(section, users, text="international protection")
    save(section, users["manager"], BASE.replace("asylum procedures", "return procedures"))
    result = services.suggestion_accept(comment=comment, user=users["drafter"])
    assert result.version is None
    comment.refresh_from_db()
    assert comment.disposition == "open" and section.versions.count() == 2


def test_a_suggestion_that_cannot_be_applied_opens_a_merge_editor_whose_save_incorporates_it(
    client_for, concept, section, users
):
    comment = suggest(section, users, text="international protection")
    save(section, users["manager"], BASE.replace("asylum procedures", "return procedures"))
    client = client_for("drafter")
    response = client.post(f"/concepts/{concept.pk}/comments/{comment.pk}/accept/")
    assert response.status_code == 409
    page = response.content.decode()
    assert "The suggestion cannot be applied as it stands" in page
    form = response.context["form"]
    conflict = response.context["passages"][0]["conflict"]
    assert "international protection" in conflict.mine and "return procedures" in conflict.theirs
    assert form.initial["suggestion"] == comment.pk and form.initial["theirs_number"] == 2
    merged = BASE.replace("asylum procedures", "return and international protection procedures")
    data = {name: value for name, value in form.initial.items() if value is not None}
    saved = client.post(
        f"/concepts/{concept.pk}/sections/{section.pk}/resolve/",
        {**data, "choice_0": "edit", "edited_0": merged.split("\n\n")[1], "summary": "Worked in the suggestion"},
    )
    assert saved.status_code == 302
    comment.refresh_from_db()
    assert comment.disposition == "incorporated" and comment.incorporated_in.number == 3
    assert comment.incorporated_in.body == merged


def test_a_suggestion_answered_meanwhile_is_left_alone_by_the_merge_editor(client_for, concept, section, users):
    comment = suggest(section, users)
    services.comment_set_disposition(comment=comment, disposition="declined", reason="No.", user=users["manager"],
                                     notify=False)  # fmt: skip
    response = client_for("drafter").post(f"/concepts/{concept.pk}/sections/{section.pk}/edit/",
                                          {"base_number": 1, "title": "Asylum", "body": BASE + "\n\nMore.",
                                           "suggestion": comment.pk})  # fmt: skip
    assert response.status_code == 302 and section.versions.count() == 2
    comment.refresh_from_db()
    assert comment.disposition == "declined"


def test_the_section_shows_every_open_suggestion_in_place_in_its_text(client_for, concept, section, users):
    suggest(section, users, text="asylum and return procedures")
    services.comment_add(section=section, version=section.head, author=users["reviewer"], body="Add.",
                         quote="labour migration.", suggestion_mode="insert_after",
                         suggested_text=" It includes seasonal work.")  # fmt: skip
    page = client_for("drafter").get(f"/concepts/{concept.pk}/sections/{section.pk}/").content.decode()
    in_place = re.search(r'<div class="diff-inline[^"]*suggestions-in-place"[^>]*>(.*?)</div>', page, re.S).group(1)
    assert in_place.startswith("First paragraph about labour migration.<ins> It includes seasonal work.</ins>")
    assert "Second paragraph about <del>asylum procedures</del><ins>asylum and return procedures</ins>" in in_place
    assert in_place.rstrip().endswith("Third paragraph.")  # the whole text, nothing folded


def test_two_suggestions_on_the_same_passage_are_both_offered_and_the_first_is_marked_in_place(
    client_for, concept, section, users
):
    first = suggest(section, users, text="asylum and return procedures")
    second = suggest(section, users, text="international protection procedures")
    response = client_for("drafter").get(f"/concepts/{concept.pk}/sections/{section.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    in_place = re.search(r'<div class="diff-inline[^"]*suggestions-in-place"[^>]*>(.*?)</div>', page, re.S).group(1)
    assert "<ins>asylum and return procedures</ins>" in in_place
    assert "international protection procedures" not in in_place  # the same words: marked once, on its card
    assert f'id="suggestion-{first.pk}"' in page and f'id="suggestion-{second.pk}"' in page


def test_a_suggestion_must_quote_text_of_the_version(concept, section, users):
    with pytest.raises(ValidationError) as error:
        services.comment_add(section=section, version=section.head, author=users["reviewer"], body="x",
                             quote="not in the text", suggestion_mode="replace", suggested_text="y")  # fmt: skip
    assert "quote" in error.value.message_dict


FORMATTED = (
    "The **State Programme** on migration is new. See [the Law on Refugees](https://example.org/law) for details."
)


@pytest.mark.parametrize(
    ("seen", "suggested", "result"),
    [
        ("State Programme on migration", "national programme", "The national programme is new."),
        ("the Law on Refugees for details", "the asylum law", "See the asylum law."),
        ("Programme", "Plan", "The **State Plan** on migration"),
    ],
)
def test_a_passage_quoted_as_the_page_shows_it_is_found_in_the_formatted_source(concept, users, seen, suggested,
                                                                                 result):  # fmt: skip
    section = section_with_version(concept, title="Plan", body=FORMATTED, author=users["drafter"])
    comment = services.comment_add(section=section, version=section.head, author=users["reviewer"], body="x",
                                   quote=seen, suggestion_mode="replace", suggested_text=suggested)  # fmt: skip
    accepted = services.suggestion_accept(comment=comment, user=users["drafter"])
    assert result in accepted.version.body
    assert accepted.version.body.count("**") in (0, 2) and accepted.version.body.count(
        "["
    ) == accepted.version.body.count("]")


def test_a_suggestion_on_a_passage_that_occurs_twice_asks_for_more_words(concept, users):
    section = section_with_version(concept, title="Plan", body="Asylum procedures are slow. Appeals against asylum "
                                   "procedures are slower.", author=users["drafter"])  # fmt: skip
    with pytest.raises(ValidationError, match="occurs 2 times"):
        services.comment_add(section=section, version=section.head, author=users["reviewer"], body="x",
                             quote="procedures are", suggestion_mode="replace", suggested_text="rules are")  # fmt: skip
    comment = services.comment_add(section=section, version=section.head, author=users["reviewer"], body="x",
                                   quote="asylum procedures are slower", suggestion_mode="replace",
                                   suggested_text="asylum procedures are too slow")  # fmt: skip
    accepted = services.suggestion_accept(comment=comment, user=users["drafter"]).version
    assert accepted.body == "Asylum procedures are slow. Appeals against asylum procedures are too slow."


def test_a_quote_that_ends_inside_bold_text_is_refused_with_a_message(concept, users):
    section = section_with_version(concept, title="Plan", body=FORMATTED, author=users["drafter"])
    with pytest.raises(ValidationError) as error:
        services.comment_add(section=section, version=section.head, author=users["reviewer"], body="x",
                             quote="The State", suggestion_mode="replace", suggested_text="A")  # fmt: skip
    assert "inside formatted text" in str(error.value.message_dict["quote"])
    plain = services.comment_add(section=section, version=section.head, author=users["reviewer"], body="x",
                                 quote="The State")  # fmt: skip
    assert plain.quote == "The State"  # a comment only quoting keeps the words as seen


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a real race needs PostgreSQL's row locks")
@pytest.mark.django_db(transaction=True)
def test_accepting_the_same_suggestion_twice_at_once_applies_it_once(project, users):
    section = section_with_version(ConceptFactory(project=project), title="Asylum", body=BASE, author=users["drafter"])
    comment = suggest(section, users)
    barrier = threading.Barrier(2)
    errors = []

    def worker():
        try:
            barrier.wait(timeout=10)
            services.suggestion_accept(comment=Comment.objects.get(pk=comment.pk), user=users["drafter"])
        except Exception as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    assert SectionVersion.objects.filter(section=section).count() == 2


def test_section_text_is_sanitised(client_for, concept, users):
    body = "<script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>"
    section = section_with_version(concept, body=body, author=users["drafter"])
    page = client_for("reviewer").get(f"/concepts/{concept.pk}/sections/{section.pk}/").content.decode()
    assert "<script>alert" not in page
    assert 'href="javascript' not in page.lower()
    assert "<img src=x" not in page


def test_disposition_matrix_lists_sources_and_exports(client_for, concept, section, users):
    unhcr = OrganisationFactory(name="UNHCR office")
    comment = services.comment_add(
        section=section, version=section.head, author=users["reviewer"], body="Add time limits",
        is_recommendation=True, source_organisation=unhcr,
    )  # fmt: skip
    services.comment_set_disposition(
        comment=comment, disposition="declined", reason="Out of scope", user=users["drafter"]
    )
    client = client_for("manager")
    page = client.get(f"/concepts/{concept.pk}/dispositions/?disposition=declined").content.decode()
    assert "UNHCR office" in page and "Out of scope" in page
    assert (
        "Add time limits" not in client.get(f"/concepts/{concept.pk}/dispositions/?disposition=open").content.decode()
    )
    csv_text = b"".join(client.get(f"/concepts/{concept.pk}/dispositions.csv").streaming_content).decode("utf-8-sig")
    assert "Out of scope" in csv_text
    from io import BytesIO

    from openpyxl import load_workbook

    response = client.get(f"/concepts/{concept.pk}/dispositions.xlsx")
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.values)
    assert rows[0][0] == "section" and rows[1][10] == "Declined" and rows[1][11] == "Out of scope"
