"""Documents for tests: through the upload service (checks and all), or rows over one shared small file."""

import datetime

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from documents import services
from documents.models import Category, Document, DocumentVersion, Visibility

PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def pdf_upload(name: str = "agenda.pdf", content: bytes = PDF_BYTES) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def upload_document(project, user, *, visibility=Visibility.TEAM, upload=None, **fields) -> Document:
    values = {
        "title": "Mission agenda",
        "category": Category.OBJECTIVES,
        "languages": ["en"],
        "document_date": datetime.date(2019, 4, 2),
        **fields,
    }
    return services.document_create(
        project=project, user=user, upload=upload or pdf_upload(), visibility=visibility, **values
    )


def stored_document(project, *, visibility, title: str = "A document", activity=None) -> Document:
    """A document row over one shared stored PDF (written once under the current MEDIA_ROOT)."""
    name = "documents/access-matrix/document.pdf"
    if not default_storage.exists(name):
        name = default_storage.save(name, ContentFile(PDF_BYTES))
    document = Document.objects.create(
        project=project,
        title=title,
        category=Category.OBJECTIVES,
        languages="en",
        visibility=visibility,
        activity=activity,
        document_date=datetime.date(2019, 4, 2),
    )
    document.head = DocumentVersion.objects.create(
        document=document,
        number=1,
        file=name,
        filename="document.pdf",
        content_type="application/pdf",
        size=len(PDF_BYTES),
        sha256="0" * 64,
    )
    document.save(update_fields=["head"])
    return document
