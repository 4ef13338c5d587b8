"""Plausibility checks: entries that are allowed but unusual enough to be asked about.

An expenditure dated outside the project's time frame or in the future, one larger than what
remains on its budget line or several times the whole line, and a revision that changes a line
by more than half are not refused: the form shows each warning and saves only once the person
has confirmed them, and the service records the confirmed warnings in the history.

Each warning has a `key` that names the check and the value it was about, so that a confirmation
holds for what the person saw: changing the amount or the date asks again.
"""

import datetime
from collections.abc import Collection
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Sum
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from common.money import format_money
from common.templatetags.portal import short_date
from projects.models import Project

from .models import NEWEST_REVISION_FIRST, BudgetLine, BudgetRevision, Expenditure

TIMES_THE_LINE = 2  # an expenditure this many times its whole line is likely a mistyped amount
REVISION_SHARE = Decimal("0.5")  # a revision changing a line by more than half is asked about


@dataclass(frozen=True)
class PlausibilityWarning:
    key: str
    message: str


class ConfirmationNeeded(Exception):
    """Raised by a service before saving an entry with warnings the person has not confirmed.

    `warnings` are all of the entry's warnings (the confirmed ones too, to show them ticked)."""

    def __init__(self, warnings: list[PlausibilityWarning]):
        super().__init__("; ".join(warning.message for warning in warnings))
        self.warnings = warnings


def check_confirmed(warnings: list[PlausibilityWarning], confirmed: Collection[str]) -> str:
    """Raises ConfirmationNeeded unless every warning is confirmed; else the note for the history."""
    if unconfirmed(warnings, confirmed):
        raise ConfirmationNeeded(warnings)
    return history_note(warnings)


def unconfirmed(warnings: list[PlausibilityWarning], confirmed: Collection[str]) -> list[PlausibilityWarning]:
    """The warnings the person has not confirmed yet (`confirmed` holds the keys they ticked)."""
    return [warning for warning in warnings if warning.key not in confirmed]


def project_time_frame(project: Project) -> tuple[datetime.date, datetime.date]:
    """From the earlier of the planned and actual start to the later of the planned and actual end."""
    start = min(day for day in (project.planned_start, project.actual_start) if day)
    end = max(day for day in (project.planned_end, project.actual_end) if day)
    return start, end


def _date_warnings(project: Project, date: datetime.date, today: datetime.date) -> list[PlausibilityWarning]:
    start, end = project_time_frame(project)
    values = {"date": short_date(date), "start": short_date(start), "end": short_date(end)}
    warnings = []
    if date < start:
        warnings.append(
            PlausibilityWarning(
                f"before_start:{date}", _("The date, %(date)s, is before the project starts (%(start)s).") % values
            )
        )
    if date > end:
        warnings.append(
            PlausibilityWarning(
                f"after_end:{date}", _("The date, %(date)s, is after the project ends (%(end)s).") % values
            )
        )
    if date > today:
        warnings.append(PlausibilityWarning(f"future:{date}", _("The date, %(date)s, is in the future.") % values))
    return warnings


def _amount_warnings(
    line: BudgetLine, amount: Decimal, expenditure: Expenditure | None, currency: str
) -> list[PlausibilityWarning]:
    revised = BudgetLine.objects.with_figures().values_list("revised", flat=True).get(pk=line.pk)
    others = Expenditure.objects.filter(line=line)
    if expenditure is not None and expenditure.pk:
        others = others.exclude(pk=expenditure.pk)
    spent = others.aggregate(total=Sum("amount"))["total"] or Decimal(0)
    remaining = revised - spent
    warnings = []
    if amount > remaining:
        warnings.append(
            PlausibilityWarning(
                f"over_remaining:{amount}",
                _(
                    "The expenditure, %(amount)s, is more than what remains on its budget line: "
                    "%(remaining)s of %(revised)s."
                )
                % {
                    "amount": format_money(amount, currency),
                    "remaining": format_money(remaining, currency),
                    "revised": format_money(revised, currency),
                },
            )
        )
    if revised > 0 and amount >= TIMES_THE_LINE * revised:
        times = (amount / revised).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        warnings.append(
            PlausibilityWarning(
                f"times_line:{amount}",
                ngettext(
                    "The expenditure is %(times)s times its whole budget line (%(revised)s). "
                    "Check that the decimal mark is where you meant it.",
                    "The expenditure is %(times)s times its whole budget line (%(revised)s). "
                    "Check that the decimal mark is where you meant it.",
                    int(times),
                )
                % {"times": times, "revised": format_money(revised, currency)},
            )
        )
    return warnings


def expenditure_warnings(
    *,
    project: Project,
    line: BudgetLine,
    date: datetime.date,
    amount: Decimal,
    today: datetime.date,
    expenditure: Expenditure | None = None,
) -> list[PlausibilityWarning]:
    """What is unusual about an expenditure (a new one, or `expenditure` with these values)."""
    return _date_warnings(project, date, today) + _amount_warnings(line, amount, expenditure, project.currency)


def revision_warnings(*, line: BudgetLine, amount: Decimal) -> list[PlausibilityWarning]:
    """A revision that changes the line's revised amount by more than half of it."""
    newest = (
        BudgetRevision.objects.filter(line=line)
        .order_by(*NEWEST_REVISION_FIRST)
        .values_list("amount", flat=True)
        .first()
    )
    current = newest if newest is not None else line.amount
    if current <= 0 or abs(amount - current) <= current * REVISION_SHARE:
        return []
    percent = (abs(amount - current) / current * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    currency = line.project.currency
    return [
        PlausibilityWarning(
            f"revision_change:{amount}",
            _("This revision changes the line by %(percent)s%% (from %(current)s to %(amount)s).")
            % {
                "percent": percent,
                "current": format_money(current, currency),
                "amount": format_money(amount, currency),
            },
        )
    ]


def history_note(warnings: list[PlausibilityWarning]) -> str:
    """What the history keeps of confirmed warnings."""
    if not warnings:
        return ""
    return _("Confirmed despite warnings: %(warnings)s") % {"warnings": " ".join(w.message for w in warnings)}
