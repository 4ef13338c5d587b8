from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render

from projects.access import is_portfolio_donor
from projects.models import Project, Role
from projects.selectors import project_get_for_user

from . import iati, selectors


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
    if membership.role == Role.DRAFTER:
        concept = membership.project.concepts.order_by("pk").first()
        if concept is not None:
            return redirect(concept)  # a counterpart's work is their concept
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


def project_iati(request, slug):
    """One project's IATI activity file; 404 for a project the user may not see."""
    project = project_get_for_user(user=request.user, slug=slug)
    body = iati.activities_xml(Project.objects.filter(pk=project.pk), base_url=request.build_absolute_uri("/"))
    return HttpResponse(body, content_type=iati.CONTENT_TYPE)


def iati_activities(request):
    """Every published project's IATI activity, for everyone."""
    body = iati.activities_xml(iati.published_projects(), base_url=request.build_absolute_uri("/"))
    return HttpResponse(body, content_type=iati.CONTENT_TYPE)
