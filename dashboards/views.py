from functools import partial
from types import SimpleNamespace
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from audit.models import Kind as AuditKind
from audit.services import record
from budgets.selectors import budget_by_activity, budget_summary
from common.files import stored_file_response
from common.spreadsheets import XLSX_TYPE, csv_response, xlsx_response
from projects.access import is_portfolio_donor
from projects.models import Project, Role
from projects.selectors import project_get_for_user
from results.models import Indicator
from results.selectors import indicator_tables, shared_indicators
from results.templatetags.results_tags import indicator_value

from . import exporting, iati, publication, selectors
from .cache import cached
from .charts import bar_chart, line_chart, portfolio_timeline
from .forms import FILTER_NAMES, SORT_CHOICES, SORTS, DashboardFilterForm, sort_key
from .models import ExportJob


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


# What the portfolio page reads from its address: the filters, the order and the page.
QUERY_NAMES = (*FILTER_NAMES, "sort", "page")


def _dashboard_query(request) -> QueryDict:
    """The parameters the portfolio page reads, each once (its last value, as `GET.get` gives it),
    without empty ones and without any other: addresses that ask for the same page share it."""
    query = QueryDict(mutable=True)
    for name in QUERY_NAMES:
        if value := request.GET.get(name):
            query[name] = value
    return query


def _portfolio_fragments(*, query: QueryDict, scope: selectors.DashboardScope, today) -> tuple[str, str]:
    """The filter form and the part of the page that the filters change (what htmx swaps in), rendered.

    Rendered from the query, the scope and the date alone, without the request, so that nothing
    of the user who happened to fill the cache (their name, a CSRF token) can be in it.
    """
    choices = cached("choices", scope.key, {}, lambda: selectors.filter_choices(scope.projects))
    form = DashboardFilterForm(query or None, **choices)
    filters = form.valid_filters() if query else {}
    sort, bad_sort = sort_key(query.get("sort"))
    projects = selectors.filter_projects(scope.projects, filters)
    figures = selectors.portfolio_figures(projects=projects, country_codes=choices["country_codes"])
    page = Paginator(selectors.timeline_projects(projects=projects, order=SORTS[sort]), PAGE_SIZE).get_page(
        query.get("page")
    )
    context = {
        "query": query,
        "filters": filters,
        "ignored": form.ignored() if query else [],
        "bad_sort": query["sort"] if bad_sort else None,
        "sort": sort,
        "sort_choices": SORT_CHOICES,
        "figures": figures,
        "charts": _charts(figures.breakdowns),
        "page": page,
        "timeline": portfolio_timeline(page.object_list, today=today),
        "export_query": urlencode({name: query[name] for name in FILTER_NAMES if name in filters}),
        "shared_indicators": shared_indicators(projects=projects),
    }
    return (
        render_to_string("dashboards/_filters.html", {"form": form, "sort": sort}),
        render_to_string("dashboards/_portfolio_results.html", context),
    )


@login_required
def portfolio(request):
    """Headline figures, breakdowns and the timeline of the projects the user may follow, filtered.

    The filter form and the results are cached (dashboards/cache.py) for everyone with the same
    scope, per query, language and day, until the data changes: summing a large portfolio takes
    the database far longer than serving the page.
    """
    scope = selectors.dashboard_scope_for_user(user=request.user)
    if scope is None:
        raise PermissionDenied
    query = _dashboard_query(request)
    today = timezone.localdate()  # the timeline marks it
    filters_form, results = cached(
        "portfolio",
        scope.key,
        {"query": query.urlencode(), "today": today},
        lambda: _portfolio_fragments(query=query, scope=scope, today=today),
    )
    # Our own templates' output, escaped when it was rendered.
    results = mark_safe(results)  # noqa: S308
    if request.htmx and not request.htmx.history_restore_request:
        response = HttpResponse(results)
    else:
        response = render(
            request,
            "dashboards/portfolio.html",
            {"filters_form": mark_safe(filters_form), "results": results},  # noqa: S308
        )
    patch_vary_headers(response, ["HX-Request"])  # the same address answers a fragment or the page
    return response


@login_required
def export(request, kind, fmt):
    """The dashboard's projects (kind "portfolio") or their budget lines and expenditures
    ("transactions") as CSV (streamed) or XLSX, with the dashboard's filters. A selection larger
    than EXPORT_INLINE_ROWS is written by a task instead (dashboards/exporting.py): the page offers
    to prepare it, and a POST starts the job."""
    if kind not in exporting.EXPORTS or fmt not in ("csv", "xlsx"):
        raise Http404("No such export.")
    query = request.POST if request.method == "POST" else request.GET
    projects = exporting.export_projects(user=request.user, query=_dashboard_query_of(query))
    if projects is None:
        raise PermissionDenied
    name, header, rows = exporting.EXPORTS[kind]
    filename = f"mpf-{name}-{timezone.localdate().isoformat()}.{fmt}"
    context = {
        "kind": kind,
        "fmt": fmt,
        "limit": settings.EXPORT_INLINE_ROWS,
        "filters": _dashboard_query_of(query).items(),
    }
    if request.method == "POST":  # the worker counts the rows as it starts
        try:
            job = exporting.export_job_start(
                user=request.user, kind=kind, fmt=fmt, query=_dashboard_query_of(query), filename=filename, total=0
            )
        except ValidationError as error:
            return render(request, "dashboards/export_prepare.html", context | {"refused": error.messages}, status=429)
        return redirect("dashboards:export_job", job_id=job.pk)
    if exporting.export_size(kind=kind, projects=projects, at_most=settings.EXPORT_INLINE_ROWS) > context["limit"]:
        return render(request, "dashboards/export_prepare.html", context)
    record(
        kind=AuditKind.EXPORT_DOWNLOADED, details={"export": name, "format": fmt, **_dashboard_query_of(query).dict()}
    )
    if fmt == "csv":
        return csv_response(filename, header, rows(projects=projects))
    return xlsx_response(filename, name, header, rows(projects=projects))


