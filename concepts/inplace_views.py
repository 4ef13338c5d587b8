"""Editing a section in place on the concept page (htmx).

The section's block on the concept page turns into its editor, the rest of the document staying
around it; saving answers the freshly rendered block (the new version), cancelling the unchanged
one, so the reader stays where they were. Without JavaScript the block's "Edit" link opens the
section's edit page, as ever. A save that collides with someone else's keeps what was typed as the
user's private draft and sends the browser to the edit page, which offers it back (saving it there
merges or shows both texts on the conflict page).
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from common.forms import apply_validation_error
from projects.access import Capability

from . import drafts, editing, selectors, services
from .forms import SectionEditForm
from .models import SectionDraft
from .presence import presence_leave, presence_others, presence_touch
from .views import _person, _render_sections, _section_in_outline, _unchanged

EDITOR = SectionDraft.Kind.EDIT


def _outline_entry(section):
    """The section's place in its concept's outline (number and level), as the concept page shows it."""
    for entry in selectors.outline_for_concept(concept=section.concept):
        if entry.section.pk == section.pk:
            return entry
    raise Http404("This section was removed.")


def _block(request, section, status=""):
    """The section's block of the concept page; `status` is announced in the page's live region."""
    entry = _outline_entry(section)
    _render_sections(section.concept, [entry])
    context = {"html": entry.html, "status": status}
    return render(request, "concepts/_section_inplace_block.html", context)


def section_block(request, concept_id, section_id):
    """The section's block as the concept page shows it: what Cancel puts back. Whoever cancels no
    longer has the section open, so the others stop seeing them as editing it."""
    section = _section_in_outline(request, concept_id, section_id, Capability.READ_DRAFTS)
    if request.user.is_authenticated:
        presence_leave(section_id=section.pk, user=request.user)
    return _block(request, section)


@login_required
def section_inplace(request, concept_id, section_id):
    """GET: the block's editor. POST: saves; answers the new block, or the editor with its errors."""
    section = _section_in_outline(request, concept_id, section_id, Capability.DRAFT)
    concept = section.concept
    language = concept.language
    head = section.head
    initial = {
        "base_number": head.number,
        "title": head.title,
        "body": head.body,
        "language": language,
        "source_number": head.number,
    }
    form = SectionEditForm(request.POST or None, initial=initial)
    form.fields["body"].widget.attrs["data-rich-editor"] = ""
    if request.method == "POST" and form.is_valid():
        form.cleaned_data["language"] = language
        answer = _save(request, section, head, form)
        if answer is not None:
            return answer
    presence_touch(section_id=section.pk, user=request.user)
    offers = []
    if request.method != "POST":
        offers = drafts.draft_offers(user=request.user, section=section, language=language, kind=EDITOR, head=head)
    context = {
        "concept": concept,
        "section": section,
        "entry": _outline_entry(section),
        "form": form,
        "others": presence_others(section_id=section.pk, user=request.user),
        "draft_offers": [editing.offer_context(offer) for offer in offers],
        "draft_tab": editing.draft_tab(request, None),
        "draft_kind": EDITOR,
        "draft_head_number": head.number,
        "language": language,
    }
    return render(request, "concepts/_section_inplace.html", context)


def _save(request, section, head, form):
    """The answer to a valid save: the new block, a redirect on a conflict, or None to show errors."""
    data = {name: value for name, value in form.cleaned_data.items() if name != "suggestion"}
    language = data["language"]
    if _unchanged(head, form.cleaned_data):
        drafts.drafts_delete(
            user=request.user, section=section, language=language, kind=EDITOR, tab=request.POST.get("draft_tab", "")
        )
        presence_leave(section_id=section.pk, user=request.user)
        return _block(request, section, _("Nothing was changed, so no new version was saved."))
    try:
        result = services.section_save(section=section, user=request.user, **data)
    except ValidationError as error:
        apply_validation_error(form, error)
        return None
    if result.conflict:
        return _to_conflict(request, section, data)
    presence_leave(section_id=section.pk, user=request.user)
    drafts.drafts_delete(
        user=request.user, section=section, language=language, kind=EDITOR, tab=request.POST.get("draft_tab", "")
    )
    if result.merged:
        status = _(
            "%(other)s saved this section while you were editing. Your changes touched other parts "
            "of the text, so both were kept in version %(number)s."
        ) % {"other": _person(result.theirs.author), "number": result.version.number}
    else:
        status = _("Saved as version %(number)s.") % {"number": result.version.number}
    return _block(request, section, status)


def _to_conflict(request, section, data):
    """Someone else changed the same passage: what was typed is kept as the user's draft, and the
    edit page opens with it, where saving shows both texts. Nothing typed is lost."""
    draft = drafts.draft_save(
        user=request.user,
        section=section,
        language=data["language"],
        kind=EDITOR,
        base_number=data["base_number"],
        title=data["title"],
        body=data["body"],
        summary=data.get("summary") or "",
        tab=request.POST.get("draft_tab", ""),
    )
    response = HttpResponse(status=204)
    response["HX-Redirect"] = f"{editing.editor_url(draft)}?draft={draft.pk}"
    return response
