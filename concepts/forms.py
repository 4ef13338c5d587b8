from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from activities.models import Activity
from common.forms import LongTextarea
from projects.models import Organisation

from .models import MAX_BODY_LENGTH, MAX_DEPTH, Comment, Concept, Edition, SectionVersion
from .outline import subtree
from .services import normalise_newlines

MAX_PARAGRAPHS = 2_000
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class SectionTextField(forms.CharField):
    """A section's text, measured as it is stored: browsers post line breaks as CRLF and the stored
    text has LF, so a text at the limit is not refused for its line breaks."""

    def to_python(self, value):
        value = super().to_python(value)
        return normalise_newlines(value) if value else value


TOO_LONG = _(
    "The text is too long: a section may have at most %(limit_value)s characters (it has %(show_value)s). "
    "Split it into several sections."
)


def _target_language_field() -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=_("Also kept in"),
        choices=settings.LANGUAGES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Each section then has a translation in these languages, with its own history, marked out of "
                    "date when the source text changes."),
    )  # fmt: skip


class ConceptForm(forms.ModelForm):
    target_languages = _target_language_field()

    class Meta:
        model = Concept
        fields = ["title", "title_ru", "language"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("language") in cleaned.get("target_languages", []):
            self.add_error("target_languages", _("The source language cannot also be a translation."))
        return cleaned


class TargetLanguagesForm(forms.Form):
    target_languages = _target_language_field()

    def __init__(self, *args, concept, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["target_languages"]
        field.choices = [(code, name) for code, name in settings.LANGUAGES if code != concept.language]


class TranslationForm(forms.Form):
    """A translation edited paragraph by paragraph beside its source (see `section_translate`)."""

    base_number = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    source_number = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    paragraphs = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=MAX_PARAGRAPHS)
    title = forms.CharField(label=_("Title"), max_length=300)
    summary = forms.CharField(label=_("Summary of your change"), max_length=300, required=False)

    def __init__(self, *args, count: int, language: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].widget.attrs["lang"] = language  # what is typed is in the translation's language
        for index in range(count):
            self.fields[f"paragraph_{index}"] = SectionTextField(
                label=_("Translation of paragraph %(number)s") % {"number": index + 1},
                required=False,
                strip=False,
                max_length=MAX_BODY_LENGTH,
                error_messages={"max_length": TOO_LONG},
                widget=LongTextarea(attrs={"rows": 4, "lang": language}),
            )

    def paragraph_fields(self):
        return [self[name] for name in self.fields if name.startswith("paragraph_")]

    def body(self) -> str:
        texts = (self.cleaned_data.get(f"paragraph_{i}", "") or "" for i in range(self.cleaned_data["paragraphs"]))
        return "\n\n".join(text.strip("\n") for text in texts if text.strip())


class SectionAddForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    parent = forms.TypedChoiceField(
        label=_("Place it under"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("Sections can be nested three levels deep."),
    )
    body = SectionTextField(
        label=_("Text"),
        required=False,
        widget=LongTextarea(attrs={"rows": 10}),
        max_length=MAX_BODY_LENGTH,
        error_messages={"max_length": TOO_LONG},
        help_text=_("Markdown: **bold**, *italic*, lists with “-”, headings are made by sections."),
    )

    def __init__(self, *args, outline, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [
            (entry.section.pk, f"{entry.number} {entry.section.head.title}") for entry in outline if entry.level < 3
        ]
        self.fields["parent"].choices = [("", _("— top level —")), *choices]


class SectionPlaceForm(forms.Form):
    """Where to put a section: one list of every place it may go, grouped by the section it would
    be under. A place is "parent:after" (0 for the top level, 0 for first)."""

    place = forms.ChoiceField(label=_("New place"))

    def __init__(self, *args, outline, section, **kwargs):
        super().__init__(*args, **kwargs)
        moving, height = subtree(outline, section.pk)
        # Under the top level (0) or a section outside the one moved, if its subsections stay within three levels.
        parents = [(0, _("At the top level"))] + [
            (entry.section.pk, _("Under “%(section)s”") % {"section": f"{entry.number} {entry.section.head.title}"})
            for entry in outline
            if entry.section.pk not in moving and entry.level + height <= MAX_DEPTH
        ]
        children: dict[int, list] = {}
        for entry in outline:
            if entry.section.pk not in moving:
                children.setdefault(entry.section.parent_id or 0, []).append(entry)
        self.fields["place"].choices = [
            (label, [(f"{parent_id}:0", _("First"))] + [
                (f"{parent_id}:{child.section.pk}",
                 _("After “%(section)s”") % {"section": f"{child.number} {child.section.head.title}"})
                for child in children.get(parent_id, [])
            ])
            for parent_id, label in parents
        ]  # fmt: skip

    def clean_place(self) -> tuple[int | None, int | None]:
        parent, after = (int(part) or None for part in self.cleaned_data["place"].split(":"))
        return parent, after


class SectionEditForm(forms.Form):
    base_number = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    language = forms.CharField(widget=forms.HiddenInput, required=False, max_length=8)
    # For a translation: the source version it was made from (the source's head when the editor opened).
    source_number = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    # Set by the conflict page of a suggestion that could not be applied: saving incorporates it.
    suggestion = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    title = forms.CharField(label=_("Title"), max_length=300)
    body = SectionTextField(
        label=_("Text"),
        required=False,
        strip=False,
        widget=LongTextarea(attrs={"rows": 18, "class": "font-monospace"}),
        max_length=MAX_BODY_LENGTH,
        error_messages={"max_length": TOO_LONG},
        help_text=_("Markdown. Raw HTML is shown as text."),
    )
    summary = forms.CharField(
        label=_("Summary of your change"),
        max_length=300,
        required=False,
        help_text=_("Optional, e.g. “incorporated UNHCR recommendation on asylum procedures”."),
    )


class CommentForm(forms.ModelForm):
    version_number = forms.IntegerField(widget=forms.HiddenInput)
    parent_id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # Which occurrence of the quoted words was selected (0: the first), when they occur more than once.
    quote_occurrence = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0, max_value=100_000)

    class Meta:
        model = Comment
        fields = [
            "body",
            "quote",
            "suggestion_mode",
            "suggested_text",
            "is_recommendation",
            "source_activity",
            "source_organisation",
        ]
        widgets = {
            "body": LongTextarea(attrs={"rows": 4}),
            "quote": LongTextarea(attrs={"rows": 2, "class": "quote-field"}),
            "suggested_text": LongTextarea(attrs={"rows": 3}),
        }
        help_texts = {
            "quote": _(
                "Optional: select a passage in the text above, or use “Comment on this paragraph” beside it, "
                "to quote it; or paste it here."
            ),
            "is_recommendation": _("A recommendation gets a recorded disposition in the disposition matrix."),
        }

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        # The suggested wording is kept as typed: a leading space or line break is part of it.
        self.fields["suggested_text"].strip = False
        self.fields["source_activity"].queryset = Activity.objects.filter(project=project)
        # Any organisation of the portal may be named (a stakeholder at a consultation need not be a
        # partner), but the project's partners, the usual ones, come first.
        organisations = self.fields["source_organisation"]
        organisations.queryset = Organisation.objects.all()
        partners = set(project.partners.values_list("organisation_id", flat=True))
        everyone = [(organisation.pk, str(organisation)) for organisation in organisations.queryset]
        if partners:
            organisations.choices = [
                ("", organisations.empty_label),
                (_("Partners of this project"), [choice for choice in everyone if choice[0] in partners]),
                (_("Other organisations"), [choice for choice in everyone if choice[0] not in partners]),
            ]

    @property
    def plain(self) -> dict:
        """What the plain template of the form (concepts/_comment_form.html) shows of its choices:
        each select's options in groups (label or None, [(value, label, selected)]) and whether the
        box is ticked, worked out once here rather than by a widget template per option."""
        return {
            **{
                name: self._option_groups(name)
                for name in ("suggestion_mode", "source_activity", "source_organisation")
            },
            "is_recommendation": self["is_recommendation"].value() not in (False, None, ""),
        }

    def _option_groups(self, name: str) -> list[tuple[str | None, list[tuple[str, str, bool]]]]:
        value = self[name].value()
        chosen = "" if value is None else str(value)
        groups = []
        for choice, label in self.fields[name].choices:
            if isinstance(label, list | tuple):  # an optgroup: (its label, its choices)
                groups.append((choice, [(str(v), str(text), str(v) == chosen) for v, text in label]))
            else:
                groups.append((None, [(str(choice), str(label), str(choice) == chosen)]))
        return groups

    def focus_first_error(self) -> None:
        """Puts the cursor into the first field (in the order shown) that has an error, so that a page
        shown again with errors starts where the reader has something to correct."""
        for name in self.Meta.fields:
            if name in self.errors:
                self.fields[name].widget.attrs["autofocus"] = True
                return


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("Reply"), widget=LongTextarea(attrs={"rows": 2}), max_length=20_000)
    version_number = forms.IntegerField(widget=forms.HiddenInput)
    parent_id = forms.IntegerField(widget=forms.HiddenInput)


class DispositionForm(forms.Form):
    disposition = forms.ChoiceField(label=_("Disposition"), choices=Comment.Disposition.choices)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=LongTextarea(attrs={"rows": 2}),
        help_text=_("Required when declining."),
    )
    incorporated_in = forms.ModelChoiceField(
        label=_("Incorporated in version"), queryset=SectionVersion.objects.none(), required=False
    )
    # The form offers the newest versions only; an older one is given by its number.
    version_number = forms.IntegerField(label=_("Or version number"), required=False, min_value=1)

    def __init__(self, *args, section, language=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Versions of any section are accepted by the form so that the service can refuse them
        # with its own message; the choices shown are this section's.
        self.fields["incorporated_in"].queryset = SectionVersion.objects.filter(section__concept=section.concept_id)
        self.fields["incorporated_in"].label_from_instance = lambda v: f"v{v.number} – {v.summary or v.title}"
        self.section = section
        self.language = language or section.concept.language

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("disposition") == Comment.Disposition.DECLINED and not cleaned.get("reason", "").strip():
            self.add_error("reason", _("Give the reason for declining."))
        number = cleaned.pop("version_number", None)
        if number and not cleaned.get("incorporated_in"):
            version = SectionVersion.objects.filter(section=self.section, language=self.language, number=number).first()
            if version is None:
                self.add_error("version_number", _("This section has no version %(number)s.") % {"number": number})
            cleaned["incorporated_in"] = version
        if (
            cleaned.get("disposition") == Comment.Disposition.INCORPORATED
            and not cleaned.get("incorporated_in")
            and "version_number" not in self.errors
        ):
            self.add_error("incorporated_in", _("Choose the version that incorporates it."))
        return cleaned


class EditionForm(forms.ModelForm):
    class Meta:
        model = Edition
        fields = ["name", "name_ru", "date", "presented_at", "is_final"]
        widgets = {"date": DATE}

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["presented_at"].queryset = Activity.objects.filter(project=project)


class DispositionFilterForm(forms.Form):
    disposition = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Any status")), *Comment.Disposition.choices], required=False
    )
    activity = forms.TypedChoiceField(label=_("Raised at"), required=False, coerce=int, empty_value=None)
    organisation = forms.TypedChoiceField(label=_("On behalf of"), required=False, coerce=int, empty_value=None)
    section = forms.TypedChoiceField(label=_("Section"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, activities, organisations, outline, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["activity"].choices = [("", _("Any activity")), *((a.pk, a.localized("title")) for a in activities)]
        self.fields["organisation"].choices = [("", _("Any organisation")), *((o.pk, str(o)) for o in organisations)]
        self.fields["section"].choices = [
            ("", _("Any section")),
            *((e.section.pk, f"{e.number} {e.section.head.title}") for e in outline),
        ]
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select"

    def valid_filters(self) -> dict:
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value not in (None, "")}


class ConflictResolutionForm(forms.Form):
    """What to keep of each passage two people changed at once. Carries the edit that could not be
    saved (its text and the versions it met), so that the conflict can be rebuilt on every post."""

    base_number = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    theirs_number = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    language = forms.CharField(widget=forms.HiddenInput, required=False, max_length=8)
    source_number = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    suggestion = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    title = forms.CharField(widget=forms.HiddenInput, max_length=300)
    body = SectionTextField(widget=forms.HiddenInput, required=False, strip=False, max_length=MAX_BODY_LENGTH)
    summary = forms.CharField(
        label=_("Summary of your change"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )

    def __init__(self, *args, conflicts: int = 0, title_conflict: bool = False, mine_label="", **kwargs):
        super().__init__(*args, **kwargs)
        self.conflicts = conflicts
        keep = [
            ("mine", mine_label or _("Keep mine")),
            ("theirs", _("Keep theirs")),
            ("both", _("Keep both")),
            ("edit", _("Edit")),
        ]
        for index in range(conflicts):
            self.fields[f"choice_{index}"] = forms.ChoiceField(
                label=_("What to keep"),
                choices=keep,
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                error_messages={"required": _("Choose what to keep of this passage.")},
            )
            self.fields[f"edited_{index}"] = SectionTextField(
                label=_("Your wording of this passage"),
                required=False,
                strip=False,
                max_length=MAX_BODY_LENGTH,
                error_messages={"max_length": TOO_LONG},
                widget=LongTextarea(attrs={"rows": 5, "class": "form-control"}),
            )
        if title_conflict:
            self.fields["title_choice"] = forms.ChoiceField(
                label=_("Which title to keep"),
                choices=[("mine", _("Keep my title")), ("theirs", _("Keep theirs"))],
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                error_messages={"required": _("Choose which title to keep.")},
            )

    def choices(self) -> list[tuple[str, str]]:
        """(choice, edited text) per passage, as posted so far ("" where nothing is chosen yet)."""
        return [(self._raw(f"choice_{i}"), self._raw(f"edited_{i}")) for i in range(self.conflicts)]

    def _raw(self, name: str) -> str:
        value = self[name].value()
        return value if isinstance(value, str) else ""
