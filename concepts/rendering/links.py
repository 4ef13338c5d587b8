"""The published final editions, as document links for the IATI activity file.

`dashboards` registers `published_final_edition_links` as a document-link provider
(dashboards/apps.py): the dependency goes from dashboards to concepts, never back, so the links
are plain dicts with the fields of `dashboards.iati.DocumentLink`.
"""

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse

from ..models import Concept, EditionEntry, RenderJob


def _finished_pdf_in_entry_language():
    """A finished one-language PDF of the entry's edition in the entry's language (a job for the
    source language stores it as "")."""
    return (
        RenderJob.objects.filter(
            edition=OuterRef("edition_id"),
            kind=RenderJob.Kind.PDF,
            status=RenderJob.Status.DONE,
            layout=RenderJob.Layout.SINGLE,
        )
        .exclude(file="")
        .filter(Q(language=OuterRef("language")) | Q(language="", concept__language=OuterRef("language")))
    )


def published_final_edition_links(projects) -> dict[int, list[dict]]:
    """{project pk: [{url, title, format, language, date}]}, in one query: for each published concept's
    final edition, one link per language the edition was frozen in (the source language's first).

    A language with a rendered PDF links the PDF's stable address (it stays the same when the PDF is
    rendered again); one without links the edition's page in that language, which is public and
    always there, so every published language is in the file, and no link leads nowhere. A
    translation's address adds `?language=`. URLs are absolute (PORTAL_BASE_URL).
    """
    base = settings.PORTAL_BASE_URL.rstrip("/")
    entries = (
        EditionEntry.objects.filter(
            edition__concept__project__in=[project.pk for project in projects],
            edition__concept__status=Concept.Status.PUBLISHED,
            edition__is_final=True,
        )
        .values(
            "edition_id",
            "language",
            "edition__name",
            "edition__date",
            "edition__concept_id",
            "edition__concept__title",
            "edition__concept__language",
            "edition__concept__project_id",
        )
        .distinct()
        .annotate(has_pdf=Exists(_finished_pdf_in_entry_language()))
        .order_by()
    )
    links: dict[int, list[dict]] = {}
    for entry in sorted(entries, key=_source_language_first):
        links.setdefault(entry["edition__concept__project_id"], []).append(_link(entry, base))
    return links


def _source_language_first(entry: dict) -> tuple:
    return (
        entry["edition__concept__project_id"],
        entry["edition__concept_id"],
        entry["edition__date"],
        entry["edition_id"],
        entry["language"] != entry["edition__concept__language"],
        entry["language"],
    )


def _link(entry: dict, base: str) -> dict:
    ids = {"concept_id": entry["edition__concept_id"], "edition_id": entry["edition_id"]}
    path = reverse("concepts:edition_pdf" if entry["has_pdf"] else "concepts:edition", kwargs=ids)
    if entry["language"] != entry["edition__concept__language"]:
        path += f"?language={entry['language']}"
    return {
        "url": base + path,
        "title": f"{entry['edition__concept__title']} – {entry['edition__name']}",
        "format": "application/pdf" if entry["has_pdf"] else "text/html",
        "language": entry["language"],
        "date": entry["edition__date"],
    }
