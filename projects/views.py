import functools
import hashlib
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common import generations
from common.forms import SpreadsheetUploadForm, apply_validation_error
from common.fragments import cached_html, cached_html_many
from common.history import project_history
from common.imports import ImportBusy, busy_message, import_job_get, import_job_progress, import_job_start
from common.page_sections import project_page_sections
from common.spreadsheets import csv_response
from common.tabular import keep_upload, pending_upload, preview_from_json, release_upload
from common.views import import_job_poll

from . import importing, selectors, services
from .access import Capability
from .forms import MemberForm, MembershipRoleForm, PartnerForm, PartnerFormSet, ProjectFilterForm, ProjectForm
from .models import Role, partner_statement
from .revision import project_fragment_key
from .tasks import portfolio_import_task

FILTERS_TEMPLATE = "projects/_project_filters.html"
ROW_TEMPLATE = "projects/_project_list_row.html"
TYPED_FILTERS = ("q", "year")  # typed in: any text


def project_list(request):
    generation = generations.current()
    country_codes, instrument_codes = (
        selectors.countries_offered(user=request.user, generation=generation),
        selectors.instrument_codes(),
    )
    form_kwargs = {"country_codes": country_codes, "instrument_codes": instrument_codes}
    # Without filters no form is made unless its HTML must be drawn (a form copies its fields).
    filter_form = ProjectFilterForm(request.GET, **form_kwargs) if request.GET else None
    filters = filter_form.valid_filters() if filter_form else {}
    projects = selectors.project_list_for_user(user=request.user, filters=filters)
    paginator = Paginator(projects, 25)
    paginator.count = selectors.project_list_count(user=request.user, filters=filters, generation=generation)
    page = paginator.get_page(request.GET.get("page"))
    context = {
        "page": page,
        "projects": page.object_list,
        "rows": _project_list_rows(page.object_list),
        "filters": filters,
        "filter_form_html": _project_filters_html(filter_form, filters, form_kwargs),
    }
    return render(request, "projects/project_list.html", context)


def _project_filters_html(filter_form, filters, form_kwargs):
    """The list's filter form, kept under everything it shows: the choices made (which also decide the
    "Clear" link) and the countries and instruments offered; `cached_html` adds the language. Only
    choices among those offered are kept, a bounded number of forms: a search, a year or a value the
    form reports as wrong is drawn for its request alone, so that no visitor can fill the cache with
    made-up values. A GET form: no CSRF token in it."""

    def render_form():
        context = {"filter_form": filter_form or ProjectFilterForm(**form_kwargs), "filters": filters}
        return render_to_string(FILTERS_TEMPLATE, context)

    chosen = None
    if filter_form is not None:
        if filter_form.errors or any(filter_form.data.get(name) for name in TYPED_FILTERS):
            return render_form()
        chosen = {name: filter_form.data.get(name, "") for name in filter_form.fields}  # as the widgets show them
    shown = [chosen, sorted(form_kwargs["country_codes"]), form_kwargs["instrument_codes"]]
    digest = hashlib.blake2b(json.dumps(shown).encode(), digest_size=16).hexdigest()
    return cached_html(f"project-list-filters:{digest}", render_form)


def _project_list_rows(projects) -> list:
    """One table row per project, kept under the project's content revision (its title, countries,
    instrument, dates, status, whether it is published): the same for every reader, since the query
    already chose the projects this reader may see. One cache round trip for the page; the projects
    whose row is not kept are then read in one query."""
    by_key = {project_fragment_key(project, "list-row"): project.pk for project in projects}
    full = {}

    def prepare(keys):
        full.update(selectors.projects_for_rows([by_key[key] for key in keys]))

    def render_row(project_id):
        project = full.get(project_id)  # None: deleted since the list was read
        return render_to_string(ROW_TEMPLATE, {"project": project}) if project else ""

    html = cached_html_many(
        {key: functools.partial(render_row, project_id) for key, project_id in by_key.items()}, prepare=prepare
    )
    return [html[key] for key in by_key]


