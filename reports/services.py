"""Writes: the schedule and the reports it generates, narrative versions, and the sign-off workflow.

Every function is one transaction. The workflow locks the report row (`select_for_update`) and
reads its state after the lock, so two people pressing "Submit" at the same moment give one
submission; a narrative save locks the narrative and checks that the version it was based on is
still the newest, so a stale save is refused, never written over the other person's text.
"""

import datetime

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from projects.access import Capability
from projects.models import Membership, Project
from results.models import project_bounds

from .assembly import assemble
from .models import NarrativeSection, NarrativeVersion, Report, ReportSchedule

LANGUAGES = dict(settings.LANGUAGES)


def _check_responsible(project: Project, responsible) -> None:
    members = set(Membership.objects.filter(project=project).values_list("user_id", flat=True))
    strangers = [user for user in responsible if user.pk not in members]
    if strangers:
        raise ValidationError({"responsible": _("Only members of the project can be responsible for a report.")})


def planned_reports(*, schedule: ReportSchedule) -> list[Report]:
    """The reports the schedule calls for (unsaved): interim ones every N months from the project's
    start, each due `days_to_submit` after its period, and a final one for the whole project (from
    its earliest start to its latest end, planned or actual)."""
    project = schedule.project
    start, end = project_bounds(project)
    due_after = datetime.timedelta(days=schedule.days_to_submit)
    reports = []
    if schedule.interim_months:
        number, period_start = 1, start
        while True:
            period_end = start + relativedelta(months=schedule.interim_months * number) - datetime.timedelta(days=1)
            if period_end >= end:
                break  # the last stretch is covered by the final report
            reports.append(
                Report(
                    project=project,
                    schedule=schedule,
                    kind=Report.Kind.INTERIM,
                    title=_("Interim report %(number)s") % {"number": number},
                    period_start=period_start,
                    period_end=period_end,
                    due_date=period_end + due_after,
                )
            )
            number, period_start = number + 1, period_end + datetime.timedelta(days=1)
    if schedule.final_report:
        reports.append(
            Report(
                project=project,
                schedule=schedule,
                kind=Report.Kind.FINAL,
                title=_("Final report"),
                period_start=start,
                period_end=end,
                due_date=end + due_after,
            )
        )
    return reports


def _untouched(reports):
    """Generated reports nobody has started: the schedule may replace them."""
    return reports.filter(state=Report.State.NOT_STARTED, narratives__isnull=True)


@transaction.atomic
def schedule_save(
    *, project: Project, interim_months: int | None, final_report: bool, days_to_submit: int
) -> list[Report]:
    """Saves the schedule and brings its reports in line with it: reports nobody has started are
    replaced; started ones are kept, and a planned report overlapping one of them is not added.
    Returns the reports added."""
    Project.objects.select_for_update().filter(pk=project.pk).first()  # one schedule change at a time
    schedule = ReportSchedule.objects.filter(project=project).first() or ReportSchedule(project=project)
    schedule.interim_months = interim_months
    schedule.final_report = final_report
    schedule.days_to_submit = days_to_submit
    schedule.full_clean()
    schedule.save()
    schedule.project = project
    _untouched(Report.objects.filter(schedule=schedule)).delete()
    kept = list(Report.objects.filter(project=project).exclude(kind=Report.Kind.CUSTOM))
    added = []
    for report in planned_reports(schedule=schedule):
        clash = any(
            other.kind == report.kind
            and other.period_start <= report.period_end
            and other.period_end >= report.period_start
            for other in kept
        )
        if not clash:
            report.full_clean()
            report.save()
            added.append(report)
    return added


@transaction.atomic
def report_create(*, project: Project, responsible=(), **fields) -> Report:
    """A report added by hand: a custom due date beside the schedule's reports."""
    report = Report(project=project, **fields)
    report.full_clean()
    _check_responsible(project, responsible)
    report.save()
    report.responsible.set(responsible)
    return report


@transaction.atomic
def report_update(*, report: Report, responsible, **fields) -> Report:
    """Changes a report's title, dates or responsible members. The period of a submitted or approved
    report is frozen with its figures."""
    locked = Report.objects.select_for_update().get(pk=report.pk)
    locked.project = report.project
    period_fields = {"period_start", "period_end", "kind"}
    if locked.is_frozen and any(
        fields.get(name, getattr(locked, name)) != getattr(locked, name) for name in period_fields
    ):
        raise ValidationError(_("The period of a submitted report cannot change. Return it first."))
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.full_clean()
    _check_responsible(locked.project, responsible)
    locked.save()
    locked.responsible.set(responsible)
    return locked


