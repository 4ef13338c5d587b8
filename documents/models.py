"""Documents of a project (optionally of one activity or expenditure), each a chain of file versions.

A document's metadata (title, category, languages, date, visibility) stays with the document; each
upload of a file is a new `DocumentVersion`, numbered from 1, never changed afterwards, and
`Document.head` points at the newest. Files are kept through Django's storage API under a name the
portal makes up (`documents/<project id>/<uuid>`), never the uploader's; the uploader's name, made
safe, is only given back in the download's `Content-Disposition`.
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from activities.models import Activity
from budgets.models import Expenditure
from common.models import TimeStampedModel
from projects.access import Capability
from projects.models import Project


class Category(models.TextChoices):
    """The IATI DocumentCategory codelist (2.03), activity-level codes (A01–A12)."""

    PRE_POST_APPRAISAL = "A01", _("Pre- and post-project impact appraisal")
    OBJECTIVES = "A02", _("Objectives / purpose of activity")
    BENEFICIARIES = "A03", _("Intended ultimate beneficiaries")
    CONDITIONS = "A04", _("Conditions")
    BUDGET = "A05", _("Budget")
    SUMMARY = "A06", _("Summary information about contract")
    EVALUATION = "A07", _("Review of project performance and evaluation")
    RESULTS = "A08", _("Results, outcomes and outputs")
    MOU = "A09", _("Memorandum of understanding")
    TENDER = "A10", _("Tender")
    CONTRACT = "A11", _("Contract")
    WEB_PAGE = "A12", _("Activity web page")


# Languages a document may be written in: the working languages, the region's and the EU's most common.
LANGUAGES = [
    ("en", _("English")),
    ("ru", _("Russian")),
    ("be", _("Belarusian")),
    ("uk", _("Ukrainian")),
    ("pl", _("Polish")),
    ("lt", _("Lithuanian")),
    ("lv", _("Latvian")),
    ("de", _("German")),
    ("fr", _("French")),
]
LANGUAGE_NAMES = dict(LANGUAGES)


class Visibility(models.TextChoices):
    TEAM = "team", _("Project team only")
    DONORS = "donors", _("Project team and donors")
    PUBLIC = "public", _("Public once the project is published")


# The capability (projects/access.py) a reader needs for each level: the team are those who work on
# the drafts (managers, drafters, reviewers, staff); donors read the working tabs; the public sees
# the project's page (anyone once it is published, its members before).
NEEDS = {Visibility.TEAM: Capability.TEAM_FILES, Visibility.DONORS: Capability.READ, Visibility.PUBLIC: Capability.VIEW}


def readable_levels(granted) -> list[str]:
    """The visibility levels a reader with the capabilities `granted` (on one project) may open."""
    return [level.value for level, capability in NEEDS.items() if capability in granted]


class DocumentQuerySet(models.QuerySet):
    def readable_with(self, granted):
        """Documents a reader with the capabilities `granted` may open (filter by project first)."""
        return self.filter(visibility__in=readable_levels(granted))

    def public(self):
        """Public documents of published projects: for anyone, the project page and the IATI file."""
        return self.filter(visibility=Visibility.PUBLIC, project__is_published=True)


class Document(TimeStampedModel):
    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.PROTECT, related_name="documents")
    activity = models.ForeignKey(
        Activity,
        verbose_name=_("activity"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="documents",
    )
    expenditure = models.ForeignKey(
        Expenditure,
        verbose_name=_("expenditure"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="documents",
    )
    title = models.CharField(_("title"), max_length=200)
    category = models.CharField(_("category"), max_length=3, choices=Category.choices)
    languages = models.CharField(
        _("languages"), max_length=60, help_text=_("Codes of the languages it is written in, separated by commas.")
    )
    document_date = models.DateField(_("document date"), null=True, blank=True)
    visibility = models.CharField(_("who may see it"), max_length=10, choices=Visibility.choices)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    head = models.ForeignKey(
        "DocumentVersion",
        verbose_name=_("newest version"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["-document_date", "-pk"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        indexes = [models.Index(fields=["project", "visibility"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("documents:detail", args=[self.project.slug, self.pk])

    @property
    def language_codes(self) -> list[str]:
        return [code for code in self.languages.split(",") if code]

    @property
    def language_names(self) -> list[str]:
        return [str(LANGUAGE_NAMES.get(code, code)) for code in self.language_codes]

    @property
    def is_public(self) -> bool:
        return self.visibility == Visibility.PUBLIC and self.project.is_published

    def clean(self):
        errors = {}
        if self.activity_id and self.activity.project_id != self.project_id:
            errors["activity"] = _("The activity belongs to another project.")
        if self.expenditure_id and self.expenditure.line.project_id != self.project_id:
            errors["expenditure"] = _("The expenditure belongs to another project.")
        unknown = [code for code in self.language_codes if code not in LANGUAGE_NAMES]
        if unknown or not self.language_codes:
            errors["languages"] = _("Choose at least one of the listed languages.")
        if errors:
            raise ValidationError(errors)


def version_file_name(version: "DocumentVersion", filename: str) -> str:
    """A name the portal makes up: the uploader's name never reaches the storage."""
    return f"documents/{version.document.project_id}/{uuid.uuid4().hex}"


class DocumentVersion(models.Model):
    document = models.ForeignKey(
        Document, verbose_name=_("document"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    file = models.FileField(_("file"), upload_to=version_file_name, max_length=300)
    filename = models.CharField(_("file name"), max_length=160)
    content_type = models.CharField(_("type"), max_length=120, help_text=_("Detected from the content."))
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["document", "-number"]
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")
        constraints = [models.UniqueConstraint(fields=["document", "number"], name="document_version_number_unique")]

    def __str__(self) -> str:
        return f"{self.document} v{self.number}"
