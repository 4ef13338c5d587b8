"""Starting a concept, or adding sections to one, from a Word or Markdown file: upload → job → preview → confirm.

The upload is checked only cheaply in the request (extension, size, the sizes inside a .docx) and
stored; a Celery task reads it (common.imports: an ImportJob, with time and memory limits) while
the job's page shows its progress. Once read, that page is the preview: the sections the file would
create and what was left out. Nothing is written until its confirm button creates every section in
one transaction, from the plan the job stored.

Managers, drafters and staff (Capability.DRAFT) may import; reviewers get 403. A job's page is
seen by the user who started it and by the project's managers (and staff); others get 404.
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _

from common.imports import ImportBusy, busy_message, import_job_close, import_job_get, import_job_progress
from common.imports import import_job_start as start_job
from common.views import import_job_poll
from projects.access import Capability, capabilities
from projects.selectors import project_get_for_user

from . import importing, selectors
from .forms import ConceptForm
from .models import MAX_DEPTH
from .tasks import concept_import_read_task


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

    def clean_file(self):
        upload = self.cleaned_data["file"]
        importing.check_upload(upload)  # cheap checks only: the file is read by a task
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


def _initial_language() -> str:
    language = (get_language() or "").split("-")[0]
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE.split("-")[0]


def _job_page(request, job, render_page, **context):
    """The job's page: its progress while it runs (htmx polls it), the refusal if it failed, else None."""
    if job.confirmed_at is not None:
        raise Http404("This import is finished.")
    if (polled := import_job_poll(request, job)) is not None:
        return polled  # the progress, or a reload that shows the preview
    if job.is_active or job.status == job.Status.FAILED:
        return render_page(request, "concepts/import_job.html", job=job, progress=import_job_progress(job), **context)
    return None


def _start(request, form, *, kind, target, page_url, options=None, task=concept_import_read_task):
    """Stores the upload and starts reading it; the job's page, or the form with why not."""
    upload = form.cleaned_data["file"]
    try:
        job = start_job(
            user=request.user,
            kind=kind,
            task=task,
            page_url=page_url,
            filename=upload.name,
            file=upload,
            target=target,
            options=options,
        )
    except ImportBusy as busy:
        form.add_error(None, busy_message(busy.job))
        return None
    return redirect(job.page_url)


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
    form = ImportFileForm(request.POST, request.FILES) if request.method == "POST" else ImportFileForm()
    if form.is_bound and form.is_valid():

        def page_url(job):
            return reverse("project_concepts:import_job", kwargs={"slug": project.slug, "job_id": job.pk})

        started = _start(request, form, kind=importing.JOB_NEW_CONCEPT, target=project, page_url=page_url)
        if started is not None:
            return started
    return _new_concept_page(request, project, "concepts/import.html", form=form)


@login_required
def project_concept_import_job(request, slug, job_id):
    """The import's progress, then its preview; POST confirms it."""
    project = project_get_for_user(user=request.user, slug=slug, need=Capability.DRAFT)
    job = import_job_get(
        job_id=job_id,
        kinds=(importing.JOB_NEW_CONCEPT,),
        user=request.user,
        target=project,
        managed=Capability.EDIT in capabilities(request.user, project),
    )

    def render_page(request, template, **context):
        return _new_concept_page(request, project, template, **context)

    if (page := _job_page(request, job, render_page)) is not None:
        return page
    plan = importing.plan_from_json(job.result)
    if request.method != "POST":
        concept_form = ConceptForm(initial={"title": plan.title, "language": _initial_language()})
        return render_page(request, "concepts/import_preview.html", plan=plan, job=job, concept_form=concept_form)
    concept_form = ConceptForm(request.POST)
    if plan.can_import and concept_form.is_valid():
        try:
            concept = importing.concept_create_from_plan(
                project=project, plan=plan, user=request.user, **concept_form.cleaned_data
            )
        except ValidationError as error:
            plan.errors.extend(error.messages)
        else:
            import_job_close(job=job)
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
    return render_page(request, "concepts/import_preview.html", plan=plan, job=job, concept_form=concept_form)


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
    if request.method == "POST":
        form = SectionsImportForm(request.POST, request.FILES, outline=outline)
    else:
        form = SectionsImportForm(outline=outline, initial={"parent": request.GET.get("parent")})
    if form.is_bound and form.is_valid():
        entry = _outline_entry(outline, form.cleaned_data["parent"])

        def page_url(job):
            return reverse("concepts:import_job", kwargs={"concept_id": concept.pk, "job_id": job.pk})

        started = _start(
            request,
            form,
            kind=importing.JOB_SECTIONS,
            target=concept,
            page_url=page_url,
            options={"parent": entry.section.pk if entry else None},
        )
        if started is not None:
            return started
    return _sections_page(request, concept, "concepts/import.html", form=form)


@login_required
def concept_import_job(request, concept_id, job_id):
    """The import's progress, then its preview, placed in the outline as it is now; POST confirms it."""
    concept = selectors.concept_get_for_user(user=request.user, concept_id=concept_id, need=Capability.DRAFT)
    job = import_job_get(
        job_id=job_id,
        kinds=(importing.JOB_SECTIONS,),
        user=request.user,
        target=concept,
        managed=Capability.EDIT in capabilities(request.user, concept.project),
    )

    def render_page(request, template, **context):
        return _sections_page(request, concept, template, **context)

    if (page := _job_page(request, job, render_page)) is not None:
        return page
    outline = selectors.outline_for_concept(concept=concept)
    plan = importing.plan_from_json(job.result)
    try:
        entry = _outline_entry(outline, job.options.get("parent"))
    except Http404:  # the section it was to go under has gone, or is now too deep
        plan.errors.append(
            _("The section the file was to be placed under has moved or been removed. Upload the file again.")
        )
        entry = None
    _place(plan, outline, entry)
    if request.method == "POST" and plan.can_import:
        try:
            created = importing.concept_import(
                concept=concept, plan=plan, user=request.user, parent=entry.section if entry else None
            )
        except ValidationError as error:
            plan.errors.extend(error.messages)
        else:
            import_job_close(job=job)
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
    return render_page(request, "concepts/import_preview.html", plan=plan, job=job, entry=entry)
