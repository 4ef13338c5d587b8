"""Reads: every list and getter filters by what the reader may open on the project (`project.capabilities`)."""

from django.db.models import QuerySet
from django.http import Http404

from activities.models import Activity
from projects.models import Project

from .models import Document, DocumentVersion


def documents_for_project(*, project: Project, activity: Activity | None = None) -> QuerySet[Document]:
    """The documents of `project` (already access-checked) its reader may open, newest first."""
    documents = Document.objects.filter(project=project).readable_with(project.capabilities)
    if activity is not None:
        documents = documents.filter(activity=activity)
    return documents.select_related("head", "activity", "uploaded_by").order_by("-document_date", "-pk")


def public_documents(*, project: Project) -> QuerySet[Document]:
    """The public documents of a published project (none for an unpublished one): for its page."""
    return (
        Document.objects.public()
        .filter(project=project)
        .select_related("head", "project")
        .order_by("-document_date", "-pk")
    )


def document_get(*, project: Project, document_id: int) -> Document:
    """A document of `project` its reader may open, or 404: other projects' ids do not resolve."""
    document = (
        documents_for_project(project=project)
        .select_related("expenditure", "head__uploaded_by")
        .filter(pk=document_id)
        .first()
    )
    if document is None:
        raise Http404("No such document.")
    document.project = project  # keeps the caller's access annotations
    return document


def versions_of(*, document: Document) -> QuerySet[DocumentVersion]:
    return document.versions.select_related("uploaded_by").order_by("-number")


def version_get(*, document: Document, number: int) -> DocumentVersion:
    version = document.versions.filter(number=number).first()
    if version is None:
        raise Http404("No such version.")
    version.document = document
    return version
