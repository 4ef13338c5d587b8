from django.core.cache import cache
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from common import versions

from .access import is_portfolio_donor
from .models import Role

# Moved on by every change to a membership or to who is in a group (projects.signals): a user's
# answer below is kept with the version it was worked out under, and counts only under that one.
ROLES_VERSION_KEY = "nav:roles-version"
NAV_CACHE_SECONDS = 3600


def bump_roles_version(**kwargs) -> None:
    """A signal receiver: every user's navigation is worked out again on their next page."""
    versions.bump(ROLES_VERSION_KEY)


def _shows_dashboard(user) -> bool:
    """Staff, donors and managers of a project, and the Donors group follow the dashboard.

    Staff need no look-up; for others the answer is cached (one round trip to the cache for the
    answer and the current roles version together) instead of one or two queries on every page.
    """
    if user.is_staff:
        return True
    key = f"nav:dashboard:{user.pk}"
    found = cache.get_many([ROLES_VERSION_KEY, key])
    version = found.get(ROLES_VERSION_KEY)
    if version is not None and key in found and found[key][0] == version:
        return found[key][1]
    shows = user.memberships.filter(role__in=[Role.DONOR, Role.MANAGER]).exists() or is_portfolio_donor(user)
    if version is not None:
        cache.set(key, (version, shows), NAV_CACHE_SECONDS)
    else:
        bump_roles_version()
    return shows


def _entries(request):
    user = getattr(request, "user", None)  # absent on error pages rendered before the middleware ran
    path = request.path
    entries = [(_("Projects"), reverse("projects:list"))]
    if user is not None and user.is_authenticated:
        if _shows_dashboard(user):
            entries.append((_("Dashboard"), reverse("dashboards:portfolio")))
        if user.is_staff:
            entries.append((_("Administration"), reverse("admin:index")))
    return [{"label": label, "url": url, "active": path.startswith(url)} for label, url in entries]


def navigation(request):
    """The navigation bar's entries for this user's roles; computed only if a page shows them."""
    return {"nav_entries": SimpleLazyObject(lambda: _entries(request))}
