"""Bench data for `make bench`: a concept of 50 sections, one with 500 versions, and one whose
last two versions are about 195 KB each and differ in 5% of their words. Prints the ids as JSON."""

import json
import random

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from concepts.models import Comment, Concept, Section, SectionVersion
from projects.models import Project

TITLE = "Bench concept"
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
        concept = Concept.objects.create(project=project, title=TITLE, status=Concept.Status.DRAFTING)
        sections = [Section(concept=concept, position=n) for n in range(1, 51)]
        Section.objects.bulk_create(sections)
        versions = []
        for n in range(1, 501):  # the history page: 500 versions
            versions.append(SectionVersion(section=sections[0], number=n, title="Section with a long history",
                                           body=_paragraphs(_text(rng, 150)), author=author))  # fmt: skip
        big = _text(rng, 27_000)  # about 195 KB
        edited = [rng.choice(WORDS) if rng.random() < 0.05 else word for word in big]
        versions += [
            SectionVersion(section=sections[1], number=1, title="A long section", body=_paragraphs(big), author=author),
            SectionVersion(section=sections[1], number=2, title="A long section", body=_paragraphs(edited),
                           author=author),
        ]  # fmt: skip
        for section in sections[2:]:
            for n in range(1, 4):
                versions.append(SectionVersion(section=section, number=n, title=f"Section {section.position}",
                                               body=_paragraphs(_text(rng, 300)), author=author))  # fmt: skip
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
        return concept
