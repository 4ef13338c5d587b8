"""What the section editor's page needs beyond the form: the toolbar's labels, the texts of the
draft keeping (concepts/drafts.py, static/js/drafts.js) and the notice offering unsaved text back.

The labels are passed to the scripts with `json_script`, so they are translated like every other
text of the page.
"""

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import drafts
from .models import MAX_BODY_LENGTH, CommentDraft, SectionDraft
from .textdiff import diff_words, inline_html


def _fold_label(count: int) -> str:
    return ngettext("… %(count)s unchanged word …", "… %(count)s unchanged words …", count) % {"count": count}


def draft_time(draft: SectionDraft) -> str:
    """When the draft was last kept: the time today, the date and time before."""
    when = timezone.localtime(draft.updated_at)
    if when.date() == timezone.localdate():
        return formats.time_format(when, "H:i")
    return formats.date_format(when, "j M Y, H:i")


def editor_url(draft: SectionDraft) -> str:
    """The editor the draft was typed in."""
    section = draft.section
    if draft.kind == SectionDraft.Kind.TRANSLATE:
        return reverse("concepts:section_translate", args=[section.concept_id, section.pk, draft.language])
    url = reverse("concepts:section_edit", args=[section.concept_id, section.pk])
    return url if draft.language == section.concept.language else f"{url}?language={draft.language}"


def offer_context(offer: drafts.DraftOffer) -> dict:
    """What the "unsaved text" notice shows: when, how it differs from the current version, and links."""
    draft, head = offer.draft, offer.head
    url = editor_url(draft)
    return {
        "draft": draft,
        "time": draft_time(draft),
        "diff": inline_html(diff_words(head.body if head else "", draft.body), 12, fold_label=_fold_label),
        "title_changed": head is not None and draft.title != head.title,
        "base_moved": offer.base_moved,
        "restore_url": f"{url}{'&' if '?' in url else '?'}draft={draft.pk}",
        "discard_url": reverse(
            "concepts:section_draft_discard", args=[draft.section.concept_id, draft.section_id, draft.pk]
        ),
    }


def comment_offer_context(draft: CommentDraft) -> dict:
    """What the "unsent comment" notice shows: when, what was typed, and where Restore and Discard go."""
    section = draft.section
    query = "" if draft.language == section.concept.language else f"&language={draft.language}"
    anchor = f"#reply-{draft.parent_id}" if draft.parent_id else "#new-comment"
    return {
        "draft": draft,
        "time": draft_time(draft),
        "restore_url": f"{section.get_absolute_url()}?comment_draft={draft.pk}{query}{anchor}",
        "discard_url": reverse("concepts:comment_draft_discard", args=[section.concept_id, section.pk, draft.pk]),
    }


def editor_labels() -> dict[str, str]:
    """The rich-text editor's toolbar: each button's name (read out) and hint (shown on hover)."""
    return {
        "toolbar": _("Formatting"),
        "editor": _("Text"),
        "bold": _("Bold"),
        "boldHint": _("Bold (Ctrl+B)"),
        "italic": _("Italic"),
        "italicHint": _("Italic (Ctrl+I)"),
        "strike": _("Strikethrough"),
        "heading": _("Sub-heading"),
        "bulletList": _("Bulleted list"),
        "orderedList": _("Numbered list"),
        "indent": _("Indent list item"),
        "indentHint": _("Indent list item (Tab)"),
        "outdent": _("Outdent list item"),
        "outdentHint": _("Outdent list item (Shift+Tab)"),
        "blockquote": _("Quotation"),
        "link": _("Link"),
        "linkPrompt": _("Address of the link (https://…). Leave it empty to remove the link."),
        "linkInvalid": _("A link must start with https://, http:// or mailto:."),
        "footnote": _("Footnote"),
        "footnoteHint": _("Insert a footnote: its number here, its note at the end of the text"),
        "table": _("Insert a table"),
        "addRow": _("Add a row below"),
        "addColumn": _("Add a column to the right"),
        "deleteRow": _("Delete this row"),
        "deleteColumn": _("Delete this column"),
        "deleteTable": _("Delete the table"),
        "undo": _("Undo"),
        "undoHint": _("Undo (Ctrl+Z)"),
        "redo": _("Redo"),
        "redoHint": _("Redo (Ctrl+Shift+Z)"),
        "markdown": _("Markdown"),
        "markdownHint": _("Show the text as Markdown source, or back as formatted text"),
        # Above this many characters the text is shown as Markdown only: the rich-text editor would
        # stall the page for seconds on every change, and the server refuses such a text anyway.
        "limit": MAX_BODY_LENGTH,
        # %(length)s and %(limit)s are replaced by the script.
        "tooLong": _(
            "This text has %(length)s characters, more than a section may have (%(limit)s), so it is shown as "
            "Markdown. Nothing was left out. Split it into several sections before saving."
        ),
        # %(count)s is replaced by the script.
        "imagesDropped": _(
            "Images were not pasted (%(count)s): a section's text holds no images. The rest of the text was pasted."
        ),
    }


def draft_labels() -> dict[str, str]:
    """The messages of draft keeping; %(time)s is replaced by the script."""
    return {
        "kept": _("A draft of your text was kept at %(time)s."),
        "keptLocally": _(
            "Your text is kept in this browser only (the server could not be reached, or your "
            "session has ended). It is not lost: save when you are connected again."
        ),
        "offerLocal": _("You have unsaved text from %(time)s, kept in this browser."),
        "restore": _("Restore"),
        "discard": _("Discard"),
        "restored": _("Your unsaved text is back in the form. It is not saved yet."),
        "leave": _("You have unsaved changes. Leave this page?"),
        "offerLocalComment": _("You have an unsent comment from %(time)s, kept in this browser."),
        "offerLocalReply": _("You have an unsent reply from %(time)s, kept in this browser."),
        "restoredComment": _("Your unsent text is back in the form. It is not posted yet."),
    }


def draft_tab(request, restored) -> str:
    """The page's tab id: the restored draft's (typing there goes on in that draft, and saving
    deletes it), the one posted back with a form shown again, else a new one for this opening."""
    if restored is not None and restored.tab:
        return restored.tab
    return drafts.clean_tab(request.POST.get("draft_tab")) or drafts.new_tab_id()


def editor_page_context(*, kind: str, language: str, head, offers, restored, tab: str) -> dict:
    """The editor page's part in keeping drafts: the offers of unsaved text (one per tab it was
    typed in, newest first), or the restored draft, the page's tab id, and the labels of the scripts."""
    return {
        "draft_offers": [offer_context(offer) for offer in offers],
        "draft_tab": tab,
        "draft_restored": restored,
        "draft_restored_time": draft_time(restored) if restored else "",
        "draft_kind": kind,
        "draft_head_number": head.number if head else 0,
        "editor_labels": editor_labels(),
        "draft_labels": draft_labels(),
    }
