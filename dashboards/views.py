from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render

from projects.access import is_portfolio_donor
from projects.models import Role

from . import selectors


def home(request):
    """Sends each role to its work."""
    user = request.user
    if not user.is_authenticated or user.is_staff:
        return redirect("projects:list")
    if is_portfolio_donor(user):
        return redirect("dashboards:portfolio")
    membership = user.memberships.select_related("project").order_by("created_at").first()
    if membership is None:
        return redirect("projects:list")
    if membership.role == Role.DONOR:
        return redirect("dashboards:portfolio")
    return redirect(membership.project.get_absolute_url())


@login_required
def portfolio(request):
    if not selectors.may_use_dashboard(request.user):
        raise PermissionDenied
    projects = selectors.dashboard_projects_for_user(user=request.user)
    context = {
        "projects": projects.select_related("instrument").order_by("-planned_start"),
        "totals": selectors.portfolio_totals_by_currency(projects=projects),
    }
    return render(request, "dashboards/portfolio.html", context)
