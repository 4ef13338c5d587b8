"""Periodic reports of a project: its schedule, each report with its period, state and narrative.

A report's figures are not stored while it is being written: the report page assembles them from
the project's own records for the period (reports.assembly). Submitting freezes them: `snapshot`
keeps the assembled figures and `frozen_versions` the narrative versions submitted, so that later
changes to the records do not change a submitted or approved report. Returning a report unfreezes it.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from common.models import RUSSIAN_VERSION_HELP, FieldConstraintsMixin, TimeStampedModel, TranslatedFieldsMixin
from projects.models import Project
from results.models import project_bounds

MAX_NARRATIVE_LENGTH = 100_000


class ReportSchedule(TimeStampedModel):
    """How a project's reports fall due: interim every N months from the start, and a final one at the end.

    Custom due dates are reports of kind `custom` added beside the generated ones.
    """

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="report_schedule")
    interim_months = models.PositiveSmallIntegerField(
        _("interim report every (months)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_("Counted from the project's start. Leave empty for no interim reports."),
    )
    final_report = models.BooleanField(_("final report at the end"), default=True)
    days_to_submit = models.PositiveSmallIntegerField(
        _("days to submit"),
        default=30,
        validators=[MaxValueValidator(365)],
        help_text=_("A report is due this many days after the end of its period."),
    )

    class Meta:
        verbose_name = _("report schedule")
        verbose_name_plural = _("report schedules")

    def __str__(self) -> str:
        return str(_("Report schedule of %(project)s") % {"project": self.project})


class Report(TranslatedFieldsMixin, FieldConstraintsMixin, TimeStampedModel):
    class Kind(models.TextChoices):
        INTERIM = "interim", _("Interim report")
        FINAL = "final", _("Final report")
        CUSTOM = "custom", _("Other report")

    class State(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")
        RETURNED = "returned", _("Returned with comments")

    # States in which the narrative may be written and the report submitted.
    EDITABLE = (State.NOT_STARTED, State.IN_PROGRESS, State.RETURNED)
    # States in which the figures are frozen in `snapshot`.
    FROZEN = (State.SUBMITTED, State.APPROVED)

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="reports")
    schedule = models.ForeignKey(
        ReportSchedule,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
        help_text=_("Set on reports the schedule generated; empty for reports added by hand."),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.INTERIM)
    title = models.CharField(_("title"), max_length=300)
    title_ru = models.CharField(_("title (Russian)"), max_length=300, blank=True, help_text=RUSSIAN_VERSION_HELP)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    due_date = models.DateField(_("due date"))
    responsible = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible members"),
        blank=True,
        related_name="responsible_reports",
        help_text=_("Members of the project who write and submit the report."),
    )
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.NOT_STARTED)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    returned_at = models.DateTimeField(_("returned"), null=True, blank=True)
    return_comment = models.TextField(_("comments on return"), blank=True, max_length=20_000)
    snapshot = models.JSONField(
        _("frozen figures"),
        null=True,
        blank=True,
        help_text=_("The figures assembled when the report was submitted; empty while it is being written."),
    )
    frozen_versions = models.ManyToManyField(
        "NarrativeVersion", blank=True, related_name="+", help_text=_("The narrative versions submitted.")
    )

    translated_fields = ("title",)
    constraint_fields = {"report_period_end_before_start": "period_end"}

    class Meta:
        ordering = ["due_date", "period_start", "pk"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")),
                name="report_period_in_order",
                violation_error_code="report_period_end_before_start",
                violation_error_message=_("The end of the period cannot be before its start."),
            ),
        ]
        indexes = [models.Index(fields=["state", "due_date"], name="report_state_due")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("reports:detail", kwargs={"slug": self.project.slug, "report_id": self.pk})

    @property
    def is_frozen(self) -> bool:
        return self.state in self.FROZEN

    @property
    def is_editable(self) -> bool:
        return self.state in self.EDITABLE

    def clean(self):
        super().clean()
        if not (self.project_id and self.period_start and self.period_end):
            return
        errors = {}
        # The widest the project has been, planned or actual, as reporting periods of results use.
        start, end = project_bounds(self.project)
        if self.period_start < start:
            errors["period_start"] = _("The period cannot start before the project (%(date)s).") % {"date": start}
        if self.period_end > end:
            errors["period_end"] = _("The period cannot end after the project (%(date)s).") % {"date": end}
        if self.due_date and self.due_date < self.period_end:
            errors["due_date"] = _("A report cannot be due before the end of its period.")
        overlapping = (
            Report.objects.filter(project_id=self.project_id, kind=self.kind)
            .filter(period_start__lte=self.period_end, period_end__gte=self.period_start)
            .exclude(pk=self.pk)
            .first()
        )
        if self.kind != self.Kind.CUSTOM and overlapping is not None:
            errors.setdefault(
                "period_start",
                _("The period overlaps “%(title)s” (%(start)s – %(end)s).")
                % {"title": overlapping.title, "start": overlapping.period_start, "end": overlapping.period_end},
            )
        if errors:
            raise ValidationError(errors)


class NarrativeSection(models.Model):
    """A report's narrative in one language; `head` is its newest version."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="narratives")
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    head = models.ForeignKey("NarrativeVersion", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["report", "language"]
        verbose_name = _("narrative")
        verbose_name_plural = _("narratives")
        constraints = [models.UniqueConstraint(fields=["report", "language"], name="one_narrative_per_language")]

    def __str__(self) -> str:
        return f"{self.report} ({self.language})"


class NarrativeVersion(models.Model):
    """One saved state of a narrative. Never changed once written."""

    section = models.ForeignKey(NarrativeSection, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    body = models.TextField(_("text"), blank=True, max_length=MAX_NARRATIVE_LENGTH, help_text=_("Markdown."))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    based_on = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("saved"), auto_now_add=True)

    class Meta:
        ordering = ["section", "-number"]
        verbose_name = _("narrative version")
        verbose_name_plural = _("narrative versions")
        constraints = [models.UniqueConstraint(fields=["section", "number"], name="one_narrative_version_number")]

    def __str__(self) -> str:
        return f"{self.section} v{self.number}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("A narrative version is immutable: write a new version instead.")
        super().save(*args, **kwargs)


# The reminders sent and the files printed live in their own module (reports/job_models.py); imported
# here so that Django registers them with the app.
from .job_models import ReportReminder, ReportRenderJob  # noqa: E402, F401
