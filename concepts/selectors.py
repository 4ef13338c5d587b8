from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce, Length
from django.http import Http404

from projects.access import Capability
from projects.models import Membership, Project
from projects.selectors import project_capabilities_for

from .models import Comment, Concept, Edition, EditionEntry, RenderJob, Section, SectionTranslation, SectionVersion
from .outline import build_outline


def _may_read(concept: Concept, granted) -> bool:
    if Capability.READ_DRAFTS in granted:
        return True
    return concept.status == Concept.Status.PUBLISHED and Capability.VIEW in granted


def concept_get_for_user(
    *, user, concept_id: int, need: Capability | None = None, flag_renders: bool = False
) -> Concept:
    """The concept as `user` may see it, or 404; 403 when they may read it but not do `need`.

    Drafts are read by staff and the project's managers, drafters and reviewers; a published
    concept by everyone who may see its project. `flag_renders` annotates `has_renders`: whether
    any printable file was ever asked for (the concept page reads the list only then).
    """
    concepts = Concept.objects.select_related("project").filter(pk=concept_id).order_by()
    if flag_renders:
        concepts = concepts.annotate(has_renders=Exists(RenderJob.objects.filter(concept=OuterRef("pk"))))
    concept = next(iter(_with_role_of(user, concepts, "project_id")[:1]), None)  # by pk: no ordering to compile
    if concept is None:
        raise Http404("No such concept.")
    _grant(user, concept, getattr(concept, "user_role", None), need)
    return concept


def section_get_for_user(
    *, user, concept_id: int, section_id: int, need: Capability | None = None, full_head: bool = True
) -> Section:
    """A section of the concept with its current version and the concept, in one query (the current
    version's text and author left unread unless `full_head`: a comparison shows neither).

    The concept's rules (concept_get_for_user) decide: 404 for a section the user may not see or
    that is not in this concept, 403 when they may read it but not do `need`.
    """
    if full_head:
        sections = Section.objects.select_related("concept__project", "head", "head__author")
    else:
        sections = Section.objects.select_related("concept__project", "head").defer("head__body")
    sections = sections.filter(pk=section_id, concept_id=concept_id).order_by()
    section = next(iter(_with_role_of(user, sections, "concept__project_id")[:1]), None)  # as above
    if section is None:
        raise Http404("No such section.")
    _grant(user, section.concept, getattr(section, "user_role", None), need)
    return section


def _with_role_of(user, queryset, project_field: str):
    """Annotates the reader's role on the project (`user_role`), in the same query; staff need none.
    One membership per user and project: the subquery needs no ordering (nor the join to the users
    that Membership's default ordering brings)."""
    if not user.is_authenticated or user.is_staff:
        return queryset
    role = Membership.objects.filter(project=OuterRef(project_field), user=user).order_by().values("role")[:1]
    return queryset.annotate(user_role=Subquery(role))


def _grant(user, concept: Concept, role, need: Capability | None) -> None:
    """Sets what `user` may do on the concept (`capabilities`); 404 if they may not read it, 403 without `need`."""
    concept.project.user_role = role
    granted = project_capabilities_for(user=user, project=concept.project)
    if not _may_read(concept, granted):
        raise Http404("No such concept.")
    concept.capabilities = granted
    concept.project.capabilities = granted
    if need is not None and need not in granted:
        raise PermissionDenied


def concepts_for_project(*, user, project: Project) -> list[Concept]:
    concepts = Concept.objects.filter(project=project).order_by("pk")
    granted = getattr(project, "capabilities", None) or project_capabilities_for(user=user, project=project)
    return [concept for concept in concepts if _may_read(concept, granted)]


def outline_for_concept(*, concept: Concept):
    # A correlated count, not a join grouped by every column of the section, its head (text
    # included) and author: the grouped join cost 17 ms for 50 sections and 500 comments.
    open_comments = (
        Comment.objects.filter(section=OuterRef("pk"), disposition="open", parent=None)
        .order_by()
        .values("section")
        .annotate(count=Count("pk"))
        .values("count")
    )
    sections = (
        Section.objects.filter(concept=concept, is_removed=False)
        .select_related("head", "head__author")
        .annotate(open_comments=Coalesce(Subquery(open_comments), 0))
    )
    return build_outline(sections)


