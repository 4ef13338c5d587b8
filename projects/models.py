from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from common.models import (
    DATE_CONSTRAINT_FIELDS,
    RUSSIAN_MARKDOWN_HELP,
    RUSSIAN_VERSION_HELP,
    ContentRevisionMixin,
    FieldConstraintsMixin,
    TimeStampedModel,
    TranslatedFieldsMixin,
    dates_in_order,
)
from common.validators import validate_currency

DONORS_GROUP = "Donors"
RESERVED_SLUGS = {"new", "import", "export"}


def validate_not_reserved(slug: str) -> None:
    if slug in RESERVED_SLUGS:
        raise ValidationError(_("“%(slug)s” is reserved for the portal's own pages."), params={"slug": slug})


# A project's code ends its IATI identifier (`<reporting org ref>-<code>`), so it keeps to the
# characters IATI identifiers may hold: no spaces, and none of / & | ? (IATI rule 1.3.13).
PROJECT_CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*\Z"
validate_project_code = RegexValidator(
    PROJECT_CODE_PATTERN,
    message=_(
        "A project code may hold only Latin letters, digits, hyphens (-), dots (.) and underscores (_), "
        "and must begin with a letter or a digit: it becomes part of the project's IATI identifier."
    ),
    code="invalid_project_code",
)


