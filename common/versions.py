"""Version counters in the shared cache: a number that every change of some data moves on.

A cached value stored under (or with) the version it was worked out under is right for as long as
the version stays the same. A counter starts from the clock, so that a restarted or emptied cache
never hands out a version that values from before the restart were stored under.
"""

import time

from django.core.cache import cache


def _from_the_clock() -> int:
    return time.time_ns() // 1000


def current(key: str) -> int:
    """The version under `key`, started if there is none yet."""
    version = cache.get(key)
    if version is None:
        cache.add(key, _from_the_clock(), timeout=None)
        version = cache.get(key, 0)
    return version


def bump(key: str) -> None:
    """Moves the version under `key` on: every value stored under the old one is outdated."""
    try:
        cache.incr(key)
    except ValueError:  # no version yet, or it was evicted
        cache.set(key, _from_the_clock(), timeout=None)
