"""Geometry of the dashboards' charts, drawn by the templates as inline SVG.

Server-rendered like the activities' Gantt chart (activities/timeline.py): readable without
JavaScript, printable, and not by colour alone. Bar charts put the value beside every bar and
tell budget (hatched outline) from spending (solid) by pattern too; the line chart draws the
planned curve dashed and actual spending solid with dots. Every chart has a table with the
same figures next to it.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone
from django.utils.formats import date_format

from activities.timeline import _month_start, _next_month
from common.money import format_money

# Bar charts
LABEL_WIDTH = 190
PLOT_WIDTH = 380
VALUE_WIDTH = 150
BAR_HEIGHT = 12
BAR_GAP = 3
ROW_GAP = 12
TOP = 6
MAX_BARS = 25  # rows drawn per chart; the table has them all


def _short(text: str, size: int = 28) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


@dataclass
class ChartBar:
    css: str
    x: int
    y: float
    width: float
    value: str
    label_x: float
    text_y: float


@dataclass
class ChartRow:
    label: str
    full_label: str
    y: float
    label_y: float
    bars: list[ChartBar]


@dataclass
class BarChart:
    id: str
    width: int
    height: int
    rows: list[ChartRow]
    label_width: int = LABEL_WIDTH
    plot_width: int = PLOT_WIDTH
    hidden: int = 0  # rows not drawn (the table lists them)


def bar_chart(
    chart_id: str,
    rows,
    currency: str,
    series=(("budget", "bar-budget"), ("spent", "bar-spent")),
    format_value=None,
):
    """Horizontal bars, one group per row: `rows` have the attributes named by `series`. Values are
    shown as money in `currency`, or as `format_value(value)` gives them (value as the row has it, None too)."""
    rows = list(rows)
    drawn = rows[:MAX_BARS]
    largest = max([Decimal(getattr(row, name) or 0) for row in drawn for name, _ in series] + [Decimal(0)])
    group_height = len(series) * (BAR_HEIGHT + BAR_GAP) - BAR_GAP
    chart_rows = []
    for index, row in enumerate(drawn):
        y = TOP + index * (group_height + ROW_GAP)
        bars = []
        for position, (name, css) in enumerate(series):
            value = Decimal(getattr(row, name) or 0)
            width = round(float(value / largest) * PLOT_WIDTH, 1) if largest else 0
            if value and width < 1:
                width = 1
            bars.append(
                ChartBar(
                    css=css,
                    x=LABEL_WIDTH,
                    y=y + position * (BAR_HEIGHT + BAR_GAP),
                    width=width,
                    value=format_value(getattr(row, name)) if format_value else format_money(value, currency),
                    label_x=LABEL_WIDTH + width + 4,
                    text_y=y + position * (BAR_HEIGHT + BAR_GAP) + BAR_HEIGHT - 2,
                )
            )
        label = str(row.label)
        chart_rows.append(
            ChartRow(label=_short(label), full_label=label, y=y, label_y=y + group_height / 2 + 4, bars=bars)
        )
    height = TOP * 2 + len(drawn) * (group_height + ROW_GAP)
    return BarChart(
        id=chart_id,
        width=LABEL_WIDTH + PLOT_WIDTH + VALUE_WIDTH,
        height=height,
        rows=chart_rows,
        hidden=len(rows) - len(drawn),
    )


# Line chart of spending over time
LINE_LEFT = 120
LINE_WIDTH = 640
LINE_HEIGHT = 260
LINE_TOP = 16
LINE_BOTTOM = 36


@dataclass
class AxisTick:
    position: float
    label: str


@dataclass
class LineChart:
    width: int
    height: int
    left: int
    top: int
    bottom: float
    right: float
    planned_points: str
    actual_points: str
    dots: list[tuple[float, float]]
    x_ticks: list[AxisTick]
    y_ticks: list[AxisTick]
    today_x: float | None


def line_chart(points, currency: str, today: datetime.date | None = None) -> LineChart | None:
    """Cumulative planned and actual spending per month (`points` from selectors.spending_curve)."""
    if not points:
        return None
    today = today or timezone.localdate()
    largest = max([p.planned or 0 for p in points] + [p.cumulative or 0 for p in points] + [Decimal(0)])
    largest = largest or Decimal(1)
    step = LINE_WIDTH / max(len(points) - 1, 1)
    bottom = LINE_TOP + LINE_HEIGHT

    def x_of(index: int) -> float:
        return round(LINE_LEFT + index * step, 1)

    def y_of(value) -> float:
        return round(bottom - float(Decimal(value) / largest) * LINE_HEIGHT, 1)

    planned = " ".join(f"{x_of(i)},{y_of(p.planned)}" for i, p in enumerate(points) if p.planned is not None)
    actual_pairs = [(x_of(i), y_of(p.cumulative)) for i, p in enumerate(points) if p.cumulative is not None]
    every = max(1, len(points) // 12)
    x_ticks = []
    for index, point in enumerate(points):
        if point.month.month == 1 or index % every == 0:
            label = str(point.month.year) if point.month.month == 1 else date_format(point.month, "M")
            x_ticks.append(AxisTick(x_of(index), label))
    y_ticks = [
        AxisTick(y_of(largest * share / 4), format_money((largest * share / 4).quantize(Decimal("1")), currency))
        for share in range(5)
    ]
    today_x = None
    if points[0].month <= today < _next_month(points[-1].month):
        index = next(i for i, p in enumerate(points) if p.month == _month_start(today))
        today_x = x_of(index)
    return LineChart(
        width=LINE_LEFT + LINE_WIDTH + 30,
        height=bottom + LINE_BOTTOM,
        left=LINE_LEFT,
        top=LINE_TOP,
        bottom=bottom,
        right=LINE_LEFT + LINE_WIDTH,
        planned_points=planned,
        actual_points=" ".join(f"{x},{y}" for x, y in actual_pairs),
        dots=actual_pairs,
        x_ticks=x_ticks,
        y_ticks=y_ticks,
        today_x=today_x,
    )


# Portfolio timeline: one row per project, planned bar (outlined) above the actual one (filled)
TIMELINE_LABEL = 300
TIMELINE_WIDTH = 900
TIMELINE_ROW = 30
TIMELINE_AXIS = 40
TIMELINE_MIN_BAR = 3


@dataclass
class Span:
    x: float
    width: float


@dataclass
class TimelineRow:
    project: object
    y: int
    planned: Span
    actual: Span | None


@dataclass
class Tick:
    x: float
    label: str
    year_start: bool


@dataclass
class PortfolioTimeline:
    start: datetime.date
    end: datetime.date
    width: float
    height: int
    rows: list[TimelineRow] = field(default_factory=list)
    ticks: list[Tick] = field(default_factory=list)
    today_x: float | None = None
    label_width: int = TIMELINE_LABEL
    axis_height: int = TIMELINE_AXIS
    row_height: int = TIMELINE_ROW


def portfolio_timeline(projects, *, today: datetime.date | None = None) -> PortfolioTimeline | None:
    """Every project of the page as a row; the scale fits the page's projects into a fixed width."""
    projects = list(projects)
    if not projects:
        return None
    today = today or timezone.localdate()
    dates = [d for p in projects for d in (p.planned_start, p.planned_end, p.actual_start, p.actual_end) if d]
    start = _month_start(min(dates))
    end = _next_month(max(dates))
    day_width = TIMELINE_WIDTH / max((end - start).days, 1)

    def x_of(day: datetime.date) -> float:
        return round(TIMELINE_LABEL + (day - start).days * day_width, 1)

    def span(first: datetime.date, last: datetime.date) -> Span:
        x = x_of(first)
        return Span(x=x, width=max(TIMELINE_MIN_BAR, round(x_of(last + datetime.timedelta(days=1)) - x, 1)))

    timeline = PortfolioTimeline(
        start=start,
        end=end,
        width=TIMELINE_LABEL + TIMELINE_WIDTH + 10,
        height=TIMELINE_AXIS + TIMELINE_ROW * len(projects) + 10,
    )
    years = (end - start).days / 365
    month = start
    while month < end:
        if month.month == 1:
            timeline.ticks.append(Tick(x=x_of(month), label=str(month.year), year_start=True))
        elif years <= 3 or (years <= 8 and month.month == 7):
            label = date_format(month, "M") if years <= 3 else ""
            timeline.ticks.append(Tick(x=x_of(month), label=label, year_start=False))
        month = _next_month(month)
    if start <= today <= end:
        timeline.today_x = x_of(today)
    for index, project in enumerate(projects):
        actual = None
        if project.actual_start:
            actual = span(project.actual_start, project.actual_end or max(project.actual_start, min(today, end)))
        timeline.rows.append(
            TimelineRow(
                project=project,
                y=TIMELINE_AXIS + index * TIMELINE_ROW,
                planned=span(project.planned_start, project.planned_end),
                actual=actual,
            )
        )
    return timeline
