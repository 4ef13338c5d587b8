"""The published final editions' PDFs, as document links for the IATI activity file.

`dashboards` registers `published_final_pdf_links` as a document-link provider (dashboards/apps.py):
the dependency goes from dashboards to concepts, never back, so the links are plain dicts with
the fields of `dashboards.iati.DocumentLink`.
"""

from django.conf import settings
from django.urls import reverse

from ..models import Concept, RenderJob


def published_final_pdf_links(projects) -> dict[int, list[dict]]:
    """{project pk: [{url, title, format, language, date}]} for each published concept's final edition
    that has a PDF, in one query: one link per language it has a one-language PDF in, the source
    language's first. The URL is absolute (PORTAL_BASE_URL) and stays the same when the PDF is
    rendered again; a translation's adds `?language=`."""
    base = getattr(settings, "PORTAL_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
    jobs = (
        RenderJob.objects.filter(
            concept__project__in=[project.pk for project in projects],
            concept__status=Concept.Status.PUBLISHED,
            kind=RenderJob.Kind.PDF,
            status=RenderJob.Status.DONE,
            edition__is_final=True,
            layout=RenderJob.Layout.SINGLE,
        )
        .select_related("concept", "edition")
        .order_by("concept__project_id", "concept_id", "edition__date", "edition_id", "language")
    )
    links: dict[int, list[dict]] = {}
    seen = set()
    for job in jobs:
        if (job.edition_id, job.language) in seen:
            continue
        seen.add((job.edition_id, job.language))
        path = reverse("concepts:edition_pdf", kwargs={"concept_id": job.concept_id, "edition_id": job.edition_id})
        if job.language:
            path += f"?language={job.language}"
        links.setdefault(job.concept.project_id, []).append(
            {
                "url": base + path,
                "title": f"{job.concept.title} – {job.edition.name}",
                "format": "application/pdf",
                "language": job.language or job.concept.language,
                "date": job.edition.date,
            }
        )
    return links
