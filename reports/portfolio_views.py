"""The staff overview of reports due and overdue across the portfolio (see reports.portfolio)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from . import portfolio

PAGE_SIZE = 50


@login_required
@require_GET
def overview(request):
    """Every report due or overdue on the projects the user manages (staff: all); 403 for anyone else."""
    if not request.user.is_staff and not portfolio.overview_projects(request.user).exists():
        raise PermissionDenied
    sort = request.GET.get("sort") if request.GET.get("sort") in portfolio.SORTS else portfolio.DEFAULT_SORT
    today = timezone.localdate()
    reports = portfolio.reports_due(user=request.user, today=today, sort=sort)
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    for report in page:
        report.days_left = (report.due_date - today).days
        report.days_overdue = -report.days_left
    context = {"page": page, "reports": page.object_list, "sort": sort, "today": today}
    return render(request, "reports/overview.html", context)
