"""Importing a marked-up Word file back as suggestions and comments (issue #17): upload → job → preview → confirm.

The same flow as the clean import (import_views): the upload is checked cheaply in the request and
stored; a Celery task reads it (`markup_import.markup_job_read`) while the job's page shows its
progress; once read, that page is the preview (per section, each suggestion and comment, the Word
author and whom it maps to; what cannot be placed, and why; what an earlier import created
already). Nothing is written until its confirm button (`markup_import.markup_import`).

Whoever may draft (Capability.DRAFT: managers, drafters, staff) may import; reviewers and donors
get 403. A job's page is seen by the user who started it and by the project's managers; others get 404.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from common.imports import import_job_get, import_job_progress
from common.views import import_job_poll
from projects.access import Capability, capabilities

from . import importing, markup_import, selectors
from .import_views import _start
from .tasks import concept_markup_read_task

DOCX_ACCEPT = ".docx,application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class MarkupFileForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Marked-up Word file"), widget=forms.FileInput(attrs={"accept": DOCX_ACCEPT})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("A Word document (.docx) of up to %(size)s MB.") % {
            "size": importing.MAX_FILE_BYTES // (1024 * 1024)
        }

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if importing.file_extension(upload.name or "") != "docx":
            raise ValidationError(_("Upload a Word document (.docx)."), code="extension")
        importing.check_upload(upload)  # cheap checks only: the file is read by a task
        return upload


def _page(request, concept, template, **context):
    context = {
        "project": concept.project,
        "concept": concept,
        "heading": _("Import comments and changes from Word"),
        "action_url": reverse("concepts:markup_import", kwargs={"concept_id": concept.pk}),
        "cancel_url": concept.get_absolute_url(),
        "max_megabytes": importing.MAX_FILE_BYTES // (1024 * 1024),
        **context,
    }
    return render(request, template, context)


@login_required
def concept_markup_import(request, concept_id):
    concept = selectors.concept_get_for_user(user=request.user, concept_id=concept_id, need=Capability.DRAFT)
    form = MarkupFileForm(request.POST, request.FILES) if request.method == "POST" else MarkupFileForm()
    if form.is_bound and form.is_valid():

        def page_url(job):
            return reverse("concepts:markup_import_job", kwargs={"concept_id": concept.pk, "job_id": job.pk})

        started = _start(
            request,
            form,
            kind=markup_import.JOB_MARKUP,
            target=concept,
            page_url=page_url,
            task=concept_markup_read_task,
        )
        if started is not None:
            return started
    return _page(request, concept, "concepts/markup_import.html", form=form)


def _preview_sections(plan, done: set[str]) -> list[dict]:
    """The plan's items grouped by section, in order, each with whom its authors map to and whether it is there."""
    users = get_user_model().objects.in_bulk(
        {p.author_id for item in plan.items for p in (item.author, *item.replies) if p.author_id is not None}
    )
    sections: dict[int, dict] = {}
    for item in plan.items:
        group = sections.setdefault(item.section_id, {"title": item.section_title, "items": []})
        group["items"].append(
            {
                "item": item,
                "already": item.fingerprint in done,
                "maps_to": users.get(item.author.author_id),
                "replies": [(reply, users.get(reply.author_id)) for reply in item.replies],
            }
        )
    return list(sections.values())


def _result_message(request, result) -> None:
    created = len(result.created)
    if created:
        messages.success(
            request,
            ngettext(
                "%(count)s suggestion or comment was imported from the file.",
                "%(count)s suggestions and comments were imported from the file.",
                created,
            )
            % {"count": created},
        )
    if result.already:
        messages.info(
            request,
            ngettext(
                "%(count)s item had been imported already; nothing new was created for it.",
                "%(count)s items had been imported already; nothing new was created for them.",
                len(result.already),
            )
            % {"count": len(result.already)},
        )
    for what, why in result.problems:
        messages.warning(request, _("Not imported: %(what)s. %(why)s") % {"what": what, "why": why})


@login_required
def concept_markup_import_job(request, concept_id, job_id):
    """The import's progress, then its preview; POST confirms it. A confirmed job shows every item as imported."""
    concept = selectors.concept_get_for_user(user=request.user, concept_id=concept_id, need=Capability.DRAFT)
    job = import_job_get(
        job_id=job_id,
        kinds=(markup_import.JOB_MARKUP,),
        user=request.user,
        target=concept,
        managed=Capability.EDIT in capabilities(request.user, concept.project),
    )
    if (polled := import_job_poll(request, job)) is not None:
        return polled
    if job.is_active or job.status == job.Status.FAILED:
        return _page(request, concept, "concepts/import_job.html", job=job, progress=import_job_progress(job))
    if request.method == "POST":
        result = markup_import.markup_import(concept=concept, job=job, user=request.user)
        _result_message(request, result)
        return redirect(concept)
    plan = markup_import.plan_from_json(job.result or {})
    done = markup_import.already_imported(plan)
    to_create = sum(1 for item in plan.items if item.fingerprint not in done)
    return _page(
        request,
        concept,
        "concepts/markup_preview.html",
        job=job,
        plan=plan,
        sections=_preview_sections(plan, done),
        to_create=to_create,
        confirmed=job.confirmed_at is not None,
    )
