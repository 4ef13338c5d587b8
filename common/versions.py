"""Version counters in the shared cache: a number that every change of some data moves on.

A cached value stored under (or with) the version it was worked out under is right for as long as
the version stays the same. A counter starts from the clock, so that a restarted or emptied cache
never hands out a version that values from before the restart were stored under.

A change made in a transaction moves the version on twice: at once, and again when the
transaction commits. Between the two, another request may read the old data under the new
version and cache it; the second bump outdates what it cached.
"""

import time

from django.core.cache import cache
from django.db import transaction


def _from_the_clock() -> int:
    return time.time_ns() // 1000


def current(key: str) -> int:
    """The version under `key`, started if there is none yet."""
    return current_many([key])[key]


def current_many(keys: list[str], get_many=None) -> dict[str, int]:
    """The versions under `keys` (one round trip to the cache when all exist), started where missing.

    `get_many`: what reads them (default: `cache.get_many`), e.g. one that fetches more in the same trip.
    """
    found = (get_many or cache.get_many)(keys)
    for key in keys:
        if key not in found:
            cache.add(key, _from_the_clock(), timeout=None)
            found[key] = cache.get(key, 0)
    return found


def _bump(key: str) -> None:
    try:
        cache.incr(key)
    except ValueError:  # no version yet, or it was evicted
        cache.set(key, _from_the_clock(), timeout=None)


def bump(*keys: str) -> None:
    """Moves the versions under `keys` on now and, inside a transaction, once more after it commits."""
    for key in keys:
        _bump(key)
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: [_bump(key) for key in keys])
