from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from common.forms import apply_validation_error
from projects.access import Capability
from projects.selectors import project_get_for_user

from . import selectors, services
from .forms import ActivityForm, ParticipationForm
from .ics import activities_calendar
from .timeline import DEFAULT_ZOOM, ZOOMS, build_timeline

ZOOM_LABELS = {
    "fit": gettext_lazy("Whole project"),
    "months": gettext_lazy("Months"),
    "quarters": gettext_lazy("Quarters"),
}


def activity_list(request, slug):
    project = project_get_for_user(user=request.user, slug=slug)
    activities = selectors.activities_for_project(project=project)
    return render(request, "activities/activity_list.html", {"project": project, "activities": activities})


def timeline(request, slug):
    """The Gantt chart at the zoom the address names (`?zoom=`: fit, the default, months or
    quarters), with the list phones show instead and the table."""
    project = project_get_for_user(user=request.user, slug=slug)
    activities = list(selectors.activities_for_project(project=project))
    zoom = request.GET.get("zoom", DEFAULT_ZOOM)
    context = {
        "project": project,
        "activities": activities,
        "in_date_order": sorted(activities, key=lambda activity: (activity.planned_start, activity.planned_end)),
        "timeline": build_timeline(activities, project=project, zoom=zoom),
        "zooms": [(name, ZOOM_LABELS[name]) for name in ZOOMS],
    }
    return render(request, "activities/timeline.html", context)


def calendar_feed(request, slug):
    project = project_get_for_user(user=request.user, slug=slug)
    activities = selectors.activities_for_project(project=project)
    body = activities_calendar(project, activities, url_for=lambda a: request.build_absolute_uri(a.get_absolute_url()))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{project.slug}-activities.ics"'
    return response


def activity_detail(request, slug, activity_id):
    project = project_get_for_user(user=request.user, slug=slug)
    activity = selectors.activity_get(project=project, activity_id=activity_id)
    form = ParticipationForm()
    context = {
        "project": project,
        "activity": activity,
        "participations": selectors.participations_for_activity(activity=activity),
        "totals": selectors.participation_totals(activity=activity),
        "form": form,
    }
    return render(request, "activities/activity_detail.html", context)


def _warn_if_outside_project(request, activity):
    if activity.dates_outside_project():
        messages.warning(request, _("Some dates of this activity fall outside the project's time frame. Check them."))


@login_required
def activity_create(request, slug):
    project = project_get_for_user(user=request.user, slug=slug, need=Capability.EDIT)
    form = ActivityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            activity = services.activity_create(project=project, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The activity was added."))
            _warn_if_outside_project(request, activity)
            return redirect(activity)
    return render(request, "activities/activity_form.html", {"project": project, "form": form, "activity": None})


@login_required
def activity_edit(request, slug, activity_id):
    project = project_get_for_user(user=request.user, slug=slug, need=Capability.EDIT)
    activity = selectors.activity_get(project=project, activity_id=activity_id)
    form = ActivityForm(request.POST or None, instance=activity)
    if request.method == "POST" and form.is_valid():
        try:
            activity = services.activity_update(activity=activity, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The activity was saved."))
            _warn_if_outside_project(request, activity)
            return redirect(activity)
    return render(request, "activities/activity_form.html", {"project": project, "form": form, "activity": activity})


@login_required
@require_POST
def activity_cancel(request, slug, activity_id):
    project = project_get_for_user(user=request.user, slug=slug, need=Capability.EDIT)
    activity = services.activity_cancel(activity=selectors.activity_get(project=project, activity_id=activity_id))
    messages.success(request, _("The activity was marked as cancelled."))
    return redirect(activity)


@login_required
@require_POST
def activity_move(request, slug, activity_id):
    project = project_get_for_user(user=request.user, slug=slug, need=Capability.EDIT)
    activity = selectors.activity_get(project=project, activity_id=activity_id)
    try:
        services.activity_move(activity=activity, direction=request.POST.get("direction", ""))
    except ValidationError:
        messages.error(request, _("Choose whether to move the activity up or down."))
    return redirect(f"{project.get_absolute_url()}activities/#activity-{activity.pk}")


@login_required
@require_POST
def participation_add(request, slug, activity_id):
    project = project_get_for_user(user=request.user, slug=slug, need=Capability.EDIT)
    activity = selectors.activity_get(project=project, activity_id=activity_id)
    form = ParticipationForm(request.POST)
    if form.is_valid():
        try:
            services.participation_add(activity=activity, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The participation was recorded."))
            return redirect(activity)
    context = {
        "project": project,
        "activity": activity,
        "participations": selectors.participations_for_activity(activity=activity),
        "totals": selectors.participation_totals(activity=activity),
        "form": form,
    }
    return render(request, "activities/activity_detail.html", context, status=200)


@login_required
@require_POST
def participation_remove(request, slug, activity_id, participation_id):
    project = project_get_for_user(user=request.user, slug=slug, need=Capability.EDIT)
    activity = selectors.activity_get(project=project, activity_id=activity_id)
    services.participation_remove(participation=get_object_or_404(activity.participations, pk=participation_id))
    messages.success(request, _("The participation was removed."))
    return redirect(activity)