def narrative_head(*, report: Report, language: str) -> NarrativeVersion | None:
    return (
        NarrativeVersion.objects.filter(section__report=report, section__language=language).order_by("-number").first()
    )


class StaleNarrative(ValidationError):
    """The narrative was saved by someone else after the version the edit started from."""

    def __init__(self, head: NarrativeVersion):
        self.head = head
        super().__init__(
            _(
                "%(person)s saved this narrative (version %(number)s) while you were editing. Your text was not "
                "saved: it is still in the form below. Compare it with the newest version, then save again."
            )
            % {
                "person": head.author.get_full_name() or head.author.username if head.author else _("Someone"),
                "number": head.number,
            },
            code="stale",
        )


@transaction.atomic
def narrative_save(*, report: Report, language: str, base_number: int, body: str, user) -> NarrativeVersion:
    """Writes a new version of the report's narrative in `language`, from an edit that started at
    version `base_number` (0: the first). Refused if the report is not open for editing, or if the
    newest version is no longer `base_number` (StaleNarrative)."""
    if language not in LANGUAGES:
        raise ValidationError(_("Reports are written in English or Russian."))
    locked = Report.objects.select_for_update().get(pk=report.pk)
    if not locked.is_editable:
        raise ValidationError(_("This report is submitted: its narrative can change only after it is returned."))
    section, _created = NarrativeSection.objects.get_or_create(report=locked, language=language)
    section = NarrativeSection.objects.select_for_update().get(pk=section.pk)
    # The head is read after the lock is held, in its own query, so it cannot be stale.
    head = narrative_head(report=locked, language=language)
    head_number = head.number if head else 0
    if head_number != base_number:
        raise StaleNarrative(head)
    body = body.replace("\r\n", "\n").strip()
    version = NarrativeVersion(section=section, number=head_number + 1, body=body, author=user, based_on=head)
    version.full_clean()
    version.save()
    section.head = version
    section.save(update_fields=["head"])
    if locked.state == Report.State.NOT_STARTED:
        locked.state = Report.State.IN_PROGRESS
        locked.save(update_fields=["state", "updated_at"])
    return version


def may_submit(*, report: Report, user, granted) -> bool:
    """Responsible members submit; managers and staff (EDIT) submit any report of their project."""
    if Capability.EDIT in granted:
        return True
    return Capability.REPORT in granted and report.responsible.filter(pk=user.pk).exists()


@transaction.atomic
def report_submit(*, report: Report, user) -> Report:
    """Freezes the report: the figures assembled now and the narrative versions are kept with it."""
    locked = Report.objects.select_for_update().get(pk=report.pk)
    locked.project = report.project
    if not locked.is_editable:
        raise ValidationError(_("This report has already been submitted."))
    heads = list(
        NarrativeVersion.objects.filter(
            pk__in=NarrativeSection.objects.filter(report=locked).values("head_id")
        ).exclude(body="")
    )
    if not heads:
        raise ValidationError(_("Write the narrative before submitting the report."))
    locked.snapshot = assemble(report=locked)
    locked.state = Report.State.SUBMITTED
    locked.submitted_by = user
    locked.submitted_at = timezone.now()
    locked.save()
    locked.frozen_versions.set(heads)
    return locked


@transaction.atomic
def report_approve(*, report: Report, user) -> Report:
    locked = Report.objects.select_for_update().get(pk=report.pk)
    if locked.state != Report.State.SUBMITTED:
        raise ValidationError(_("Only a submitted report can be approved."))
    if settings.REPORTS_FORBID_SELF_APPROVAL and user.pk == locked.submitted_by_id:
        raise ValidationError(_("You submitted this report: another manager approves it."))
    locked.state = Report.State.APPROVED
    locked.approved_by = user
    locked.approved_at = timezone.now()
    locked.save()
    return locked


@transaction.atomic
def report_return(*, report: Report, user, comment: str) -> Report:
    """Sends a submitted report back with comments; it is open for editing again, its figures live."""
    comment = comment.strip()
    if not comment:
        raise ValidationError({"comment": _("Say what should change: the comments are required.")})
    locked = Report.objects.select_for_update().get(pk=report.pk)
    if locked.state != Report.State.SUBMITTED:
        raise ValidationError(_("Only a submitted report can be returned."))
    locked.state = Report.State.RETURNED
    locked.returned_by = user
    locked.returned_at = timezone.now()
    locked.return_comment = comment
    locked.snapshot = None
    locked.save()
    locked.frozen_versions.clear()
    return locked
