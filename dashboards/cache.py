"""The dashboards' figures, rendered and cached until the data they sum changes.

Summing hundreds of thousands of expenditures takes the database a good part of a second; the
dashboards are read far more often than the ledgers change. What is cached is our templates'
output rendered without the request (no CSRF token, no user name, no navigation), under a key of
everything it shows:

- the projects it covers: a scope key naming the rule and memberships that decide a user's
  projects (selectors.DashboardScope), or the project;
- the parameters: the normalised query, the day;
- the active language (translations, money and dates are written per language);
- the data generation (common.generations), which the services that change projects, activities,
  budgets and expenditure move on when they commit.

However many readers arrive after a change, the figures are computed once: the first reader to
miss takes a short lock in the cache (`cache.add`) and computes; the others wait for its result
(polling, at most WAIT_SECONDS) instead of each summing the same rows. A reader that finds neither
the figures nor the lock (the first one failed, or the cache is unreachable) computes them itself.

Who may see a dashboard is decided by the view on every request, before anything is read here.
Writes outside the services (a queryset update in a shell) are covered by the time limit,
DASHBOARD_CACHE_SECONDS (0 turns the cache off).
"""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import get_language

from common import generations

DEFAULT_SECONDS = 300
WAIT_SECONDS = 20  # how long a reader waits for another one computing the same figures
POLL_SECONDS = 0.05


def timeout() -> int:
    return int(getattr(settings, "DASHBOARD_CACHE_SECONDS", DEFAULT_SECONDS))


def cached(name: str, scope: str, params: dict, compute):
    """`compute()`, or its result from the cache for the same scope, parameters, language and data."""
    seconds = timeout()
    if seconds <= 0:
        return compute()
    digest = hashlib.sha256(repr(sorted((k, str(v)) for k, v in params.items())).encode()).hexdigest()[:32]
    key = f"dashboards:{name}:{generations.current()}:{scope}:{get_language()}:{digest}"
    value = cache.get(key)
    if value is not None:
        return value
    lock = f"{key}:computing"
    if not cache.add(lock, 1, WAIT_SECONDS):
        value = _wait_for(key, lock)
        if value is not None:
            return value
    try:
        value = compute()
        cache.set(key, value, seconds)
    finally:
        cache.delete(lock)
    return value


def _wait_for(key: str, lock: str):
    """The value another reader is computing under `lock`, or None if it gave up or took too long."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        value = cache.get(key)
        if value is not None or not cache.has_key(lock):
            return value
        time.sleep(POLL_SECONDS)
    return None
