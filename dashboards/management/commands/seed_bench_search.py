"""Bench data for search: `manage.py seed_bench_search --sections 50000`.

Spreads that many concept sections (each with its current version, about 600 characters of
English or Russian text) over one concept per `scale-*` project (`seed_scale`), with a comment on
every tenth section. Deterministic for `--seed`. A second run replaces the concepts of the first
(they are titled "Search bench concept"). Rows are written with `bulk_create`.
"""

import random

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import OuterRef, Subquery

from concepts import revision as concept_revision
from concepts.models import Comment, Concept, Section, SectionVersion
from projects.models import Project

TITLE = "Search bench concept"
BATCH_SIZE = 1000
ENGLISH = [
    "The national authorities review the migration strategy with civil society.",
    "Labour migration data are collected by the statistics office every quarter.",
    "Returning migrants receive counselling on reintegration and employment.",
    "The border management agency trains its staff in the protection of asylum seekers.",
    "Diaspora organisations take part in the consultations on remittances and development.",
    "Skills partnerships with EU Member States open legal pathways for workers.",
    "The action plan names the ministries responsible for each measure and its indicators.",
    "Monitoring reports are published once a year in both working languages.",
    "Regional offices register foreign workers and advise employers on the procedures.",
    "The working group drafted the chapter on integration of foreigners in two meetings.",
]
RUSSIAN = [
    "Государственные органы пересматривают миграционную стратегию вместе с гражданским обществом.",
    "Данные о трудовой миграции ежеквартально собирает статистическое ведомство.",
    "Возвращающиеся мигранты получают консультации по реинтеграции и трудоустройству.",
    "Пограничное ведомство обучает сотрудников защите прав лиц, ищущих убежища.",
    "Организации диаспоры участвуют в консультациях о денежных переводах и развитии.",
    "Партнёрства в сфере навыков с государствами ЕС открывают законные пути для работников.",
    "План действий называет министерства, отвечающие за каждую меру и её показатели.",
    "Отчёты о мониторинге публикуются раз в год на обоих рабочих языках.",
    "Региональные управления регистрируют иностранных работников и консультируют работодателей.",
    "Рабочая группа подготовила главу об интеграции иностранцев за два заседания.",
]
TITLES = ["Scope", "Principles", "Labour migration", "Return", "Asylum", "Integration", "Data", "Monitoring"]
TITLES_RU = ["Сфера", "Принципы", "Трудовая миграция", "Возвращение", "Убежище", "Интеграция", "Данные", "Мониторинг"]


def _delete_earlier() -> None:
    """Deletes the concepts of an earlier run in a few statements: Django's deletion would read the
    50,000 sections one by one (their versions are protected). They have no editions or renders."""
    concepts = Concept.objects.filter(title=TITLE)
    sections = Section.objects.filter(concept__in=concepts)
    Comment.objects.filter(section__in=sections, parent__isnull=False)._raw_delete(Comment.objects.db)
    Comment.objects.filter(section__in=sections)._raw_delete(Comment.objects.db)
    sections.update(head=None)
    SectionVersion.objects.filter(section__in=sections)._raw_delete(SectionVersion.objects.db)
    sections._raw_delete(Section.objects.db)
    concepts.delete()


class Command(BaseCommand):
    help = "Concept sections for the search bench, over the scale-* projects of seed_scale."

    def add_arguments(self, parser):
        parser.add_argument("--sections", type=int, default=50_000)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, sections: int, seed: int, **options):
        projects = list(Project.objects.filter(code__startswith="scale-").order_by("code").values_list("pk", flat=True))
        if sections and not projects:
            raise CommandError("No scale-* projects: run seed_scale first.")
        author = get_user_model().objects.filter(username="staff").first()
        rng = random.Random(seed)
        with transaction.atomic():
            _delete_earlier()
            if sections:
                created = self._create(projects, sections, rng, author)
                self.stdout.write(f"{created} sections in {len(projects)} concepts.")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE concepts_section, concepts_sectionversion, concepts_comment, concepts_concept")

    def _create(self, projects, total, rng, author) -> int:
        concepts = Concept.objects.bulk_create(
            [
                Concept(project_id=pk, title=TITLE, language="ru" if index % 2 else "en", created_by=author)
                for index, pk in enumerate(projects)
            ],
            batch_size=BATCH_SIZE,
        )
        per_concept, extra = divmod(total, len(concepts))
        rows = []
        for index, concept in enumerate(concepts):
            for position in range(per_concept + (1 if index < extra else 0)):
                rows.append(Section(concept=concept, position=position))
        Section.objects.bulk_create(rows, batch_size=BATCH_SIZE)
        languages = {concept.pk: concept.language for concept in concepts}
        versions = []
        for section in rows:
            russian = languages[section.concept_id] == "ru"
            sentences = RUSSIAN if russian else ENGLISH
            versions.append(
                SectionVersion(
                    section=section,
                    language=languages[section.concept_id],
                    number=1,
                    title=rng.choice(TITLES_RU if russian else TITLES),
                    body=" ".join(rng.choice(sentences) for _ in range(7)),
                    author=author,
                )
            )
        SectionVersion.objects.bulk_create(versions, batch_size=BATCH_SIZE)
        head = SectionVersion.objects.filter(section=OuterRef("pk")).order_by("-number").values("pk")[:1]
        Section.objects.filter(concept__title=TITLE).update(head=Subquery(head))
        if author is not None:
            comments = [
                Comment(section=version.section, version=version, author=author, body=rng.choice(ENGLISH + RUSSIAN))
                for version in versions[::10]
            ]
            Comment.objects.bulk_create(comments, batch_size=BATCH_SIZE)
        concept_revision.touch(*(concept.pk for concept in concepts))  # bulk_create goes round the signals
        return len(rows)
