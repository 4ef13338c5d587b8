"""A project's results framework: objective → outcomes → outputs, their indicators with baseline and
targets, reporting periods, and the updates that report actual values per period.

Every row carries its project (denormalised on indicators, targets and updates) so that one filter
answers "is this id of that project?" (404 otherwise) and the project's history finds every change.
Rules that span rows (periods inside the project and apart, parts adding up, values fitting the
indicator's unit) are checked in `clean()`, which the services call through `full_clean()`.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from activities.models import Activity
from common.models import (
    RUSSIAN_MARKDOWN_HELP,
    RUSSIAN_VERSION_HELP,
    FieldConstraintsMixin,
    TimeStampedModel,
    TranslatedFieldsMixin,
)
from projects.models import Project

HUNDRED = Decimal(100)
SEX_PARTS = ("women", "men", "other")


def project_bounds(project: Project):
    """The earliest start and latest end the project has, planned or actual."""
    start = min(filter(None, [project.planned_start, project.actual_start]))
    end = max(filter(None, [project.planned_end, project.actual_end]))
    return start, end


class Result(TranslatedFieldsMixin, FieldConstraintsMixin, TimeStampedModel):
    class Level(models.TextChoices):
        OBJECTIVE = "objective", _("Overall objective")
        OUTCOME = "outcome", _("Outcome")
        OUTPUT = "output", _("Output")

    # The level a result's parent must have; the objective has none.
    PARENT_LEVEL = {Level.OUTCOME: Level.OBJECTIVE, Level.OUTPUT: Level.OUTCOME}
    # IATI ResultType codes: 1 output, 2 outcome, 3 impact.
    IATI_TYPE = {Level.OUTPUT: "1", Level.OUTCOME: "2", Level.OBJECTIVE: "3"}

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="results")
    parent = models.ForeignKey(
        "self",
        verbose_name=_("contributes to"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
    )
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown."))
    title_ru = models.CharField(_("title (Russian)"), max_length=300, blank=True, help_text=RUSSIAN_VERSION_HELP)
    description_ru = models.TextField(_("description (Russian)"), blank=True, help_text=RUSSIAN_MARKDOWN_HELP)
    order = models.PositiveIntegerField(_("order"), default=0)
    activities = models.ManyToManyField(
        Activity, verbose_name=_("contributing activities"), related_name="results", blank=True
    )
    # The contributing activities are kept with each version: the project's history shows them change.
    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"], m2m_fields=["activities"])

    translated_fields = ("title", "description")
    constraint_fields = {"second_objective": "level"}

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("result")
        verbose_name_plural = _("results")
        constraints = [
            models.UniqueConstraint(
                fields=["project"],
                condition=Q(level="objective"),
                name="one_objective_per_project",
                violation_error_code="second_objective",
                violation_error_message=_("The project has an overall objective already."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self):
        super().clean()
        needed = self.PARENT_LEVEL.get(self.level)
        if needed is None and self.parent_id:
            raise ValidationError({"parent": _("The overall objective contributes to no other result.")})
        if needed is not None:
            parent = self.parent
            if parent is None or parent.level != needed or parent.project_id != self.project_id:
                message = (
                    _("Choose the overall objective this outcome contributes to.")
                    if needed == self.Level.OBJECTIVE
                    else _("Choose the outcome this output contributes to.")
                )
                raise ValidationError({"parent": message})


class Indicator(TranslatedFieldsMixin, TimeStampedModel):
    class Unit(models.TextChoices):
        NUMBER = "number", pgettext_lazy("unit of an indicator", "Number")
        PERCENTAGE = "percentage", _("Percentage")
        YES_NO = "yes_no", _("Yes/no")
        TEXT = "text", _("Text")

    class Source(models.TextChoices):
        """Where the actual values come from: typed in, or computed from the portal's own records."""

        TYPED = "", _("Entered by the project")
        ACTIVITIES_HELD = "activities_held", _("Activities held")
        PARTICIPANTS = "participants", _("Participants of activities (by sex)")
        RECOMMENDATIONS_RECEIVED = "recommendations_received", _("Recommendations received")
        RECOMMENDATIONS_DISPOSED = "recommendations_disposed", _("Share of recommendations with a disposition")
        RECOMMENDATIONS_INCORPORATED = "recommendations_incorporated", _("Share of recommendations incorporated")
        EDITIONS_PRESENTED = "editions_presented", _("Concept editions presented")

    # IATI IndicatorMeasure: 1 unit, 2 percentage, 3 nominal, 5 qualitative.
    IATI_MEASURE = {Unit.NUMBER: "1", Unit.PERCENTAGE: "2", Unit.YES_NO: "3", Unit.TEXT: "5"}
    SOURCE_UNITS = {
        Source.ACTIVITIES_HELD: {Unit.NUMBER, Unit.YES_NO},
        Source.PARTICIPANTS: {Unit.NUMBER},
        Source.RECOMMENDATIONS_RECEIVED: {Unit.NUMBER},
        Source.RECOMMENDATIONS_DISPOSED: {Unit.PERCENTAGE},
        Source.RECOMMENDATIONS_INCORPORATED: {Unit.PERCENTAGE},
        Source.EDITIONS_PRESENTED: {Unit.NUMBER, Unit.YES_NO},
    }

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="indicators")
    result = models.ForeignKey(Result, verbose_name=_("result"), on_delete=models.CASCADE, related_name="indicators")
    code = models.SlugField(
        _("code"),
        max_length=50,
        blank=True,
        help_text=_("Optional. Indicators with the same code are added up across projects, e.g. officials-trained."),
    )
    title = models.CharField(_("title"), max_length=300)
    title_ru = models.CharField(_("title (Russian)"), max_length=300, blank=True, help_text=RUSSIAN_VERSION_HELP)
    unit = models.CharField(_("unit"), max_length=16, choices=Unit.choices, default=Unit.NUMBER)
    ascending = models.BooleanField(
        _("higher is better"), default=True, help_text=_("Clear it for indicators that should go down.")
    )
    baseline_value = models.DecimalField(_("baseline value"), max_digits=14, decimal_places=2, null=True, blank=True)
    baseline_year = models.PositiveSmallIntegerField(_("baseline year"), null=True, blank=True)
    baseline_comment = models.CharField(_("baseline comment"), max_length=500, blank=True)
    means_of_verification = models.TextField(_("means of verification"), blank=True)
    by_sex = models.BooleanField(
        _("disaggregated by sex"), default=False, help_text=_("Values are given for women, men and other/unknown.")
    )
    source = models.CharField(_("source of values"), max_length=40, choices=Source.choices, default="", blank=True)
    activity_kind = models.CharField(
        _("kind of activity"),
        max_length=32,
        choices=Activity.Kind.choices,
        blank=True,
        help_text=_("For activities held and participants: only activities of this kind (all kinds if empty)."),
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    translated_fields = ("title",)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        indexes = [models.Index(fields=["code"])]

    def __str__(self) -> str:
        return self.title

    @property
    def iati_measure(self) -> str:
        return self.IATI_MEASURE[self.unit]

    @property
    def is_computed(self) -> bool:
        return bool(self.source)

    @property
    def is_numeric(self) -> bool:
        return self.unit != self.Unit.TEXT

    def value_errors(self, value) -> str | None:
        """Why `value` cannot be a value of this indicator, or None."""
        if value is None:
            return None
        if self.unit == self.Unit.TEXT:
            return str(_("A text indicator takes its value in words: leave the number empty."))
        if value < 0:
            return str(_("The value cannot be negative."))
        if self.unit == self.Unit.PERCENTAGE and value > HUNDRED:
            return str(_("A percentage cannot be above 100."))
        if self.unit == self.Unit.YES_NO and value not in (0, 1):
            return str(_("A yes/no indicator takes yes or no, not a number."))
        return None

    def clean(self):
        super().clean()
        errors = {}
        if self.result_id and self.result.project_id != self.project_id:
            errors["result"] = _("Choose a result of this project.")
        if message := self.value_errors(self.baseline_value):
            errors["baseline_value"] = message
        if self.baseline_year and self.project_id:
            _start, end = project_bounds(self.project)
            if self.baseline_year > end.year:
                errors["baseline_year"] = _("The baseline year cannot be after the project's end (%(year)s).") % {
                    "year": end.year
                }
        if self.by_sex and self.unit not in (self.Unit.NUMBER,):
            errors["by_sex"] = _("Only numbers of people can be split by sex.")
        if self.source and self.unit not in self.SOURCE_UNITS[self.Source(self.source)]:
            errors["source"] = _("This measure does not give values of the chosen unit.")
        if errors:
            raise ValidationError(errors)


class ReportingPeriod(FieldConstraintsMixin, TimeStampedModel):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="reporting_periods")
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    due = models.DateField(_("reports due"), help_text=_("The date by which the period's values should be reported."))
    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    constraint_fields = {"period_end_before_start": "end"}

    class Meta:
        ordering = ["start", "pk"]
        verbose_name = _("reporting period")
        verbose_name_plural = _("reporting periods")
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gte=F("start")),
                name="period_end_not_before_start",
                violation_error_code="period_end_before_start",
                violation_error_message=_("The end cannot be before the start."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.start:%d.%m.%Y} – {self.end:%d.%m.%Y}"

    def clean(self):
        super().clean()
        if not (self.start and self.end and self.project_id) or self.end < self.start:
            return
        first, last = project_bounds(self.project)
        if self.start < first:
            raise ValidationError(
                {"start": _("The period cannot start before the project (%(date)s).") % {"date": f"{first:%d.%m.%Y}"}}
            )
        if self.end > last:
            raise ValidationError(
                {"end": _("The period cannot end after the project (%(date)s).") % {"date": f"{last:%d.%m.%Y}"}}
            )
        overlapping = (
            ReportingPeriod.objects.filter(project_id=self.project_id, start__lte=self.end, end__gte=self.start)
            .exclude(pk=self.pk)
            .first()
        )
        if overlapping:
            raise ValidationError({"start": _("The period overlaps the period %(period)s.") % {"period": overlapping}})
        if self.due and self.due < self.end:
            raise ValidationError({"due": _("Reports cannot be due before the period ends.")})


