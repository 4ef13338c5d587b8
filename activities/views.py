from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.forms import apply_validation_error
from common.fragments import cached_html
from projects.access import Capability
from projects.revision import project_fragment_key
from projects.selectors import project_get_for_user

from . import selectors, services
from .forms import ActivityForm, ParticipationForm
from .ics import activities_calendar
from .timeline import render_timeline, zoom_of


def activity_list(request, slug):
    project = project_get_for_user(user=request.user, slug=slug)
    activities = selectors.activities_for_project(project=project)
    return render(request, "activities/activity_list.html", {"project": project, "activities": activities})


def timeline(request, slug):
    """The Gantt chart at the zoom the address names (`?zoom=`: fit, the default, months or
    quarters), with the list phones show instead and the table. The view decides who may open it
    on every request; the chart, the same for every such reader, is kept under the project's
    content revision, the zoom, today's date (the today line, the bars of activities under way)
    and the language."""
    project = project_get_for_user(user=request.user, slug=slug)
    zoom = zoom_of(request.GET.get("zoom"))
    today = timezone.localdate()

    def render_body():
        activities = selectors.activities_for_project(project=project)
        return render_timeline(activities, project=project, zoom=zoom, today=today)

    body = cached_html(project_fragment_key(project, "timeline", zoom, today.isoformat()), render_body)
    return render(request, "activities/timeline.html", {"project": project, "body": body})


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