def sections_for_concept_page(*, concept: Concept) -> list[Section]:
    """Every section of the concept, removed ones too, with its head version (the text left unread:
    `body_unread`, read for the blocks rendered) and its author, and its open comments (two queries).
    Read only to render the page's kept body, whose key is the concept's revision."""
    open_comments = dict(
        Comment.objects.filter(section__concept=concept, disposition="open", parent=None)
        .order_by()
        .values_list("section_id")
        .annotate(count=Count("pk"))
    )
    sections = list(
        Section.objects.filter(concept=concept).select_related("head", "head__author").defer("head__body").order_by()
    )
    for section in sections:
        section.concept = concept
        section.open_comments = open_comments.get(section.pk, 0)
        if section.head is not None:
            section.head.body_unread = True
    return sections


def removed_of(sections: list[Section]) -> list[Section]:
    """Sections taken out of the outline, each once (those under a removed section come back with it),
    the last removed first: of the concept's sections already read (`sections_for_concept_page`)."""
    removed_ids = {section.pk for section in sections if section.is_removed}
    removed = [section for section in sections if section.is_removed and section.parent_id not in removed_ids]
    removed.sort(key=lambda section: section.pk)
    removed.sort(key=lambda section: section.updated_at, reverse=True)
    return removed


@dataclass(frozen=True)
class OutlineRow:
    """What the outline's order, numbers and titles come from: a section's place and head's title."""

    pk: int
    parent_id: int | None
    position: int
    title: str


def outline_rows(*, concept_id: int) -> list[OutlineRow]:
    """The concept's sections in the outline (not removed), as rows, ordered by id: one query."""
    rows = Section.objects.filter(concept_id=concept_id, is_removed=False).order_by("pk")
    return [OutlineRow(*row) for row in rows.values_list("pk", "parent_id", "position", "head__title")]


def section_neighbours(*, section: Section, rows: list[OutlineRow]) -> dict:
    """The sections before and after this one in reading order (`previous`, `next`: outline entries
    of `outline_rows`, or None); none for a removed section."""
    if section.is_removed:
        return {"previous": None, "next": None}
    outline = build_outline(rows)
    at = next((index for index, entry in enumerate(outline) if entry.section.pk == section.pk), None)
    if at is None:
        return {"previous": None, "next": None}
    return {
        "previous": outline[at - 1] if at > 0 else None,
        "next": outline[at + 1] if at + 1 < len(outline) else None,
    }


def section_get(*, concept: Concept, section_id: int) -> Section:
    section = Section.objects.select_related("head", "head__author").filter(concept=concept, pk=section_id).first()
    if section is None:
        raise Http404("No such section.")
    section.concept = concept
    return section


def version_get(*, section: Section, number: int, language: str | None = None) -> SectionVersion:
    """Version `number` of the section in `language` (default: the concept's source language)."""
    language = language or section.concept.language
    version = (
        SectionVersion.objects.select_related("author", "merged_author", "source_version")
        .filter(section=section, language=language, number=number)
        .first()
    )
    if version is None:
        raise Http404("No such version.")
    return version


def versions_to_compare(*, section: Section, language: str, numbers: tuple[int, int]) -> list[SectionVersion]:
    """Versions `numbers` (old, new) of the section in `language`, in one query, without their texts
    (read when a comparison is computed) but with their lengths (`length`); 404 if one is missing."""
    versions = {
        version.number: version
        for version in SectionVersion.objects.filter(section=section, language=language, number__in=numbers)
        .defer("body")
        .annotate(length=Length("body"))
    }
    if any(number not in versions for number in numbers):
        raise Http404("No such version.")
    return [versions[number] for number in numbers]


def versions_for_section(*, section: Section, language: str | None = None) -> QuerySet[SectionVersion]:
    return (
        SectionVersion.objects.filter(section=section, language=language or section.concept.language)
        .select_related("author", "merged_author")
        .only("pk", "number", "title", "summary", "created_at", "author__username", "author__first_name",
              "author__last_name", "merged_author__username", "based_on_id", "restored_from_id", "section_id")
        .order_by("-number")
    )  # fmt: skip