class Organisation(TranslatedFieldsMixin, TimeStampedModel):
    class Kind(models.TextChoices):
        NATIONAL_AUTHORITY = "national_authority", _("National authority")
        EU_INSTITUTION = "eu_institution", _("EU institution or delegation")
        MEMBER_STATE_AUTHORITY = "member_state_authority", _("EU member state authority")
        INTERNATIONAL = "international", _("International organisation")
        CIVIL_SOCIETY = "civil_society", _("Civil society")
        ACADEMIA = "academia", _("Academia")
        PRIVATE_SECTOR = "private_sector", _("Private sector")
        IMPLEMENTING_AGENCY = "implementing_agency", _("Implementing agency")

    name = models.CharField(_("name"), max_length=255, unique=True)
    name_ru = models.CharField(_("name (Russian)"), max_length=255, blank=True, help_text=RUSSIAN_VERSION_HELP)
    acronym = models.CharField(_("acronym"), max_length=32, blank=True)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    country = CountryField(_("country"), blank=True)
    iati_ref = models.CharField(_("IATI organisation identifier"), max_length=64, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    translated_fields = ("name",)

    # Pages, selects and exports name an organisation through str() or short_name: both speak the
    # reader's language, so a Russian reader sees the Russian name wherever one was given.
    def __str__(self) -> str:
        name = self.localized("name")
        return f"{name} ({self.acronym})" if self.acronym else name

    @property
    def short_name(self) -> str:
        return self.acronym or self.localized("name")


class FundingInstrument(TranslatedFieldsMixin, TimeStampedModel):
    """A source of funds. Its visibility block is what the funder requires on the publications it pays
    for (the EU's: its emblem, "Funded by the European Union" and a disclaimer), printed on the cover
    of every concept PDF and Word file of its projects."""

    code = models.CharField(_("code"), max_length=32, unique=True, help_text=_("For example AMIF."))
    name = models.CharField(_("name"), max_length=255)
    name_ru = models.CharField(_("name (Russian)"), max_length=255, blank=True, help_text=RUSSIAN_VERSION_HELP)
    show_visibility_block = models.BooleanField(
        _("show the EU visibility block"),
        default=False,
        help_text=_(
            "Print the EU emblem, the funding statement and the disclaimer on the cover of the concept "
            "editions of its projects. Leave off for instruments that require none."
        ),
    )
    funding_statement = models.CharField(
        _("funding statement"),
        max_length=200,
        blank=True,
        help_text=_("Beside the emblem, e.g. “Funded by the European Union”."),
    )
    funding_statement_ru = models.CharField(
        _("funding statement (Russian)"), max_length=200, blank=True, help_text=RUSSIAN_VERSION_HELP
    )
    disclaimer = models.TextField(
        _("disclaimer"),
        blank=True,
        max_length=1000,
        help_text=_(
            "Under the statement, e.g. “Its contents are the sole responsibility of … and do not necessarily "
            "reflect the views of the European Union.”"
        ),
    )
    disclaimer_ru = models.TextField(
        _("disclaimer (Russian)"), blank=True, max_length=1000, help_text=RUSSIAN_VERSION_HELP
    )

    translated_fields = ("name", "funding_statement", "disclaimer")

    class Meta:
        ordering = ["code"]
        verbose_name = _("funding instrument")
        verbose_name_plural = _("funding instruments")

    def __str__(self) -> str:
        return self.code


class Role(models.TextChoices):
    MANAGER = "manager", _("Project manager")
    DRAFTER = "drafter", _("Counterpart drafter")
    REVIEWER = "reviewer", _("Reviewer")
    DONOR = "donor", _("Donor")


class ProjectQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def visible_to(self, user):
        """Projects whose page the user may open: published ones, their own, or all for staff."""
        if user.is_authenticated and user.is_staff:
            return self.all()
        if not user.is_authenticated:
            return self.published()
        # A subquery, not a join to the memberships: no DISTINCT, so the list's index keeps its order.
        return self.filter(Q(is_published=True) | Q(pk__in=Membership.objects.filter(user=user).values("project_id")))

    def filtered(self, *, q=None, status=None, country=None, instrument=None, year=None):
        """The project list's filters; each is optional."""
        projects = self
        if q:
            projects = projects.filter(
                Q(title__icontains=q)
                | Q(title_ru__icontains=q)
                | Q(code__icontains=q)
                | Q(thematic_area__icontains=q)
                | Q(thematic_area_ru__icontains=q)
            )
        if status is not None:
            projects = projects.filter(status=status)
        if country:
            projects = projects.filter(countries__contains=country)
        if instrument is not None:
            projects = projects.filter(instrument=instrument)
        if year is not None:
            projects = projects.filter(planned_start__year__lte=year, planned_end__year__gte=year)
        return projects

    def with_role_of(self, user):
        """Annotates `user_role`: the user's membership role on each project, or None."""
        if not user.is_authenticated or user.is_staff:  # staff may do everything: no role needed
            return self.annotate(user_role=models.Value(None, output_field=models.CharField()))
        role = (
            Membership.objects.filter(project=OuterRef("pk"), user=user).order_by().values("role")[:1]
        )  # one per user and project: no ordering, no join to the users
        return self.annotate(user_role=Subquery(role))


class Project(ContentRevisionMixin, TranslatedFieldsMixin, FieldConstraintsMixin, TimeStampedModel):
    class Status(models.IntegerChoices):
        # IATI ActivityStatus codes.
        PIPELINE = 1, _("Pipeline")
        IMPLEMENTATION = 2, _("Implementation")
        FINALISATION = 3, _("Finalisation")
        CLOSED = 4, _("Closed")
        CANCELLED = 5, _("Cancelled")
        SUSPENDED = 6, _("Suspended")

    PUBLIC_STATUS = {
        Status.PIPELINE: _("Project in preparation"),
        Status.IMPLEMENTATION: _("Project ongoing"),
        Status.FINALISATION: _("Project finalising"),
        Status.CLOSED: _("Project completed"),
        Status.CANCELLED: _("Project cancelled"),
        Status.SUSPENDED: _("Project suspended"),
    }

    code = models.CharField(
        _("code"),
        max_length=32,
        unique=True,
        validators=[validate_project_code],
        help_text=_("For example MPF-BY-2019-01: Latin letters, digits, hyphens, dots and underscores."),
    )
    slug = models.SlugField(_("slug"), max_length=120, unique=True, validators=[validate_not_reserved])
    title = models.CharField(_("title"), max_length=300)
    thematic_area = models.CharField(_("thematic area"), max_length=200, blank=True)
    summary = models.TextField(_("summary"), blank=True, help_text=_("Markdown."))
    title_ru = models.CharField(_("title (Russian)"), max_length=300, blank=True, help_text=RUSSIAN_VERSION_HELP)
    thematic_area_ru = models.CharField(
        _("thematic area (Russian)"), max_length=200, blank=True, help_text=RUSSIAN_VERSION_HELP
    )
    summary_ru = models.TextField(_("summary (Russian)"), blank=True, help_text=RUSSIAN_MARKDOWN_HELP)
    status = models.PositiveSmallIntegerField(_("status"), choices=Status.choices, default=Status.PIPELINE)
    planned_start = models.DateField(_("planned start"))
    planned_end = models.DateField(_("planned end"))
    actual_start = models.DateField(_("actual start"), null=True, blank=True)
    actual_end = models.DateField(_("actual end"), null=True, blank=True)
    countries = CountryField(_("beneficiary countries"), multiple=True, blank=True)
    instrument = models.ForeignKey(
        FundingInstrument,
        verbose_name=_("funding instrument"),
        on_delete=models.PROTECT,
        related_name="projects",
        null=True,
        blank=True,
    )
    total_budget = models.DecimalField(
        _("total budget"), max_digits=14, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )
    currency = models.CharField(_("currency"), max_length=3, default="EUR", validators=[validate_currency])
    is_published = models.BooleanField(_("published"), default=False)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, through="Membership", related_name="projects")
    # Moves on whenever anything shown on the project's pages is saved or deleted (projects/revision.py):
    # the project's rendered fragments are kept under it.
    content_revision = models.PositiveBigIntegerField(default=0, editable=False)
    # Moves on with it, except when a name shared by many projects changes (an organisation, a funding
    # instrument): the version id of the project's own rows, which the dashboards' kept sums follow.
    data_revision = models.PositiveBigIntegerField(default=0, editable=False)

    history = HistoricalRecords(excluded_fields=["created_at", "updated_at", "content_revision", "data_revision"])
    objects = ProjectQuerySet.as_manager()
    revision_fields = ("content_revision", "data_revision")
    translated_fields = ("title", "thematic_area", "summary")
    constraint_fields = {
        **DATE_CONSTRAINT_FIELDS,
        "negative_budget": "total_budget",
    }

    class Meta:
        ordering = ["-planned_start", "title"]
        # The project list's order: its first page is read off the index, not sorted out of every project.
        indexes = [models.Index(models.F("planned_start").desc(), "title", name="project_list_order")]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        constraints = [
            *dates_in_order("project"),
            models.CheckConstraint(
                condition=Q(total_budget__gte=0),
                name="project_budget_not_negative",
                violation_error_code="negative_budget",
                violation_error_message=_("The total budget cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("projects:detail", kwargs={"slug": self.slug})

    @property
    def public_status(self) -> str:
        return self.PUBLIC_STATUS[self.status]

    @property
    def start(self):
        return self.actual_start or self.planned_start

    @property
    def end(self):
        return self.actual_end or self.planned_end


class ProjectPartner(TimeStampedModel):
    class PartnerRole(models.TextChoices):
        FUNDING = "funding", _("Funding")
        ACCOUNTABLE = "accountable", _("Accountable")
        EXTENDING = "extending", _("Extending")
        IMPLEMENTING = "implementing", _("Implementing")
        BENEFICIARY = "beneficiary", _("Beneficiary")

    IATI_ROLE_CODES = {"funding": "1", "accountable": "2", "extending": "3", "implementing": "4"}

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="partners")
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="partnerships"
    )
    role = models.CharField(_("role"), max_length=16, choices=PartnerRole.choices)
    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        ordering = ["role", "organisation__name"]
        verbose_name = _("project partner")
        verbose_name_plural = _("project partners")
        constraints = [
            models.UniqueConstraint(fields=["project", "organisation", "role"], name="partner_once_per_role"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} – {self.get_role_display()}"

    @property
    def iati_role_code(self) -> str | None:
        return self.IATI_ROLE_CODES.get(self.role)


class Membership(TimeStampedModel):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)

    class Meta:
        ordering = ["role", "user__username"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["project", "user"], name="one_membership_per_user")]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.project}"


def partner_statement(project: Project, partners=None) -> str:
    """ "implemented by ICMPD on behalf of the Republic of Belarus", from the partner roles."""
    if partners is None:
        partners = project.partners.select_related("organisation")
    implementers = [p.organisation.short_name for p in partners if p.role == ProjectPartner.PartnerRole.IMPLEMENTING]
    beneficiaries = [
        p.organisation.localized("name") for p in partners if p.role == ProjectPartner.PartnerRole.BENEFICIARY
    ]
    if not implementers:
        return ""
    done = project.status in (Project.Status.CLOSED, Project.Status.CANCELLED)
    values = {"implementers": _join(implementers), "beneficiaries": _join(beneficiaries)}
    if beneficiaries:
        text = (
            gettext("This MPF project was implemented by %(implementers)s on behalf of the %(beneficiaries)s.")
            if done
            else gettext("This MPF project is implemented by %(implementers)s on behalf of the %(beneficiaries)s.")
        )
    else:
        text = (
            gettext("This MPF project was implemented by %(implementers)s.")
            if done
            else gettext("This MPF project is implemented by %(implementers)s.")
        )
    return text % values


def _join(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return gettext("%(first)s and %(last)s") % {"first": ", ".join(names[:-1]), "last": names[-1]}
