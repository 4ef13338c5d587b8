from types import SimpleNamespace
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.safestring import mark_safe

from budgets.selectors import budget_by_activity, budget_summary
from common.spreadsheets import csv_response, xlsx_response
from projects.access import Capability, is_portfolio_donor
from projects.models import Project, Role
from projects.selectors import project_get_for_user

from . import iati, selectors
from .cache import cached, scope_key
from .charts import bar_chart, line_chart, portfolio_timeline
from .forms import FILTER_NAMES, SORT_CHOICES, SORTS, DashboardFilterForm, sort_key


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


PAGE_SIZE = 50  # projects per page of the portfolio timeline and its table
EXPORTS = {
    "portfolio": ("portfolio", selectors.PORTFOLIO_HEADER, selectors.portfolio_export_rows),
    "transactions": ("transactions", selectors.TRANSACTIONS_HEADER, selectors.transaction_export_rows),
}


def _charts(breakdowns):
    """A bar chart per breakdown and currency, beside the rows its table shows."""
    return [
        {
            "breakdown": breakdown,
            "currencies": [
                {
                    "currency": currency,
                    "rows": rows,
                    "title": f"{breakdown.title}, {currency}.",
                    "chart": bar_chart(f"chart-{breakdown.key}-{currency}", rows, currency),
                }
                for currency, rows in breakdown.by_currency.items()
            ],
        }
        for breakdown in breakdowns
    ]


def _results(request, *, form, scope, choices) -> str:
    """The part of the dashboard that the filters change, rendered (it is what htmx swaps in)."""
    filters = form.valid_filters() if request.GET else {}
    sort, bad_sort = sort_key(request.GET.get("sort"))
    projects = selectors.filter_projects(scope, filters)
    figures = selectors.portfolio_figures(projects=projects, country_codes=choices["country_codes"])
    page = Paginator(selectors.timeline_projects(projects=projects, order=SORTS[sort]), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "filters": filters,
        "ignored": form.ignored() if request.GET else [],
        "bad_sort": request.GET.get("sort") if bad_sort else None,
        "sort": sort,
        "sort_choices": SORT_CHOICES,
        "figures": figures,
        "charts": _charts(figures.breakdowns),
        "page": page,
        "timeline": portfolio_timeline(page.object_list),
        "export_query": urlencode({name: request.GET[name] for name in FILTER_NAMES if name in filters}),
    }
    return render_to_string("dashboards/_portfolio_results.html", context, request=request)


@login_required
def portfolio(request):
    """Headline figures, breakdowns and the timeline of the projects the user may follow, filtered.

    The filtered part is cached (dashboards/cache.py) until the data changes: summing a large
    portfolio takes the database far longer than serving the page.
    """
    if not selectors.may_use_dashboard(request.user):
        raise PermissionDenied
    user = request.user
    scope = selectors.dashboard_projects_for_user(user=user)
    key = scope_key(user)
    query = urlencode(sorted(request.GET.lists()), doseq=True)
    choices = cached("choices", key, {}, lambda: selectors.filter_choices(scope))
    forms = []

    def form():  # built only when a fragment has to be rendered: it is not cheap (the country list)
        if not forms:
            forms.append(DashboardFilterForm(request.GET or None, **choices))
        return forms[0]

    # Our own templates' output, escaped when it was rendered.
    results = mark_safe(  # noqa: S308
        cached("results", key, {"query": query}, lambda: _results(request, form=form(), scope=scope, choices=choices))
    )
    if request.htmx and not request.htmx.history_restore_request:
        response = HttpResponse(results)
    else:
        sort, _bad = sort_key(request.GET.get("sort"))
        filters_form = mark_safe(  # noqa: S308
            cached(
                "filters",
                key,
                {"query": query},
                lambda: render_to_string("dashboards/_filters.html", {"form": form(), "sort": sort}, request=request),
            )
        )
        response = render(request, "dashboards/portfolio.html", {"filters_form": filters_form, "results": results})
    patch_vary_headers(response, ["HX-Request"])  # the same address answers a fragment or the page
    return response


@login_required
def export(request, kind, fmt):
    """The dashboard's projects (kind "portfolio") or their budget lines and expenditures
    ("transactions") as CSV (streamed) or XLSX, with the dashboard's filters."""
    if kind not in EXPORTS or fmt not in ("csv", "xlsx"):
        raise Http404("No such export.")
    if not selectors.may_use_dashboard(request.user):
        raise PermissionDenied
    form = DashboardFilterForm(request.GET or None)
    projects = selectors.filter_projects(
        selectors.dashboard_projects_for_user(user=request.user), form.valid_filters() if request.GET else {}
    )
    name, header, rows = EXPORTS[kind]
    filename = f"mpf-{name}-{timezone.localdate().isoformat()}.{fmt}"
    if fmt == "csv":
        return csv_response(filename, header, rows(projects=projects))
    return xlsx_response(filename, name, header, rows(projects=projects))


def _project_body(request, project, today) -> str:
    summary = budget_summary(project=project)
    by_activity = budget_by_activity(project=project)
    curve = selectors.spending_curve(project=project, revised_total=summary.total.revised, today=today)
    activity_rows = [
        SimpleNamespace(label=row["title"], budget=row["planned"], spent=row["spent"]) for row in by_activity
    ]
    context = {
        "project": project,
        "summary": summary,
        "category_chart": bar_chart(
            "chart-category",
            summary.categories,
            project.currency,
            series=(("revised", "bar-budget"), ("spent", "bar-spent")),
        ),
        "by_activity": by_activity,
        "activity_chart": bar_chart("chart-activity", activity_rows, project.currency),
        "curve": curve,
        "line_chart": line_chart(curve, project.currency, today=today),
        "overdue": selectors.overdue_activities(project=project, today=today),
        "milestones": selectors.upcoming_milestones(project=project, today=today),
        "milestone_days": selectors.MILESTONE_DAYS,
    }
    return render_to_string("dashboards/_project_body.html", context, request=request)


@login_required
def project_dashboard(request, slug):
    """One project's budget against spending, spending over time, overdue activities and milestones.

    Whoever has finance rights on the project sees the same figures: they are cached per
    project and day (overdue and upcoming depend on the date) until the data changes.
    """
    project = project_get_for_user(user=request.user, slug=slug, need=Capability.FINANCE)
    today = timezone.localdate()
    body = cached("project", f"project-{project.pk}", {"today": today}, lambda: _project_body(request, project, today))
    return render(request, "dashboards/project.html", {"project": project, "body": mark_safe(body)})  # noqa: S308


def project_iati(request, slug):
    """One project's IATI activity file; 404 for a project the user may not see."""
    project = project_get_for_user(user=request.user, slug=slug)
    body = iati.activities_xml(Project.objects.filter(pk=project.pk), base_url=request.build_absolute_uri("/"))
    return HttpResponse(body, content_type=iati.CONTENT_TYPE)


def iati_activities(request):
    """Every published project's IATI activity, for everyone."""
    body = iati.activities_xml(iati.published_projects(), base_url=request.build_absolute_uri("/"))
    return HttpResponse(body, content_type=iati.CONTENT_TYPE)
