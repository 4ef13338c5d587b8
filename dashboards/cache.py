"""A short-lived cache of the portfolio's figures, dropped whenever the data they sum changes.

Summing hundreds of thousands of expenditures takes the database a good part of a second; the
dashboard is read far more often than the ledgers change. Pages are cached per user scope
(staff share one) or project, filters and language under a data version that every save or delete of a
project, membership, instrument, activity, budget line, revision or expenditure moves on (signals.py),
as does joining or leaving a group. Writes that send no signals (bulk_create, update())
are covered by the time limit, DASHBOARD_CACHE_SECONDS (0 turns the cache off).

The version lives in the cache itself: with Redis (production) every process sees the same
one; with the local-memory cache (development, no REDIS_URL) each process has its own, and
another process's writes show once the time limit has passed.
"""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import get_language

VERSION_KEY = "dashboards:data-version"
DEFAULT_SECONDS = 300


def timeout() -> int:
    return int(getattr(settings, "DASHBOARD_CACHE_SECONDS", DEFAULT_SECONDS))


def data_version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        # Start from the clock, so that a restarted cache never reuses an old version.
        cache.add(VERSION_KEY, time.time_ns() // 1000, timeout=None)
        version = cache.get(VERSION_KEY, 0)
    return version


def bump_version(**kwargs) -> None:
    """Outdates every cached figure (a signal receiver, hence **kwargs)."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # no version yet, or it was evicted
        cache.set(VERSION_KEY, time.time_ns() // 1000, timeout=None)


def scope_key(user) -> str:
    """Whose figures: staff all see the same; anyone else their own."""
    return "staff" if user.is_staff else f"user-{user.pk}"


def cached(name: str, scope: str, params: dict, compute):
    """`compute()`, or its result from the cache for the same scope, parameters, language and data."""
    seconds = timeout()
    if seconds <= 0:
        return compute()
    digest = hashlib.sha256(repr(sorted((k, str(v)) for k, v in params.items())).encode()).hexdigest()[:32]
    key = f"dashboards:{name}:{data_version()}:{scope}:{get_language()}:{digest}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, seconds)
    return value
