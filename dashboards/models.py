from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PublicFile(models.Model):
    """A file everyone may download, built by a task and served as it is (dashboards/publication.py).

    The public IATI activity file takes seconds to write for a large portfolio: it is written once
    after the data changes, not for each visitor.
    """

    name = models.CharField(max_length=50, unique=True)
    file = models.FileField(upload_to="public/", max_length=300)
    etag = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    generation = models.BigIntegerField(help_text=_("The data generation the file was built from."))
    built_at = models.DateTimeField()

    def __str__(self):
        return self.name


class ExportJob(models.Model):
    """A dashboard export too large for one request, written to a file by a task (dashboards/exporting.py)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Being written")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20)
    fmt = models.CharField(max_length=4)
    query = models.CharField(max_length=500, blank=True)
    # The projects the file holds (a digest of their ids): the file is handed over only while the
    # user's dashboard, with the same filters, still selects exactly those projects.
    projects_digest = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    rows = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to="exports/", max_length=300, blank=True)
    filename = models.CharField(max_length=200)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return self.filename


class ProjectFigures(models.Model):
    """One project's budget and spending, summed from its ledgers and kept for the dashboards.

    Written only by dashboards/figures.py, which sums a project again when its data revision has
    moved on since `revision` (any saved or deleted budget line, revision, expenditure or project
    field moves it): the portfolio dashboard adds up these rows, one per project, instead
    of every expenditure.
    """

    project = models.OneToOneField(
        "projects.Project", on_delete=models.CASCADE, primary_key=True, related_name="figures"
    )
    # The project's data revision the sums were taken at; None while they are being taken.
    revision = models.PositiveBigIntegerField(null=True)
    lines = models.PositiveIntegerField(default=0)
    original = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    revised = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    spent = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    periods = models.PositiveSmallIntegerField(default=0)
    # What no budget period holds: the revised budget of a project too short to have one, and
    # the spending dated outside every period.
    unplanned_budget = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    unplanned_spent = models.DecimalField(max_digits=14, decimal_places=2, default=0)

    def __str__(self):
        return f"figures of project {self.project_id} at revision {self.revision}"


class PeriodFigures(models.Model):
    """One budget period of a project (as in its IATI file): its share of the revised budget and the
    spending dated within it. Kept with the project's ProjectFigures."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="period_figures")
    first = models.DateField()
    last = models.DateField()
    budget = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    spent = models.DecimalField(max_digits=14, decimal_places=2, default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "first"], name="period_figures_once")]

    def __str__(self):
        return f"project {self.project_id}, {self.first} – {self.last}"
