from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from .access import Capability, capabilities
from .models import FundingInstrument, Membership, Project, ProjectPartner


def project_list_for_user(*, user, filters: dict | None = None) -> QuerySet[Project]:
    """The projects `user` may see, filtered, in the list's order. Only their ids and content revisions
    are read: the list keeps each row's HTML under them, and `projects_for_rows` reads the projects
    whose row is not kept yet."""
    return (
        Project.objects.visible_to(user)
        .filtered(**(filters or {}))
        .only("pk", "content_revision")
        .order_by("-planned_start", "title")
    )


def projects_for_rows(ids) -> dict[int, Project]:
    """The projects `ids` by id, with what a row of the list shows."""
    return Project.objects.select_related("instrument").in_bulk(ids)


def project_capabilities_for(*, user, project: Project) -> frozenset[Capability]:
    """What `user` may do on `project`; empty if they may not even see it."""
    granted = capabilities(user, project)
    return granted if Capability.VIEW in granted else frozenset()


def project_get_for_user(*, user, slug: str, need: Capability = Capability.VIEW) -> Project:
    """The project `slug` as `user` may see it, or 404; 403 if they may see it but not `need` it."""
    project = Project.objects.visible_to(user).with_role_of(user).select_related("instrument").filter(slug=slug).first()
    if project is None:
        raise Http404("No such project.")
    project.capabilities = capabilities(user, project)
    if Capability.VIEW not in project.capabilities:
        raise Http404("No such project.")
    if need not in project.capabilities:
        raise PermissionDenied
    return project


def partners_for_project(*, project: Project) -> QuerySet[ProjectPartner]:
    return project.partners.select_related("organisation").order_by("role", "organisation__name")


def memberships_for_project(*, project: Project) -> QuerySet[Membership]:
    return project.memberships.select_related("user").order_by("role", "user__username")


def countries_in_use() -> set[str]:
    """Country codes that at least one project names (one query over distinct values)."""
    codes: set[str] = set()
    for value in Project.objects.order_by().values_list("countries", flat=True).distinct():
        codes.update(code for code in str(value).split(",") if code)
    return codes


def instrument_codes() -> list[str]:
    """The funding instruments' codes, as the project list's filter offers them."""
    return list(FundingInstrument.objects.order_by("code").values_list("code", flat=True))
