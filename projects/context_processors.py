from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from .access import is_portfolio_donor
from .models import Role


def _entries(request):
    user = getattr(request, "user", None)  # absent on error pages rendered before the middleware ran
    path = request.path
    entries = [(_("Projects"), reverse("projects:list"))]
    if user is not None and user.is_authenticated:
        # Staff need no query; members (most other users) one; the Donors group is asked last.
        if (
            user.is_staff
            or user.memberships.filter(role__in=[Role.DONOR, Role.MANAGER]).exists()
            or is_portfolio_donor(user)
        ):
            entries.append((_("Dashboard"), reverse("dashboards:portfolio")))
        if user.is_staff:
            entries.append((_("Administration"), reverse("admin:index")))
    return [{"label": label, "url": url, "active": path.startswith(url)} for label, url in entries]


def navigation(request):
    """The navigation bar's entries for this user's roles; computed only if a page shows them."""
    return {"nav_entries": SimpleLazyObject(lambda: _entries(request))}
