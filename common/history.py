"""A project's change history, gathered from every app that records one.

Apps register a function that returns, for a project, the django-simple-history records
of their models; the history page merges them. This keeps `projects` from importing the
apps built on top of it.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise

_sources: list[Callable] = []


def register_history_source(source: Callable) -> Callable:
    """`source(project)` returns a queryset of historical records belonging to `project`."""
    _sources.append(source)
    return source


@dataclass
class HistoryEntry:
    when: datetime
    who: str
    kind: str  # "created", "changed" or "deleted"
    subject: str
    subject_type: str
    changes: list[tuple[str, str, str]]  # field label, old value, new value
    reason: str


_KINDS = {"+": "created", "~": "changed", "-": "deleted"}


def project_history(project, *, limit: int = 100) -> list[HistoryEntry]:
    """The newest `limit` changes to the project and everything registered as belonging to it."""
    records = []
    for source in _sources:
        records.extend(source(project).select_related("history_user").order_by("-history_date")[:limit])
    records.sort(key=lambda record: record.history_date, reverse=True)
    records = records[:limit]
    previous = _previous_records(records)
    return [_entry(record, previous.get((type(record), record.history_id))) for record in records]


def _previous_records(records: Iterable) -> dict:
    """For each record, the one before it of the same object: one query per model."""
    by_model: dict[type, set] = {}
    for record in records:
        by_model.setdefault(type(record), set()).add(record.id)
    previous = {}
    for model, object_ids in by_model.items():
        chain = model.objects.filter(id__in=object_ids).order_by("id", "history_date", "history_id")
        for before, after in pairwise(chain):
            if before.id == after.id:
                previous[(model, after.history_id)] = before
    return previous


def _entry(record, before) -> HistoryEntry:
    changes = []
    if before is not None and record.history_type == "~":
        delta = record.diff_against(before)
        for change in delta.changes:
            field = record.instance_type._meta.get_field(change.field)
            changes.append((str(field.verbose_name), _display(change.old), _display(change.new)))
    user = record.history_user
    return HistoryEntry(
        when=record.history_date,
        who=(user.get_full_name() or user.username) if user else "",
        kind=_KINDS[record.history_type],
        subject=str(record.instance),
        subject_type=str(record.instance_type._meta.verbose_name),
        changes=changes,
        reason=record.history_change_reason or "",
    )


def _display(value) -> str:
    if value is None or value == "":
        return "—"
    return str(value)
