"""A concept's content revision moves on with every row of the concept (concepts/revision.py)."""

import datetime

import pytest
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.test import RequestFactory

from concepts import drafts, revision, services
from concepts.models import CommentAnchor, Concept, RenderJob, SectionDraft
from concepts.tests.factories import ConceptFactory, section_with_version
from projects.models import Project
from projects.tests.factories import ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db


def _revision(concept) -> int:
    return Concept.objects.values_list("content_revision", flat=True).get(pk=concept.pk)


@pytest.fixture
def drafter():
    return UserFactory(first_name="Anna", last_name="Petrova")


@pytest.fixture
def concepts(drafter):
    project = ProjectFactory()
    concept, other = ConceptFactory(project=project), ConceptFactory(project=project)
    section = section_with_version(concept, author=drafter)
    section_with_version(other, author=drafter)
    return concept, other, section


def test_a_saved_version_moves_its_concept_on_and_no_other(concepts, drafter):
    concept, other, section = concepts
    before, other_before = _revision(concept), _revision(other)
    services.section_save(section=section, base_number=1, title="Introduction", body="New text.", user=drafter)
    assert _revision(concept) > before
    assert _revision(other) == other_before


def test_comments_their_replies_and_dispositions_move_it_on(concepts, drafter):
    concept, other, section = concepts
    reviewer = UserFactory()
    before = _revision(concept)
    comment = services.comment_add(section=section, version=section.head, author=reviewer, body="Shorter, please.")
    after_comment = _revision(concept)
    assert after_comment > before
    services.comment_add(section=section, version=section.head, author=drafter, body="Agreed.", parent=comment)
    after_reply = _revision(concept)
    assert after_reply > after_comment
    services.comment_set_disposition(comment=comment, disposition="declined", reason="Kept as it is.", user=drafter)
    assert _revision(concept) > after_reply


def test_the_outline_moves_it_on_though_it_updates_rows_directly(concepts, drafter):
    concept, _, first = concepts
    second = services.section_add(concept=concept, title="Context", user=drafter)
    step = _revision(concept)
    services.section_move(section=second, direction="up")
    assert _revision(concept) == step + 1
    services.section_remove(section=second)
    assert _revision(concept) == step + 2
    second.refresh_from_db()
    services.section_restore(section=second)
    assert _revision(concept) == step + 3


def test_an_edition_and_its_entries_move_it_on(concepts, drafter):
    concept, other, _ = concepts
    before, other_before = _revision(concept), _revision(other)
    services.edition_create(
        concept=concept, name="First advanced draft", date=datetime.date(2019, 3, 1), is_final=False, user=drafter
    )
    assert _revision(concept) > before
    assert _revision(other) == other_before


def test_a_comment_anchor_is_followed_through_its_comment_and_section(concepts, drafter):
    concept, _, section = concepts
    comment = services.comment_add(section=section, version=section.head, author=drafter, body="On the text.")
    before = _revision(concept)
    fresh = CommentAnchor(comment_id=comment.pk, version_id=section.head_id, status="removed")  # nothing loaded
    fresh.save()
    assert _revision(concept) == before + 1
    assert "concepts.CommentAnchor" in revision.followed_models()


def test_drafts_and_render_jobs_do_not_move_it_on(concepts, drafter):
    concept, _, section = concepts
    before = _revision(concept)
    drafts.draft_save(
        user=drafter, section=section, language="en", kind=SectionDraft.Kind.EDIT, base_number=1,
        title="Introduction", body="Typing…",
    )  # fmt: skip
    RenderJob.objects.create(concept=concept, kind=RenderJob.Kind.DRAFT, language="en", requested_by=drafter)
    assert _revision(concept) == before
    for label in ("concepts.SectionDraft", "concepts.CommentDraft", "concepts.RenderJob"):
        assert label not in revision.followed_models()


def test_a_renamed_author_moves_on_the_concepts_they_wrote_in_and_a_login_does_not(concepts, drafter):
    concept, other, _ = concepts
    elsewhere = ConceptFactory()
    before, other_before, elsewhere_before = _revision(concept), _revision(other), _revision(elsewhere)
    user_logged_in.send(sender=type(drafter), request=RequestFactory().get("/"), user=drafter)  # saves last_login
    assert _revision(concept) == before
    drafter.last_name = "Ivanova"
    drafter.save()
    assert _revision(concept) == before + 1
    assert _revision(other) == other_before + 1
    assert _revision(elsewhere) == elsewhere_before


def test_saving_a_concept_read_earlier_never_writes_an_older_revision_back(concepts, drafter):
    concept, _, section = concepts
    stale = Concept.objects.get(pk=concept.pk)
    services.section_save(section=section, base_number=1, title="Introduction", body="Moved on.", user=drafter)
    moved = _revision(concept)
    stale.title = "Renamed from an old form"
    stale.save()
    assert _revision(concept) == moved + 1


def test_a_rolled_back_change_leaves_the_revision_where_it_was(concepts, drafter):
    concept, _, section = concepts
    before = _revision(concept)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.section_save(section=section, base_number=1, title="Introduction", body="Undone.", user=drafter)
        raise RuntimeError
    assert _revision(concept) == before


def test_the_fragment_key_names_both_revisions(concepts, drafter):
    concept, _, section = concepts
    concept = Concept.objects.select_related("project").get(pk=concept.pk)
    key = revision.concept_fragment_key(concept, "page", "draft-edit")
    services.section_save(section=section, base_number=1, title="Introduction", body="Changed.", user=drafter)
    moved = Concept.objects.select_related("project").get(pk=concept.pk)
    assert revision.concept_fragment_key(moved, "page", "draft-edit") != key
    Project.objects.filter(pk=concept.project_id).update(content_revision=999)
    renamed = Concept.objects.select_related("project").get(pk=concept.pk)
    assert revision.concept_fragment_key(renamed, "page", "draft-edit") != revision.concept_fragment_key(
        moved, "page", "draft-edit"
    )
