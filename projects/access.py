"""Who may do what on a project: the one place that answers it.

`Project.objects.visible_to(user)` decides whether a project exists for a user (404 if
not); `capabilities()` decides what they may do on one they can see (403 if not).
"""

from enum import StrEnum

from django.db.models import Q, QuerySet

from .models import DONORS_GROUP, Membership, Project, Role


class Capability(StrEnum):
    VIEW = "view"  # the public page
    READ = "read"  # working tabs: members, history, drafts
    FINANCE = "finance"  # budget, expenditure and their exports
    EDIT = "edit"  # project facts, partners, budget, activities, members
    READ_DRAFTS = "read_drafts"  # concept drafts that are not published yet
    DRAFT = "draft"  # write concept sections, answer comments
    COMMENT = "comment"  # comment and recommend on drafts
    TEAM_FILES = "team_files"  # documents kept for the project team (not shown to donors)
    UPLOAD = "upload"  # upload documents and new versions of them
    REPORT = "report"  # enter and submit results updates and periodic reports (approving them takes EDIT)
    # Periodic reports: those with REPORT read every report of the project; those with READ_REPORTS
    # alone (donors) read the approved ones only. Reviewers are consultation participants: no reports.
    READ_REPORTS = "read_reports"


C = Capability
_DRAFTING = {C.VIEW, C.READ, C.READ_DRAFTS, C.DRAFT, C.COMMENT, C.TEAM_FILES, C.UPLOAD, C.REPORT, C.READ_REPORTS}
ROLE_CAPABILITIES = {
    Role.MANAGER: _DRAFTING | {C.FINANCE, C.EDIT},
    Role.DRAFTER: _DRAFTING,
    Role.REVIEWER: {C.VIEW, C.READ, C.READ_DRAFTS, C.COMMENT, C.TEAM_FILES},
    Role.DONOR: {C.VIEW, C.READ, C.FINANCE, C.READ_REPORTS},
}
DONORS_GROUP_CAPABILITIES = {C.VIEW, C.READ, C.FINANCE, C.READ_REPORTS}


def is_portfolio_donor(user) -> bool:
    """Member of the Donors group (read access to every published project). Cached per request."""
    if not user.is_authenticated:
        return False
    if not hasattr(user, "_is_portfolio_donor"):
        user._is_portfolio_donor = user.groups.filter(name=DONORS_GROUP).exists()
    return user._is_portfolio_donor


def capabilities(user, project: Project) -> frozenset[Capability]:
    """What `user` may do on `project`. Uses `project.user_role` when the selector annotated it."""
    if user.is_authenticated and user.is_staff:
        return frozenset(Capability)
    granted: set[Capability] = set()
    if project.is_published:
        granted.add(C.VIEW)
    if not user.is_authenticated:
        return frozenset(granted)
    role = getattr(project, "user_role", None)
    if not hasattr(project, "user_role"):
        role = project.memberships.filter(user=user).values_list("role", flat=True).first()
    if role:
        granted |= ROLE_CAPABILITIES[Role(role)]
    # The Donors group is asked only when it could add something (a query saved for most members).
    if project.is_published and not granted.issuperset(DONORS_GROUP_CAPABILITIES) and is_portfolio_donor(user):
        granted |= DONORS_GROUP_CAPABILITIES
    if C.FINANCE in granted:
        # Noted for this request's navigation (projects/context_processors.py): a user with finance rights
        # on some project follows the dashboard, so it need not ask the database again.
        user._has_finance_somewhere = True
    return frozenset(granted)


def projects_with(user, capability: Capability) -> QuerySet[Project]:
    """The projects on which `user` has `capability`: the rules of `capabilities()` as one queryset,
    for pages that list many projects' things at once (search). No row is read to build it."""
    if user.is_authenticated and user.is_staff:
        return Project.objects.all()
    rules = []
    if capability == C.VIEW:
        rules.append(Q(is_published=True))
    if user.is_authenticated:
        roles = [role for role, granted in ROLE_CAPABILITIES.items() if capability in granted]
        if roles:
            rules.append(Q(pk__in=Membership.objects.filter(user=user, role__in=roles).values("project_id")))
        if capability in DONORS_GROUP_CAPABILITIES and is_portfolio_donor(user):
            rules.append(Q(is_published=True))
    if not rules:
        return Project.objects.none()
    rule = rules[0]
    for other in rules[1:]:
        rule |= other
    return Project.objects.filter(rule)
