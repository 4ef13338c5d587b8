"""Writes: a new document with its first file, and a new version of a document. One transaction each.

The upload is checked before anything is written (size, name, kind from the content); the project's
row is locked while its total is checked, so two uploads at once cannot both pass the project's
limit. The file is written to the storage inside the transaction and deleted again if the
transaction fails, so a refusal stores nothing.
"""

import datetime
import hashlib

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from activities.models import Activity
from budgets.models import Expenditure
from projects.models import Project

from .filetypes import Refused, check_upload
from .models import Document, DocumentVersion


def _digest(upload) -> str:
    sha = hashlib.sha256()
    for chunk in upload.chunks():
        sha.update(chunk)
    upload.seek(0)
    return sha.hexdigest()


def upload_check(*, upload) -> tuple[str, object]:
    """(clean file name, detected kind) of `upload`, or a ValidationError saying why it is refused."""
    limit = settings.DOCUMENTS_MAX_FILE_BYTES
    if upload.size > limit:
        raise Refused(
            _("The file is %(size)s; files may be at most %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
        )
    return check_upload(upload, name=upload.name, size=upload.size)


def _check_project_room(project: Project, size: int) -> None:
    """Refuses a file that would take the project's documents past DOCUMENTS_MAX_PROJECT_BYTES (row locked)."""
    Project.objects.select_for_update().filter(pk=project.pk).values("pk").get()
    used = DocumentVersion.objects.filter(document__project=project).aggregate(total=Sum("size"))["total"] or 0
    limit = settings.DOCUMENTS_MAX_PROJECT_BYTES
    if used + size > limit:
        raise Refused(
            _("The project's documents would take more than %(limit)s (%(used)s are used).")
            % {"limit": filesizeformat(limit), "used": filesizeformat(used)}
        )


def _store_version(*, stored: list, document: Document, upload, user, number: int) -> DocumentVersion:
    filename, kind = upload_check(upload=upload)
    _check_project_room(document.project, upload.size)
    version = DocumentVersion(
        document=document,
        number=number,
        filename=filename,
        content_type=kind.content_type,
        size=upload.size,
        sha256=_digest(upload),
        uploaded_by=user,
    )
    version.file.save(filename, upload, save=False)
    stored.append(version)
    version.full_clean(exclude=["file"])
    version.save()
    document.head = version
    document.save(update_fields=["head", "updated_at"])
    return version


def _stored_or_removed(function):
    """Runs `function` in a transaction; a file it stored is removed when the transaction rolls back."""

    def wrapper(**kwargs):
        stored: list[DocumentVersion] = []
        try:
            with transaction.atomic():
                result = function(stored=stored, **kwargs)
        except BaseException:
            for version in stored:
                if version.file.name:
                    version.file.storage.delete(version.file.name)
            raise
        return result

    wrapper.__name__ = function.__name__
    wrapper.__doc__ = function.__doc__
    return wrapper


@_stored_or_removed
def document_create(
    *,
    stored: list,
    project: Project,
    user,
    upload,
    title: str,
    category: str,
    languages: list[str],
    visibility: str,
    document_date: datetime.date | None = None,
    activity: Activity | None = None,
    expenditure: Expenditure | None = None,
) -> Document:
    """A new document of `project` with `upload` as its version 1."""
    upload_check(upload=upload)  # before any row is written
    document = Document(
        project=project,
        activity=activity,
        expenditure=expenditure,
        title=title,
        category=category,
        languages=",".join(languages),
        document_date=document_date,
        visibility=visibility,
        uploaded_by=user,
    )
    document.full_clean(exclude=["head"])
    document.save()
    _store_version(stored=stored, document=document, upload=upload, user=user, number=1)
    return document


@_stored_or_removed
def document_version_add(*, stored: list, document: Document, user, upload) -> DocumentVersion:
    """A new file for `document`: the next version, which becomes its head; older ones are kept."""
    Document.objects.select_for_update().filter(pk=document.pk).values("pk").get()
    last = document.versions.order_by("-number").values_list("number", flat=True).first() or 0
    return _store_version(stored=stored, document=document, upload=upload, user=user, number=last + 1)
