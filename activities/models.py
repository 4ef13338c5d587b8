from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from common.models import (
    DATE_CONSTRAINT_FIELDS,
    RUSSIAN_MARKDOWN_HELP,
    RUSSIAN_VERSION_HELP,
    FieldConstraintsMixin,
    TimeStampedModel,
    TranslatedFieldsMixin,
    dates_in_order,
)
from projects.models import Organisation, Project


class Activity(TranslatedFieldsMixin, FieldConstraintsMixin, TimeStampedModel):
    class Kind(models.TextChoices):
        DESK_RESEARCH = "desk_research", _("Desk research")
        FACT_FINDING = "fact_finding", _("Fact-finding mission")
        STUDY_VISIT = "study_visit", _("Study visit")
        KNOWLEDGE_EXCHANGE = "knowledge_exchange", _("Knowledge exchange")
        DRAFTING_WORKSHOP = "drafting_workshop", _("Drafting workshop")
        CONSULTATION = "consultation", _("Consultation")
        MEETING = "meeting", _("Meeting")
        REMOTE_ASSISTANCE = "remote_assistance", _("Remote assistance")
        CLOSING_EVENT = "closing_event", _("Closing event")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        ONGOING = "ongoing", _("Ongoing")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")
        POSTPONED = "postponed", _("Postponed")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="activities")
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown."))
    theme = models.CharField(_("theme"), max_length=200, blank=True, help_text=_("E.g. “migration and development”."))
    planned_start = models.DateField(_("planned start"))
    planned_end = models.DateField(_("planned end"))
    actual_start = models.DateField(_("actual start"), null=True, blank=True)
    actual_end = models.DateField(_("actual end"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PLANNED)
    is_remote = models.BooleanField(_("remote"), default=False, help_text=_("Held online or at a distance."))
    city = models.CharField(_("city"), max_length=120, blank=True)
    country = CountryField(_("country"), blank=True)
    outputs = models.TextField(_("outputs"), blank=True, help_text=_("Markdown: what the activity produced."))
    title_ru = models.CharField(_("title (Russian)"), max_length=300, blank=True, help_text=RUSSIAN_VERSION_HELP)
    theme_ru = models.CharField(_("theme (Russian)"), max_length=200, blank=True, help_text=RUSSIAN_VERSION_HELP)
    description_ru = models.TextField(_("description (Russian)"), blank=True, help_text=RUSSIAN_MARKDOWN_HELP)
    outputs_ru = models.TextField(_("outputs (Russian)"), blank=True, help_text=RUSSIAN_MARKDOWN_HELP)
    order = models.PositiveIntegerField(_("order"), default=0)
    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    translated_fields = ("title", "theme", "description", "outputs")
    constraint_fields = DATE_CONSTRAINT_FIELDS

    class Meta:
        ordering = ["order", "planned_start", "pk"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        constraints = [
            *dates_in_order("activity"),
        ]
        indexes = [models.Index(fields=["project", "order"])]

    # Selects (edition "presented at", budget lines, documents, comment sources) name an activity
    # through str(): in the reader's language.
    def __str__(self) -> str:
        return self.localized("title")

    def get_absolute_url(self) -> str:
        return reverse("activities:detail", kwargs={"slug": self.project.slug, "activity_id": self.pk})

    @property
    def start(self):
        return self.actual_start or self.planned_start

    @property
    def end(self):
        return self.actual_end or self.planned_end

    @property
    def is_milestone(self) -> bool:
        """One-day events are milestones."""
        return self.planned_start == self.planned_end

    @property
    def location(self) -> str:
        if self.is_remote:
            return str(_("Remote"))
        return ", ".join(part for part in [self.city, self.country.name if self.country else ""] if part)

    def dates_outside_project(self) -> bool:
        project = self.project
        latest_end = max(filter(None, [project.planned_end, project.actual_end]))
        earliest_start = min(filter(None, [project.planned_start, project.actual_start]))
        dates = [d for d in [self.planned_start, self.planned_end, self.actual_start, self.actual_end] if d]
        return any(d < earliest_start or d > latest_end for d in dates)


class Participation(FieldConstraintsMixin, TimeStampedModel):
    class Role(models.TextChoices):
        HOST = "host", _("Host")
        PARTICIPANT = "participant", _("Participant")
        EXPERT = "expert", _("Expert")
        FACILITATOR = "facilitator", _("Facilitator")

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="participations")
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="participations"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.PARTICIPANT)
    participants = models.PositiveIntegerField(
        _("number of participants"), default=0, validators=[MinValueValidator(0)]
    )
    women = models.PositiveIntegerField(_("of whom women"), null=True, blank=True, validators=[MinValueValidator(0)])

    constraint_fields = {"women_above_total": "women"}

    class Meta:
        ordering = ["role", "organisation__name"]
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        constraints = [
            models.UniqueConstraint(fields=["activity", "organisation", "role"], name="participation_once_per_role"),
            models.CheckConstraint(
                condition=Q(women__isnull=True) | Q(women__lte=F("participants")),
                name="participation_women_within_total",
                violation_error_code="women_above_total",
                violation_error_message=_("The number of women cannot be above the number of participants."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.get_role_display()})"
