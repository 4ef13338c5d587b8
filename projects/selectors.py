from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from .access import Capability, capabilities
from .models import Membership, Project, ProjectPartner


def project_list_for_user(*, user, filters: dict | None = None) -> QuerySet[Project]:
    return (
        Project.objects.visible_to(user)
        .filtered(**(filters or {}))
        .select_related("instrument")
        .order_by("-planned_start", "title")
    )


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
