"""Keeps `Concept.revision`, and the version of the concept's kept pages, moving with every change to what they show.

Parts cached under the revision (the concept page's outline and document, a section's history)
are then never served stale: a save, comment, disposition, move, removal or edition bumps it in the
same transaction, so a reader sees either the old text under the old revision or the new text
under the new one. Whole pages kept per reader (concepts.pagecache.concept_page) go by a version
in the shared cache instead, which the same changes move on, and so do changes to the concept
itself, its project, the project's activities and its renders (concepts.rendering.services).

Locks: the bump updates the concept's row. Writers take their own rows first (a comment, then
its section) and the concept's row last, so two writers never wait for each other crosswise.
"""

from django.contrib.auth import get_user_model
from django.db.models import F
from django.db.models.signals import post_delete, post_save, pre_delete
from django.dispatch import receiver

from activities.models import Activity
from projects.models import Organisation, Project

from .models import Comment, Concept, Edition, RenderJob, Section, SectionVersion
from .pagecache import organisations_outdated, pages_outdated


def concept_touch(concept_id: int) -> None:
    Concept.objects.filter(pk=concept_id).update(revision=F("revision") + 1)
    pages_outdated(concept_id)


def _concepts_touch(concepts) -> None:
    """`concept_touch` for every concept of a queryset."""
    ids = list(concepts.values_list("pk", flat=True).distinct())
    if ids:
        Concept.objects.filter(pk__in=ids).update(revision=F("revision") + 1)
        pages_outdated(*ids)


@receiver([post_save, post_delete], sender=Section)
@receiver([post_save, post_delete], sender=Edition)
def _section_or_edition_changed(sender, instance, **kwargs):
    concept_touch(instance.concept_id)


@receiver([post_save, post_delete], sender=Comment)
def _comment_changed(sender, instance, **kwargs):
    _concepts_touch(Concept.objects.filter(sections__pk=instance.section_id))


@receiver([post_save, post_delete], sender=Concept)
def _concept_changed(sender, instance, **kwargs):
    pages_outdated(instance.pk)


@receiver([post_save, post_delete], sender=RenderJob)
def _render_job_changed(sender, instance, **kwargs):
    pages_outdated(instance.concept_id)


@receiver([post_save, post_delete], sender=Project)
def _project_changed(sender, instance, **kwargs):
    """Tabs, title and who may see the project are on every page of its concepts."""
    pages_outdated(*Concept.objects.filter(project_id=instance.pk).values_list("pk", flat=True))


@receiver([post_save, post_delete], sender=Activity)
def _activity_changed(sender, instance, **kwargs):
    """Activities are named as sources of comments, where editions were presented, and in the comment form."""
    _concepts_touch(Concept.objects.filter(project_id=instance.project_id))


@receiver([post_save, pre_delete], sender=Organisation)  # before: a deleted one is no longer linked
def _organisation_changed(sender, instance, **kwargs):
    """Organisations are named as sources of comments, and offered in every section's comment form."""
    _concepts_touch(Concept.objects.filter(sections__comments__source_organisation=instance.pk))
    organisations_outdated()


@receiver(post_save, sender=get_user_model())
def _user_renamed(sender, instance, created=False, update_fields=None, **kwargs):
    """Authors' names are on the concept pages; a log-in (which saves `last_login` only) changes none."""
    if created or (update_fields is not None and set(update_fields) <= {"last_login"}):
        return
    versions = SectionVersion.objects.filter(author=instance) | SectionVersion.objects.filter(merged_author=instance)
    comments = Comment.objects.filter(author=instance) | Comment.objects.filter(disposition_by=instance)
    ids = {
        *versions.values_list("section__concept_id", flat=True),
        *comments.values_list("section__concept_id", flat=True),
    }
    _concepts_touch(Concept.objects.filter(pk__in=ids))
