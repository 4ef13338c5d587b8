"""What reports send and print: the reminders e-mailed (reports.reminders) and the report files
rendered (reports.rendering). Imported by reports.models so that Django finds them."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import Report


class ReportReminder(models.Model):
    """One reminder e-mailed about one report to one member on one day.

    The unique constraint is the guarantee of "at most once a day": a second worker, or a second
    run the same day, finds the row there and sends nothing.
    """

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", _("Due soon")
        OVERDUE = "overdue", _("Overdue")

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="reminders")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("day"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    days = models.IntegerField(_("days"), help_text=_("Days before the due date; negative when overdue."))
    due_date = models.DateField(_("due date"), help_text=_("The report's due date when the reminder was sent."))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-day", "report", "user"]
        verbose_name = _("report reminder")
        verbose_name_plural = _("report reminders")
        constraints = [models.UniqueConstraint(fields=["report", "user", "day"], name="one_report_reminder_a_day")]

    def __str__(self) -> str:
        return f"{self.report} → {self.user} ({self.day})"


def report_render_upload_to(job: "ReportRenderJob", filename: str) -> str:
    return f"renders/reports/{job.report_id}/{job.content_hash[:16]}/{filename}"


class ReportRenderJob(models.Model):
    """A printed file (PDF or Word) of a submitted or approved report, rendered by a Celery worker.

    Like concepts' RenderJob: `content_hash` is the sha256 of the exact HTML and options printed, so
    the same content is rendered once; the file is only ever sent by the access-checking download view.
    """

    class Kind(models.TextChoices):
        PDF = "pdf", _("PDF")
        DOCX = "docx", _("Word")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Being prepared")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="render_jobs")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    audience = models.CharField(
        max_length=100,
        blank=True,
        help_text=_(
            "The capabilities that decide what the file shows (documents by visibility, the budget): a reader gets "
            "only a file made for readers who may see exactly what they may."
        ),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    queued_at = models.DateTimeField(_("queued"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    page_count = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    file_size = models.PositiveBigIntegerField(_("size"), null=True, blank=True)
    content_hash = models.CharField(max_length=64, db_index=True)
    file = models.FileField(upload_to=report_render_upload_to, max_length=300, blank=True)
    filename = models.CharField(_("file name"), max_length=200, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("report file")
        verbose_name_plural = _("report files")

    def __str__(self) -> str:
        return self.filename or f"{self.report} ({self.kind})"

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)
