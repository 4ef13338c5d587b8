from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from activities.selectors import activities_for_project
from activities.timeline import render_timeline, zoom_of
from audit.models import Kind as AuditKind
from audit.services import record
from common.forms import apply_validation_error
from common.fragments import cached_html
from common.spreadsheets import csv_response, xlsx_response
from projects.access import Capability
from projects.revision import project_fragment_key
from projects.selectors import project_get_for_user

from . import selectors, services
from .forms import GenerateForm, IndicatorForm, PeriodForm, ResultForm, ReviewForm, TargetForm, UpdateForm
from .models import Indicator, IndicatorUpdate, Result, Target


def _framework_url(project) -> str:
    return reverse("results:framework", kwargs={"slug": project.slug})


def _periods_with_state(project, today):
    periods = list(selectors.periods_for_project(project=project))
    unreported = selectors.unreported_counts(project=project, periods=periods)
    for period in periods:
        period.state = selectors.period_state(period, today=today)
        period.unreported = unreported.get(period.pk, 0)
    return periods


def _framework_body(project, today) -> str:
    context = {
        "project": project,
        "tree": selectors.framework_for_project(project=project),
        "periods": _periods_with_state(project, today),
        "waiting": selectors.waiting_updates(project=project).count() if Capability.EDIT in project.capabilities else 0,
    }
    return render_to_string("results/_framework_body.html", context)


@login_required
def framework(request, slug):
    """The tree, the periods due and the buttons, kept under everything they show: the project's content
    revision (results, indicators, targets, periods, updates and activities all move it on), the
    reader's capabilities (the buttons, the periods due) and today's date (due or overdue); the access
    check above runs on every request."""
    project = project_get_for_user(user=request.user, slug=slug, need=Capability.READ)
    today = timezone.localdate()
    capabilities = "-".join(sorted(project.capabilities))
    key = project_fragment_key(project, "results", capabilities, today.isoformat())
    body = cached_html(key, lambda: _framework_body(project, today))
    return render(request, "results/framework.html", {"project": project, "body": body})


