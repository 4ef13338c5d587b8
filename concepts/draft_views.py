"""Unsaved drafts of a section (see concepts/drafts.py): kept while typing, offered back, discarded.

Each view acts on the signed-in user's own draft only: another person's draft, or a draft of
another section, answers 404, as a draft that does not exist.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from projects.access import Capability

from . import drafts, selectors
from .editing import draft_time, editor_url, offer_context
from .models import SectionDraft
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
        )
    except ValidationError as error:
        status = 413 if any(e.code == "too_long" for e in error.error_list) else 400
        return JsonResponse({"error": " ".join(error.messages)}, status=status)
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
