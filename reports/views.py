from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from common.forms import apply_validation_error
from common.languages import russian_is_active
from concepts.editing import editor_labels
from projects.access import Capability
from projects.selectors import project_get_for_user

from . import selectors, services
from .assembly import assemble, present
from .forms import NarrativeForm, ReportForm, ReviewForm, ScheduleForm
from .models import Report
from .render_views import files_context

LANGUAGE_NAMES = dict(services.LANGUAGES)


def _report(request, slug, report_id, need: Capability = Capability.READ_REPORTS) -> Report:
    """The report as the user may read it (404 otherwise); 403 if they may read it but not `need`."""
    project = project_get_for_user(user=request.user, slug=slug, need=Capability.READ_REPORTS)
    report = selectors.report_get(project=project, report_id=report_id)
    if need not in project.capabilities:
        raise PermissionDenied
    return report


def _mark_due(reports, today):
    for report in reports:
        report.is_overdue = report.is_editable and report.due_date < today
    return reports


@login_required
def report_list(request, slug):
    project = project_get_for_user(user=request.user, slug=slug, need=Capability.READ_REPORTS)
    reports = _mark_due(list(selectors.reports_for_project(project=project)), timezone.localdate())
    context = {"project": project, "reports": reports}
    if Capability.EDIT in project.capabilities:
        context["schedule_form"] = ScheduleForm(instance=selectors.schedule_for_project(project=project))
    return render(request, "reports/report_list.html", context)


@login_required
@require_POST
def schedule(request, slug):
    project = project_get_for_user(user=request.user, slug=slug, need=Capability.EDIT)
    form = ScheduleForm(request.POST, instance=selectors.schedule_for_project(project=project))
    if form.is_valid():
        try:
            added = services.schedule_save(project=project, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request,
                ngettext(
                    "Schedule saved; %(count)s report added.", "Schedule saved; %(count)s reports added.", len(added)
                )
                % {"count": len(added)},
            )
            return redirect("reports:list", slug=project.slug)
    reports = _mark_due(list(selectors.reports_for_project(project=project)), timezone.localdate())
    return render(request, "reports/report_list.html", {"project": project, "reports": reports, "schedule_form": form})


@login_required
def report_create(request, slug):
    project = project_get_for_user(user=request.user, slug=slug, need=Capability.EDIT)
    form = ReportForm(request.POST or None, instance=Report(project=project, kind=Report.Kind.CUSTOM), project=project)
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        responsible = fields.pop("responsible")
        try:
            report = services.report_create(project=project, kind=Report.Kind.CUSTOM, responsible=responsible, **fields)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Report added."))
            return redirect(report)
    return render(request, "reports/report_form.html", {"project": project, "form": form, "report": None})


@login_required
def report_edit(request, slug, report_id):
    report = _report(request, slug, report_id, Capability.EDIT)
    form = ReportForm(request.POST or None, instance=report, project=report.project)
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        responsible = fields.pop("responsible")
        try:
            services.report_update(report=report, responsible=responsible, **fields)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Report saved."))
            return redirect(report)
    return render(request, "reports/report_form.html", {"project": report.project, "form": form, "report": report})


def _localize(rows, name):
    russian = russian_is_active()
    for row in rows:
        row[f"{name}_shown"] = (russian and row.get(f"{name}_ru")) or row[name]
    return rows


@login_required
def report_detail(request, slug, report_id):
    report = _report(request, slug, report_id)
    project, granted = report.project, report.project.capabilities
    figures = present(report.snapshot if report.is_frozen else assemble(report=report), granted=granted)
    _localize(figures["activities"], "title")
    _localize(figures["results"], "indicator")
    _localize(figures["recommendations"]["items"], "source")
    if figures["budget"]:
        _localize(figures["budget"]["activities"], "title")
    narratives = selectors.narratives_of(report=report)
    history = selectors.narrative_history(report=report)
    context = {
        "project": project,
        "report": report,
        "figures": figures,
        "narratives": [
            (code, name, narratives.get(code), history.get(code, [])) for code, name in LANGUAGE_NAMES.items()
        ],
        "may_write": report.is_editable and Capability.REPORT in granted,
        "may_submit": report.is_editable and services.may_submit(report=report, user=request.user, granted=granted),
        "may_review": report.state == Report.State.SUBMITTED and Capability.EDIT in granted,
        "review_form": ReviewForm(),
        "responsible": list(report.responsible.all()),
        "is_overdue": report.is_editable and report.due_date < timezone.localdate(),
        **files_context(report),  # its PDF and Word files (reports.render_views)
    }
    return render(request, "reports/report_detail.html", context)


@login_required
def narrative_edit(request, slug, report_id, language):
    report = _report(request, slug, report_id, Capability.REPORT)
    if language not in LANGUAGE_NAMES:
        raise Http404("Reports are written in English or Russian.")
    if not report.is_editable:
        messages.error(request, _("This report is submitted: its narrative can change only after it is returned."))
        return redirect(report)
    head = services.narrative_head(report=report, language=language)
    form = NarrativeForm(
        request.POST or None, initial={"base_number": head.number if head else 0, "body": head.body if head else ""}
    )
    newer = None
    if request.method == "POST" and form.is_valid():
        try:
            version = services.narrative_save(report=report, language=language, user=request.user, **form.cleaned_data)
        except services.StaleNarrative as stale:
            # The typed text stays in the form; the next save is based on the newer version, which is shown.
            newer = stale.head
            data = request.POST.copy()
            data["base_number"] = str(newer.number)
            form = NarrativeForm(data)
            form.is_valid()
            form.add_error(None, stale.messages[0])
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Saved as version %(number)s.") % {"number": version.number})
            return redirect(report)
    context = {
        "project": report.project,
        "report": report,
        "language": language,
        "language_name": LANGUAGE_NAMES[language],
        "head": head,
        "newer": newer,
        "form": form,
        "editor_labels": editor_labels(),
    }
    return render(request, "reports/narrative_edit.html", context)


@login_required
@require_POST
def report_submit(request, slug, report_id):
    report = _report(request, slug, report_id, Capability.REPORT)
    if not services.may_submit(report=report, user=request.user, granted=report.project.capabilities):
        raise PermissionDenied
    try:
        services.report_submit(report=report, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Report submitted. Its figures and narrative are frozen until it is reviewed."))
    return redirect(report)


@login_required
@require_POST
def report_review(request, slug, report_id):
    report = _report(request, slug, report_id, Capability.EDIT)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose whether to approve or return the report."))
        return redirect(report)
    try:
        if form.cleaned_data["action"] == "approve":
            services.report_approve(report=report, user=request.user)
            messages.success(request, _("Report approved."))
        else:
            services.report_return(report=report, user=request.user, comment=form.cleaned_data["comment"])
            messages.success(request, _("Report returned with your comments."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(report)
