import hashlib
import json

from django.conf import settings
from django.core.cache import cache
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


def _kept(name: str, generation: int, compute, *parts):
    """`compute()`, kept under the data generation (common.generations: every saved or deleted project
    moves it on as it commits, projects/revision.py) and `parts`; for DASHBOARD_CACHE_SECONDS at most,
    for writes that go round `save()` (`QuerySet.update`). Counts and choices offered: nothing that
    decides access."""
    seconds = int(getattr(settings, "DASHBOARD_CACHE_SECONDS", 300))
    if seconds <= 0:
        return compute()
    digest = hashlib.blake2b(json.dumps(parts, default=str, sort_keys=True).encode(), digest_size=16).hexdigest()
    key = f"projects:{name}:{generation}:{digest}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, seconds)
    return value


def countries_offered(*, user, generation: int) -> set[str]:
    """The countries that the projects `user` may see name, as the project list's filter offers them
    (a country only an unpublished project names is not shown to those who may not see it), kept as
    `_visible_parts` says: reading every project's countries took 3-10 ms at 10,000 projects, on every
    request. The instruments, a short table, are read on every request (`instrument_codes`)."""
    name, shared, own = _visible_parts(user)
    codes = _kept(f"countries-{name}", generation, lambda: countries_in_use(shared))
    return codes if own is None else codes | countries_in_use(own)


def project_list_count(*, user, filters: dict, generation: int) -> int:
    """How many projects the list shows `user` with `filters` (`visible_count`). A search is counted
    for its request alone (no made-up words as keys)."""
    if filters.get("q"):
        return project_list_for_user(user=user, filters=filters).count()
    shown = {name: getattr(value, "pk", value) for name, value in filters.items()}
    return visible_count(
        user=user, narrow=lambda projects: projects.filtered(**filters), name="list", parts=shown, generation=generation
    )


def visible_count(*, user, narrow, name: str, parts, generation: int) -> int:
    """How many of the projects `user` may see (`Project.objects.visible_to`) pass `narrow(projects)`,
    kept as `_visible_parts` says, under `name` and `parts` too (what `narrow` filters by): counting
    10,000 projects on every request cost more than the rest of a page. The reader decides which
    numbers are added up, on every request; no number decides access."""
    part, shared, own = _visible_parts(user)
    count = _kept(f"{name}-count-{part}", generation, lambda: narrow(shared).count(), parts)
    return count if own is None else count + narrow(own).count()


def _visible_parts(user):
    """The projects `user` may see (`Project.objects.visible_to`) in two parts: (a name, the projects
    shared by every reader like them, the reader's own). The shared part (all projects for staff, the
    published ones for everyone else) is the same for many readers and may be kept under the data
    generation; the own part (a member's unpublished projects; None for staff and visitors) is read on
    every request."""
    if user.is_authenticated and user.is_staff:
        return "all", Project.objects.all(), None
    own = Project.objects.filter(is_published=False, memberships__user=user) if user.is_authenticated else None
    return "published", Project.objects.published(), own


def countries_in_use(projects) -> set[str]:
    """Country codes that at least one of `projects` names (one query over distinct values)."""
    codes: set[str] = set()
    for value in projects.order_by().values_list("countries", flat=True).distinct():
        codes.update(code for code in str(value).split(",") if code)
    return codes


def instrument_codes() -> list[str]:
    """The funding instruments' codes, as the project list's filter offers them."""
    return list(FundingInstrument.objects.order_by("code").values_list("code", flat=True))
