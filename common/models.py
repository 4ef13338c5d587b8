from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .languages import russian_is_active


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


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
        if russian_is_active():
            russian = getattr(self, f"{name}_ru")
            if russian and russian.strip():
                return russian
        return getattr(self, name)


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