def _dashboard_query_of(data) -> QueryDict:
    query = QueryDict(mutable=True)
    for name in FILTER_NAMES:
        if value := data.get(name):
            query[name] = value
    return query


def _export_job(request, job_id) -> ExportJob:
    """The user's own export job, while they still have a dashboard; 404 otherwise. `job.current`
    says whether the dashboard, with the job's filters, still selects the projects in the file: a
    user who has lost access to one of them since (or whose selection changed) must prepare it again."""
    job = ExportJob.objects.filter(pk=job_id, user=request.user).first()
    projects = exporting.export_projects(user=request.user, query=QueryDict(job.query)) if job else None
    if projects is None:
        raise Http404("No such export.")
    job.current = bool(job.projects_digest) and exporting.projects_digest(projects) == job.projects_digest
    return job


@login_required
@require_safe
def export_job(request, job_id):
    """The progress of an export being written (the status part polled with htmx), then its download."""
    job = _export_job(request, job_id)
    template = "dashboards/_export_job_status.html" if request.htmx else "dashboards/export_job.html"
    response = render(request, template, {"job": job})
    patch_cache_control(response, private=True, no_store=True)
    return response


@login_required
@require_safe
def export_download(request, job_id):
    job = _export_job(request, job_id)
    if job.status != ExportJob.Status.DONE or not job.file or not job.current:
        raise Http404("The file is not ready.")
    try:
        handle = job.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file is missing.") from None
    record(kind=AuditKind.EXPORT_DOWNLOADED, details={"export": job.kind, "format": job.fmt, "job": job.pk})
    content_type = "text/csv; charset=utf-8" if job.fmt == "csv" else XLSX_TYPE
    response = FileResponse(handle, as_attachment=True, filename=job.filename, content_type=content_type)
    patch_cache_control(response, private=True, no_store=True)
    return response


def _project_body(project, today) -> str:
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
        "indicators": _results_with_charts(project),
    }
    return render_to_string("dashboards/_project_body.html", context)


def _results_with_charts(project) -> list:
    """The project's indicators with their values per period; numbers and percentages with a chart."""
    indicators = indicator_tables(project=project)
    for indicator in indicators:
        charted = [row for row in indicator.rows if row.target is not None or row.actual is not None]
        indicator.chart = None
        if indicator.unit in (Indicator.Unit.NUMBER, Indicator.Unit.PERCENTAGE) and charted:
            indicator.chart = bar_chart(
                f"chart-indicator-{indicator.pk}",
                charted,
                project.currency,
                series=(("target", "bar-budget"), ("actual", "bar-spent")),
                format_value=partial(indicator_value, indicator=indicator),
            )
    return indicators


@login_required
def project_dashboard(request, slug):
    """One project's budget against spending, spending over time, overdue activities and milestones.

    Access is decided first, on every request. Whoever has finance rights on the project sees the
    same figures: the body is cached per project and day (overdue and upcoming depend on the date)
    until the data changes, rendered without the request, so nothing of the user who filled the
    cache is in it. The tabs above it follow the reader's capabilities and are rendered each time.
    """
    project = selectors.dashboard_project_for_user(user=request.user, slug=slug)
    today = timezone.localdate()
    body = cached("project-body", f"project-{project.pk}", {"today": today}, lambda: _project_body(project, today))
    # Our own template's output, escaped when it was rendered.
    return render(request, "dashboards/project.html", {"project": project, "body": mark_safe(body)})  # noqa: S308


def project_iati(request, slug):
    """One project's IATI activity file; 404 for a project the user may not see."""
    project = project_get_for_user(user=request.user, slug=slug)
    if not project.is_published:  # what is public needs no record
        record(kind=AuditKind.EXPORT_DOWNLOADED, project=project, details={"export": "iati", "format": "xml"})
    body = iati.activities_xml(Project.objects.filter(pk=project.pk), base_url=request.build_absolute_uri("/"))
    return HttpResponse(body, content_type=iati.CONTENT_TYPE)


@require_safe
def iati_activities(request):
    """Every published project's IATI activity, for everyone: the file the workers keep written
    (dashboards/publication.py), served with its ETag and byte ranges. Without workers (tasks in
    process, as with no REDIS_URL) it is written here when the data has changed."""
    public = publication.iati_public_file()
    if public is None or (settings.CELERY_TASK_ALWAYS_EAGER and not publication.iati_public_file_is_current(public)):
        publication.iati_public_file_refresh()
        public = publication.iati_public_file()
    if public is None:  # the first request ever, before any worker has written it: streamed this once
        chunks = iati.activities_xml_chunks(iati.published_projects(), base_url=request.build_absolute_uri("/"))
        return StreamingHttpResponse(chunks, content_type=iati.CONTENT_TYPE)
    try:
        return stored_file_response(
            request,
            public.file,
            etag=public.etag,
            modified=public.built_at,
            size=public.size,
            content_type=iati.CONTENT_TYPE,
        )
    except FileNotFoundError:  # deleted under the row (another storage, a restore): written again
        publication.iati_public_file_refresh()
        raise Http404("The IATI file is being written; try again in a minute.") from None
