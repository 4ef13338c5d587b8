import datetime

import factory

from concepts.models import Comment, Concept, Edition, EditionEntry, Section, SectionVersion
from projects.tests.factories import ProjectFactory


class ConceptFactory(factory.django.DjangoModelFactory[Concept]):
    class Meta:
        model = Concept

    project = factory.SubFactory(ProjectFactory)
    title = factory.Sequence(lambda n: f"Concept {n}")


def section_with_version(concept, *, title="Introduction", body="The text.", author=None, parent=None, position=1):
    """A section and its first version, written directly (no merge logic involved)."""
    section = Section.objects.create(concept=concept, parent=parent, position=position)
    version = SectionVersion.objects.create(section=section, number=1, title=title, body=body, author=author)
    section.head = version
    section.save(update_fields=["head"])
    return section


def concept_objects(concept, *, author):
    """A section with a comment and an edition: what the concept URLs point at."""
    section = section_with_version(concept, author=author)
    comment = Comment.objects.create(section=section, version=section.head, author=author, body="A remark.")
    edition = Edition.objects.create(
        concept=concept, name="Final draft", date=datetime.date(2020, 2, 25), is_final=True
    )
    EditionEntry.objects.create(edition=edition, section=section, version=section.head, number="1", level=1, position=1)
    return {"concept": concept, "section": section, "comment": comment, "edition": edition}
