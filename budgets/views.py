import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.models import Kind as AuditKind
from audit.services import record
from common.forms import SpreadsheetUploadForm, apply_validation_error
from common.fragments import cached_html
from common.imports import ImportBusy, busy_message, import_job_get, import_job_progress, import_job_start
from common.spreadsheets import csv_response
from common.tabular import keep_upload, pending_upload, preview_from_json, release_upload
from common.views import import_job_poll
from projects.access import Capability
from projects.revision import project_fragment_key
from projects.selectors import project_get_for_user

from . import importing, selectors, services
from .forms import BudgetLineEditForm, BudgetLineForm, BudgetRevisionForm, ExpenditureForm
from .models import BudgetLine, Expenditure
from .plausibility import ConfirmationNeeded
from .tasks import ledger_import_task

CONFIRM = "confirm_warning"  # one checkbox per plausibility warning, its value the warning's key


def _line(project, line_id) -> BudgetLine:
    return get_object_or_404(BudgetLine.objects.filter(project=project), pk=line_id)


def _expenditure(project, expenditure_id) -> Expenditure:
    return get_object_or_404(Expenditure.objects.filter(line__project=project), pk=expenditure_id)


EXPENDITURE_PAGE_SIZE = 50
KEPT_PAGES = 1000  # pages of expenditure kept as fragments; a stranger page number is rendered each time


@login_required
def overview(request, slug):
    """The project's budget. The view decides access, then the page's body is kept under everything it
    shows: the project's content revision (any line, revision, expenditure, activity or the project's
    total moves it on), the reader's capabilities and staff flag (the buttons), the page of expenditure
    and the language; nothing in it depends on who the reader is otherwise."""
    project = project_get_for_user(user=request.user, slug=slug, need=Capability.FINANCE)
    page = _page_number(request.GET.get("page"))
    render_body = functools.partial(_overview_body, project, request.user.is_staff, request.GET.get("page"))
    if page is None:
        body = mark_safe(render_body())  # noqa: S308 - our template's output
    else:
        reader = ".".join(sorted(project.capabilities)) + (":staff" if request.user.is_staff else "")
        body = cached_html(project_fragment_key(project, "budget", reader, page), render_body)
    return render(request, "budgets/overview.html", {"project": project, "body": body})


def _page_number(value) -> int | None:
    """The page of expenditure asked for as the fragment's key: `Paginator.get_page` shows page 1
    for anything but a whole number; None (not kept) for a number outside 1..KEPT_PAGES."""
    try:
        number = int(value) if value is not None else 1
    except (TypeError, ValueError):
        return 1
    return number if 1 <= number <= KEPT_PAGES else None


def _overview_body(project, is_staff: bool, page) -> str:
    lines, summary, by_activity = selectors.budget_overview(project=project)
    expenditures = Paginator(selectors.expenditures_for_project(project=project), EXPENDITURE_PAGE_SIZE).get_page(page)
    may_edit = Capability.EDIT in project.capabilities
    if may_edit:
        _set_urls(lines, project, edit_url="budgets:line_edit", revise_url="budgets:line_revise")
        _set_urls(expenditures, project, edit_url="budgets:expenditure_edit")
    context = {
        "project": project,
        "may_edit": may_edit,
        "is_staff": is_staff,
        "summary": summary,
        "lines": lines,
        "by_activity": by_activity,
        "expenditures": expenditures,
    }
    return render_to_string("budgets/_overview_body.html", context)


URL_PK = 987654321  # reversed once per page and replaced by each row's id: the id is the path's last number


def _set_urls(rows, project, **names) -> None:
    """Each row's address for each of `names` (attribute: URL name, taking the project's slug and the row's id)."""
    for attribute, name in names.items():
        before, _pk, after = reverse(name, args=[project.slug, URL_PK]).rpartition(str(URL_PK))
        for row in rows:
            setattr(row, attribute, f"{before}{row.pk}{after}")