def project_detail(request, slug):
    """The project's public page: the view decides who may open it on every request; its body, the
    same for every such reader (the tabs, which depend on the reader, are outside it), is kept under
    the project's content revision and the language."""
    project = selectors.project_get_for_user(user=request.user, slug=slug)
    body = cached_html(project_fragment_key(project, "page"), lambda: _project_page_body(project))
    return render(request, "projects/project_detail.html", {"project": project, "body": body})


def _project_page_body(project) -> str:
    """Rendered without the request: nothing in it may depend on who reads it."""
    context = {
        "project": project,
        "partner_statement": partner_statement(project),
        "published_concepts": project.concepts.filter(status="published").order_by("pk"),
        "sections": project_page_sections(project),
    }
    return render_to_string("projects/_project_page.html", context)


PARTNERS = "partners"  # the create form's partner rows


@login_required
def project_create(request):
    if not request.user.is_staff:
        raise PermissionDenied
    form = ProjectForm(request.POST or None)
    # A post without the partner rows (a script, an older page) creates the project without partners.
    with_partners = request.method == "POST" and f"{PARTNERS}-TOTAL_FORMS" in request.POST
    partners = PartnerFormSet(request.POST if with_partners else None, prefix=PARTNERS)
    if request.method == "POST" and form.is_valid() and (not with_partners or partners.is_valid()):
        rows = partners.partners() if with_partners else []
        try:
            project = services.project_create(user=request.user, partners=rows, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The project was created. Add its partners and budget next."))
            return redirect(project)
    return render(request, "projects/project_form.html", {"form": form, "partners": partners, "project": None})


@login_required
def project_edit(request, slug):
    project = selectors.project_get_for_user(user=request.user, slug=slug, need=Capability.EDIT)
    form = ProjectForm(request.POST or None, instance=project)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            project = services.project_update(project=form.instance, user=request.user, **fields)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The project was saved."))
            return redirect(project)
    return render(request, "projects/project_form.html", {"form": form, "project": project})


@login_required
def partner_list(request, slug):
    project = selectors.project_get_for_user(user=request.user, slug=slug, need=Capability.READ)
    form = PartnerForm(request.POST or None)
    if request.method == "POST":
        if Capability.EDIT not in project.capabilities:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.partner_add(project=project, **form.cleaned_data)
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(request, _("The partner was added."))
                return redirect("projects:partners", slug=project.slug)
    context = {"project": project, "partners": selectors.partners_for_project(project=project), "form": form}
    return render(request, "projects/partner_list.html", context)


@login_required
@require_POST
def partner_remove(request, slug, partner_id):
    project = selectors.project_get_for_user(user=request.user, slug=slug, need=Capability.EDIT)
    partner = get_object_or_404(project.partners, pk=partner_id)
    services.partner_remove(partner=partner)
    messages.success(request, _("%(partner)s was removed from the partners.") % {"partner": partner.organisation})
    return redirect("projects:partners", slug=project.slug)


@login_required
def member_list(request, slug):
    project = selectors.project_get_for_user(user=request.user, slug=slug, need=Capability.READ)
    form = MemberForm(request.POST or None)
    if request.method == "POST":
        if Capability.EDIT not in project.capabilities:
            raise PermissionDenied
        if form.is_valid():
            services.membership_set(project=project, user=form.cleaned_data["username"], role=form.cleaned_data["role"])
            messages.success(request, _("The member was added."))
            return redirect("projects:members", slug=project.slug)
    context = {
        "project": project,
        "memberships": selectors.memberships_for_project(project=project),
        "form": form,
        "role_choices": Role.choices,
    }
    return render(request, "projects/member_list.html", context)


@login_required
@require_POST
def member_change(request, slug, membership_id):
    project = selectors.project_get_for_user(user=request.user, slug=slug, need=Capability.EDIT)
    membership = get_object_or_404(project.memberships, pk=membership_id)
    if request.POST.get("action") == "remove":
        services.membership_remove(membership=membership)
        messages.success(request, _("%(user)s is no longer a member.") % {"user": membership.user})
    else:
        form = MembershipRoleForm(request.POST, instance=membership)
        if form.is_valid():
            services.membership_set(project=project, user=membership.user, role=form.cleaned_data["role"])
            messages.success(request, _("The role was changed."))
        else:
            messages.error(request, _("Choose one of the listed roles."))
    return redirect("projects:members", slug=project.slug)


@login_required
def project_history_view(request, slug):
    project = selectors.project_get_for_user(user=request.user, slug=slug, need=Capability.READ)
    return render(request, "projects/history.html", {"project": project, "entries": project_history(project)})


# Importing the portfolio from a spreadsheet (staff only)

PORTFOLIO = "portfolio"


def _require_staff(request) -> None:
    if not request.user.is_staff:
        raise PermissionDenied


def _portfolio_import_page(request, template, **context):
    context = {
        "heading": _("Import projects from a spreadsheet"),
        "intro": _(
            "Bring in existing projects from a CSV or XLSX file, one row per project. A row whose code is "
            "already in the portal updates that project; an empty cell leaves its value as it is, and partners "
            "are added, never removed."
        ),
        "columns": importing.COLUMN_HELP,
        "upload_url": reverse("projects:import"),
        "confirm_url": reverse("projects:import_confirm"),
        "template_url": reverse("projects:import_template"),
        "cancel_url": reverse("projects:list"),
        **context,
    }
    return render(request, template, context)


@login_required
def portfolio_import(request):
    """Upload and preview: nothing is written; an importable file waits for confirmation."""
    _require_staff(request)
    form = SpreadsheetUploadForm(request.POST, request.FILES) if request.method == "POST" else SpreadsheetUploadForm()
    if form.is_bound and form.is_valid():
        preview = importing.portfolio_preview(rows=form.table.rows)
        upload = keep_upload(request, kind=PORTFOLIO, upload=form.cleaned_data["file"]) if preview.can_import else None
        return _portfolio_import_page(request, "projects/import_preview.html", preview=preview, upload=upload)
    return _portfolio_import_page(request, "projects/import.html", form=form)


@login_required
@require_POST
def portfolio_import_confirm(request):
    """Hands the waiting file to an import job: the rows are written by a Celery task, not in this request."""
    _require_staff(request)
    upload = pending_upload(request, kind=PORTFOLIO, token=request.POST.get("upload"))
    try:
        job = import_job_start(
            user=request.user,
            kind=importing.JOB_KIND,
            task=portfolio_import_task,
            stored_name=upload.name,
            filename=upload.filename,
            page_url=lambda job: reverse("projects:import_job", kwargs={"job_id": job.pk}),
        )
    except ImportBusy as busy:
        messages.error(request, busy_message(busy.job))
        return redirect("projects:import")
    release_upload(request, upload)
    return redirect(job.page_url)


@login_required
def portfolio_import_job(request, job_id):
    """The import's progress, then what it did (or the rows that stopped it)."""
    _require_staff(request)
    job = import_job_get(job_id=job_id, kinds=(importing.JOB_KIND,), user=request.user, managed=True)
    if (polled := import_job_poll(request, job)) is not None:
        return polled
    if job.status != job.Status.DONE:
        return _portfolio_import_page(request, "projects/import_job.html", job=job, progress=import_job_progress(job))
    preview = preview_from_json(job.result["preview"])
    if not preview.imported:
        return _portfolio_import_page(request, "projects/import_preview.html", preview=preview, upload=None)
    summary = _("The projects were imported: %(summary)s") % {"summary": preview.summary()}
    return _portfolio_import_page(request, "projects/import_job.html", job=job, summary=summary)


@login_required
def portfolio_import_template(request):
    _require_staff(request)
    return csv_response("projects-import-template.csv", importing.COLUMNS, [])
