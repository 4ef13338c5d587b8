"""Starting a concept, or adding sections to one, from a Word or Markdown file: upload → preview → confirm.

Nothing is written on upload: the preview shows the sections the file would create and what was
left out, and the file waits (common.tabular's pending uploads: under MEDIA_ROOT, its uuid in the
uploader's session) until the confirm button creates every section in one transaction.

Managers, drafters and staff (Capability.DRAFT) may import; reviewers get 403.
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _

from common.tabular import discard_upload, keep_upload, pending_upload
from projects.access import Capability
from projects.selectors import project_get_for_user

from . import importing, selectors
from .forms import ConceptForm
from .models import MAX_DEPTH

UPLOAD_KIND = "concept_import"


class ImportFileForm(forms.Form):
    """One .docx or .md file; once valid, `plan` holds what it would import."""

    file = forms.FileField(
        label=gettext_lazy("Word or Markdown file"), widget=forms.FileInput(attrs={"accept": importing.ACCEPT})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("A Word document (.docx) or a Markdown file (.md) of up to %(size)s MB.") % {
            "size": importing.MAX_FILE_BYTES // (1024 * 1024)
        }
        self.plan = None

    def clean_file(self):
        upload = self.cleaned_data["file"]
        self.plan = importing.parse_upload(upload)
        if self.plan.errors and not self.plan.sections:
            raise ValidationError(self.plan.errors)
        return upload


class SectionsImportForm(ImportFileForm):
    parent = forms.TypedChoiceField(
        label=gettext_lazy("Place the sections"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=gettext_lazy("Sections can be nested three levels deep."),
    )

    def __init__(self, *args, outline, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = [
            ("", _("At the end of the concept, as top-level sections")),
            *(
                (entry.section.pk, _("Under %(number)s %(title)s") % {"number": entry.number,
                                                                       "title": entry.section.head.title})
                for entry in outline
                if entry.level < MAX_DEPTH
            ),
        ]  # fmt: skip


LIMITS = {"max_megabytes": importing.MAX_FILE_BYTES // (1024 * 1024), "max_sections": importing.MAX_SECTIONS}


def _stored_plan(upload) -> importing.ImportPlan:
    with default_storage.open(upload.name, "rb") as stored:
        data = stored.read(importing.MAX_FILE_BYTES + 1)
    return importing.parse_file(data, filename=upload.filename)


def _initial_language() -> str:
    language = (get_language() or "").split("-")[0]
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE.split("-")[0]


# A new concept from a file


def _new_concept_page(request, project, template, **context):
    context = {
        "project": project,
        "heading": _("Start a concept from a file"),
        "action_url": reverse("project_concepts:import", kwargs={"slug": project.slug}),
        "cancel_url": reverse("project_concepts:list", kwargs={"slug": project.slug}),
        "new_concept": True,
        **LIMITS,
        **context,
    }
    return render(request, template, context)


@login_required
def project_concept_import(request, slug):
    project = project_get_for_user(user=request.user, slug=slug, need=Capability.DRAFT)
    if request.method == "POST" and "upload" in request.POST:
        return _confirm_new_concept(request, project)
    form = ImportFileForm(request.POST, request.FILES) if request.method == "POST" else ImportFileForm()
    if form.is_bound and form.is_valid():
        plan = form.plan
        upload = keep_upload(request, kind=UPLOAD_KIND, upload=form.cleaned_data["file"]) if plan.can_import else None
        concept_form = ConceptForm(initial={"title": plan.title, "language": _initial_language()})
        return _new_concept_page(
            request, project, "concepts/import_preview.html", plan=plan, upload=upload, concept_form=concept_form
        )
    return _new_concept_page(request, project, "concepts/import.html", form=form)


def _confirm_new_concept(request, project):
    upload = pending_upload(request, kind=UPLOAD_KIND, token=request.POST.get("upload"))
    plan = _stored_plan(upload)
    concept_form = ConceptForm(request.POST)
    if plan.can_import and concept_form.is_valid():
        try:
            concept = importing.concept_create_from_plan(
                project=project, plan=plan, user=request.user, **concept_form.cleaned_data
            )
        except ValidationError as error:
            plan.errors.extend(error.messages)
        else:
            discard_upload(request, upload)
            messages.success(
                request,
                ngettext(
                    "The concept was created with %(count)s section from the file.",
                    "The concept was created with %(count)s sections from the file.",
                    len(plan.sections),
                )
                % {"count": len(plan.sections)},
            )
            return redirect(concept)
    if not plan.can_import:
        discard_upload(request, upload)
        upload = None
    return _new_concept_page(
        request, project, "concepts/import_preview.html", plan=plan, upload=upload, concept_form=concept_form
    )


# Sections from a file, added to a concept


def _outline_entry(outline, section_id):
    """The outline entry the sections go under, or None for the top level; 404 if it cannot take any."""
    if section_id in (None, ""):
        return None
    try:
        section_id = int(section_id)
    except (TypeError, ValueError):
        raise Http404("No such section.") from None
    entry = next((entry for entry in outline if entry.section.pk == section_id), None)
    if entry is None or entry.level >= MAX_DEPTH:
        raise Http404("No such section.")
    return entry


def _place(plan, outline, entry) -> None:
    """Numbers the plan's sections where they will go, and refuses it if they would nest too deep."""
    if entry is None:
        plan.place(first=1 + sum(1 for other in outline if other.level == 1))
        return
    children = sum(1 for other in outline if other.section.parent_id == entry.section.pk)
    plan.place(prefix=f"{entry.number}.", first=children + 1, base_level=entry.level)
    plan.check_fits(base_level=entry.level, place_label=f"{entry.number} {entry.section.head.title}")


