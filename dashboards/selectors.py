from django.db.models import Count, Q, QuerySet, Sum

from projects.access import is_portfolio_donor
from projects.models import Project, Role


def dashboard_projects_for_user(*, user) -> QuerySet[Project]:
    """Projects whose figures the user may follow: all for staff, published ones for the
    Donors group, and those where the user is a donor or manager."""
    if user.is_staff:
        return Project.objects.all()
    scope = Q(memberships__user=user, memberships__role__in=[Role.DONOR, Role.MANAGER])
    if is_portfolio_donor(user):
        scope |= Q(is_published=True)
    return Project.objects.filter(scope).distinct()


def may_use_dashboard(user) -> bool:
    return (
        user.is_staff
        or is_portfolio_donor(user)
        or user.memberships.filter(role__in=[Role.DONOR, Role.MANAGER]).exists()
    )


def portfolio_totals_by_currency(*, projects: QuerySet[Project]) -> list[dict]:
    """Budget totals per currency, summed by the database (EUR is never added to USD)."""
    return list(
        Project.objects.filter(pk__in=projects.values("pk"))
        .values("currency")
        .annotate(projects=Count("pk"), budget=Sum("total_budget"))
        .order_by("currency")
    )