class SexPartsMixin(models.Model):
    """Values split into women, men and other/unknown, which must add up to the total."""

    women = models.DecimalField(
        _("women"), max_digits=14, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    men = models.DecimalField(
        _("men"), max_digits=14, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    other = models.DecimalField(
        _("other or unknown"), max_digits=14, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )

    class Meta:
        abstract = True

    def sex_parts_errors(self, indicator: Indicator, total) -> dict:
        parts = [getattr(self, name) for name in SEX_PARTS]
        if all(part is None for part in parts):
            return {}
        if not indicator.by_sex:
            return {"women": _("This indicator is not split by sex.")}
        if total is None:
            return {"value": _("Give the total as well as its parts.")}
        if sum(part or 0 for part in parts) != total:
            return {
                "women": _("Women, men and other/unknown add up to %(parts)s, not to the total of %(total)s.")
                % {"parts": sum(part or 0 for part in parts), "total": total}
            }
        return {}


class Target(SexPartsMixin, TimeStampedModel):
    """The value an indicator should reach in one period, or by the end of the project (no period)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    period = models.ForeignKey(
        ReportingPeriod,
        verbose_name=_("period"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="targets",
        help_text=_("Empty: the target for the whole project."),
    )
    value = models.DecimalField(_("target value"), max_digits=14, decimal_places=2, null=True, blank=True)
    text = models.CharField(_("target (in words)"), max_length=500, blank=True)
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        ordering = ["indicator", "period__start"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period"],
                name="one_target_per_indicator_period",
                violation_error_message=_("This indicator has a target for that period already."),
            ),
            models.UniqueConstraint(
                fields=["indicator"],
                condition=Q(period__isnull=True),
                name="one_project_target_per_indicator",
                violation_error_message=_("This indicator has a target for the whole project already."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator}: {self.value if self.value is not None else self.text}"

    def clean(self):
        super().clean()
        indicator = self.indicator
        errors = {}
        if self.period_id and self.period.project_id != indicator.project_id:
            errors["period"] = _("Choose a period of this project.")
        if message := indicator.value_errors(self.value):
            errors["value"] = message
        if indicator.unit == Indicator.Unit.TEXT and not self.text.strip():
            errors.setdefault("text", _("Describe the target in words."))
        errors.update(self.sex_parts_errors(indicator, self.value))
        if errors:
            raise ValidationError(errors)


class IndicatorUpdateQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(status=IndicatorUpdate.Status.APPROVED)

    def waiting(self):
        return self.filter(status=IndicatorUpdate.Status.SUBMITTED)


class IndicatorUpdate(SexPartsMixin, TimeStampedModel):
    """One report of an indicator's actual value in a period. Several updates of a period add up
    (numbers) or the newest counts (percentages, yes/no, text); only approved ones count."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")
        RETURNED = "returned", _("Returned")

    EDITABLE = (Status.DRAFT, Status.RETURNED)

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="updates")
    period = models.ForeignKey(ReportingPeriod, on_delete=models.PROTECT, related_name="updates")
    value = models.DecimalField(_("actual value"), max_digits=14, decimal_places=2, null=True, blank=True)
    text = models.CharField(_("actual (in words)"), max_length=500, blank=True)
    narrative = models.TextField(_("narrative"), blank=True, max_length=10_000)
    evidence = models.TextField(_("evidence links"), blank=True, help_text=_("One web address per line."))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    review_comment = models.TextField(_("comment on return"), blank=True, max_length=5_000)
    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    objects = IndicatorUpdateQuerySet.as_manager()

    class Meta:
        ordering = ["period__start", "indicator", "created_at", "pk"]
        verbose_name = _("indicator update")
        verbose_name_plural = _("indicator updates")
        indexes = [models.Index(fields=["project", "status"])]

    def __str__(self) -> str:
        return f"{self.indicator} · {self.period}"

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE

    @property
    def evidence_links(self) -> list[str]:
        return [line.strip() for line in self.evidence.splitlines() if line.strip()]

    def clean(self):
        super().clean()
        indicator = self.indicator
        errors = {}
        if self.period_id and self.period.project_id != indicator.project_id:
            errors["period"] = _("Choose a period of this project.")
        if message := indicator.value_errors(self.value):
            errors["value"] = message
        errors.update(self.sex_parts_errors(indicator, self.value))
        bad_links = [link for link in self.evidence_links if not link.startswith(("https://", "http://", "/"))]
        if bad_links:
            errors["evidence"] = _("Give each piece of evidence as a web address (https://…): %(link)s") % {
                "link": bad_links[0]
            }
        if errors:
            raise ValidationError(errors)
