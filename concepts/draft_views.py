"""Unsaved drafts of a section, and unsent comments and replies (see concepts/drafts.py): kept while
typing, offered back, discarded.

Each view acts on the signed-in user's own draft only: another person's draft, or a draft of
another section, answers 404, as a draft that does not exist.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from projects.access import Capability

from . import drafts, selectors
from .editing import draft_time, editor_url, offer_context
from .models import COMMENT_DRAFT_LIMITS, SectionDraft
from .views import _section_in_outline


@login_required
@require_POST
def section_draft_save(request, concept_id, section_id):
    """Keeps what the user has typed so far (posted by drafts.js every few seconds). JSON answers."""
    section = _section_in_outline(request, concept_id, section_id, Capability.DRAFT)
    concept = section.concept
    kind = request.POST.get("kind", SectionDraft.Kind.EDIT)
    language = concept.language_or_source(request.POST.get("language"))
    if kind not in SectionDraft.Kind.values or (kind == SectionDraft.Kind.TRANSLATE and language == concept.language):
        return JsonResponse({"error": _("This editor cannot keep a draft.")}, status=400)
    try:
        base_number = max(int(request.POST.get("base_number", "")), 0)
    except ValueError:
        return JsonResponse({"error": _("This editor cannot keep a draft.")}, status=400)
    try:
        draft = drafts.draft_save(
            user=request.user,
            section=section,
            language=language,
            kind=kind,
            base_number=base_number,
            title=request.POST.get("title", ""),
            body=request.POST.get("body", ""),
            summary=request.POST.get("summary", ""),
            tab=request.POST.get("tab", ""),
        )
    except ValidationError as error:
        return JsonResponse({"error": " ".join(error.messages)}, status=_too_long_status(error))
    time = draft_time(draft)
    return JsonResponse(
        {"id": draft.pk, "time": time, "message": _("A draft of your text was kept at %(time)s.") % {"time": time}}
    )


@login_required
def section_draft(request, concept_id, section_id, draft_id):
    """One's own unsaved draft, compared with the current version, to restore or discard."""
    section = _section_in_outline(request, concept_id, section_id, Capability.DRAFT)
    draft = drafts.draft_get_for_user(user=request.user, section=section, draft_id=draft_id)
    head = selectors.section_head(section=section, language=draft.language)
    context = {
        "concept": section.concept,
        "project": section.concept.project,
        "section": section,
        "head": head,
        "offer": offer_context(drafts.DraftOffer(draft=draft, head=head)),
    }
    return render(request, "concepts/section_draft.html", context)


@login_required
@require_POST
def section_draft_discard(request, concept_id, section_id, draft_id):
    section = _section_in_outline(request, concept_id, section_id, Capability.DRAFT)
    draft = drafts.draft_get_for_user(user=request.user, section=section, draft_id=draft_id)
    url = editor_url(draft)
    drafts.draft_discard(draft=draft)
    if request.headers.get("X-Requested-With") == "fetch":
        return HttpResponse(status=204)
    messages.info(request, _("Your unsaved text was discarded."))
    return redirect(url)


def _too_long_status(error: ValidationError) -> int:
    return 413 if any(e.code == "too_long" for e in error.error_list) else 400


@login_required
@require_POST
def comment_draft_save(request, concept_id, section_id):
    """Keeps the comment or reply the user is typing (posted by drafts.js every few seconds). JSON answers."""
    section = _section_in_outline(request, concept_id, section_id, Capability.COMMENT)
    language = section.concept.language_or_source(request.POST.get("language"))
    parent = None
    try:
        version_number = max(int(request.POST.get("version_number", "")), 0)
        if request.POST.get("parent_id"):
            parent = section.comments.filter(pk=int(request.POST["parent_id"]), parent=None).first()
            if parent is None:
                raise Http404("No such comment.")
    except ValueError:
        return JsonResponse({"error": _("This form cannot keep a draft.")}, status=400)
    try:
        draft = drafts.comment_draft_save(
            user=request.user,
            section=section,
            language=language,
            parent=parent,
            version_number=version_number,
            texts={field: request.POST.get(field, "") for field in COMMENT_DRAFT_LIMITS},
            options={name: request.POST.get(name, "") for name in drafts.COMMENT_DRAFT_OPTIONS},
        )
    except ValidationError as error:
        return JsonResponse({"error": " ".join(error.messages)}, status=_too_long_status(error))
    if draft is None:  # the form was emptied: nothing is kept
        return JsonResponse({"id": None, "time": "", "message": ""})
    time = draft_time(draft)
    message = (
        _("A draft of your reply was kept at %(time)s.")
        if parent
        else _("A draft of your comment was kept at %(time)s.")
    )
    return JsonResponse({"id": draft.pk, "time": time, "message": message % {"time": time}})


@login_required
@require_POST
def comment_draft_discard(request, concept_id, section_id, draft_id):
    section = _section_in_outline(request, concept_id, section_id, Capability.COMMENT)
    draft = drafts.comment_draft_get_for_user(user=request.user, section=section, draft_id=draft_id)
    query = "" if draft.language == section.concept.language else f"?language={draft.language}"
    anchor = f"#comment-{draft.parent_id}" if draft.parent_id else "#new-comment"
    drafts.comment_draft_discard(draft=draft)
    if request.headers.get("X-Requested-With") == "fetch":
        return HttpResponse(status=204)
    messages.info(request, _("Your unsent text was discarded."))
    return redirect(f"{section.get_absolute_url()}{query}{anchor}")
