from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import DecimalField, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from activities.models import Activity
from common.models import TimeStampedModel
from projects.models import Project

MONEY = {"max_digits": 14, "decimal_places": 2}


def _history() -> HistoricalRecords:
    # The change reason holds the plausibility warnings a person confirmed: longer than 100 characters.
    return HistoricalRecords(
        excluded_fields=["created_at", "updated_at"], history_change_reason_field=models.TextField(null=True)
    )


ZERO = Value(Decimal("0.00"), output_field=DecimalField(**MONEY))


# A line's revisions, newest first: by date, then the one entered last. Its newest is its revised amount.
NEWEST_REVISION_FIRST = ("-date", "-pk")


class BudgetLineQuerySet(models.QuerySet):
    def with_revised(self):
        """Annotates `revised`: the amount of the line's newest revision, else its original amount."""
        newest = BudgetRevision.objects.filter(line=OuterRef("pk")).order_by(*NEWEST_REVISION_FIRST)
        return self.annotate(
            revised=Coalesce(Subquery(newest.values("amount")[:1], output_field=DecimalField(**MONEY)), F("amount"))
        )

    def with_figures(self):
        """Annotates `revised` (`with_revised`) and `spent`."""
        spent = (
            Expenditure.objects.filter(line=OuterRef("pk"))
            .order_by()
            .values("line")
            .annotate(total=Sum("amount"))
            .values("total")
        )
        return self.with_revised().annotate(spent=Coalesce(Subquery(spent, output_field=DecimalField(**MONEY)), ZERO))


class BudgetLine(TimeStampedModel):
    class Category(models.TextChoices):
        STAFF = "staff", _("Staff")
        EXPERTS = "experts", _("Experts")
        TRAVEL = "travel", _("Travel")
        EVENTS = "events", _("Events and meetings")
        COMMUNICATION = "communication", _("Communication")
        EQUIPMENT = "equipment", _("Equipment")
        OTHER = "other", _("Other")
        INDIRECT = "indirect", _("Indirect costs")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="budget_lines")
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    description = models.CharField(_("description"), max_length=300)
    activity = models.ForeignKey(
        Activity,
        verbose_name=_("activity"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="budget_lines",
        help_text=_("Optional: the activity this line pays for."),
    )
    amount = models.DecimalField(
        _("original amount"),
        **MONEY,
        validators=[MinValueValidator(0)],
        help_text=_("The amount in the original budget."),
    )
    history = _history()
    objects = BudgetLineQuerySet.as_manager()

    class Meta:
        ordering = ["category", "pk"]
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="budget_line_amount_not_negative")]

    def __str__(self) -> str:
        return f"{self.get_category_display()}: {self.description}"


class BudgetRevision(TimeStampedModel):
    """A revised amount for one line. The original amount is never overwritten: the newest
    revision (by date) is the line's revised budget (IATI budget type 2)."""

    line = models.ForeignKey(BudgetLine, on_delete=models.CASCADE, related_name="revisions")
    amount = models.DecimalField(_("revised amount"), **MONEY, validators=[MinValueValidator(0)])
    date = models.DateField(_("date of revision"))
    reason = models.TextField(_("reason"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    history = _history()

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("budget revision")
        verbose_name_plural = _("budget revisions")
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="budget_revision_amount_not_negative")]

    def __str__(self) -> str:
        return f"{self.line} → {self.amount} ({self.date})"


class Expenditure(TimeStampedModel):
    line = models.ForeignKey(
        BudgetLine, verbose_name=_("budget line"), on_delete=models.PROTECT, related_name="expenditures"
    )
    date = models.DateField(_("date"))
    amount = models.DecimalField(_("amount"), **MONEY, validators=[MinValueValidator(Decimal("0.01"))])
    description = models.CharField(_("description"), max_length=300)
    reference = models.CharField(_("reference"), max_length=100, blank=True, help_text=_("Invoice or voucher number."))
    history = _history()

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("expenditure")
        verbose_name_plural = _("expenditures")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="expenditure_amount_positive")]

    def __str__(self) -> str:
        return f"{self.date} {self.amount}: {self.description}"
