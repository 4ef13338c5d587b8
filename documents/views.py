from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from activities.selectors import activity_get
from audit.models import Kind as AuditKind
from audit.services import record
from common.forms import apply_validation_error
from projects.access import Capability
from projects.selectors import project_get_for_user

from . import selectors, services
from .downloads import attachment_response
from .filters import DocumentFilter
from .forms import DocumentForm, VersionForm
from .uploads import declared_too_large, limit_uploads


def _listing(request, project, activity=None):
    documents = selectors.documents_for_project(project=project, activity=activity)
    filtered = DocumentFilter(request.GET or None, queryset=documents)
    # A filter that cannot be read (an unknown category, a wrong date) shows nothing rather than everything.
    shown = filtered.qs if not filtered.is_bound or filtered.is_valid() else documents.none()
    context = {"project": project, "activity": activity, "documents": shown, "filter": filtered}
    return render(request, "documents/document_list.html", context)


@require_safe
def document_list(request, slug):
    project = project_get_for_user(user=request.user, slug=slug)
    return _listing(request, project)


@require_safe
def activity_documents(request, slug, activity_id):
    project = project_get_for_user(user=request.user, slug=slug)
    return _listing(request, project, activity_get(project=project, activity_id=activity_id))


def _too_large(request, project, template, context):
    message = _("The file is larger than the portal accepts. Nothing was saved.")
    messages.error(request, message)
    return render(request, template, {"project": project, **context}, status=413)


@csrf_protect
def _upload(request, project, limiter):
    form = DocumentForm(request.POST or None, request.FILES or None, project=project, initial=_initial(request))
    if limiter is not None and limiter.exceeded:
        return _too_large(request, project, "documents/document_form.html", {"form": DocumentForm(project=project)})
    if request.method == "POST" and form.is_valid():
        try:
            document = services.document_create(project=project, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            _refused(form, error)
        else:
            messages.success(request, _("The document was uploaded."))
            return redirect(document)
    return render(request, "documents/document_form.html", {"project": project, "form": form})


def _initial(request) -> dict:
    activity = request.GET.get("activity", "")
    return {"activity": activity} if activity.isdigit() else {}


def _refused(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        apply_validation_error(form, error)
    else:  # the file itself was refused
        form.add_error("upload", error)


@csrf_exempt  # checked by _upload, after the size limit is in place (it must be set before the body is read)
@login_required
@require_http_methods(["GET", "POST"])
def document_upload(request, slug):
    project = project_get_for_user(user=request.user, slug=slug, need=Capability.UPLOAD)
    limiter = None
    if request.method == "POST":
        if declared_too_large(request):
            return _too_large(request, project, "documents/document_form.html", {"form": DocumentForm(project=project)})
        limiter = limit_uploads(request)
    return _upload(request, project, limiter)


@require_safe
def document_detail(request, slug, document_id):
    project = project_get_for_user(user=request.user, slug=slug)
    document = selectors.document_get(project=project, document_id=document_id)
    form = VersionForm() if Capability.UPLOAD in project.capabilities else None
    return render(request, "documents/document_detail.html", _detail_context(project, document, form))


def _detail_context(project, document, form) -> dict:
    return {
        "project": project,
        "document": document,
        "versions": selectors.versions_of(document=document),
        "form": form,
    }


@csrf_protect
def _new_version(request, project, document, limiter):
    if limiter.exceeded:
        return _too_large(
            request, project, "documents/document_detail.html", _detail_context(project, document, VersionForm())
        )  # noqa: E501
    form = VersionForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            version = services.document_version_add(
                document=document, user=request.user, upload=form.cleaned_data["upload"]
            )
        except ValidationError as error:
            _refused(form, error)
        else:
            messages.success(request, _("Version %(number)s was uploaded.") % {"number": version.number})
            return redirect(document)
    return render(request, "documents/document_detail.html", _detail_context(project, document, form))


@csrf_exempt  # checked by _new_version, after the size limit is in place
@login_required
@require_POST
def version_upload(request, slug, document_id):
    project = project_get_for_user(user=request.user, slug=slug, need=Capability.UPLOAD)
    document = selectors.document_get(project=project, document_id=document_id)
    if declared_too_large(request):
        return _too_large(
            request, project, "documents/document_detail.html", _detail_context(project, document, VersionForm())
        )  # noqa: E501
    return _new_version(request, project, document, limit_uploads(request))


@require_safe
def document_download(request, slug, document_id, number=None):
    """The newest file of a document, or version `number`; access decided again on every request."""
    project = project_get_for_user(user=request.user, slug=slug)
    document = selectors.document_get(project=project, document_id=document_id)
    version = document.head if number is None else selectors.version_get(document=document, number=number)
    if version is None:
        return redirect(document)
    public = document.is_public
    response = attachment_response(request, version, public=public)
    if not public and response.status_code in (200, 206):
        details = {"document": document.pk, "version": version.number}
        record(kind=AuditKind.FILE_DOWNLOADED, target=document, project=project, details=details)
    return response
