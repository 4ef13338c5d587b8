"""What a report shows for its period, assembled from the project's own records.

`assemble()` returns plain JSON values (dates as ISO strings, money as decimal strings), so that
the same structure is shown live while a report is written and kept in `Report.snapshot` when it
is submitted. `present()` turns either into what the page shows to one reader: documents the
reader may not open and, for readers without FINANCE, the budget are left out at that point, so a
frozen report respects access as it is on the day it is read.

A fixed number of queries whatever the amount of data: each part is one query (grouped by the
database where it adds up), and no part loops over rows to ask for more.
"""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, DecimalField, F, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce, TruncDate

from activities.models import Activity
from budgets.models import MONEY, NEWEST_REVISION_FIRST, BudgetLine, BudgetRevision, Expenditure
from concepts.models import Comment, Edition
from documents.models import Category, Document, readable_levels
from projects.access import Capability
from results.models import IndicatorUpdate
from results.selectors import actual_with_parts

from .models import Report

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
HELD = (Activity.Status.COMPLETED, Activity.Status.ONGOING)
RECOMMENDATION_EXCERPT = 300
# The names of the codes kept in the figures, in the reader's language when the page is shown.
ACTIVITY_KINDS = dict(Activity.Kind.choices)
BUDGET_CATEGORIES = dict(BudgetLine.Category.choices)
DISPOSITIONS = dict(Comment.Disposition.choices)
DOCUMENT_CATEGORIES = dict(Category.choices)


def _money(value) -> str:
    return str(Decimal(value or 0).quantize(CENT))


def assemble(*, report: Report) -> dict:
    project, start, end = report.project, report.period_start, report.period_end
    return {
        "period": {"start": start.isoformat(), "end": end.isoformat()},
        "currency": project.currency,
        "activities": _activities(project, start, end),
        "budget": _budget(project, start, end),
        "results": _results(project, start, end),
        "recommendations": _recommendations(project, start, end),
        "editions": _editions(project, start, end),
        "documents": _documents(project, start, end),
    }


def _activities(project, start, end) -> list[dict]:
    """Activities held (completed or going on) at some time in the period, with their participation."""
    rows = (
        Activity.objects.filter(project=project, status__in=HELD)
        .alias(held_from=Coalesce("actual_start", "planned_start"), held_to=Coalesce("actual_end", "planned_end"))
        .filter(held_from__lte=end, held_to__gte=start)
        .annotate(
            participants=Sum("participations__participants"),
            women=Sum("participations__women"),
            women_recorded=Count("participations__women"),
            organisations=Count("participations"),
        )
        .order_by("order", "planned_start", "pk")
        .values(
            "pk",
            "title",
            "title_ru",
            "kind",
            "planned_start",
            "actual_start",
            "actual_end",
            "planned_end",
            "participants",
            "women",
            "women_recorded",
            "organisations",
        )
    )
    return [
        {
            "id": row["pk"],
            "title": row["title"],
            "title_ru": row["title_ru"],
            "kind": row["kind"],
            "start": (row["actual_start"] or row["planned_start"]).isoformat(),
            "end": (row["actual_end"] or row["planned_end"]).isoformat(),
            "organisations": row["organisations"],
            "participants": row["participants"] or 0,
            # The split by sex is shown only where it was recorded for some organisation.
            "women": row["women"] if row["women_recorded"] else None,
        }
        for row in rows
    ]


def _lines_with_period_figures(project, start, end):
    def spent(**dates):
        return Coalesce(
            Subquery(
                Expenditure.objects.filter(line=OuterRef("pk"), **dates)
                .order_by()
                .values("line")
                .annotate(total=Sum("amount"))
                .values("total"),
                output_field=DecimalField(**MONEY),
            ),
            Value(ZERO),
        )

    # The budget as it stood at the end of the period: the newest revision made by then, else the original.
    revised = Subquery(
        BudgetRevision.objects.filter(line=OuterRef("pk"), date__lte=end)
        .order_by(*NEWEST_REVISION_FIRST)
        .values("amount")[:1],
        output_field=DecimalField(**MONEY),
    )
    return (
        BudgetLine.objects.filter(project=project)
        .annotate(
            budget=Coalesce(revised, F("amount")),
            spent_period=spent(date__gte=start, date__lte=end),
            spent_to_date=spent(date__lte=end),
        )
        .order_by()
    )


