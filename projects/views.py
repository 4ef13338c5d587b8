from django.shortcuts import render

from . import selectors
from .models import partner_statement


def project_list(request):
    projects = selectors.project_list_for_user(user=request.user)
    return render(request, "projects/project_list.html", {"projects": projects})


def project_detail(request, slug):
    project = selectors.project_get_for_user(user=request.user, slug=slug)
    context = {"project": project, "partner_statement": partner_statement(project)}
    return render(request, "projects/project_detail.html", context)