def _sections_page(request, concept, template, **context):
    context = {
        "project": concept.project,
        "concept": concept,
        "heading": _("Add sections from a file"),
        "action_url": reverse("concepts:import", kwargs={"concept_id": concept.pk}),
        "cancel_url": concept.get_absolute_url(),
        "new_concept": False,
        **LIMITS,
        **context,
    }
    return render(request, template, context)


@login_required
def concept_import(request, concept_id):
    concept = selectors.concept_get_for_user(user=request.user, concept_id=concept_id, need=Capability.DRAFT)
    outline = selectors.outline_for_concept(concept=concept)
    if request.method == "POST" and "upload" in request.POST:
        return _confirm_sections(request, concept, outline)
    if request.method == "POST":
        form = SectionsImportForm(request.POST, request.FILES, outline=outline)
    else:
        form = SectionsImportForm(outline=outline, initial={"parent": request.GET.get("parent")})
    if form.is_bound and form.is_valid():
        plan = form.plan
        entry = _outline_entry(outline, form.cleaned_data["parent"])
        _place(plan, outline, entry)
        upload = keep_upload(request, kind=UPLOAD_KIND, upload=form.cleaned_data["file"]) if plan.can_import else None
        return _sections_page(request, concept, "concepts/import_preview.html", plan=plan, upload=upload, entry=entry)
    return _sections_page(request, concept, "concepts/import.html", form=form)


def _confirm_sections(request, concept, outline):
    upload = pending_upload(request, kind=UPLOAD_KIND, token=request.POST.get("upload"))
    entry = _outline_entry(outline, request.POST.get("parent"))
    plan = _stored_plan(upload)
    _place(plan, outline, entry)
    if plan.can_import:
        try:
            created = importing.concept_import(
                concept=concept, plan=plan, user=request.user, parent=entry.section if entry else None
            )
        except ValidationError as error:
            plan.errors.extend(error.messages)
        else:
            discard_upload(request, upload)
            messages.success(
                request,
                ngettext(
                    "%(count)s section was added from the file.",
                    "%(count)s sections were added from the file.",
                    len(created),
                )
                % {"count": len(created)},
            )
            return redirect(f"{concept.get_absolute_url()}#section-{created[0].pk}")
    discard_upload(request, upload)
    return _sections_page(request, concept, "concepts/import_preview.html", plan=plan, upload=None, entry=entry)
