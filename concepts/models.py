from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from activities.models import Activity
from common.models import (
    RUSSIAN_VERSION_HELP,
    ContentRevisionMixin,
    FieldConstraintsMixin,
    TimeStampedModel,
    TranslatedFieldsMixin,
)
from projects.models import Organisation, Project

MAX_BODY_LENGTH = 200_000  # characters in one section: far above any real section, far below abuse
MAX_DEPTH = 3


class Concept(ContentRevisionMixin, TranslatedFieldsMixin, TimeStampedModel):
    class Status(models.TextChoices):
        DRAFTING = "drafting", _("Drafting")
        CONSULTATION = "consultation", _("Consultation")
        FINAL = "final", _("Final")
        PUBLISHED = "published", _("Published")

    # The order in which a concept may move on.
    NEXT_STATUS = {
        Status.DRAFTING: Status.CONSULTATION,
        Status.CONSULTATION: Status.FINAL,
        Status.FINAL: Status.PUBLISHED,
    }

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="concepts")
    title = models.CharField(_("title"), max_length=300)
    # The title in Russian, for the Russian pages and the Russian editions (the covers, headers and files).
    title_ru = models.CharField(_("title (Russian)"), max_length=300, blank=True, help_text=RUSSIAN_VERSION_HELP)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="en",
        help_text=_("The language the concept is drafted in: its source text."),
    )  # fmt: skip
    target_languages = models.JSONField(
        _("translated into"), default=list, blank=True,
        help_text=_("Languages the concept is also kept in, section by section, as translations of the source."),
    )  # fmt: skip
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFTING)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Moves on with every saved or deleted row of the concept (concepts/revision.py): what the
    # drafting pages' kept parts are keyed by.
    content_revision = models.PositiveBigIntegerField(default=0, editable=False)

    translated_fields = ("title",)

    class Meta:
        ordering = ["project", "pk"]
        verbose_name = _("concept")
        verbose_name_plural = _("concepts")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("concepts:detail", kwargs={"concept_id": self.pk})

    @property
    def languages(self) -> list[str]:
        """The source language first, then the translations."""
        return [self.language, *(code for code in self.target_languages if code != self.language)]

    def language_or_source(self, code: str | None) -> str:
        """`code` when the concept is kept in it; otherwise (unknown, unsupported, empty) the source language."""
        return code if code in self.languages else self.language

    def language_name(self, code: str) -> str:
        return str(dict(settings.LANGUAGES).get(code, code))


class Section(TimeStampedModel):
    """A place in the concept's outline. Its title and text live in its versions."""

    concept = models.ForeignKey(Concept, on_delete=models.CASCADE, related_name="sections")
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children")
    position = models.PositiveIntegerField(_("position"), default=0)
    head = models.ForeignKey(
        "SectionVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    is_removed = models.BooleanField(_("removed"), default=False)

    class Meta:
        ordering = ["concept", "position", "pk"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")

    def __str__(self) -> str:
        return self.head.title if self.head_id else f"Section {self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("concepts:section", kwargs={"concept_id": self.concept_id, "section_id": self.pk})


class SectionVersion(models.Model):
    """One saved state of a section. Never changed once written."""

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="versions")
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    number = models.PositiveIntegerField(_("version"), help_text=_("Counted per language: 1, 2, 3 …"))
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("text"), blank=True, max_length=MAX_BODY_LENGTH, help_text=_("Markdown."))
    summary = models.CharField(_("summary of the change"), max_length=300, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="section_versions"
    )
    merged_author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Whose concurrent save was merged into this version."),
    )
    based_on = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    restored_from = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    source_version = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("For a translation: the version of the source text it translates."),
    )
    created_at = models.DateTimeField(_("saved"), auto_now_add=True)

    class Meta:
        ordering = ["section", "language", "-number"]
        verbose_name = _("section version")
        verbose_name_plural = _("section versions")
        constraints = [
            models.UniqueConstraint(fields=["section", "language", "number"], name="one_version_number_per_language")
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.number})"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("A section version is immutable: write a new version instead.")
        if not self.language:
            self.language = self.section.concept.language
        super().save(*args, **kwargs)

    @property
    def is_translation(self) -> bool:
        return self.source_version_id is not None


