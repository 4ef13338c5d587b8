"""Geometry of the Gantt timeline, drawn by the template as inline SVG.

Server-rendered so that it reads without JavaScript and prints; each row has the planned
bar (outlined) and, below it, the actual bar (filled); one-day events are diamonds.

Three zooms (`?zoom=` on the page): "fit", the default, spreads the project's whole time frame
over a width that fits a laptop's screen (and the stylesheet scales it down to narrower ones),
labelling months, quarters or only years as space allows; "months" and "quarters" give each
month a fixed width and scroll sideways. Phones get a list instead (the template's media query).
"""

import datetime
from dataclasses import dataclass, field

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.templatetags.portal import date_span

from .models import Activity

LABEL_WIDTH = 300
FIT_LABEL_WIDTH = 250
FIT_WIDTH = 1100  # px of the whole drawing when fitted: inside a 1366 px screen's page
MONTH_WIDTH = {"months": 100, "quarters": 36}  # px per month in the fixed zooms
MIN_LABEL_SPACING = 32  # px between tick labels, so that they never overlap
MONTH_AND_YEAR_WIDTH = 56  # px a "Feb 2019" label needs
DAYS_PER_MONTH = 30.44
ROW_HEIGHT = 30
AXIS_HEIGHT = 40
BAR_HEIGHT = 9
MIN_BAR = 3
ZOOMS = ("fit", "months", "quarters")
DEFAULT_ZOOM = "fit"
ZOOM_LABELS = {
    "fit": gettext_lazy("Whole project"),
    "months": gettext_lazy("Months"),
    "quarters": gettext_lazy("Quarters"),
}


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
    major: bool = True  # a labelled tick; minor ones are only a faint line


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
    zoom: str = DEFAULT_ZOOM
    today: datetime.date | None = None

    @property
    def fits(self) -> bool:
        return self.zoom == "fit"

    @property
    def label_chars(self) -> int:
        return 36 if self.fits else 42


def _month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def _next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def _tick_label(month: datetime.date, zoom: str) -> str:
    if month.month == 1:
        return str(month.year)
    if zoom == "quarters":
        return _("Q%(number)s") % {"number": (month.month - 1) // 3 + 1}
    return date_format(month, "M")


def _labelled(month: datetime.date, zoom: str, month_width: float) -> bool:
    """Whether the tick at `month` carries a label: every month when there is room, else quarters, else years."""
    if zoom == "months" or (zoom == "fit" and month_width >= MIN_LABEL_SPACING):
        return True
    if zoom == "quarters" or month_width * 3 >= MIN_LABEL_SPACING:
        return month.month % 3 == 1
    return month.month == 1


def _name_the_first_year(ticks: list[Tick], start: datetime.date) -> None:
    """Names the year at the first tick too when it is not January (else the first months would
    have no year), as far as the room before the next label allows."""
    if start.month == 1:
        return
    following = next((tick.x for tick in ticks[1:] if tick.label), None)
    room = following - ticks[0].x if following is not None else MONTH_AND_YEAR_WIDTH
    if room >= MONTH_AND_YEAR_WIDTH:
        ticks[0].label, ticks[0].major = date_format(start, "M Y"), True
    elif room >= MIN_LABEL_SPACING:
        ticks[0].label, ticks[0].major = str(start.year), True


def build_timeline(activities, *, today: datetime.date | None = None, project=None, zoom: str = DEFAULT_ZOOM):
    """The timeline of `activities` (None without any), over the project's planned period and every
    activity date, at `zoom` (one of ZOOMS; anything else fits)."""
    activities = list(activities)
    if not activities:
        return None
    zoom = zoom if zoom in ZOOMS else DEFAULT_ZOOM
    today = today or timezone.localdate()
    dates = [d for a in activities for d in (a.planned_start, a.planned_end, a.actual_start, a.actual_end) if d]
    if project is not None:
        dates += [d for d in (project.planned_start, project.planned_end) if d]
    start = _month_start(min(dates))
    end = _next_month(max(dates))
    label_width = FIT_LABEL_WIDTH if zoom == "fit" else LABEL_WIDTH
    if zoom == "fit":
        day_width = (FIT_WIDTH - label_width - 10) / (end - start).days
    else:
        day_width = MONTH_WIDTH[zoom] / DAYS_PER_MONTH

    def x_of(day: datetime.date) -> float:
        return round(label_width + (day - start).days * day_width, 1)

    def bar(first: datetime.date, last: datetime.date) -> Bar:
        x = x_of(first)
        width = max(MIN_BAR, round(x_of(last + datetime.timedelta(days=1)) - x, 1))
        return Bar(x=x, width=width, start=first, end=last)

    timeline = Timeline(
        start=start,
        end=end,
        width=x_of(end) + 10,
        height=AXIS_HEIGHT + ROW_HEIGHT * len(activities) + 10,
        label_width=label_width,
        zoom=zoom,
    )
    month = start
    while month < end:
        major = _labelled(month, zoom, day_width * DAYS_PER_MONTH)
        label = _tick_label(month, zoom) if major else ""
        timeline.ticks.append(Tick(x=x_of(month), label=label, year_start=month.month == 1, major=major))
        month = _next_month(month)
    _name_the_first_year(timeline.ticks, start)
    if start <= today <= end:
        timeline.today_x = x_of(today)
        timeline.today = today
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


def zoom_of(value) -> str:
    """The zoom a `?zoom=` value names: one of ZOOMS (anything else fits)."""
    return value if value in ZOOMS else DEFAULT_ZOOM


def render_timeline(activities, *, project, zoom: str = DEFAULT_ZOOM, today: datetime.date | None = None) -> str:
    """The HTML of the chart, the list phones show instead and the table of `activities`: rendered
    without the request, from the activities, the project, `zoom` and `today` only (what a kept
    fragment of it must be keyed by)."""
    activities = _described(activities)
    context = {
        "project": project,
        "activities": activities,
        "in_date_order": sorted(activities, key=lambda activity: (activity.planned_start, activity.planned_end)),
        "timeline": build_timeline(activities, project=project, zoom=zoom, today=today),
        "zooms": [(name, ZOOM_LABELS[name]) for name in ZOOMS],
    }
    return render_to_string("activities/_timeline_body.html", context)


def _described(activities) -> list:
    """`activities`, each with what the template shows of it worked out once (the chart, the list and
    the table show it three times): its title in the reader's language, address, kind and status
    (translated once per choice, not per row) and dates."""
    kinds = {value: str(label) for value, label in Activity.Kind.choices}
    statuses = {value: str(label) for value, label in Activity.Status.choices}
    activities = list(activities)
    for activity in activities:
        activity.shown_title = activity.localized("title")
        activity.url = activity.get_absolute_url()
        activity.kind_label = kinds.get(activity.kind, activity.kind)
        activity.status_label = statuses.get(activity.status, activity.status)
        activity.planned_span = date_span(activity.planned_start, activity.planned_end)
        activity.actual_span = date_span(activity.actual_start, activity.actual_end) if activity.actual_start else ""
    return activities
