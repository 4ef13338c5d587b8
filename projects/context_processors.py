from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from .access import is_portfolio_donor
from .models import Role


def _shows_dashboard(user) -> bool:
    """Staff, donors and managers of a project, and the Donors group follow the dashboard."""
    if user.is_staff:
        return True
    return user.memberships.filter(role__in=[Role.DONOR, Role.MANAGER]).exists() or is_portfolio_donor(user)


def _entries(request):
    user = getattr(request, "user", None)  # absent on error pages rendered before the middleware ran
    path = request.path
    entries = [(_("Projects"), reverse("projects:list"))]
    if user is not None and user.is_authenticated:
        if _shows_dashboard(user):
            entries.append((_("Dashboard"), reverse("dashboards:portfolio")))
        if user.is_staff:  # the same test as the audit page's own (audit/views.py)
            entries.append((_("Reports due"), reverse("portfolio_reports:overview")))
            entries.append((_("Audit trail"), reverse("audit:log")))
            entries.append((_("Administration"), reverse("admin:index")))
    return [{"label": label, "url": url, "active": path.startswith(url)} for label, url in entries]


def navigation(request):
    """The navigation bar's entries for this user's roles, worked out on every page that shows them."""
    return {"nav_entries": SimpleLazyObject(lambda: _entries(request))}
