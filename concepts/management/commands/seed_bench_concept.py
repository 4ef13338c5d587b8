"""Bench data for `make bench`: a concept of 50 sections, one with 500 versions, and one whose
last two versions are about 195 KB each and differ in 5% of their words. Prints the ids as JSON."""

import json
import random

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from concepts import revision
from concepts.models import Comment, Concept, Section, SectionVersion
from projects.models import Project

TITLE = "Bench concept"
LANGUAGE = "en"  # the source language: every version below is in it
WORDS = [
    "migration",
    "policy",
    "labour",
    "mobility",
    "asylum",
    "protection",
    "integration",
    "return",
    "readmission",
    "border",
    "management",
    "diaspora",
    "remittances",
    "development",
    "statistics",
    "cooperation",
    "partnership",
    "capacity",
    "authorities",
    "national",
    "strategy",
    "action",
    "plan",
    "monitoring",
    "evaluation",
    "legal",
    "framework",
    "residence",
    "permit",
    "employment",
    "skills",
]


def _text(rng: random.Random, words: int) -> list[str]:
    return [rng.choice(WORDS) for _ in range(words)]


def _paragraphs(words: list[str]) -> str:
    return "\n\n".join(" ".join(words[i : i + 80]).capitalize() + "." for i in range(0, len(words), 80))


class Command(BaseCommand):
    help = "Creates (once) the concept that `make bench` measures, and prints its ids as JSON."

    def add_arguments(self, parser):
        parser.add_argument("--project", default="concept-national-migration-policy-belarus")

    @transaction.atomic
    def handle(self, *args, **options):
        project = Project.objects.filter(slug=options["project"]).first()
        if project is None:
            raise CommandError("Run seed_demo first: the bench concept belongs to the seed project.")
        concept = Concept.objects.filter(project=project, title=TITLE).first() or self._create(project)
        sections = list(concept.sections.order_by("position"))
        self.stdout.write(json.dumps({
            "concept": concept.pk, "history_section": sections[0].pk, "big_section": sections[1].pk,
            "big_from": 1, "big_to": 2,
        }))  # fmt: skip

    def _create(self, project):
        rng = random.Random(7)
        author = get_user_model().objects.get(username="counterpart")
        concept = Concept.objects.create(
            project=project, title=TITLE, language=LANGUAGE, status=Concept.Status.DRAFTING
        )
        sections = [Section(concept=concept, position=n) for n in range(1, 51)]
        Section.objects.bulk_create(sections)

        def version(section, number, title, body):
            return SectionVersion(section=section, language=LANGUAGE, number=number, title=title, body=body,
                                  author=author)  # fmt: skip

        # The history page: 500 versions.
        versions = [version(sections[0], n, "Section with a long history", _paragraphs(_text(rng, 150)))
                    for n in range(1, 501)]  # fmt: skip
        big = _text(rng, 27_000)  # about 195 KB
        edited = [rng.choice(WORDS) if rng.random() < 0.05 else word for word in big]
        versions += [version(sections[1], 1, "A long section", _paragraphs(big)),
                     version(sections[1], 2, "A long section", _paragraphs(edited))]  # fmt: skip
        for section in sections[2:]:
            versions += [version(section, n, f"Section {section.position}", _paragraphs(_text(rng, 300)))
                         for n in range(1, 4)]  # fmt: skip
        SectionVersion.objects.bulk_create(versions, batch_size=500)
        for section in sections:
            section.head = section.versions.order_by("-number").first()
        Section.objects.bulk_update(sections, ["head"])
        reviewer = get_user_model().objects.get(username="reviewer")
        Comment.objects.bulk_create(
            Comment(
                section=sections[n % 50],
                version=sections[n % 50].head,
                author=reviewer,
                body=f"Remark {n}",
                is_recommendation=n % 3 == 0,
            )  # fmt: skip
            for n in range(500)
        )
        revision.touch(concept.pk)  # bulk_create goes round the signals
        return concept
