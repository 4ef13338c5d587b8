"""What the content revisions of projects and concepts share (projects/revision.py, concepts/revision.py):
following, with signals, every model whose rows belong to an owner."""

from django.apps import apps
from django.db.models.signals import post_delete, post_save


def is_history(model) -> bool:
    """A model of django-simple-history's: a record of past rows, never shown as the current content."""
    return model._meta.object_name.startswith("Historical") or any(
        field.name == "history_id" for field in model._meta.concrete_fields
    )


def follow(prefix: str, path_of, on_changed) -> dict:
    """Connects `on_changed` to the saves and deletions of every model for which `path_of(model)` gives a
    way to its owner (a function of a row); returns those functions by model."""
    paths = {}
    for model in apps.get_models():
        find = path_of(model)
        if find is None:
            continue
        paths[model] = find
        uid = f"{prefix}:{model._meta.label}"
        post_save.connect(on_changed, sender=model, dispatch_uid=uid)
        post_delete.connect(on_changed, sender=model, dispatch_uid=uid)
    return paths
