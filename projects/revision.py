"""A project's content revision: the version id of everything shown on the project's pages.

`Project.content_revision` moves on, in the same transaction, whenever a row that belongs to the
project is saved or deleted: the project itself and every model with a foreign key to it (an
activity, a budget line, a document…), or one step further (an expenditure through its budget
line, a participation through its activity). Nothing has to be called: a new model with a
`project` foreign key is followed as soon as it exists. An organisation or a funding instrument,
whose names many projects show, moves every project on. `Project.data_revision` moves with it,
except for those shared names: figures summed from a project's own rows follow it
(dashboards/figures.py), and a new organisation does not make 10,000 projects' sums out of date.

A page of a project keeps its rendered fragments under the project's revision, the language and
whatever else changes what it shows (see `project_fragment_key`), never under who reads it: the
view decides access on every request, then asks for the fragment. A write that goes round
`save()` and `delete()` (`bulk_create`, `QuerySet.update`) must call `touch(project_id)` itself;
the seeding commands do.

Followed by design: models of the concepts app other than the concept and its editions are not
(a concept's sections and comments have their own versions and revisions, and drafts are saved
every few seconds), nor rows that only record work in progress (render jobs, reminders sent), nor
the dashboards' figures kept from a project's rows (they follow the revision, they do not move it).
"""

from django.db.models import F
from django.db.models.signals import m2m_changed, post_delete, post_save

from common.generations import data_changed
from common.revisions import follow, is_history

from .models import FundingInstrument, Organisation, Project

NOT_FOLLOWED = {
    "concepts.Section",
    "concepts.Comment",
    "concepts.RenderJob",
    "reports.ReportReminder",
    "reports.ReportRenderJob",
    # Sums kept from the project's own rows, and written when its revision has moved on.
    "dashboards.ProjectFigures",
    "dashboards.PeriodFigures",
}
SHARED = (Organisation, FundingInstrument)  # named on many projects' pages


def touch(*project_ids) -> None:
    """Moves these projects' content and data revisions on (within the current transaction, if any)."""
    ids = {pk for pk in project_ids if pk is not None}
    if ids:
        Project.objects.filter(pk__in=ids).update(
            content_revision=F("content_revision") + 1, data_revision=F("data_revision") + 1
        )


def touch_all() -> None:
    """Moves every project's content revision on, for a name they show; their own data has not changed."""
    Project.objects.update(content_revision=F("content_revision") + 1)


def _project_field(model):
    """The concrete foreign key (or one-to-one) of `model` to Project, if any."""
    for field in model._meta.concrete_fields:
        if field.is_relation and field.related_model is Project:
            return field
    return None


def project_path(model):
    """How to find the project of a row of `model`: a function of the row returning the project's id,
    or None when the model is not followed."""
    if model is Project:
        return lambda row: row.pk
    if model._meta.label in NOT_FOLLOWED or is_history(model) or model._meta.auto_created:
        return None
    field = _project_field(model)
    if field is not None:
        return lambda row: getattr(row, field.attname)
    for parent_field in model._meta.concrete_fields:
        parent = parent_field.related_model
        if not parent_field.is_relation or parent is None or parent in SHARED:
            continue
        upper = _project_field(parent)
        if upper is not None and parent._meta.label not in NOT_FOLLOWED:
            return _through_parent(parent, parent_field, upper)
    return None


def _through_parent(parent, parent_field, upper):
    def find(row):
        parent_id = getattr(row, parent_field.attname)
        cached = parent_field.get_cached_value(row, None)
        if cached is not None:
            return getattr(cached, upper.attname)
        return parent._default_manager.filter(pk=parent_id).values_list(upper.attname, flat=True).first()

    return find


def _on_row_changed(sender, instance, raw=False, **kwargs):
    if raw:  # loading fixtures
        return
    touch(_PATHS[sender](instance))
    if sender is Project:
        # Figures over many projects (the list's counts and countries, the dashboards) are kept under the
        # data generation: a project saved or deleted by any path moves it on when it commits.
        data_changed()


def _on_shared_changed(sender, instance, raw=False, created=False, **kwargs):
    # A new funding instrument is on no project's page yet; a new organisation is: every concept's
    # comment form offers every organisation of the portal (concepts.section_page).
    if not raw and (not created or sender is Organisation):
        touch_all()


def _on_m2m_changed(sender, instance, action, **kwargs):
    if action in ("post_add", "post_remove", "post_clear"):
        find = _PATHS.get(type(instance))
        if find is not None:
            touch(find(instance))


_PATHS = {}


def connect() -> None:
    """Connects the signals for every followed model (AppConfig.ready)."""
    _PATHS.update(follow("project-revision", project_path, _on_row_changed))
    for model in _PATHS:
        for field in model._meta.many_to_many:
            uid = f"project-revision:{model._meta.label}:{field.name}"
            m2m_changed.connect(_on_m2m_changed, sender=field.remote_field.through, dispatch_uid=uid)
    for model in SHARED:
        uid = f"project-revision:{model._meta.label}"
        post_save.connect(_on_shared_changed, sender=model, dispatch_uid=uid)
        post_delete.connect(_on_shared_changed, sender=model, dispatch_uid=uid)


def followed_models() -> list[str]:
    return sorted(model._meta.label for model in _PATHS)


def project_fragment_key(project, page: str, *parts) -> str:
    """A fragment key for one of `project`'s pages: the project's id and content revision, the page,
    and `parts` (whatever else changes what it shows: the reader's capabilities, a filter, today's
    date for relative labels). `cached_html` adds the language."""
    extra = ":".join(str(part) for part in parts)
    return f"project:{project.pk}:r{project.content_revision}:{page}:{extra}"
