"""Renders an edition of a concept to a file, here and now (no worker, no render job)."""

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from concepts.models import Concept, Edition, RenderJob
from concepts.rendering.documents import build_document
from concepts.rendering.render import RenderTimeout, deadline, render_docx, render_pdf
from concepts.rendering.services import render_languages
from concepts.rendering.tracked import render_tracked_docx


class Command(BaseCommand):
    help = (
        'Renders an edition: render_edition <concept id> "<edition name>" --out FILE.pdf '
        '[--redline-against "<other edition>" | --redline-against-draft] [--language ru] '
        "[--layout columns|sequential]. A FILE.docx gives a Word file; with --redline-…, the changes are "
        "tracked changes in it."
    )

    def add_arguments(self, parser):
        parser.add_argument("concept_id", type=int)
        parser.add_argument("edition", help="the edition's name, e.g. “Final draft”")
        parser.add_argument("--out", required=True, type=Path, help="where to write the file (.pdf or .docx)")
        parser.add_argument("--redline-against", metavar="EDITION", help="mark the changes from/to this edition")
        parser.add_argument("--redline-against-draft", action="store_true", help="mark the changes to the draft")
        parser.add_argument("--language", help="a language the concept is kept in (default: its source language)")
        parser.add_argument(
            "--layout", choices=["single", "columns", "sequential"], default="single",
            help="both languages: source and --language in parallel columns, or one after the other",
        )  # fmt: skip
        parser.add_argument(
            "--time-limit", type=float, default=settings.RENDER_SOFT_TIME_LIMIT, help="seconds (0: no limit)"
        )

    def _edition(self, concept, name):
        edition = Edition.objects.filter(concept=concept, name=name).first()
        if edition is None:
            names = ", ".join(f"“{e.name}”" for e in concept.editions.order_by("date", "pk")) or "none"
            raise CommandError(f"Concept {concept.pk} has no edition “{name}”. Its editions: {names}.")
        return edition

    def handle(self, *args, **options):
        concept = Concept.objects.select_related("project__instrument").filter(pk=options["concept_id"]).first()
        if concept is None:
            raise CommandError(f"No concept {options['concept_id']}.")
        edition = self._edition(concept, options["edition"])
        out: Path = options["out"]
        redline = options["redline_against"] or options["redline_against_draft"]
        if out.suffix.lower() == ".docx":
            kind = RenderJob.Kind.TRACKED_DOCX if redline else RenderJob.Kind.DOCX
        else:
            kind = RenderJob.Kind.REDLINE_PDF if redline else RenderJob.Kind.PDF
        other = self._edition(concept, options["redline_against"]) if options["redline_against"] else None
        if other is not None and other.pk == edition.pk:
            raise CommandError("Compare with another edition.")
        if options["language"] and options["language"] not in concept.languages:
            raise CommandError(f"Concept {concept.pk} is kept in: {', '.join(concept.languages)}.")
        try:
            language, layout = render_languages(
                concept=concept, kind=kind, edition=edition, language=options["language"], layout=options["layout"]
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        document = build_document(
            concept=concept, kind=kind, edition=edition, other_edition=other,
            against_draft=bool(options["redline_against_draft"]) and other is None, language=language, layout=layout,
        )  # fmt: skip
        try:
            with deadline(options["time_limit"] or None):
                if kind == RenderJob.Kind.DOCX:
                    data, pages = render_docx(document), None
                elif kind == RenderJob.Kind.TRACKED_DOCX:
                    data, pages = render_tracked_docx(document), None
                else:
                    data, pages = render_pdf(document.html)
        except RenderTimeout:
            raise CommandError(f"The render took longer than {options['time_limit']:g} s.") from None
        out.write_bytes(data)
        described = f"{pages} pages, " if pages else ""
        self.stdout.write(f"Wrote {out} ({described}{len(data):,} bytes).")
