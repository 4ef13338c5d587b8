"""A project's change history, gathered from every app that records one.

Apps register a function that returns, for a project, the django-simple-history records
of their models; the history page merges them. This keeps `projects` from importing the
apps built on top of it.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise

from simple_history import utils
from simple_history.models import HistoricalRecords

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
    related = _RelatedSets([*records, *previous.values()])
    return [_entry(record, previous.get((type(record), record.history_id)), related) for record in records]


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


class _RelatedSets:
    """The many-to-many fields kept with each version (django-simple-history's `m2m_fields`): the
    related objects of every record read at once, one query per field and one per related model,
    instead of two queries per record that `diff_against` would make."""

    def __init__(self, records: list):
        self.ids: dict[tuple, frozenset] = {}  # (record type, history_id, field name) -> related ids
        self.names: dict[tuple, str] = {}  # (related model, pk) -> its name
        by_model: dict[type, list] = {}
        for record in records:
            by_model.setdefault(type(record), []).append(record.history_id)
        for model, history_ids in by_model.items():
            for field in getattr(model, "_history_m2m_fields", ()):
                self._read(model, field, history_ids)

    def _read(self, model, field, history_ids) -> None:
        through = HistoricalRecords.m2m_models[field]
        target = utils.get_m2m_reverse_field_name(field)
        found: dict[int, set] = {history_id: set() for history_id in history_ids}
        for history_id, pk in through.objects.filter(history_id__in=history_ids).values_list("history_id", target):
            found[history_id].add(pk)
        for history_id, pks in found.items():
            self.ids[(model, history_id, field.name)] = frozenset(pks)
        wanted = set().union(*found.values())
        for obj in field.related_model._base_manager.filter(pk__in=wanted):
            self.names[(field.related_model, obj.pk)] = str(obj)

    def changes(self, record, before) -> list[tuple[str, str, str]]:
        changes = []
        for field in getattr(type(record), "_history_m2m_fields", ()):
            old = self.ids.get((type(before), before.history_id, field.name), frozenset())
            new = self.ids.get((type(record), record.history_id, field.name), frozenset())
            if old != new:
                changes.append((str(field.verbose_name), self._display(field, old), self._display(field, new)))
        return changes

    def _display(self, field, pks) -> str:
        names = sorted(self.names.get((field.related_model, pk), f"#{pk}") for pk in pks)
        return _display("; ".join(names))


def _entry(record, before, related: _RelatedSets) -> HistoryEntry:
    changes = []
    if before is not None and record.history_type == "~":
        m2m = [field.name for field in getattr(type(record), "_history_m2m_fields", ())]
        delta = record.diff_against(before, excluded_fields=m2m)
        for change in delta.changes:
            field = record.instance_type._meta.get_field(change.field)
            changes.append((str(field.verbose_name), _display(change.old), _display(change.new)))
        changes.extend(related.changes(record, before))
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