@login_required
def export_csv(request, slug):
    project = project_get_for_user(user=request.user, slug=slug, need=Capability.FINANCE)
    rows = selectors.budget_export_rows(project=project)
    record(kind=AuditKind.EXPORT_DOWNLOADED, project=project, details={"export": "budget", "format": "csv"})
    return csv_response(f"{project.slug}-budget.csv", selectors.EXPORT_HEADER, rows)


def _form_page(request, project, form, heading, *, submit, extra=None):
    context = {"project": project, "form": form, "heading": heading, "submit": submit, **(extra or {})}
    return render(request, "budgets/form.html", context)


def _confirmed(request) -> list[str]:
    return request.POST.getlist(CONFIRM)


def _warnings_context(request, needed: ConfirmationNeeded) -> dict:
    return {"warnings": needed.warnings, "confirmed": _confirmed(request), "confirm_name": CONFIRM}


@login_required
def line_create(request, slug):
    project = project_get_for_user(user=request.user, slug=slug, need=Capability.EDIT)
    form = BudgetLineForm(request.POST or None, project=project)
    if request.method == "POST" and form.is_valid():
        try:
            services.budget_line_create(project=project, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The budget line was added."))
            return redirect("budgets:overview", slug=project.slug)
    return _form_page(request, project, form, _("New budget line"), submit=_("Add budget line"))


@login_required
def line_edit(request, slug, line_id):
    project = project_get_for_user(user=request.user, slug=slug, need=Capability.EDIT)
    line = _line(project, line_id)
    form = BudgetLineEditForm(request.POST or None, instance=line, project=project)
    if request.method == "POST" and form.is_valid():
        try:
            services.budget_line_update(line=line, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The budget line was saved."))
            return redirect("budgets:overview", slug=project.slug)
    note = _("To change the amount, record a revision: the original amount is kept.")
    return _form_page(request, project, form, _("Edit budget line"), submit=_("Save"), extra={"note": note})


@login_required
def line_revise(request, slug, line_id):
    project = project_get_for_user(user=request.user, slug=slug, need=Capability.EDIT)
    line = _line(project, line_id)
    form = BudgetRevisionForm(request.POST or None, project=project)
    extra = {"line": line, "revisions": line.revisions.select_related("recorded_by")}
    if request.method == "POST" and form.is_valid():
        try:
            services.budget_revision_record(
                line=line, user=request.user, confirmed=_confirmed(request), **form.cleaned_data
            )
        except ConfirmationNeeded as needed:
            extra.update(_warnings_context(request, needed))
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The revision was recorded. The original amount is kept."))
            return redirect("budgets:overview", slug=project.slug)
    return _form_page(request, project, form, _("Revise budget line"), submit=_("Record revision"), extra=extra)


@login_required
def expenditure_create(request, slug):
    project = project_get_for_user(user=request.user, slug=slug, need=Capability.EDIT)
    form = ExpenditureForm(request.POST or None, project=project)
    extra = {}
    if request.method == "POST" and form.is_valid():
        try:
            services.expenditure_create(project=project, confirmed=_confirmed(request), **form.cleaned_data)
        except ConfirmationNeeded as needed:
            extra = _warnings_context(request, needed)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The expenditure was recorded."))
            return redirect("budgets:overview", slug=project.slug)
    return _form_page(request, project, form, _("New expenditure"), submit=_("Record expenditure"), extra=extra)


@login_required
def expenditure_edit(request, slug, expenditure_id):
    project = project_get_for_user(user=request.user, slug=slug, need=Capability.EDIT)
    expenditure = _expenditure(project, expenditure_id)
    form = ExpenditureForm(request.POST or None, instance=expenditure, project=project)
    extra = {"expenditure": expenditure}
    if request.method == "POST" and form.is_valid():
        try:
            services.expenditure_update(
                project=project, expenditure=expenditure, confirmed=_confirmed(request), **form.cleaned_data
            )
        except ConfirmationNeeded as needed:
            extra.update(_warnings_context(request, needed))
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The expenditure was saved."))
            return redirect("budgets:overview", slug=project.slug)
    return _form_page(request, project, form, _("Edit expenditure"), submit=_("Save"), extra=extra)


@login_required
@require_POST
def expenditure_delete(request, slug, expenditure_id):
    project = project_get_for_user(user=request.user, slug=slug, need=Capability.EDIT)
    services.expenditure_delete(expenditure=_expenditure(project, expenditure_id))
    messages.success(request, _("The expenditure was deleted. Its record stays in the project's history."))
    return redirect("budgets:overview", slug=project.slug)


# Importing budget lines and expenditure from a spreadsheet (staff only)

LEDGER = "ledger"


def _require_staff(request) -> None:
    if not request.user.is_staff:
        raise PermissionDenied


def _ledger_import_page(request, template, **context):
    context = {
        "heading": _("Import budget lines and expenditure from a spreadsheet"),
        "intro": _(
            "Bring in existing ledgers from a CSV or XLSX file, one row per budget line or expenditure, for any "
            "number of projects. Put a new budget line on a row above the expenditure charged to it."
        ),
        "columns": importing.COLUMN_HELP,
        "upload_url": reverse("budget_imports:ledger"),
        "confirm_url": reverse("budget_imports:ledger_confirm"),
        "template_url": reverse("budget_imports:ledger_template"),
        "cancel_url": reverse("projects:list"),
        "show_kind": True,
        **context,
    }
    return render(request, template, context)


@login_required
def ledger_import(request):
    """Upload and preview: nothing is written; an importable file waits for confirmation."""
    _require_staff(request)
    form = SpreadsheetUploadForm(request.POST, request.FILES) if request.method == "POST" else SpreadsheetUploadForm()
    if form.is_bound and form.is_valid():
        preview = importing.ledger_preview(rows=form.table.rows)
        upload = keep_upload(request, kind=LEDGER, upload=form.cleaned_data["file"]) if preview.can_import else None
        return _ledger_import_page(request, "projects/import_preview.html", preview=preview, upload=upload)
    return _ledger_import_page(request, "projects/import.html", form=form)


@login_required
@require_POST
def ledger_import_confirm(request):
    """Hands the waiting file to an import job: the rows are written by a Celery task, not in this request."""
    _require_staff(request)
    upload = pending_upload(request, kind=LEDGER, token=request.POST.get("upload"))
    try:
        job = import_job_start(
            user=request.user,
            kind=importing.JOB_KIND,
            task=ledger_import_task,
            stored_name=upload.name,
            filename=upload.filename,
            page_url=lambda job: reverse("budget_imports:job", kwargs={"job_id": job.pk}),
        )
    except ImportBusy as busy:
        messages.error(request, busy_message(busy.job))
        return redirect("budget_imports:ledger")
    release_upload(request, upload)
    return redirect(job.page_url)


@login_required
def ledger_import_job(request, job_id):
    """The import's progress, then what it did (or the rows that stopped it)."""
    _require_staff(request)
    job = import_job_get(job_id=job_id, kinds=(importing.JOB_KIND,), user=request.user, managed=True)
    if (polled := import_job_poll(request, job)) is not None:
        return polled
    if job.status != job.Status.DONE:
        return _ledger_import_page(request, "projects/import_job.html", job=job, progress=import_job_progress(job))
    preview = preview_from_json(job.result["preview"])
    if not preview.imported:
        return _ledger_import_page(request, "projects/import_preview.html", preview=preview, upload=None)
    summary = _("The ledger was imported: %(summary)s") % {"summary": preview.summary()}
    return _ledger_import_page(
        request, "projects/import_job.html", job=job, summary=summary, budgets=job.result.get("projects", [])
    )


@login_required
def ledger_import_template(request):
    _require_staff(request)
    return csv_response("ledger-import-template.csv", importing.COLUMNS, [])
