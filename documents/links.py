"""The public documents of published projects, as document links for the IATI activity file.

`dashboards` registers `public_document_links` as a document-link provider (dashboards/apps.py):
the dependency goes from dashboards to documents, never back, so the links are plain dicts with
the fields of `dashboards.iati.DocumentLink`. URLs are absolute (PORTAL_BASE_URL) and lead to the
access-checked download, which serves a public document to anyone.
"""

from collections import defaultdict

from django.conf import settings
from django.urls import reverse

from .models import Document


def public_document_links(projects) -> dict[int, list[dict]]:
    """{project pk: [{url, title, category, format, languages, date}]}, in one query."""
    base = settings.PORTAL_BASE_URL.rstrip("/")
    slugs = {project.pk: project.slug for project in projects}
    documents = (
        Document.objects.public()
        .filter(project__in=list(slugs), head__isnull=False)
        .values("pk", "project_id", "title", "category", "languages", "document_date", "head__content_type")
        .order_by("project_id", "-document_date", "pk")
    )
    found: dict[int, list[dict]] = defaultdict(list)
    for document in documents:
        path = reverse("documents:download", args=[slugs[document["project_id"]], document["pk"]])
        found[document["project_id"]].append(
            {
                "url": f"{base}{path}",
                "title": document["title"],
                "category": document["category"],
                # IATI's FileFormat codelist names media types without parameters (no "; charset=").
                "format": document["head__content_type"].split(";", 1)[0].strip(),
                "languages": tuple(code for code in document["languages"].split(",") if code),
                "date": document["document_date"],
            }
        )
    return found
