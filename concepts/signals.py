"""Keeps `Concept.revision` moving with every change to what a concept's pages show.

Pages cached under the revision (the concept page, a section's history) are then never served
stale: a save, comment, disposition, move, removal or edition bumps it in the same transaction,
so a reader sees either the old text under the old revision or the new text under the new one.

Locks: the bump updates the concept's row. Writers take their own rows first (a comment, then
its section) and the concept's row last, so two writers never wait for each other crosswise.
"""

from django.db.models import F
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Comment, Concept, Edition, Section


def concept_touch(concept_id: int) -> None:
    Concept.objects.filter(pk=concept_id).update(revision=F("revision") + 1)


@receiver([post_save, post_delete], sender=Section)
@receiver([post_save, post_delete], sender=Edition)
def _section_or_edition_changed(sender, instance, **kwargs):
    concept_touch(instance.concept_id)


@receiver([post_save, post_delete], sender=Comment)
def _comment_changed(sender, instance, **kwargs):
    Concept.objects.filter(sections__pk=instance.section_id).update(revision=F("revision") + 1)