def _save_form(request, form, save, success: str):
    """Calls `save()` for a valid form; a refusal from the service goes to the form's fields."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        saved = save()
    except ValidationError as error:
        apply_validation_error(form, error)
        return None
    messages.success(request, success)
    return saved


@login_required
def result_create(request, slug):
    project = project_get_for_user(user=request.user, slug=slug, need=Capability.EDIT)
    form = ResultForm(
        request.POST or None,
        instance=Result(project=project),
        project=project,
        initial={"level": request.GET.get("level")},
    )

    def save():
        fields = dict(form.cleaned_data)
        activities = fields.pop("activities")
        with transaction.atomic():
            result = services.result_create(project=project, **fields)
            services.result_set_activities(result=result, activities=activities)
        return result

    if _save_form(request, form, save, _("The result was added.")):
        return redirect(_framework_url(project))
    return render(request, "results/result_form.html", {"project": project, "form": form, "result": None})


@login_required
def result_edit(request, slug, result_id):
    project = project_get_for_user(user=request.user, slug=slug, need=Capability.EDIT)
    result = selectors.result_get(project=project, result_id=result_id)
    form = ResultForm(request.POST or None, instance=result, project=project)

    def save():
        fields = {k: v for k, v in form.cleaned_data.items() if k not in ("level", "parent", "activities")}
        with transaction.atomic():
            services.result_update(result=result, **fields)
            services.result_set_activities(result=result, activities=form.cleaned_data["activities"])
        return result

    if _save_form(request, form, save, _("The result was saved.")):
        return redirect(_framework_url(project))
    return render(request, "results/result_form.html", {"project": project, "form": form, "result": result})


@login_required
def indicator_create(request, slug, result_id):
    project = project_get_for_user(user=request.user, slug=slug, need=Capability.EDIT)
    result = selectors.result_get(project=project, result_id=result_id)
    form = IndicatorForm(request.POST or None, instance=Indicator(project=project, result=result))
    indicator = _save_form(
        request,
        form,
        lambda: services.indicator_create(result=result, **form.cleaned_data),
        _("The indicator was added."),
    )
    if indicator:
        return redirect("results:indicator_edit", slug=project.slug, indicator_id=indicator.pk)
    context = {"project": project, "form": form, "result": result, "indicator": None}
    return render(request, "results/indicator_form.html", context)


@login_required
def indicator_edit(request, slug, indicator_id):
    project = project_get_for_user(user=request.user, slug=slug, need=Capability.EDIT)
    indicator = selectors.indicator_get(project=project, indicator_id=indicator_id)
    form = IndicatorForm(request.POST or None, instance=indicator)
    saved = _save_form(
        request,
        form,
        lambda: services.indicator_update(indicator=indicator, **form.cleaned_data),
        _("The indicator was saved."),
    )
    if saved:
        return redirect(_framework_url(project))
    return _indicator_page(request, project, indicator, form, _target_form(None, project, indicator))


def _indicator_page(request, project, indicator, form, target_form):
    context = {
        "project": project,
        "form": form,
        "result": indicator.result,
        "indicator": indicator,
        "target_form": target_form,
        "targets": indicator.targets.select_related("period").order_by("period__start"),
    }
    return render(request, "results/indicator_form.html", context)


def _target_form(data, project, indicator):
    return TargetForm(data, instance=Target(project=project, indicator=indicator), project=project)


@login_required
@require_POST
def target_set(request, slug, indicator_id):
    project = project_get_for_user(user=request.user, slug=slug, need=Capability.EDIT)
    indicator = selectors.indicator_get(project=project, indicator_id=indicator_id)
    target_form = _target_form(request.POST, project, indicator)
    if _save_form(
        request,
        target_form,
        lambda: services.target_set(indicator=indicator, **target_form.cleaned_data) or True,
        _("The target was saved."),
    ):
        return redirect("results:indicator_edit", slug=project.slug, indicator_id=indicator.pk)
    return _indicator_page(request, project, indicator, IndicatorForm(instance=indicator), target_form)


@login_required
def periods(request, slug):
    need = Capability.EDIT if request.method == "POST" else Capability.READ
    project = project_get_for_user(user=request.user, slug=slug, need=need)
    generating = request.method == "POST" and "frequency" in request.POST
    period_form = PeriodForm(None if generating else request.POST or None)
    generate_form = GenerateForm(request.POST if generating else None)
    if generating:
        done = _save_form(
            request,
            generate_form,
            lambda: services.periods_generate(project=project, **generate_form.cleaned_data),
            _("The reporting periods were created."),
        )
    else:
        done = _save_form(
            request,
            period_form,
            lambda: services.period_create(project=project, **period_form.cleaned_data),
            _("The reporting period was added."),
        )
    if done:
        return redirect("results:periods", slug=project.slug)
    context = {
        "project": project,
        "periods": _periods_with_state(project, timezone.localdate()),
        "period_form": period_form,
        "generate_form": generate_form,
    }
    return render(request, "results/periods.html", context)


def _update_forms(request, period, rows):
    data = request.POST if request.method == "POST" else None
    return [
        (
            row,
            UpdateForm(
                data,
                instance=row.editable
                or IndicatorUpdate(project=period.project, indicator=row.indicator, period=period),
                indicator=row.indicator,
                prefix=f"i{row.indicator.pk}",
                report_computed=not row.is_reported,
                initial=_computed_initial(row),
            ),
        )
        for row in rows
    ]


def _computed_initial(row) -> dict:
    if row.computed is None:
        return {}
    return {"value": row.computed.value, **row.computed.parts}


@login_required
def period_report(request, slug, period_id):
    need = Capability.REPORT if request.method == "POST" else Capability.READ
    project = project_get_for_user(user=request.user, slug=slug, need=need)
    period = selectors.period_get(project=project, period_id=period_id)
    rows = selectors.period_rows(project=project, period=period)
    forms = _update_forms(request, period, rows) if Capability.REPORT in project.capabilities else []
    if request.method == "POST" and _save_updates(request, period, forms):
        return redirect("results:period", slug=project.slug, period_id=period.pk)
    context = {
        "project": project,
        "period": period,
        "state": selectors.period_state(period, today=timezone.localdate()),
        "rows": rows,
        "forms": forms,
        "due_rows": [row for row in rows if not row.is_reported],
    }
    return render(request, "results/period_report.html", context)


def _save_updates(request, period, forms) -> bool:
    """Saves every filled-in row in one transaction; any refused row keeps them all unsaved."""
    if not all(form.is_valid() for _row, form in forms):
        messages.error(request, _("Nothing was saved: correct the values marked below."))
        return False
    submit = "submit" in request.POST
    filled = [(row, form) for row, form in forms if not form.is_empty]
    if not filled:
        messages.info(request, _("Nothing was entered."))
        return False
    try:
        with transaction.atomic():
            for row, form in filled:
                _save_row(request, period, row, form, submit)
    except _RowRefused:
        messages.error(request, _("Nothing was saved: correct the values marked below."))
        return False
    if submit:
        text = ngettext(
            "%(count)d update was submitted for approval.",
            "%(count)d updates were submitted for approval.",
            len(filled),
        )
    else:
        text = ngettext(
            "%(count)d update was saved as a draft.", "%(count)d updates were saved as drafts.", len(filled)
        )
    messages.success(request, text % {"count": len(filled)})
    return True


class _RowRefused(Exception):
    pass


def _save_row(request, period, row, form, submit):
    try:
        services.update_save(
            indicator=row.indicator,
            period=period,
            user=request.user,
            update=row.editable,
            submit=submit,
            **form.update_fields(),
        )
    except ValidationError as error:
        apply_validation_error(form, error)
        raise _RowRefused from error


@login_required
def approvals(request, slug):
    project = project_get_for_user(user=request.user, slug=slug, need=Capability.EDIT)
    context = {"project": project, "updates": selectors.waiting_updates(project=project), "form": ReviewForm()}
    return render(request, "results/approvals.html", context)


@login_required
@require_POST
def review(request, slug, update_id):
    project = project_get_for_user(user=request.user, slug=slug, need=Capability.EDIT)
    update = selectors.update_get(project=project, update_id=update_id)
    action = request.POST.get("action")
    if action not in ("approve", "return"):
        raise BadRequest("Approve or return.")  # not one of the page's two buttons: nothing is changed
    form = ReviewForm(request.POST)
    form.is_valid()
    try:
        if action == "approve":
            services.update_approve(update=update, user=request.user)
            messages.success(request, _("“%(indicator)s” was approved.") % {"indicator": update.indicator})
        else:
            services.update_return(update=update, user=request.user, comment=form.cleaned_data.get("comment", ""))
            messages.success(request, _("“%(indicator)s” was returned.") % {"indicator": update.indicator})
    except ValidationError as error:
        waiting = list(selectors.waiting_updates(project=project))
        if update.pk not in {row.pk for row in waiting}:  # reviewed meanwhile: no form left to keep words in
            for message in error.messages:
                messages.error(request, message)
            return redirect("results:approvals", slug=project.slug)
        # The page again, with the reviewer's words kept in the form they typed them in.
        context = {
            "project": project,
            "updates": waiting,
            "form": ReviewForm(),
            "refused": {"update_id": update.pk, "comment": request.POST.get("comment", ""), "errors": error.messages},
        }
        return render(request, "results/approvals.html", context, status=400)
    return redirect("results:approvals", slug=project.slug)


def export_header() -> list[str]:
    return [
        _("Level"),
        _("Result"),
        _("Indicator"),
        _("Code"),
        _("Unit"),
        _("IATI measure"),
        _("Higher is better"),
        _("Baseline value"),
        _("Baseline year"),
        _("Means of verification"),
        _("Period start"),
        _("Period end"),
        _("Target"),
        _("Target: women"),
        _("Target: men"),
        _("Target: other or unknown"),
        _("Actual (approved)"),
        _("Actual: women"),
        _("Actual: men"),
        _("Actual: other or unknown"),
    ]


@login_required
def export(request, slug, fmt):
    """The framework with targets and approved actuals, as CSV or XLSX; 404 for other formats."""
    project = project_get_for_user(user=request.user, slug=slug, need=Capability.READ)
    if fmt not in ("csv", "xlsx"):
        raise Http404("No such format.")
    if not project.is_published:
        record(kind=AuditKind.EXPORT_DOWNLOADED, project=project, details={"export": "results", "format": fmt})
    rows = selectors.export_rows(project=project)
    filename = f"{project.slug}-results.{fmt}"
    if fmt == "csv":
        return csv_response(filename, export_header(), rows)
    return xlsx_response(filename, _("Results"), export_header(), rows)


@login_required
def result_timeline(request, slug, result_id):
    """The activities timeline, narrowed to the activities that contribute to one result."""
    project = project_get_for_user(user=request.user, slug=slug, need=Capability.READ)
    result = selectors.result_get(project=project, result_id=result_id)
    activities = activities_for_project(project=project).filter(results=result)
    context = {
        "project": project,
        "body": render_timeline(activities, project=project, zoom=zoom_of(request.GET.get("zoom"))),
        "filtered_by": result.localized("title"),
    }
    return render(request, "activities/timeline.html", context)
