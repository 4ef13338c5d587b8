import functools
from typing import NamedTuple

from django.test.signals import setting_changed
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.autoreload import file_changed
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .access import is_portfolio_donor
from .models import Role


class NavEntry(NamedTuple):
    label: str
    url: str
    active: bool


def _shows_dashboard(user) -> bool:
    """Staff, donors and managers of a project, and the Donors group follow the dashboard."""
    if user.is_staff or getattr(user, "_has_finance_somewhere", False):  # noted when access was decided
        return True
    return user.memberships.filter(role__in=[Role.DONOR, Role.MANAGER]).exists() or is_portfolio_donor(user)


@functools.lru_cache(maxsize=64)
def _labelled(dashboard: bool, staff: bool, language, urlconf, script_prefix) -> tuple[tuple[str, str], ...]:
    """The entries' labels and addresses for a kind of user, translated and reversed once per process
    (the language, URLconf and script prefix name them; the user's roles are looked up per request)."""
    entries = [(_("Projects"), reverse("projects:list"))]
    if dashboard:
        entries.append((_("Dashboard"), reverse("dashboards:portfolio")))
    if staff:  # the same test as the audit page's own (audit/views.py)
        entries.append((_("Reports due"), reverse("portfolio_reports:overview")))
        entries.append((_("Audit trail"), reverse("audit:log")))
        entries.append((_("Administration"), reverse("admin:index")))
    return tuple(entries)


def _forget_labelled(**kwargs) -> None:
    _labelled.cache_clear()


setting_changed.connect(_forget_labelled, dispatch_uid="projects.context_processors.setting_changed")
file_changed.connect(_forget_labelled, dispatch_uid="projects.context_processors.file_changed")  # translations


def _entries(request) -> tuple[NavEntry, ...]:
    user = getattr(request, "user", None)  # absent on error pages rendered before the middleware ran
    signed_in = user is not None and user.is_authenticated
    dashboard = signed_in and _shows_dashboard(user)
    staff = signed_in and user.is_staff
    labelled = _labelled(dashboard, staff, get_language(), get_urlconf(), get_script_prefix())
    path = request.path
    return tuple(NavEntry(label, url, path.startswith(url)) for label, url in labelled)


def navigation(request):
    """The navigation bar's entries for this user's roles, worked out on every page that shows them."""
    return {"nav_entries": SimpleLazyObject(lambda: _entries(request))}