def _budget_rows(rows, key) -> list[dict]:
    return [
        {
            key: row[key],
            "budget": _money(row["budget_sum"]),
            "spent_period": _money(row["period_sum"]),
            "spent_to_date": _money(row["to_date_sum"]),
        }
        for row in rows
    ]


def _budget(project, start, end) -> dict:
    sums = {"budget_sum": Sum("budget"), "period_sum": Sum("spent_period"), "to_date_sum": Sum("spent_to_date")}
    lines = _lines_with_period_figures(project, start, end)
    order = list(BudgetLine.Category.values)
    categories = sorted(lines.values("category").annotate(**sums), key=lambda row: order.index(row["category"]))
    activities = (
        lines.filter(activity__isnull=False)
        .values("activity_id", "activity__title", "activity__title_ru")
        .annotate(**sums)
        .order_by("activity__order", "activity_id")
    )
    by_activity = _budget_rows(activities, "activity_id")
    for row, source in zip(by_activity, activities, strict=True):
        row["title"], row["title_ru"] = source["activity__title"], source["activity__title_ru"]
    by_category = _budget_rows(categories, "category")
    total = {
        name: _money(sum((Decimal(row[name]) for row in by_category), ZERO))
        for name in ("budget", "spent_period", "spent_to_date")
    }
    return {"categories": by_category, "activities": by_activity, "total": total}


def _number(value) -> str | None:
    """An indicator's value as text: numbers without trailing zeros, words as they are."""
    if value is None or isinstance(value, str):
        return value
    return format(Decimal(value).normalize(), "f")


def _results(project, start, end) -> list[dict]:
    """Approved values of the reporting periods that lie inside the report's period."""
    updates = (
        IndicatorUpdate.objects.approved()
        .filter(project=project, period__start__gte=start, period__end__lte=end)
        .select_related("indicator", "indicator__result", "period")
        .order_by("indicator__result__order", "indicator__order", "indicator_id", "period__start", "pk")
    )
    grouped: dict[tuple, list] = defaultdict(list)
    for update in updates:
        grouped[(update.indicator, update.period)].append(update)
    rows = []
    for (indicator, period), period_updates in grouped.items():
        actual, parts = actual_with_parts(indicator, period_updates)
        rows.append(
            {
                "indicator_id": indicator.pk,
                "indicator": indicator.title,
                "indicator_ru": indicator.title_ru,
                "result": indicator.result.title,
                "result_ru": indicator.result.title_ru,
                "unit": indicator.unit,
                "period": {"start": period.start.isoformat(), "end": period.end.isoformat()},
                "actual": _number(actual),
                "women": _number(parts.get("women")),
            }
        )
    return rows


def _recommendations(project, start, end) -> dict:
    """Recommendations received on the project's concepts in the period, each with its disposition.

    One raised at an activity was received when the activity ended (as the results measures count
    it), whenever it was typed in; any other on the day it was written."""
    rows = (
        Comment.objects.filter(section__concept__project=project, is_recommendation=True, parent__isnull=True)
        .alias(
            received=Coalesce("source_activity__actual_end", "source_activity__planned_end", TruncDate("created_at"))
        )
        .filter(received__gte=start, received__lte=end)
        .annotate(received=F("received"))
        .select_related("section__concept", "source_activity", "source_organisation")
        .order_by("received", "pk")
    )
    items = [
        {
            "id": comment.pk,
            "concept": comment.section.concept.title,
            "excerpt": comment.body[:RECOMMENDATION_EXCERPT],
            "date": comment.received.isoformat(),
            "source": comment.source_activity.title if comment.source_activity else "",
            "source_ru": comment.source_activity.title_ru if comment.source_activity else "",
            "organisation": comment.source_organisation.name if comment.source_organisation else "",
            "disposition": comment.disposition,
        }
        for comment in rows
    ]
    counts: dict[str, int] = defaultdict(int)
    for item in items:
        counts[item["disposition"]] += 1
    return {"items": items, "by_disposition": dict(counts)}


