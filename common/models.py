from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .languages import in_reader_language


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class ContentRevisionMixin:
    """For a model whose `content_revision` (and any other of its `revision_fields`) is only ever moved
    on in the database (projects/revision.py, concepts/revision.py): a save of an object read before it
    moved never writes the older number back."""

    revision_fields: tuple[str, ...] = ("content_revision",)

    def save(self, *args, **kwargs):
        if not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key and field.name not in self.revision_fields
            ]
        super().save(*args, **kwargs)


class FieldConstraintsMixin:
    """Reports a violated database constraint at the form field it is about.

    Django puts every constraint violation among the non-field errors; a model lists in
    `constraint_fields` which field each constraint's violation code belongs to.
    """

    constraint_fields: dict[str, str] = {}

    def validate_constraints(self, exclude=None):
        try:
            super().validate_constraints(exclude=exclude)
        except ValidationError as error:
            errors: dict[str, list] = {}
            for field_name, messages in error.error_dict.items():
                for message in messages:
                    target = field_name
                    if field_name == NON_FIELD_ERRORS:
                        target = self.constraint_fields.get(message.code, field_name)
                    errors.setdefault(target, []).append(message)
            raise ValidationError(errors) from None


class TranslatedFieldsMixin:
    """Facts written in English, each with an optional Russian version in a `<name>_ru` field.

    A model lists in `translated_fields` the fields that have a Russian version. `localized(name)`
    gives the Russian text while Russian is the active language and the Russian field is filled
    in, and the English text otherwise: field by field, so a Russian title may stand above an
    English summary. Templates write `{{ project|localized:"title" }}` (common.templatetags.portal).
    """

    translated_fields: tuple[str, ...] = ()

    def localized(self, name: str) -> str:
        if name not in self.translated_fields:
            raise ValueError(f"{type(self).__name__}.{name} has no Russian version (see translated_fields).")
        return in_reader_language(getattr(self, name), getattr(self, f"{name}_ru"))


# Help texts of the `<name>_ru` fields, shared so that every form explains the fallback alike.
RUSSIAN_VERSION_HELP = _("Optional. Where it is empty, readers of the Russian pages see the English text.")
RUSSIAN_MARKDOWN_HELP = _("Markdown, optional. Where it is empty, readers of the Russian pages see the English text.")


class UserPreferences(models.Model):
    """Per-user settings that are not about any project."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="preferences")
    email_notifications = models.BooleanField(
        _("e-mail notifications"),
        default=True,
        help_text=_("E-mails when a section you draft gets a comment, and when your comment is answered."),
    )
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("The portal's language after you log in, and of the e-mails it sends you."),
    )

    class Meta:
        verbose_name = _("user preferences")
        verbose_name_plural = _("user preferences")

    def __str__(self) -> str:
        return _("Preferences of %(user)s") % {"user": self.user}


DATE_CONSTRAINT_FIELDS = {"planned_end_before_start": "planned_end", "actual_end_before_start": "actual_end"}


def dates_in_order(prefix: str) -> list[models.CheckConstraint]:
    """Planned end not before planned start, and actual end not before actual start (when both are known).

    For models with planned_start/planned_end/actual_start/actual_end; pair with DATE_CONSTRAINT_FIELDS
    so that a violation is reported at the end-date field.
    """
    return [
        models.CheckConstraint(
            condition=models.Q(planned_end__gte=models.F("planned_start")),
            name=f"{prefix}_planned_dates_in_order",
            violation_error_code="planned_end_before_start",
            violation_error_message=_("The planned end cannot be before the planned start."),
        ),
        models.CheckConstraint(
            condition=models.Q(actual_end__isnull=True)
            | models.Q(actual_start__isnull=True)
            | models.Q(actual_end__gte=models.F("actual_start")),
            name=f"{prefix}_actual_dates_in_order",
            violation_error_code="actual_end_before_start",
            violation_error_message=_("The actual end cannot be before the actual start."),
        ),
    ]


class Generation(models.Model):
    """A counter that the services move on whenever data that cached figures show has changed.

    Cached content is keyed by the current value (common.generations): a new value gives new keys,
    so nothing computed from older data is served again. Kept in the database, so every process
    (and a management command or a shell) reads the same value, with or without Redis.
    """

    name = models.CharField(max_length=50, unique=True)
    value = models.BigIntegerField(default=0)

    def __str__(self):
        return f"{self.name}: {self.value}"


class OutgoingEmail(models.Model):
    """An e-mail the portal has to send: kept until it is sent, so that none is lost while the broker is down."""

    recipients = models.JSONField()
    subject = models.CharField(max_length=998)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["sent_at", "queued_at"], name="outgoing_email_unsent")]

    def __str__(self):
        return self.subject


class ImportJob(models.Model):
    """One import from an uploaded file, read or written by a Celery task (see common.imports).

    `kind` names the import ("concept", "sections", "ledger", "portfolio"); `target` is what it is
    about when it is about one thing (the project a concept is started in, the concept sections are
    added to). The stored upload waits under MEDIA_ROOT/imports/ until the import is confirmed or
    cleaned up. A user has at most one job queued or running at a time (a database constraint).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("In progress")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    kind = models.CharField(_("kind"), max_length=32)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("started by"), on_delete=models.CASCADE, related_name="import_jobs"
    )
    target_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    target_id = models.PositiveBigIntegerField(null=True, blank=True)
    target = GenericForeignKey("target_type", "target_id")
    upload = models.CharField(_("stored file"), max_length=300, blank=True, help_text=_("Relative to MEDIA_ROOT."))
    filename = models.CharField(_("file name"), max_length=255)
    options = models.JSONField(default=dict, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    result = models.JSONField(null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    page_url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(_("started"), auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(_("read from"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    confirmed_at = models.DateTimeField(
        _("confirmed"), null=True, blank=True, help_text=_("Empty while the import waits for its confirmation.")
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(status__in=["queued", "running"]), name="one_active_import_per_user"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.filename} ({self.status})"

    def get_absolute_url(self) -> str:
        return self.page_url

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE
