"""Data generations: counters in the database that services move on when they change data.

Figures computed from many rows (the dashboards' sums) are cached under the generation they were
computed in. A service that changes such data calls `data_changed()`; the counter moves on when
its transaction commits, and the next reader computes the figures afresh. Writes outside the
services (a queryset update in a shell) are not seen until the cached value expires, which is
why such values are cached with a time limit too; nothing cached this way decides access.
"""

from django.db import transaction
from django.db.models import F

from .models import Generation

DASHBOARDS = "dashboards"


def _bump(name: str) -> None:
    if not Generation.objects.filter(name=name).update(value=F("value") + 1):
        Generation.objects.get_or_create(name=name, defaults={"value": 1})


def data_changed(name: str = DASHBOARDS) -> None:
    """Moves the generation on once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: _bump(name))


def current(name: str = DASHBOARDS) -> int:
    return Generation.objects.filter(name=name).values_list("value", flat=True).first() or 0
