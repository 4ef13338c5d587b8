"""Indicator values the portal computes from its own records, per reporting period.

An activity counts in the period its (actual, else planned) end falls in, if it was held
(completed). A recommendation counts in the period it was received: the end of the activity it
was raised at, or the day it was written when it names none. The shares are taken over the
recommendations received by the period's end, with the dispositions they have now (the
disposition matrix shows each one). An edition counts in the period of the activity where it was
presented.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, DateField, Q, Sum
from django.db.models.functions import Cast, Coalesce
from django.urls import reverse

from activities.models import Activity, Participation
from concepts.models import Comment, Concept, Edition

from .models import HUNDRED, Indicator, ReportingPeriod

S = Indicator.Source


@dataclass
class Computed:
    value: Decimal | None
    parts: dict = field(default_factory=dict)  # women / men / other, where the measure splits by sex
    evidence_url: str = ""


def _held_activities(indicator: Indicator, period: ReportingPeriod):
    activities = Activity.objects.filter(project_id=indicator.project_id, status=Activity.Status.COMPLETED)
    if indicator.activity_kind:
        activities = activities.filter(kind=indicator.activity_kind)
    activities = activities.annotate(ended=Coalesce("actual_end", "planned_end"))
    return activities.filter(ended__gte=period.start, ended__lte=period.end)


def _recommendations(indicator: Indicator, *, until):
    received = Coalesce("source_activity__actual_end", "source_activity__planned_end", Cast("created_at", DateField()))
    return (
        Comment.objects.filter(section__concept__project_id=indicator.project_id, is_recommendation=True)
        .annotate(received=received)
        .filter(received__lte=until)
    )


def _share(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _yes_no(indicator: Indicator, count: int) -> Decimal:
    if indicator.unit == Indicator.Unit.YES_NO:
        return Decimal(1 if count else 0)
    return Decimal(count)


def _concept_matrix_url(indicator: Indicator) -> str:
    concept = Concept.objects.filter(project_id=indicator.project_id).order_by("pk").first()
    return reverse("concepts:dispositions", kwargs={"concept_id": concept.pk}) if concept else ""


def _activities_url(indicator: Indicator, period: ReportingPeriod) -> str:
    return reverse("activities:list", kwargs={"slug": indicator.project.slug})


def compute(indicator: Indicator, period: ReportingPeriod) -> Computed | None:
    """The value of a computed indicator in `period`, or None for an indicator entered by hand."""
    if not indicator.source:
        return None
    source = S(indicator.source)
    if source == S.ACTIVITIES_HELD:
        count = _held_activities(indicator, period).count()
        return Computed(_yes_no(indicator, count), evidence_url=_activities_url(indicator, period))
    if source == S.PARTICIPANTS:
        totals = Participation.objects.filter(activity__in=_held_activities(indicator, period)).aggregate(
            total=Sum("participants"), women=Sum("women")
        )
        total, women = Decimal(totals["total"] or 0), Decimal(totals["women"] or 0)
        parts = {"women": women, "men": None, "other": total - women} if indicator.by_sex else {}
        return Computed(total, parts, _activities_url(indicator, period))
    if source == S.EDITIONS_PRESENTED:
        count = (
            Edition.objects.filter(concept__project_id=indicator.project_id, presented_at__isnull=False)
            .annotate(ended=Coalesce("presented_at__actual_end", "presented_at__planned_end"))
            .filter(ended__gte=period.start, ended__lte=period.end)
            .count()
        )
        return Computed(_yes_no(indicator, count), evidence_url=_concept_matrix_url(indicator))
    return _recommendation_measure(indicator, period, source)


def _recommendation_measure(indicator: Indicator, period: ReportingPeriod, source) -> Computed:
    received = _recommendations(indicator, until=period.end)
    url = _concept_matrix_url(indicator)
    if source == S.RECOMMENDATIONS_RECEIVED:
        return Computed(Decimal(received.filter(received__gte=period.start).count()), evidence_url=url)
    counts = received.aggregate(
        whole=Count("pk"),
        disposed=Count("pk", filter=~Q(disposition=Comment.Disposition.OPEN)),
        incorporated=Count("pk", filter=Q(disposition=Comment.Disposition.INCORPORATED)),
    )
    part = counts["disposed"] if source == S.RECOMMENDATIONS_DISPOSED else counts["incorporated"]
    return Computed(_share(part, counts["whole"]), evidence_url=url)
