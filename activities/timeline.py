"""Geometry of the Gantt timeline, drawn by the template as inline SVG.

Server-rendered so that it reads without JavaScript and prints; each row has the planned
bar (outlined) and, below it, the actual bar (filled); one-day events are diamonds.
"""

import datetime
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.formats import date_format

LABEL_WIDTH = 300
CHART_WIDTH = 1000  # px the dates are spread over, unless that would squeeze them
MIN_DAY_WIDTH = 1.2  # px per day: three years still take about 1,300 px and stay legible
MAX_DAY_WIDTH = 6
ROW_HEIGHT = 30
AXIS_HEIGHT = 40
BAR_HEIGHT = 9
MIN_BAR = 3


@dataclass
class Bar:
    x: float
    width: float
    start: datetime.date
    end: datetime.date

    @property
    def diamond(self) -> str:
        """Points of a diamond centred on the bar's start (milestones)."""
        cx, half = self.x + 0.5, 6
        return f"{cx},{-half} {cx + half},0 {cx},{half} {cx - half},0"


@dataclass
class Row:
    activity: object
    y: int
    planned: Bar
    actual: Bar | None
    milestone: bool


@dataclass
class Tick:
    x: float
    label: str
    year_start: bool


@dataclass
class Timeline:
    start: datetime.date
    end: datetime.date
    width: float
    height: int
    rows: list[Row] = field(default_factory=list)
    ticks: list[Tick] = field(default_factory=list)
    today_x: float | None = None
    label_width: int = LABEL_WIDTH
    axis_height: int = AXIS_HEIGHT
    row_height: int = ROW_HEIGHT


def _month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def _next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def build_timeline(activities, *, today: datetime.date | None = None, project=None) -> Timeline | None:
    activities = list(activities)
    if not activities:
        return None
    today = today or timezone.localdate()
    dates = [d for a in activities for d in (a.planned_start, a.planned_end, a.actual_start, a.actual_end) if d]
    if project is not None:
        dates += [d for d in (project.planned_start, project.planned_end) if d]
    start = _month_start(min(dates))
    end = _next_month(max(dates))
    day_width = min(MAX_DAY_WIDTH, max(MIN_DAY_WIDTH, CHART_WIDTH / (end - start).days))

    def x_of(day: datetime.date) -> float:
        return round(LABEL_WIDTH + (day - start).days * day_width, 1)

    def bar(first: datetime.date, last: datetime.date) -> Bar:
        x = x_of(first)
        width = max(MIN_BAR, round(x_of(last + datetime.timedelta(days=1)) - x, 1))
        return Bar(x=x, width=width, start=first, end=last)

    timeline = Timeline(
        start=start,
        end=end,
        width=x_of(end) + 10,
        height=AXIS_HEIGHT + ROW_HEIGHT * len(activities) + 10,
    )
    month = start
    while month < end:
        label = date_format(month, "M") if month.month != 1 else str(month.year)
        timeline.ticks.append(Tick(x=x_of(month), label=label, year_start=month.month == 1))
        month = _next_month(month)
    if start <= today <= end:
        timeline.today_x = x_of(today)
    for index, activity in enumerate(activities):
        actual = None
        if activity.actual_start:
            actual = bar(activity.actual_start, activity.actual_end or max(activity.actual_start, min(today, end)))
        timeline.rows.append(
            Row(
                activity=activity,
                y=AXIS_HEIGHT + index * ROW_HEIGHT,
                planned=bar(activity.planned_start, activity.planned_end),
                actual=actual,
                milestone=activity.is_milestone,
            )
        )
    return timeline