def _editions(project, start, end) -> list[dict]:
    rows = (
        Edition.objects.filter(concept__project=project, date__gte=start, date__lte=end)
        .select_related("concept", "presented_at")
        .order_by("date", "pk")
    )
    return [
        {
            "id": edition.pk,
            "concept_id": edition.concept_id,
            "concept": edition.concept.title,
            "name": edition.name,
            "date": edition.date.isoformat(),
            "is_final": edition.is_final,
            "presented_at": edition.presented_at.title if edition.presented_at else "",
        }
        for edition in rows
    ]


def _documents(project, start, end) -> list[dict]:
    """Documents dated in the period (or, undated, added in it), with their visibility."""
    rows = (
        Document.objects.filter(project=project)
        .alias(day=Coalesce("document_date", TruncDate("created_at")))
        .filter(day__gte=start, day__lte=end)
        .annotate(day=F("day"))
        .order_by("day", "pk")
        .values("pk", "title", "category", "visibility", "day")
    )
    return [
        {
            "id": row["pk"],
            "title": row["title"],
            "category": row["category"],
            "visibility": row["visibility"],
            "date": row["day"].isoformat() if row["day"] else "",
        }
        for row in rows
    ]


def present(figures: dict, *, granted) -> dict:
    """`figures` (assembled now or frozen) as one reader may see them: dates and money as values, the
    documents they may open, the budget only for readers with FINANCE, and the wording of
    recommendations only for readers of drafts (others see when, where and what became of them)."""
    levels = set(readable_levels(granted))
    shown = dict(figures)
    shown["documents"] = [
        dict(item, date=_date(item["date"]), category_label=DOCUMENT_CATEGORIES.get(item["category"], ""))
        for item in figures["documents"]
        if item["visibility"] in levels
    ]
    shown["activities"] = [
        dict(item, start=_date(item["start"]), end=_date(item["end"]), kind_label=ACTIVITY_KINDS.get(item["kind"], ""))
        for item in figures["activities"]
    ]
    shown["editions"] = [dict(item, date=_date(item["date"])) for item in figures["editions"]]
    shown["results"] = [
        dict(item, period={"start": _date(item["period"]["start"]), "end": _date(item["period"]["end"])})
        for item in figures["results"]
    ]
    recommendations = figures["recommendations"]
    shown["recommendations"] = {
        "items": [
            dict(
                item,
                date=_date(item["date"]),
                disposition_label=DISPOSITIONS.get(item["disposition"], ""),
                # The wording is a comment on a draft: only those who read drafts read it here.
                excerpt=item["excerpt"] if Capability.READ_DRAFTS in granted else "",
            )
            for item in recommendations["items"]
        ],
        "by_disposition": [
            {"label": label, "count": recommendations["by_disposition"][code]}
            for code, label in DISPOSITIONS.items()
            if code in recommendations["by_disposition"]
        ],
    }
    shown["budget"] = _money_values(figures["budget"]) if Capability.FINANCE in granted else None
    return shown


def _money_values(budget: dict) -> dict:
    names = ("budget", "spent_period", "spent_to_date")

    def convert(row):
        return {**row, **{name: Decimal(row[name]) for name in names}}

    return {
        "categories": [
            dict(convert(row), label=BUDGET_CATEGORIES.get(row["category"], "")) for row in budget["categories"]
        ],
        "activities": [convert(row) for row in budget["activities"]],
        "total": convert(budget["total"]),
    }


def _date(value: str):
    return datetime.date.fromisoformat(value) if value else None
