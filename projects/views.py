from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.forms import apply_validation_error
from common.history import project_history

from . import selectors, services
from .access import Capability
from .forms import MemberForm, MembershipRoleForm, PartnerForm, ProjectFilterForm, ProjectForm
from .models import Role, partner_statement


def project_list(request):
    filter_form = ProjectFilterForm(request.GET or None)
    filters = filter_form.valid_filters() if request.GET else {}
    projects = selectors.project_list_for_user(user=request.user, filters=filters)
    page = Paginator(projects, 25).get_page(request.GET.get("page"))
    context = {"page": page, "projects": page.object_list, "filter_form": filter_form, "filters": filters}
    return render(request, "projects/project_list.html", context)


def project_detail(request, slug):
    project = selectors.project_get_for_user(user=request.user, slug=slug)
    context = {"project": project, "partner_statement": partner_statement(project)}
    return render(request, "projects/project_detail.html", context)


@login_required
def project_create(request):
    if not request.user.is_staff:
        raise PermissionDenied
    form = ProjectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            project = services.project_create(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The project was created. Add its partners and budget next."))
            return redirect(project)
    return render(request, "projects/project_form.html", {"form": form, "project": None})


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