class SectionTranslation(models.Model):
    """A section's text in one of the concept's target languages: where its history in that language stands."""

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    head = models.ForeignKey(SectionVersion, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("section translation")
        verbose_name_plural = _("section translations")
        constraints = [models.UniqueConstraint(fields=["section", "language"], name="one_translation_per_language")]

    def __str__(self) -> str:
        return f"{self.head.title} [{self.language}]"


class Comment(FieldConstraintsMixin, TimeStampedModel):
    """A comment or recommendation on the version its author was reading, with its disposition."""

    class Disposition(models.TextChoices):
        OPEN = "open", pgettext_lazy("disposition of a comment", "Open")
        ACCEPTED = "accepted", _("Accepted")
        PARTLY_ACCEPTED = "partly_accepted", _("Partly accepted")
        DECLINED = "declined", _("Declined")
        INCORPORATED = "incorporated", _("Incorporated")

    class SuggestionMode(models.TextChoices):
        NONE = "", _("No suggested wording")
        REPLACE = "replace", _("Replace the quoted passage")
        INSERT_AFTER = "insert_after", _("Insert after the quoted passage")

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="comments")
    version = models.ForeignKey(SectionVersion, on_delete=models.PROTECT, related_name="comments")
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="concept_comments")
    body = models.TextField(_("comment"), max_length=20_000)
    quote = models.TextField(_("quoted passage"), blank=True, max_length=5_000)
    is_recommendation = models.BooleanField(_("recommendation"), default=False)
    source_activity = models.ForeignKey(
        Activity, verbose_name=_("raised at"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    source_organisation = models.ForeignKey(
        Organisation, verbose_name=_("on behalf of"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    suggestion_mode = models.CharField(
        _("suggested wording"), max_length=16, choices=SuggestionMode.choices, default="", blank=True
    )
    suggested_text = models.TextField(_("suggested text"), blank=True, max_length=20_000)
    disposition = models.CharField(
        _("disposition"), max_length=16, choices=Disposition.choices, default=Disposition.OPEN
    )
    disposition_reason = models.TextField(_("reason"), blank=True, max_length=5_000)
    incorporated_in = models.ForeignKey(
        SectionVersion,
        verbose_name=_("incorporated in version"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incorporated_comments",
    )
    disposition_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    disposition_at = models.DateTimeField(null=True, blank=True)
    # Imported from a marked-up Word file (concepts.markup_import): the Word author's name when no
    # project member matched it (the comment is then attributed to whoever imported the file), and
    # the item's fingerprint, so that importing the same file again creates nothing new.
    word_author = models.CharField(_("author in Word"), max_length=200, blank=True)
    import_fingerprint = models.CharField(max_length=64, blank=True, editable=False)

    constraint_fields = {
        "declined_without_reason": "disposition_reason",
        "incorporated_without_version": "incorporated_in",
    }

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        constraints = [
            models.CheckConstraint(
                condition=~Q(disposition="declined") | ~Q(disposition_reason=""),
                name="declined_comment_has_reason",
                violation_error_code="declined_without_reason",
                violation_error_message=_("Give the reason for declining."),
            ),
            models.CheckConstraint(
                condition=~Q(disposition="incorporated") | Q(incorporated_in__isnull=False),
                name="incorporated_comment_has_version",
                violation_error_code="incorporated_without_version",
                violation_error_message=_("Choose the version that incorporates it."),
            ),
            models.UniqueConstraint(
                fields=["import_fingerprint"],
                condition=~Q(import_fingerprint=""),
                name="comment_imported_once",
            ),
        ]

    def __str__(self) -> str:
        return self.body[:60]

    @property
    def is_suggestion(self) -> bool:
        return bool(self.suggestion_mode)


class CommentAnchor(models.Model):
    """Where a comment's quoted passage is in one version of its section: the version it was made
    on, and each later version in the same language written while the comment was open.

    Written in the transaction that writes the version (concepts.anchoring), so the label shown
    beside a version is always the one worked out for that version's text.
    """

    class Status(models.TextChoices):
        UNCHANGED = "unchanged", pgettext_lazy("place of a quoted passage", "Unchanged")
        MOVED = "moved", pgettext_lazy("place of a quoted passage", "Moved")
        CHANGED = "changed", pgettext_lazy("place of a quoted passage", "Text changed")
        REMOVED = "removed", pgettext_lazy("place of a quoted passage", "Removed")

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="anchors")
    version = models.ForeignKey(SectionVersion, on_delete=models.CASCADE, related_name="comment_anchors")
    status = models.CharField(_("place of the passage"), max_length=16, choices=Status.choices)
    # Character offsets in the version's Markdown text; None once the passage is removed.
    start = models.PositiveIntegerField(null=True, blank=True)
    end = models.PositiveIntegerField(null=True, blank=True)
    text = models.TextField(blank=True)  # the passage as it reads in this version
    prefix = models.CharField(max_length=400, blank=True)  # the words just before it
    suffix = models.CharField(max_length=400, blank=True)  # and just after
    moved = models.BooleanField(default=False)  # moved at some version since the comment was made

    class Meta:
        verbose_name = _("place of a quoted passage")
        verbose_name_plural = _("places of quoted passages")
        constraints = [
            models.UniqueConstraint(fields=["comment", "version"], name="one_anchor_per_comment_and_version"),
            models.CheckConstraint(
                condition=Q(status="removed") | Q(start__isnull=False, end__isnull=False, start__lte=models.F("end")),
                name="anchor_placed_unless_removed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.comment_id} @ {self.version_id}: {self.status}"


class Edition(TranslatedFieldsMixin, TimeStampedModel):
    """A named, frozen state of the whole concept: one version of every section. Never changes."""

    concept = models.ForeignKey(Concept, on_delete=models.CASCADE, related_name="editions")
    name = models.CharField(_("name"), max_length=200, help_text=_("E.g. “First advanced draft”, “Final draft”."))
    name_ru = models.CharField(_("name (Russian)"), max_length=200, blank=True, help_text=RUSSIAN_VERSION_HELP)
    date = models.DateField(_("date"))
    presented_at = models.ForeignKey(
        Activity, verbose_name=_("presented at"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    is_final = models.BooleanField(_("final edition"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    translated_fields = ("name",)

    class Meta:
        ordering = ["concept", "date", "pk"]
        verbose_name = _("edition")
        verbose_name_plural = _("editions")
        constraints = [models.UniqueConstraint(fields=["concept", "name"], name="edition_name_unique_in_concept")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("An edition is frozen: freeze a new edition instead.")
        super().save(*args, **kwargs)


class EditionEntry(models.Model):
    """One section as frozen in an edition: its version, number and place in the outline then."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="entries")
    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="+")
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    version = models.ForeignKey(SectionVersion, on_delete=models.PROTECT, related_name="+")
    number = models.CharField(max_length=20)
    level = models.PositiveSmallIntegerField()
    position = models.PositiveIntegerField()

    class Meta:
        ordering = ["edition", "language", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "section", "language"], name="section_once_per_edition_language"
            ),
            models.CheckConstraint(condition=Q(level__gte=1) & Q(level__lte=MAX_DEPTH), name="edition_entry_level"),
        ]

    def __str__(self) -> str:
        return f"{self.edition} – {self.number}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("An edition is frozen: its entries never change.")
        if not self.language:
            self.language = self.version.language
        super().save(*args, **kwargs)


def render_upload_to(job: "RenderJob", filename: str) -> str:
    return f"renders/{job.concept_id}/{job.content_hash[:16]}/{filename}"


# The renders that compare two states (the marked PDF, the Word file with tracked changes): an
# edition with another edition or with the current draft, in the source language only.
COMPARISON_KINDS = ["redline_pdf", "tracked_docx"]


class RenderJob(models.Model):
    """A printed file of a concept (PDF or Word), rendered by a Celery worker.

    `content_hash` is the sha256 of the exact HTML and options rendered: a request for the same
    content is answered by the job that already has (or is making) that file. The file lives
    under MEDIA_ROOT/renders/ and is only ever sent by the access-checking download view.
    """

    class Kind(models.TextChoices):
        PDF = "pdf", _("Edition (PDF)")
        REDLINE_PDF = "redline_pdf", _("Changes marked (PDF)")
        DOCX = "docx", _("Edition (Word)")
        DRAFT = "draft", _("Current draft (PDF)")
        TRACKED_DOCX = "tracked_docx", _("Changes tracked (Word)")

    class Layout(models.TextChoices):
        SINGLE = "single", _("One language")
        COLUMNS = "columns", _("Both languages in parallel columns")
        SEQUENTIAL = "sequential", _("Both languages, one after the other")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Being prepared")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    concept = models.ForeignKey(Concept, on_delete=models.CASCADE, related_name="render_jobs")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    edition = models.ForeignKey(
        Edition, verbose_name=_("edition"), on_delete=models.CASCADE, null=True, blank=True, related_name="render_jobs"
    )
    other_edition = models.ForeignKey(
        Edition,
        verbose_name=_("compared with"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("A redline between two editions shows the changes from the older to the newer."),
    )
    against_draft = models.BooleanField(
        _("compared with the current draft"), default=False, help_text=_("A redline from the edition to the draft.")
    )
    draft_versions = models.JSONField(
        default=list,
        blank=True,
        help_text=_(
            "The draft as requested: [section id, version id, number, level], and the translation's version id "
            "when a translation is printed."
        ),
    )
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_(
            "Empty: the concept's source language. With both languages printed: the translation printed with the "
            "source text."
        ),
    )
    layout = models.CharField(_("layout"), max_length=16, choices=Layout.choices, default=Layout.SINGLE)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    queued_at = models.DateTimeField(
        _("queued"), null=True, blank=True, help_text=_("Last handed to the broker; empty while it could not be.")
    )
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    page_count = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    file_size = models.PositiveBigIntegerField(_("size"), null=True, blank=True)
    content_hash = models.CharField(max_length=64, db_index=True)
    file = models.FileField(upload_to=render_upload_to, max_length=300, blank=True)
    filename = models.CharField(_("file name"), max_length=200, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("render")
        verbose_name_plural = _("renders")
        indexes = [models.Index(fields=["status", "queued_at"], name="renderjob_status_queued")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="draft", edition__isnull=True, other_edition__isnull=True, against_draft=False)
                | Q(kind__in=["pdf", "docx"], edition__isnull=False, other_edition__isnull=True, against_draft=False)
                | Q(kind__in=COMPARISON_KINDS, edition__isnull=False, other_edition__isnull=False, against_draft=False)
                | Q(kind__in=COMPARISON_KINDS, edition__isnull=False, other_edition__isnull=True, against_draft=True),
                name="render_job_kind_fits_its_editions",
            ),
            # Both languages: a PDF of an edition or of the draft, naming its translation. A redline
            # marks the changes of the source text only.
            models.CheckConstraint(
                condition=Q(layout="single") & (~Q(kind__in=COMPARISON_KINDS) | Q(language=""))
                | Q(layout__in=["columns", "sequential"], kind__in=["pdf", "draft"]) & ~Q(language=""),
                name="render_job_layout_fits_its_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)


class SectionDraft(TimeStampedModel):
    """What one person has typed in a section's editor and not saved yet: theirs alone, never shown
    to anyone else, deleted when they save the section or discard it. One per person, section,
    language, editor and browser tab (each opening of an editor is a tab of its own): each typing
    pause overwrites that tab's draft only, so two tabs of the same person keep both texts."""

    class Kind(models.TextChoices):
        EDIT = "edit", _("Section editor")
        TRANSLATE = "translate", _("Translation editor")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="section_drafts")
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="drafts")
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    kind = models.CharField(_("editor"), max_length=16, choices=Kind.choices, default=Kind.EDIT)
    base_number = models.PositiveIntegerField(_("based on version"), help_text=_("0: a first translation."))
    title = models.CharField(_("title"), max_length=300, blank=True)
    body = models.TextField(_("text"), blank=True, max_length=MAX_BODY_LENGTH)
    summary = models.CharField(_("summary of the change"), max_length=300, blank=True)
    tab = models.CharField(_("editor tab"), max_length=32, blank=True, default="")

    class Meta:
        verbose_name = _("unsaved draft")
        verbose_name_plural = _("unsaved drafts")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "section", "language", "kind", "tab"], name="one_draft_per_editor_tab"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.section_id} · {self.language} · {self.kind}"


COMMENT_DRAFT_LIMITS = {"body": 20_000, "quote": 5_000, "suggested_text": 20_000}  # as on Comment


class CommentDraft(TimeStampedModel):
    """A comment or reply someone has typed and not posted yet: theirs alone, never shown to anyone
    else, deleted when they post it or discard it. One per person and section text for a new
    comment, one per person and comment for a reply; each typing pause overwrites it. The choices
    of the form (recommendation, source, kind of suggestion) are kept as the form had them, to put
    back: posting checks them like any comment."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comment_drafts")
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="comment_drafts")
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    parent = models.ForeignKey(Comment, on_delete=models.CASCADE, null=True, blank=True, related_name="reply_drafts")
    version_number = models.PositiveIntegerField(_("written on version"))
    body = models.TextField(_("comment"), blank=True, max_length=COMMENT_DRAFT_LIMITS["body"])
    quote = models.TextField(_("quoted passage"), blank=True, max_length=COMMENT_DRAFT_LIMITS["quote"])
    suggested_text = models.TextField(
        _("suggested text"), blank=True, max_length=COMMENT_DRAFT_LIMITS["suggested_text"]
    )
    options = models.JSONField(_("choices in the form"), default=dict, blank=True)

    class Meta:
        verbose_name = _("unsent comment")
        verbose_name_plural = _("unsent comments")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "section", "language"], condition=Q(parent=None), name="one_comment_draft_per_text"
            ),
            models.UniqueConstraint(
                fields=["user", "parent"], condition=Q(parent__isnull=False), name="one_reply_draft_per_comment"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.section_id} · {self.language} · {self.parent_id or '-'}"
