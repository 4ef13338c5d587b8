"""A short-lived cache of the dashboards' rendered fragments, dropped whenever the data they show changes.

Summing hundreds of thousands of expenditures takes the database a good part of a second; the
dashboard is read far more often than the ledgers change. What is cached is our templates' output
rendered without the request (no CSRF token, no user name, no navigation), under a key of:

- the scope: "staff", or the rule and memberships that decide a user's projects
  (selectors.DashboardScope: users who see the same projects share), or the project (and, for
  its tabs, the user's capabilities on it);
- the parameters: the normalised query (views._dashboard_query), the day;
- the active language (translations, money and dates are written per language);
- a data version that every save or delete of a project, membership, instrument, activity,
  budget line, revision or expenditure moves on (signals.py), as does joining or leaving a group.

The same key holds one more thing: whether a user may open a project's dashboard, and with
which capabilities (selectors.dashboard_project_for_user; scope "user-<id>-<staff>"), since
every change that could alter it (a project published or not, a membership, a group) moves the
data version on.

Writes that send no signals (bulk_create, update()) are covered by the time limit,
DASHBOARD_CACHE_SECONDS (0 turns the cache off).

The version lives in the cache itself: with Redis (production) every process sees the same
one; with the local-memory cache (development, no REDIS_URL) each process has its own, and
another process's writes show once the time limit has passed.
"""

import hashlib

from django.conf import settings
from django.utils.translation import get_language

from common import localcache, versions

VERSION_KEY = "dashboards:data-version"
DEFAULT_SECONDS = 300


def timeout() -> int:
    return int(getattr(settings, "DASHBOARD_CACHE_SECONDS", DEFAULT_SECONDS))


def data_version() -> int:
    return versions.current(VERSION_KEY)


def bump_version(**kwargs) -> None:
    """Outdates every cached figure (a signal receiver, hence **kwargs)."""
    versions.bump(VERSION_KEY)


def cached(name: str, scope: str, params: dict, compute, *, version: int | None = None):
    """`compute()`, or its result from the cache for the same scope, parameters, language and data.

    `version`: the data version, when the caller already read it for this request.
    """
    seconds = timeout()
    if seconds <= 0:
        return compute()
    digest = hashlib.sha256(repr(sorted((k, str(v)) for k, v in params.items())).encode()).hexdigest()[:32]
    version = data_version() if version is None else version
    key = f"dashboards:{name}:{version}:{scope}:{get_language()}:{digest}"
    return localcache.get_or_set(key, compute, seconds)
