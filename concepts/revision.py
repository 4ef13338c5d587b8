"""A concept's content revision: the version id of everything its drafting pages show.

`Concept.content_revision` moves on, in the same transaction, whenever a row of the concept is
saved or deleted: the concept itself, and every model that reaches it through its foreign keys (a
section, a section's versions, translations and comments, a comment's anchors, an edition and its
entries). Nothing has to be called: a new model with a key to a concept or a section is followed
as soon as it exists. A person's name, shown beside the versions and comments they wrote, moves on
the concepts where they wrote.

The concept page, a section's page and a comparison keep their rendered parts under the concept's
revision (with the project's: the concept's row is a row of the project), the language and whatever
else changes what they show, never under who reads them: the view decides access on every request,
then asks for the part. A write that goes round `save()` and `delete()` (`QuerySet.update`,
`bulk_create`) calls `touch(concept_id)` itself: the outline's moves do, and so do the seeding commands.

Not followed by design: drafts (saved every few seconds while someone types, shown to their writer
only) and render jobs (the panel showing them is read on every request).
"""

from django.contrib.auth import get_user_model
from django.db.models import F, Q
from django.db.models.signals import post_save

from common.revisions import follow, is_history

from .models import Comment, Concept, SectionVersion

NOT_FOLLOWED = {"concepts.RenderJob", "concepts.SectionDraft", "concepts.CommentDraft"}
NAME_FIELDS = {"username", "first_name", "last_name"}
MAX_STEPS = 3  # a comment's anchor: anchor → comment → section → concept


def touch(*concept_ids) -> None:
    """Moves these concepts' content revision on (within the current transaction, if any)."""
    ids = {pk for pk in concept_ids if pk is not None}
    if ids:
        Concept.objects.filter(pk__in=ids).update(content_revision=F("content_revision") + 1)


def touch_all() -> None:
    Concept.objects.update(content_revision=F("content_revision") + 1)


def _keys(model):
    """`model`'s foreign keys to other followed-candidate models (not to itself: a reply's parent
    is in the same section)."""
    for field in model._meta.concrete_fields:
        target = field.related_model if field.is_relation else None
        if target is not None and target is not model and target._meta.label not in NOT_FOLLOWED:
            yield field, target


def _chain(model, steps: int = MAX_STEPS):
    """The foreign keys leading from `model` to Concept (shortest first), or None."""
    for field, target in _keys(model):
        if target is Concept:
            return [field]
    if steps <= 1:
        return None
    for field, target in _keys(model):
        rest = _chain(target, steps - 1)
        if rest is not None:
            return [field, *rest]
    return None


def concept_path(model):
    """A function of a row of `model` returning its concept's id, or None when it is not followed."""
    if model is Concept:
        return lambda row: row.pk
    label = model._meta.label
    if label in NOT_FOLLOWED or is_history(model) or model._meta.auto_created:
        return None
    chain = _chain(model)
    if chain is None:
        return None
    return lambda row: _follow(row, chain)


def _follow(row, chain):
    """Walks the chain through objects already loaded; the rest in one query by ids."""
    for position, field in enumerate(chain):
        value = getattr(row, field.attname)
        if value is None or position == len(chain) - 1:
            return value
        loaded = field.get_cached_value(row, None)
        if loaded is None:
            lookup = "__".join(step.name for step in chain[position + 1 :])
            return field.related_model._default_manager.filter(pk=value).values_list(lookup, flat=True).first()
        row = loaded
    return None


def _on_row_changed(sender, instance, raw=False, **kwargs):
    if raw:  # loading fixtures
        return
    touch(_PATHS[sender](instance))


def _on_person_changed(sender, instance, raw=False, created=False, update_fields=None, **kwargs):
    """A renamed person: the concepts where their name stands beside a version (its author, or the
    author of a concurrent change merged into it) or a comment (its author, or who set its disposition)."""
    if raw or created or (update_fields is not None and not NAME_FIELDS & set(update_fields)):
        return  # a login only records its time
    versions = SectionVersion.objects.filter(Q(author=instance) | Q(merged_author=instance))
    comments = Comment.objects.filter(Q(author=instance) | Q(disposition_by=instance))
    written = Q(pk__in=versions.values("section__concept_id")) | Q(pk__in=comments.values("section__concept_id"))
    touch(*Concept.objects.filter(written).values_list("pk", flat=True))


_PATHS = {}


def connect() -> None:
    """Connects the signals for every followed model (AppConfig.ready)."""
    _PATHS.update(follow("concept-revision", concept_path, _on_row_changed))
    post_save.connect(_on_person_changed, sender=get_user_model(), dispatch_uid="concept-revision:person")


def followed_models() -> list[str]:
    return sorted(model._meta.label for model in _PATHS)


def concept_fragment_key(concept, page: str, *parts) -> str:
    """A fragment key for one of `concept`'s pages: the concept's id, its content revision and its
    project's (the project's name and state are on the pages too), the page, and `parts` (whatever
    else changes what it shows: the reader's capabilities, a version, a view option). The concept's
    creation time guards against a database recreated under an older cache. `cached_html` adds the
    language."""
    extra = ":".join(str(part) for part in parts)
    created = concept.created_at.timestamp()
    return (
        f"concept:{concept.pk}:{created}:r{concept.content_revision}:p{concept.project.content_revision}:{page}:{extra}"
    )