def comments_for_section(*, section: Section, language: str | None = None) -> list[Comment]:
    """Top-level comments on the section's text in `language` (default: the source), with their replies."""
    replies = Comment.objects.select_related("author", "version").order_by("created_at", "pk")
    return list(
        Comment.objects.filter(section=section, parent=None, version__language=language or section.concept.language)
        .select_related("author", "version", "source_activity", "source_organisation", "incorporated_in",
                        "disposition_by")
        .prefetch_related(Prefetch("replies", queryset=replies))
        .order_by("created_at", "pk")
    )  # fmt: skip


def open_comments_by_language(*, section: Section) -> dict[str, int]:
    """How many open top-level comments the section's text has in each language (the outline counts
    them all; the section page lists one language's)."""
    rows = (
        Comment.objects.filter(section=section, parent=None, disposition=Comment.Disposition.OPEN)
        .order_by()
        .values("version__language")
        .annotate(count=Count("pk"))
    )
    return {row["version__language"]: row["count"] for row in rows}


def editions_for_concept(*, concept: Concept) -> QuerySet[Edition]:
    return Edition.objects.filter(concept=concept).select_related("presented_at", "created_by").order_by("date", "pk")


def edition_get(*, concept: Concept, edition_id: int) -> Edition:
    edition = Edition.objects.filter(concept=concept, pk=edition_id).first()
    if edition is None:
        raise Http404("No such edition.")
    return edition


def edition_entries(*, edition: Edition, language: str | None = None) -> QuerySet[EditionEntry]:
    """The edition's sections in `language` (default: the source language), in reading order."""
    language = language or edition.concept.language
    return (
        EditionEntry.objects.filter(edition=edition, language=language).select_related("version").order_by("position")
    )


def recommendations_for_concept(*, concept: Concept, filters: dict | None = None) -> QuerySet[Comment]:
    """Every top-level comment and recommendation of the concept, for the disposition matrix."""
    filters = filters or {}
    comments = Comment.objects.filter(section__concept=concept, parent=None)
    if filters.get("disposition"):
        comments = comments.filter(disposition=filters["disposition"])
    if filters.get("activity"):
        comments = comments.filter(source_activity_id=filters["activity"])
    if filters.get("organisation"):
        comments = comments.filter(source_organisation_id=filters["organisation"])
    if filters.get("section"):
        comments = comments.filter(section_id=filters["section"])
    return comments.select_related(
        "author", "version", "section__head", "source_activity", "source_organisation", "incorporated_in"
    ).order_by("section__position", "section_id", "created_at", "pk")


UP_TO_DATE, OUT_OF_DATE, MISSING = "up_to_date", "out_of_date", "missing"


@dataclass
class TranslationState:
    """Where a section's translation into one language stands against its source text."""

    section: Section
    language: str
    head: SectionVersion | None  # the translation's current version; None: not translated yet

    @property
    def status(self) -> str:
        if self.head is None:
            return MISSING
        return UP_TO_DATE if self.head.source_version_id == self.section.head_id else OUT_OF_DATE

    @property
    def translated_from(self) -> SectionVersion | None:
        return self.head.source_version if self.head is not None else None


def section_head(*, section: Section, language: str) -> SectionVersion | None:
    """The section's current version in `language`: the source's head, or the translation's (None if none)."""
    if language == section.concept.language:
        return section.head
    translation = (
        SectionTranslation.objects.filter(section=section, language=language)
        .select_related("head", "head__author", "head__merged_author", "head__source_version")
        .first()
    )
    return translation.head if translation else None


def translation_state(*, section: Section, language: str) -> TranslationState:
    return TranslationState(section=section, language=language, head=section_head(section=section, language=language))


def translation_states(*, concept: Concept, outline) -> list[tuple[object, list[TranslationState]]]:
    """For each outline entry, its state in each target language. One query."""
    heads = {
        (translation.section_id, translation.language): translation.head
        for translation in SectionTranslation.objects.filter(
            section__concept=concept, language__in=concept.target_languages
        ).select_related("head", "head__author", "head__source_version")
    }  # fmt: skip
    return [
        (entry, [TranslationState(entry.section, code, heads.get((entry.section.pk, code)))
                 for code in concept.target_languages])
        for entry in outline
    ]  # fmt: skip
