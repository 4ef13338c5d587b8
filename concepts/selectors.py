from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from projects.access import Capability
from projects.models import Project
from projects.selectors import project_capabilities_for

from .models import Comment, Concept, Edition, EditionEntry, Section, SectionVersion
from .outline import build_outline


def _may_read(concept: Concept, granted) -> bool:
    if Capability.READ_DRAFTS in granted:
        return True
    return concept.status == Concept.Status.PUBLISHED and Capability.VIEW in granted


def concept_get_for_user(*, user, concept_id: int, need: Capability | None = None) -> Concept:
    """The concept as `user` may see it, or 404; 403 when they may read it but not do `need`.

    Drafts are read by staff and the project's managers, drafters and reviewers; a published
    concept by everyone who may see its project.
    """
    concept = Concept.objects.select_related("project", "project__instrument").filter(pk=concept_id).first()
    if concept is None:
        raise Http404("No such concept.")
    granted = project_capabilities_for(user=user, project=concept.project)
    if not _may_read(concept, granted):
        raise Http404("No such concept.")
    concept.capabilities = granted
    concept.project.capabilities = granted
    if need is not None and need not in granted:
        raise PermissionDenied
    return concept


def concepts_for_project(*, user, project: Project) -> list[Concept]:
    concepts = Concept.objects.filter(project=project).order_by("pk")
    granted = getattr(project, "capabilities", None) or project_capabilities_for(user=user, project=project)
    return [concept for concept in concepts if _may_read(concept, granted)]


def outline_for_concept(*, concept: Concept):
    sections = (
        Section.objects.filter(concept=concept, is_removed=False)
        .select_related("head", "head__author")
        .annotate(open_comments=Count("comments", filter=Q(comments__disposition="open", comments__parent=None)))
    )
    return build_outline(sections)


def section_get(*, concept: Concept, section_id: int) -> Section:
    section = Section.objects.select_related("head", "head__author").filter(concept=concept, pk=section_id).first()
    if section is None:
        raise Http404("No such section.")
    section.concept = concept
    return section


def version_get(*, section: Section, number: int) -> SectionVersion:
    version = (
        SectionVersion.objects.select_related("author", "merged_author").filter(section=section, number=number).first()
    )
    if version is None:
        raise Http404("No such version.")
    return version


def versions_for_section(*, section: Section) -> QuerySet[SectionVersion]:
    return (
        SectionVersion.objects.filter(section=section)
        .select_related("author", "merged_author")
        .only("pk", "number", "title", "summary", "created_at", "author__username", "author__first_name",
              "author__last_name", "merged_author__username", "based_on_id", "restored_from_id", "section_id")
        .order_by("-number")
    )  # fmt: skip


def comments_for_section(*, section: Section) -> list[Comment]:
    """Top-level comments with their replies, oldest first."""
    replies = Comment.objects.select_related("author", "version").order_by("created_at", "pk")
    return list(
        Comment.objects.filter(section=section, parent=None)
        .select_related("author", "version", "source_activity", "source_organisation", "incorporated_in",
                        "disposition_by")
        .prefetch_related(Prefetch("replies", queryset=replies))
        .order_by("created_at", "pk")
    )  # fmt: skip


def editions_for_concept(*, concept: Concept) -> QuerySet[Edition]:
    return Edition.objects.filter(concept=concept).select_related("presented_at", "created_by").order_by("date", "pk")


def edition_get(*, concept: Concept, edition_id: int) -> Edition:
    edition = Edition.objects.filter(concept=concept, pk=edition_id).first()
    if edition is None:
        raise Http404("No such edition.")
    return edition


def edition_entries(*, edition: Edition) -> QuerySet[EditionEntry]:
    return EditionEntry.objects.filter(edition=edition).select_related("version").order_by("position")


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
