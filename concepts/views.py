import functools
import hashlib
import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from activities.models import Activity
from audit.models import Kind as AuditKind
from audit.services import record
from common.forms import apply_validation_error
from common.fragments import (
    CSRF_PLACEHOLDER,
    cached_html,
    cached_html_many,
    cached_utf8,
    cached_utf8_many,
    response_around,
    utf8_with_csrf_token,
)
from common.spreadsheets import csv_response, xlsx_response
from common.templatetags.portal import person
from concepts.templatetags.concept_text import prefetch_version_html
from projects.access import Capability
from projects.models import Organisation
from projects.selectors import project_get_for_user

from . import drafts, editing, section_page, selectors, services
from .anchoring import anchors_for, latest_anchors
from .comparison import (
    compare_snapshots,
    comparison_for_reading,
    marked_changes,
    marked_rows,
    snapshot_of_draft,
    snapshot_of_edition,
)
from .forms import (
    MAX_PARAGRAPHS,
    CommentForm,
    ConceptForm,
    ConflictResolutionForm,
    DispositionFilterForm,
    DispositionForm,
    EditionForm,
    ReplyForm,
    SectionAddForm,
    SectionEditForm,
    SectionPlaceForm,
    TargetLanguagesForm,
    TranslationForm,
)
from .margin import margin_notes
from .merging import CHOICES, MINE, THEIRS, Resolution, keep_both, resolve, resolved_passage
from .merging import edges as merging_edges
from .models import Comment, CommentAnchor, Concept, SectionDraft, SectionVersion
from .outline import build_outline, subtree
from .presence import presence_by_section, presence_leave, presence_others, presence_touch
from .rendering import selectors as render_selectors
from .revision import concept_fragment_key
from .textdiff import DELETE, EQUAL, INSERT, Op, diff_stats, diff_words
from .textdiff import inline_html as _inline_html
from .textdiff import side_by_side as _side_by_side

EDITOR, TRANSLATOR = SectionDraft.Kind.EDIT, SectionDraft.Kind.TRANSLATE


def _fold_label(count: int) -> str:
    return ngettext("… %(count)s unchanged word …", "… %(count)s unchanged words …", count) % {"count": count}


def inline_html(ops, context=40, expandable=False):
    return _inline_html(ops, context, fold_label=_fold_label, expandable=expandable)


def side_by_side(ops, context=40, expandable=False):
    return _side_by_side(ops, context, fold_label=_fold_label, expandable=expandable)


def _language(request, concept) -> str:
    """The language asked for (`?language=` or a form's `language`); the source for anything else."""
    return concept.language_or_source(request.POST.get("language") or request.GET.get("language"))


def _reading_language(request, concept, has_text) -> str:
    """For a reader: the language asked for; else the reader's interface language when the concept
    is kept in it and `has_text(language)` (a translation exists to read); else the source."""
    if request.GET.get("language"):
        return _language(request, concept)
    reader = translation.get_language()
    if reader != concept.language and reader in concept.languages and has_text(reader):
        return reader
    return concept.language


def _language_query(concept, language) -> str:
    return "" if language == concept.language else f"language={language}"


def _person(user) -> str:
    return (user.get_full_name() or user.username) if user else _("someone")


def project_concepts(request, slug):
    """A project's concepts; managers start a new one here."""
    project = project_get_for_user(user=request.user, slug=slug)
    form = ConceptForm(request.POST or None)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('login')}?next={request.path}")
        if Capability.EDIT not in project.capabilities:
            raise PermissionDenied
        if form.is_valid():
            concept = services.concept_create(project=project, user=request.user, **form.cleaned_data)
            messages.success(request, _("The concept was created. Add its first section."))
            return redirect(concept)
    concepts = selectors.concepts_for_project(user=request.user, project=project)
    return render(request, "concepts/concept_list.html", {"project": project, "concepts": concepts, "form": form})


def concept_detail(request, concept_id):
    """The whole current draft with its outline and editions."""
    concept = selectors.concept_get_for_user(user=request.user, concept_id=concept_id, flag_renders=True)
    if Capability.READ_DRAFTS not in concept.capabilities:
        final = selectors.editions_for_concept(concept=concept).filter(is_final=True).last()
        if final is None:
            raise Http404("No published edition.")
        return redirect("concepts:edition", concept_id=concept.pk, edition_id=final.pk)
    body, section_ids, idle_panel = _concept_page_body(concept)
    body = utf8_with_csrf_token(_with_presence(body, section_ids, request.user), request)
    before_panel, _, after_panel = body.partition(RENDER_PANEL_MARKER.encode())
    if concept.has_renders:  # the files asked for, and how far each has got, are read on every request
        panel = render_to_string("concepts/_concept_render_panel.html", {"concept": concept}, request).encode()
    else:
        panel = utf8_with_csrf_token(idle_panel, request)
    context = {"concept": concept, "project": concept.project}
    return response_around(request, "concepts/concept_detail.html", context, (before_panel, panel, after_panel))


RENDER_PANEL_MARKER = "<!--render-panel-->"  # in the kept body: the printable files go there, read per request


def _concept_page_body(concept) -> tuple[bytes, list[int], bytes]:
    """The concept page's kept body (UTF-8: sent as it is, `response_around`), the ids of the sections
    in its outline (for "Being edited by") and its printable-files panel before any file is asked for,
    in one cache round trip. All are keyed by the concept's content revision (every section, version,
    comment and edition moves it on), the project's, and the reader's capabilities (buttons, removed
    sections, what may be printed); the sections are read only to render the body."""
    key = concept_fragment_key(concept, "page", "-".join(sorted(concept.capabilities)))
    sections = functools.cache(lambda: selectors.sections_for_concept_page(concept=concept))
    idle = {"concept": concept, "csrf_token": CSRF_PLACEHOLDER, "no_renders_yet": True}
    parts = cached_utf8_many(
        {
            f"{key}:body": lambda: _concept_body(concept, sections()),
            f"{key}:outline": lambda: ",".join(str(section.pk) for section in sections() if not section.is_removed),
            f"{key}:idle-panel": lambda: render_to_string("concepts/_concept_render_panel.html", idle),
        }
    )
    outline = parts[f"{key}:outline"]
    return parts[f"{key}:body"], [int(pk) for pk in outline.split(b",")] if outline else [], parts[f"{key}:idle-panel"]


def _concept_body(concept, sections) -> str:
    """The body of the concept page (the sections are read only for it: a kept body needs none)."""
    outline = build_outline(section for section in sections if not section.is_removed)
    _render_sections(concept, outline)
    context = {
        "concept": concept,
        "project": concept.project,
        "outline": outline,
        "editions": selectors.editions_for_concept(concept=concept),
        "removed": selectors.removed_of(sections) if Capability.EDIT in concept.capabilities else [],
        "csrf_token": CSRF_PLACEHOLDER,
    }
    if Capability.DRAFT in concept.capabilities:  # the texts of the editor opened in place
        context.update(editor_labels=editing.editor_labels(), draft_labels=editing.draft_labels())
    return render_to_string("concepts/_concept_body.html", context)


def _with_presence(body: bytes, section_ids, user) -> bytes:
    """The body with "Being edited by …" under each section someone else has open (read per request)."""
    if not user.is_authenticated:
        return body
    for section_id, names in presence_by_section(section_ids=section_ids, user=user).items():
        label = _("Being edited by %(names)s") % {"names": ", ".join(names)}
        shown = format_html('<span class="outline-editing small d-block">{}</span>', label)
        body = body.replace(f"<!--editing:{section_id}-->".encode(), shown.encode())
    return body


def _render_sections(concept, outline) -> None:
    """Each section's block of the concept page (`entry.html`), kept in the cache under everything
    it shows: its head version (its id and date: versions never change; its title, and its author's
    name), its number and level in the outline, the concept's language and whether the reader sees
    the editing buttons and the "Edit" link (shown, not decided: every button leads to a view that
    checks access again). A save, a move or a renamed author changes the key of the sections
    concerned only; the page asks for all of them in one cache round trip and renders the missing
    ones (their texts read then, in one query, when the outline was read without them)."""
    may_edit = Capability.EDIT in concept.capabilities
    may_draft = Capability.DRAFT in concept.capabilities
    renders = {}
    for entry in outline:
        head = entry.section.head
        digest = hashlib.blake2b(f"{head.title}\x00{person(head.author)}".encode(), digest_size=12).hexdigest()
        place = f"{entry.number}:{entry.level}:{concept.language}:{int(may_edit)}{int(may_draft)}"
        key = f"concept-section:{entry.section.pk}:{head.pk}:{head.created_at.timestamp()}:{digest}:{place}"
        context = {"entry": entry, "concept": concept, "may_edit": may_edit, "may_draft": may_draft}
        renders[key] = functools.partial(render_to_string, "concepts/_concept_section.html", context)
        entry.key = key
    by_key = {entry.key: entry for entry in outline}
    html = cached_html_many(renders, prepare=lambda keys: _prepare_texts([by_key[key].section.head for key in keys]))
    for entry in outline:
        entry.html = html[entry.key]


def _prepare_texts(heads) -> None:
    """The texts of these versions (read in one query for those read without), their HTML fetched."""
    unread = {head.pk: head for head in heads if getattr(head, "body_unread", False)}
    if unread:
        for pk, body in SectionVersion.objects.filter(pk__in=unread).values_list("pk", "body"):
            unread[pk].body, unread[pk].body_unread = body, False
    prefetch_version_html(heads)


# Steps that change who may read the concept, or end a stage, are confirmed first.
CONFIRMED_STEPS = {Concept.Status.FINAL, Concept.Status.PUBLISHED}


def _advance_consequence(concept, following) -> tuple[str, str, bool]:
    """The question, what it will do, and whether it may be done now."""
    title = concept.title
    if following == Concept.Status.CONSULTATION:
        return (
            _("Open the consultation on “%(title)s”?") % {"title": title},
            _("Reviewers are invited to comment on the draft and make recommendations."),
            True,
        )
    if following == Concept.Status.FINAL:
        return (
            _("Mark “%(title)s” as final?") % {"title": title},
            _(
                "The consultation stage ends and the concept is shown as Final; publishing its final edition "
                "becomes the next step. The text itself does not change and can still be edited."
            ),
            True,
        )
    final = selectors.editions_for_concept(concept=concept).filter(is_final=True).last()
    if final is None:
        return (
            _("Publish “%(title)s”?") % {"title": title},
            _("Freeze a final edition before publishing the concept."),
            False,
        )
    if concept.project.is_published:
        consequence = _(
            "Anyone on the internet will be able to read “%(edition)s”, the final edition, on the "
            "project's public page. The portal has no way to take a publication back."
        )
    else:
        consequence = _(
            "Everyone who may see the project will be able to read “%(edition)s”, the final edition; "
            "once the project itself is published, anyone on the internet will. The portal has no way "
            "to take a publication back."
        )
    return _("Publish “%(title)s”?") % {"title": title}, consequence % {"edition": final.name}, True


@login_required
def concept_advance(request, concept_id):
    """Moves the concept on one stage; marking it final and publishing ask for confirmation first."""
    concept = selectors.concept_get_for_user(user=request.user, concept_id=concept_id, need=Capability.EDIT)
    following = Concept.NEXT_STATUS.get(concept.status)
    confirmed = following not in CONFIRMED_STEPS or request.POST.get("confirmed") == "yes"
    if following is None or (request.method == "POST" and confirmed):
        try:
            services.concept_advance_status(concept=concept, to=request.POST.get("to") or None)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The concept is now: %(status)s.") % {"status": concept.get_status_display()})
        return redirect(concept)
    question, consequence, possible = _advance_consequence(concept, following)
    labels = {
        Concept.Status.CONSULTATION: _("Open consultation"),
        Concept.Status.FINAL: _("Mark as final"),
        Concept.Status.PUBLISHED: _("Publish"),
    }
    context = {
        "concept": concept,
        "project": concept.project,
        "question": question,
        "consequence": consequence,
        "possible": possible,
        "action": reverse("concepts:advance", args=[concept.pk]),
        "fields": {"to": following},
        "button": labels[following],
        "danger": following == Concept.Status.PUBLISHED,
        "back": concept.get_absolute_url(),
    }
    return render(request, "concepts/confirm.html", context)


@login_required
def section_add(request, concept_id):
    concept = selectors.concept_get_for_user(user=request.user, concept_id=concept_id, need=Capability.EDIT)
    outline = selectors.outline_for_concept(concept=concept)
    form = SectionAddForm(request.POST or None, outline=outline, initial={"parent": request.GET.get("parent")})
    if request.method == "POST" and form.is_valid():
        parent = None
        if form.cleaned_data["parent"]:
            parent = selectors.section_get(concept=concept, section_id=form.cleaned_data["parent"])
        try:
            section = services.section_add(
                concept=concept, title=form.cleaned_data["title"], body=form.cleaned_data["body"], parent=parent,
                user=request.user,
            )  # fmt: skip
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The section was added."))
            return redirect(section)
    return render(request, "concepts/section_add.html", {"concept": concept, "project": concept.project, "form": form})


DISPOSITION_CHOICES = 12  # versions offered by each comment's disposition form


def _section_context(request, concept, section, language=None, comment_form=None, **extra):
    """The section page's context; `comment_form`: a comment form with errors, shown again; `head`
    (in `extra`): the version in `language` when the caller has read it."""
    language = language or concept.language
    version = extra.pop("head", None) or selectors.section_head(section=section, language=language)
    state = None
    if language != concept.language:
        state = selectors.TranslationState(section=section, language=language, head=version)
    may_comment = Capability.COMMENT in concept.capabilities and version is not None and not section.is_removed
    restored = extra.pop("restored_comment", None)
    context = {
        "concept": concept,
        "project": concept.project,
        "section": section,
        "version": version,
        "language": language,
        "lq": _language_query(concept, language),
        "language_name": concept.language_name(language),
        "translation": state,
        "comment_draft": _comment_drafts(request, section, language, restored, may_comment),
        "draft_script": may_comment,  # the drafts' labels are in the comments' part
        "may_comment": Capability.COMMENT in concept.capabilities,
        "may_draft": Capability.DRAFT in concept.capabilities,
        "may_edit": Capability.EDIT in concept.capabilities,
        **extra,
    }
    _section_parts(request, context, comment_form)
    if comment_form is not None:
        context["comment_form"] = comment_form
    return context


def _section_parts(request, context, comment_form) -> None:
    """The page's top, comments and suggestions, comment form and pager: those kept in one cache
    round trip (concepts.section_page); those holding something of this reader's (an unsent reply, a
    failed disposition, a restored or offered draft, a form with errors) rendered afresh; then the
    reader's token and newest comment and replies put in."""
    unsent, version = context["comment_draft"], context["version"]
    renders = {"top": lambda: render_to_string("concepts/_section_top.html", context)}
    if not context["section"].is_removed:
        renders["pager"] = lambda: _render_pager(context)
    comments_afresh = bool(unsent["replies"] or context.get("failed_disposition"))
    form_afresh = comment_form is not None or bool(unsent["restored"] or unsent["offer"])
    if version is not None and not comments_afresh:
        renders["comments"] = lambda: _render_comments(context)
    if version is not None and _may_comment_here(context):
        renders["authorship"] = lambda: section_page.authorship(context["section"])
        if not form_afresh:
            renders["form"] = lambda: section_page.render_comment_form(context)
    kept = section_page.kept_parts(context, renders)
    if "authorship" in kept:
        unsent["heads"] = section_page.own_latest(kept["authorship"], request.user)
        unsent["head"] = unsent["heads"].get(0, 0)
    context["section_top"] = kept["top"]
    context["pager"] = kept.get("pager", "")
    if version is None:
        return
    comments = kept["comments"] if not comments_afresh else _render_comments(context, request)
    form = ""
    if _may_comment_here(context):
        if form_afresh:
            form = section_page.render_comment_form(context, comment_form, request)
        else:
            form = section_page.with_version_number(kept["form"], version)
        form = section_page.with_reader(form, request, unsent["heads"])
    comments = section_page.with_reader(comments, request, unsent["heads"])
    context["comments_html"] = section_page.fill_form_slot(comments, form)


def _render_pager(context) -> str:
    """The links to the sections before and after, from one query of the outline."""
    section = context["section"]
    rows = selectors.outline_rows(concept_id=section.concept_id)
    neighbours = selectors.section_neighbours(section=section, rows=rows)
    return render_to_string(
        "concepts/_section_pager.html", {**neighbours, "concept_id": section.concept_id, "lq": context["lq"]}
    )


def _may_comment_here(context) -> bool:
    return context["may_comment"] and not context["section"].is_removed


def _render_comments(context, request=None) -> str:
    """The comments' part of the section page; without `request`, to be kept: nothing of the reader's
    in it, and placeholders for their CSRF token and drafts' marks (concepts.section_page)."""
    version, section, language = context["version"], context["section"], context["language"]
    comments = selectors.comments_for_section(section=section, language=language)
    # Each quoted passage where it stands in this version (concepts.anchoring): the occurrence the
    # reviewer picked, followed as the text changed; a removed passage sends its comment to the list.
    anchors = anchors_for(version) if any(comment.quote.strip() for comment in comments) else {}
    notes, general = margin_notes(version=version, comments=comments, anchors=anchors)
    if request is None:
        section_page.placeholder_heads(comments)
    else:
        _reply_drafts(comments, context["comment_draft"])
    suggestions = _suggestion_previews(version, comments, anchors)
    may_draft = context["may_draft"]
    values = {
        **context,
        "comments": comments,
        "suggestions": suggestions,
        "suggestions_in_place": _suggestions_in_place(version, suggestions) if suggestions else None,
        "margin_notes": notes,
        "general_comments": general,
        "disposition_choices": Comment.Disposition.choices,
        "versions": _disposition_versions(section, language) if may_draft else [],
        "draft_labels": editing.draft_labels() if _may_comment_here(context) else None,
        "comments_elsewhere": _open_comments_elsewhere(context["concept"], section, language),
    }
    if request is None:
        values["csrf_token"] = section_page.CSRF_PLACEHOLDER
        section_page.put_cards(values)
    return render_to_string("concepts/_section_comments.html", values, request=request)


def _open_comments_elsewhere(concept, section, language) -> list[dict]:
    """The other languages whose text of the section has open comments, with their number and tab."""
    if not concept.target_languages:
        return []
    counts = selectors.open_comments_by_language(section=section)
    return [
        {"code": code, "name": concept.language_name(code), "count": counts[code],
         "url": f"{section.get_absolute_url()}?language={code}#comments"}
        for code in concept.languages
        if code != language and counts.get(code)
    ]  # fmt: skip


def _disposition_versions(section, language) -> list:
    """The versions each comment's disposition form offers, each labelled once for all the forms.
    The newest only: a disposition form per comment, so the page must not grow with the history; an
    older version is given by its number (DispositionForm.version_number)."""
    versions = list(selectors.versions_for_section(section=section, language=language)[:DISPOSITION_CHOICES])
    label = _("v%(number)s")
    for version in versions:
        version.option_value = str(version.pk)
        version.option_label = (
            f"{label % {'number': version.number}} – {Truncator(version.summary or version.title).chars(40)}"
        )
    return versions


def _comment_drafts(request, section, language, restored, may_comment) -> dict:
    """The user's unsent comment and replies on this text: each offered back beside its form, or put
    back into it when `restored` (opened with `?comment_draft=`); and, for the browser's copies, the
    newest comment or reply the user posted there (`heads`: a copy kept before it is no longer unsent;
    put in by _section_parts from the kept authorship)."""
    unsent = {"offer": None, "restored": None, "initial": None, "head": 0, "heads": {}, "replies": {},
              "restored_reply": None}  # fmt: skip
    if not may_comment:
        return unsent
    found = drafts.comment_drafts_for(user=request.user, section=section, language=language)
    unsent["replies"] = {parent: draft for parent, draft in found.items() if parent}
    if restored is not None and restored.parent_id:
        unsent["restored_reply"] = restored
    draft = found.get(0)
    if draft is not None and draft == restored:
        unsent["restored"] = draft
        texts = {"body": draft.body, "quote": draft.quote, "suggested_text": draft.suggested_text}
        unsent["initial"] = {"version_number": draft.version_number, **texts, **draft.options}
    elif draft is not None:
        unsent["offer"] = editing.comment_offer_context(draft)
    return unsent


def _reply_drafts(comments, unsent) -> None:
    """Each comment's reply form with the user's unsent reply: offered back, or put back when restored."""
    for comment in comments:
        draft = unsent["replies"].get(comment.pk)
        comment.reply_draft_head = unsent["heads"].get(comment.pk, 0)
        comment.reply_restored = draft if draft is not None and draft == unsent["restored_reply"] else None
        comment.reply_draft_offer = (
            editing.comment_offer_context(draft) if draft and not comment.reply_restored else None
        )


def _suggestion_previews(version, comments, anchors=None):
    """Each open suggestion shown in the current text, its insertion and deletion marked, where its
    passage stands word for word (the occurrence the reviewer quoted, followed as the text changed).
    `anchors`: the version's anchors when the caller has read them already (else read here, once)."""
    previews = []
    current = version.body
    for comment in comments:
        if not comment.is_suggestion or comment.disposition != Comment.Disposition.OPEN:
            continue
        anchors = anchors_for(version) if anchors is None else anchors
        span = _suggestion_span(comment, current, anchors)
        place = anchors[comment.pk].status if comment.pk in anchors else ""
        if span is None:  # the passage has changed or gone since
            previews.append({"comment": comment, "html": None, "span": None, "place": place})
            continue
        applied = current[: span[0]] + services.suggested_passage(comment) + current[span[1] :]
        previews.append({"comment": comment, "html": inline_html(diff_words(current, applied), context=12),
                         "span": span, "place": place})  # fmt: skip
    return previews


def _suggestion_span(comment, current, anchors) -> tuple[int, int] | None:
    anchor = anchors.get(comment.pk)
    if anchor is None:  # a suggestion whose place was never recorded: its words, first occurrence
        start = current.find(comment.quote)
        return (start, start + len(comment.quote)) if start >= 0 else None
    if anchor.status in (CommentAnchor.Status.CHANGED, CommentAnchor.Status.REMOVED):
        return None
    return anchor.start, anchor.end


def _suggestions_in_place(version, previews):
    """The whole current text with every open suggestion that still applies marked where it
    applies: its passage deleted, its wording inserted. Where two suggestions touch the same
    words, the earlier one is marked and the other is shown on its own card only."""
    text, ops, at = version.body, [], 0
    applicable = [preview for preview in previews if preview["html"] is not None]
    for preview in sorted(applicable, key=lambda preview: preview["span"][0]):
        comment, (start, end) = preview["comment"], preview["span"]
        if start < at:
            continue
        ops.append(Op(EQUAL, text[at:start]))
        if comment.suggestion_mode == Comment.SuggestionMode.REPLACE:
            ops.extend([Op(DELETE, text[start:end]), Op(INSERT, comment.suggested_text)])
        else:
            ops.extend([Op(EQUAL, text[start:end]), Op(INSERT, services.suggested_insertion(comment))])
        at = end
    ops.append(Op(EQUAL, text[at:]))
    return inline_html([op for op in ops if op.text], context=len(text) + 1)


def section_detail(request, concept_id, section_id):
    section = selectors.section_get_for_user(
        user=request.user, concept_id=concept_id, section_id=section_id, need=Capability.READ_DRAFTS
    )
    concept = section.concept
    heads = {}  # a translation's current version: read once, to choose the reader's language and to show it

    def has_text(code) -> bool:
        heads[code] = selectors.section_head(section=section, language=code)
        return heads[code] is not None

    language = _reading_language(request, concept, has_text)
    restored = None
    if "comment_draft" in request.GET:
        restored = drafts.comment_draft_get_for_user(
            user=request.user, section=section, draft_id=request.GET["comment_draft"]
        )
    context = _section_context(request, concept, section, language, restored_comment=restored, head=heads.get(language))
    return render(request, "concepts/section_detail.html", context)


def _section_in_outline(request, concept_id, section_id, need):
    """The section for a change that `need`s a capability; 404 once it has been removed."""
    section = selectors.section_get_for_user(user=request.user, concept_id=concept_id, section_id=section_id,
                                             need=need)  # fmt: skip
    if section.is_removed:
        raise Http404("This section was removed.")
    return section


@login_required
def section_edit(request, concept_id, section_id):
    section = _section_in_outline(request, concept_id, section_id, Capability.DRAFT)
    concept = section.concept
    language = _language(request, concept)
    head = selectors.section_head(section=section, language=language)
    initial = {
        "base_number": head.number if head else 0,
        "title": head.title if head else "",
        "body": head.body if head else "",
        "language": language,
        "source_number": section.head.number,
    }
    restored = _restored_draft(request, section, language, EDITOR)
    if restored:
        initial.update(
            base_number=restored.base_number, title=restored.title, body=restored.body, summary=restored.summary
        )
    tab = editing.draft_tab(request, restored)
    form = SectionEditForm(request.POST or None, initial=initial)
    form.fields["body"].widget.attrs["data-rich-editor"] = ""
    if request.method == "POST" and form.is_valid():
        form.cleaned_data["language"] = language  # an unknown code falls back to the source, as above
        data = {name: value for name, value in form.cleaned_data.items() if name != "suggestion"}
        if _unchanged(head, form.cleaned_data):
            drafts.drafts_delete(user=request.user, section=section, language=language, kind=EDITOR, tab=tab)
            presence_leave(section_id=section.pk, user=request.user)
            messages.info(request, _("Nothing was changed, so no new version was saved."))
            return _to_section(section, language)
        try:
            result = services.section_save_incorporating(
                section=section, user=request.user, suggestion_id=form.cleaned_data.get("suggestion"), **data
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            if not result.conflict:
                presence_leave(section_id=section.pk, user=request.user)
                drafts.drafts_delete(user=request.user, section=section, language=language, kind=EDITOR, tab=tab)
                if result.merged:
                    messages.success(
                        request,
                        _("%(other)s saved this section while you were editing. Your changes touched other parts "
                          "of the text, so both were kept in version %(number)s.")
                        % {"other": _person(result.theirs.author), "number": result.version.number},
                    )  # fmt: skip
                else:
                    messages.success(request, _("Saved as version %(number)s.") % {"number": result.version.number})
                return _to_section(section, language)
            return _conflict_page(request, concept, section, form.cleaned_data, result)
    presence_touch(section_id=section.pk, user=request.user)
    offers = []
    if request.method != "POST" and restored is None:
        offers = drafts.draft_offers(user=request.user, section=section, language=language, kind=EDITOR, head=head)
    context = {
        "concept": concept,
        "project": concept.project,
        "section": section,
        "head": head,
        "language": language,
        "lq": _language_query(concept, language),
        "form": form,
        "others": presence_others(section_id=section.pk, user=request.user),
        **editing.editor_page_context(
            kind=EDITOR, language=language, head=head, offers=offers, restored=restored, tab=tab
        ),
    }
    return render(request, "concepts/section_edit.html", context)


def _unchanged(head, data) -> bool:
    """Saving the current version's own text and title, from that version: nothing to record."""
    return (
        head is not None
        and not data.get("suggestion")
        and data["base_number"] == head.number
        and data["title"].strip() == head.title
        and services.normalise_newlines(data["body"]) == head.body
    )


def _to_section(section, language, anchor=""):
    query = "" if language == section.concept.language else f"?language={language}"
    return redirect(f"{section.get_absolute_url()}{query}{anchor}")


def _conflict_page(request, concept, section, data, result, suggestion=None):
    """Nothing is lost: the passages both people changed, each to be settled by the person saving.

    `data`: the edit that could not be saved (base_number, title, body, summary, language,
    source_number). For a `suggestion` that could not be applied, saving incorporates it.
    """
    conflict = services.edit_conflict(
        section=section,
        language=data["language"] or concept.language,
        base_number=data["base_number"],
        theirs_number=result.theirs.number,
        title=data["title"],
        body=data["body"],
    )
    form = _resolution_form(
        conflict,
        suggestion,
        initial={
            "base_number": data["base_number"],
            "theirs_number": result.theirs.number,
            "title": conflict.title,
            "body": conflict.body,
            "summary": data["summary"],
            "language": data["language"],
            "source_number": data["source_number"],
            "suggestion": suggestion.pk if suggestion else None,
        },
    )
    return _resolver(request, concept, section, conflict, form, suggestion, status=409)


def _resolution_form(conflict, suggestion, data=None, initial=None):
    mine_label = _("Keep the suggestion") if suggestion else _("Keep mine")
    return ConflictResolutionForm(
        data,
        initial=initial,
        conflicts=len(conflict.merge.conflicts),
        title_conflict=conflict.title_conflict,
        mine_label=mine_label,
    )


def _saved_by(version) -> str:
    when = timezone.localtime(version.created_at)
    values = {"who": _person(version.author), "time": when.strftime("%H:%M")}
    if when.date() == timezone.localdate():
        return _("Saved by %(who)s at %(time)s") % values
    return _("Saved by %(who)s on %(date)s at %(time)s") % {**values, "date": date_format(when, "j E Y")}


def _changes_html(old: str, new: str):
    ops = diff_words(old, new)
    return inline_html(ops, context=12) if any(op.kind != EQUAL for op in ops) else None


def _last_words(text: str, count: int = 12) -> str:
    words = text.split()
    return ("… " if len(words) > count else "") + " ".join(words[-count:])


def _resolver(request, concept, section, conflict, form, suggestion, status=200):
    """The conflict page: what was combined already, each colliding passage with its choices, and the result."""
    choices = form.choices()
    passages, preview, parts, before = [], [], [], ""
    for part in conflict.merge.parts:
        if isinstance(part, str):
            preview.append({"text": part})
            parts.append(part)
            before = part
            continue
        index = len(passages)
        choice, edited = choices[index]
        passages.append(
            {
                "number": index + 1,
                "conflict": part,
                "before": _last_words(before),
                "choice": form[f"choice_{index}"],
                "edited": form[f"edited_{index}"],
                "both": keep_both(part),
            }
        )
        text = resolved_passage(part, Resolution(choice, edited)) if choice in CHOICES else None
        pending = _("[Passage %(number)s: choose what to keep]") % {"number": index + 1}
        preview.append({"pending": text is None, "text": text, "number": index + 1, "label": pending})
        parts.append(index)
        before = ""
    with_mine = resolve(conflict.merge, [Resolution(MINE)] * len(passages))
    with_theirs = resolve(conflict.merge, [Resolution(THEIRS)] * len(passages))
    for passage in passages:
        if not passage["edited"].value():
            passage["edited"].initial = passage["both"].strip(
                "\n"
            )  # "Edit" starts from both wordings: nothing typed is lost
    script = {
        "pending": [_("[Passage %(number)s: choose what to keep]") % {"number": p["number"]} for p in passages],
        "chosen": [_("Passage %(number)s: %(choice)s") % {"number": p["number"], "choice": "%s"} for p in passages],
        "parts": parts,
        "conflicts": [
            {
                "mine": p["conflict"].mine,
                "theirs": p["conflict"].theirs,
                "both": p["both"],
                "edges": list(merging_edges(p["conflict"])),
            }
            for p in passages
        ],
    }
    context = {
        "concept": concept,
        "project": concept.project,
        "section": section,
        "conflict": conflict,
        "theirs": conflict.theirs,
        "theirs_label": _saved_by(conflict.theirs),
        "mine_label": _("The suggested wording") if suggestion else _("Your wording"),
        "passages": passages,
        "preview": preview,
        "resolver_data": script,
        "my_changes": _changes_html(conflict.theirs.body, with_theirs),
        "their_changes": _changes_html(conflict.body, with_mine),
        "form": form,
        "lq": _language_query(concept, conflict.theirs.language),
        "suggestion": suggestion,
    }
    return render(request, "concepts/conflict.html", context, status=status)


@login_required
@require_POST
def section_resolve(request, concept_id, section_id):
    """Saves what the conflict page's choices make of the edit; shows the page again to preview or fix."""
    section = _section_in_outline(request, concept_id, section_id, Capability.DRAFT)
    concept = section.concept
    carried = ConflictResolutionForm(request.POST)
    if not carried.is_valid():
        return HttpResponseBadRequest(_("This form must be sent from the page that shows the conflict."))
    edit = carried.cleaned_data
    language = concept.language_or_source(edit["language"])
    try:
        conflict = services.edit_conflict(
            section=section,
            language=language,
            base_number=edit["base_number"],
            theirs_number=edit["theirs_number"],
            title=edit["title"],
            body=edit["body"],
        )
    except ValidationError:
        return HttpResponseBadRequest(_("This form must be sent from the page that shows the conflict."))
    suggestion = section.comments.filter(pk=edit["suggestion"]).first() if edit["suggestion"] else None
    form = _resolution_form(conflict, suggestion, data=request.POST)
    if request.POST.get("action") != "preview" and form.is_valid():
        resolutions = [
            Resolution(form.cleaned_data[f"choice_{i}"], form.cleaned_data[f"edited_{i}"])
            for i in range(form.conflicts)
        ]
        keep_my_title = form.cleaned_data.get("title_choice", "mine") == "mine"
        try:
            result = services.section_resolve_conflict(
                section=section,
                conflict=conflict,
                resolutions=resolutions,
                keep_my_title=keep_my_title,
                summary=form.cleaned_data["summary"],
                user=request.user,
                language=language,
                source_number=edit["source_number"],
                suggestion_id=edit["suggestion"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            if result.conflict:
                title, body = services.resolved_edit(
                    conflict=conflict, resolutions=resolutions, keep_my_title=keep_my_title
                )
                data = {
                    **edit,
                    "title": title,
                    "body": body,
                    "base_number": conflict.theirs.number,
                    "summary": form.cleaned_data["summary"],
                }
                return _conflict_page(request, concept, section, data, result, suggestion=suggestion)
            presence_leave(section_id=section.pk, user=request.user)
            _saved_message(request, result, _("Saved as version %(number)s."))
            return _to_section(section, language)
    return _resolver(request, concept, section, conflict, form, suggestion)


def _saved_message(request, result, saved):
    if result.merged:
        messages.success(
            request,
            _(
                "%(other)s saved this section while you were editing. Your changes touched other parts "
                "of the text, so both were kept in version %(number)s."
            )
            % {"other": _person(result.theirs.author), "number": result.version.number},
        )
    else:
        messages.success(request, saved % {"number": result.version.number})


@login_required
@require_POST
def section_presence(request, concept_id, section_id):
    """Polled by the edit page (htmx): records this editor and lists the others.

    POST with the CSRF token: another site cannot make a visitor's browser show them as editing."""
    section = selectors.section_get_for_user(
        user=request.user, concept_id=concept_id, section_id=section_id, need=Capability.DRAFT
    )
    concept = section.concept
    presence_touch(section_id=section.pk, user=request.user)
    others = presence_others(section_id=section.pk, user=request.user)
    return render(request, "concepts/_presence.html", {"others": others, "section": section, "concept": concept})


@login_required
@require_POST
def section_move(request, concept_id, section_id):
    section = selectors.section_get_for_user(
        user=request.user, concept_id=concept_id, section_id=section_id, need=Capability.EDIT
    )
    concept = section.concept
    try:
        services.section_move(section=section, direction=request.POST.get("direction", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(f"{concept.get_absolute_url()}#section-{section.pk}")


@login_required
def section_place(request, concept_id, section_id):
    """Moves a section, with its subsections, anywhere in the outline: another level, another parent."""
    section = _section_in_outline(request, concept_id, section_id, Capability.EDIT)
    concept = section.concept
    outline = selectors.outline_for_concept(concept=concept)
    form = SectionPlaceForm(request.POST or None, outline=outline, section=section)
    if request.method == "POST" and form.is_valid():
        parent_id, after_id = form.cleaned_data["place"]
        parent = selectors.section_get(concept=concept, section_id=parent_id) if parent_id else None
        after = selectors.section_get(concept=concept, section_id=after_id) if after_id else None
        try:
            services.section_place(section=section, parent=parent, after=after)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            number = next(entry.number for entry in selectors.outline_for_concept(concept=concept)
                          if entry.section.pk == section.pk)  # fmt: skip
            messages.success(request, _("“%(title)s” is now section %(number)s.")
                             % {"title": section.head.title, "number": number})  # fmt: skip
            return redirect(f"{concept.get_absolute_url()}#section-{section.pk}")
    current = next(entry for entry in outline if entry.section.pk == section.pk)
    context = {"concept": concept, "project": concept.project, "section": section, "current": current, "form": form}
    return render(request, "concepts/section_place.html", context)


@login_required
def section_remove(request, concept_id, section_id):
    """Takes a section out of the outline, once the manager has confirmed it."""
    section = _section_in_outline(request, concept_id, section_id, Capability.EDIT)
    concept = section.concept
    if request.method == "POST" and request.POST.get("confirmed") == "yes":
        services.section_remove(section=section)
        messages.success(
            request,
            _(
                "The section was removed from the outline. Its history is kept, and it can be restored from the "
                "concept's page."
            ),
        )
        return redirect(concept)
    outline = selectors.outline_for_concept(concept=concept)
    moving, _height = subtree(outline, section.pk)
    values = {"title": section.head.title, "count": len(moving) - 1}
    if len(moving) > 1:
        consequence = ngettext(
            "“%(title)s” and its %(count)s subsection leave the outline, and editions frozen from now on leave "
            "them out.",
            "“%(title)s” and its %(count)s subsections leave the outline, and editions frozen from now on leave "
            "them out.",
            len(moving) - 1,
        )
    else:
        consequence = _("“%(title)s” leaves the outline, and editions frozen from now on leave it out.")
    kept = _(
        "Versions, comments and dispositions are kept, editions already frozen keep the text, and a manager "
        "can restore it from the concept's page."
    )
    context = {
        "concept": concept,
        "project": concept.project,
        "question": _("Remove “%(title)s”?") % values,
        "consequence": f"{consequence % values} {kept}",
        "possible": True,
        "action": reverse("concepts:section_remove", args=[concept.pk, section.pk]),
        "fields": {},
        "button": _("Remove section"),
        "danger": True,
        "back": section.get_absolute_url(),
    }
    return render(request, "concepts/confirm.html", context)


@login_required
@require_POST
def section_restore(request, concept_id, section_id):
    section = selectors.section_get_for_user(
        user=request.user, concept_id=concept_id, section_id=section_id, need=Capability.EDIT
    )
    try:
        services.section_restore(section=section)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(f"{section.concept.get_absolute_url()}#removed-sections")
    messages.success(request, _("“%(title)s” is back in the outline.") % {"title": section.head.title})
    return redirect(f"{section.concept.get_absolute_url()}#section-{section.pk}")


HISTORY_PAGE_SIZE = 50


def section_history(request, concept_id, section_id):
    section = selectors.section_get_for_user(
        user=request.user, concept_id=concept_id, section_id=section_id, need=Capability.READ_DRAFTS, full_head=False
    )
    concept = section.concept
    language = _language(request, concept)
    head = selectors.section_head(section=section, language=language)
    if head is None:
        messages.info(request, _("This section has not been translated into %(language)s yet.")
                      % {"language": concept.language_name(language)})  # fmt: skip
        return _to_section(section, language)
    # Versions are numbered 1, 2, 3 … in each language: the head's number says how many pages there are.
    pages = max(1, -(-head.number // HISTORY_PAGE_SIZE))
    try:
        number = min(max(int(request.GET.get("page") or 1), 1), pages)
    except ValueError:
        number = 1
    # The versions, their authors' names and the header are rows of the concept or its project: the
    # body is kept under their revisions, the page and the time zone of the dates shown.
    key = concept_fragment_key(
        concept, "history", section.pk, head.pk, language, number, timezone.get_current_timezone_name()
    )
    body = cached_html(key, lambda: _section_history_body(section, head, language, number))
    return render(request, "concepts/section_history.html", {"head": head, "body": body})


def _section_history_body(section, head, language, number) -> str:
    concept = section.concept
    paginator = Paginator(selectors.versions_for_section(section=section, language=language), HISTORY_PAGE_SIZE)
    paginator.count = head.number  # numbered 1, 2, 3 …: no COUNT query
    context = {
        "concept": concept,
        "project": concept.project,
        "section": section,
        "head": head,
        "language": language,
        "lq": _language_query(concept, language),
        "versions": paginator.get_page(number),
    }
    return render_to_string("concepts/_section_history_body.html", context)


def _hash_of(values) -> str:
    return hashlib.blake2b(repr(values).encode(), digest_size=12).hexdigest()


def version_detail(request, concept_id, section_id, number):
    section = selectors.section_get_for_user(
        user=request.user, concept_id=concept_id, section_id=section_id, need=Capability.READ_DRAFTS
    )
    concept = section.concept
    language = _language(request, concept)
    version = selectors.version_get(section=section, number=number, language=language)
    context = {
        "concept": concept,
        "project": concept.project,
        "section": section,
        "version": version,
        "head": selectors.section_head(section=section, language=language),
        "language": language,
        "lq": _language_query(concept, language),
        "may_draft": Capability.DRAFT in concept.capabilities,
    }
    return render(request, "concepts/version_detail.html", context)


@login_required
@require_POST
def version_restore(request, concept_id, section_id, number):
    section = selectors.section_get_for_user(
        user=request.user, concept_id=concept_id, section_id=section_id, need=Capability.DRAFT
    )
    concept = section.concept
    language = _language(request, concept)
    version = selectors.version_get(section=section, number=number, language=language)
    result = services.version_restore(section=section, version=version, user=request.user)
    messages.success(
        request,
        _("Version %(old)s was restored as version %(new)s.") % {"old": version.number, "new": result.version.number},
    )
    return _to_section(section, language)


def section_compare(request, concept_id, section_id):
    section = selectors.section_get_for_user(
        user=request.user, concept_id=concept_id, section_id=section_id, need=Capability.READ_DRAFTS, full_head=False
    )
    concept = section.concept
    language = _language(request, concept)
    try:  # the numbers asked for; the default (the head and the one before) is worked out on a miss
        numbers = tuple(int(request.GET[name]) if name in request.GET else None for name in ("from", "to"))
    except ValueError:
        raise Http404("Versions are numbers.") from None
    view = "side" if request.GET.get("view") == "side" else "inline"
    # Everything the body shows is a row of the concept (the section, its versions) or of its project:
    # kept under their revisions, asked for after access was decided. A 404 (no such version, not
    # translated) is raised while rendering, so it is never kept.
    key = concept_fragment_key(concept, "compare", section.pk, language, *numbers, view)
    body = cached_utf8(key, lambda: _section_compare_body(section, language, numbers, view))
    return response_around(request, "concepts/section_compare.html", {"section": section}, body)


def _section_compare_body(section, language, numbers, view) -> str:
    """The comparison page's body: its header, links and the diff of versions `numbers` (old, new;
    None: the head's number, and the one before it). The diff of two versions is kept on its own
    too, by their ids: a new revision of the concept recomputes no comparison of unchanged versions."""
    concept = section.concept
    head = selectors.section_head(section=section, language=language)
    if head is None:
        raise Http404("Not translated into that language.")
    old_number = max(head.number - 1, 1) if numbers[0] is None else numbers[0]
    new_number = head.number if numbers[1] is None else numbers[1]
    old, new = selectors.versions_to_compare(section=section, language=language, numbers=(old_number, new_number))
    # Versions never change: the comparison of two of them is computed once (their dates and lengths in
    # the key too, so that a database recreated under an older cache never shows another text's comparison).
    key = f"compare:{_identity(old)}:{_identity(new)}:{view}:3"  # 3: versions named by id, date and length
    context = {
        "concept": concept,
        "project": concept.project,
        "section": section,
        "old": old,
        "new": new,
        "view": view,
        "diff": cached_html(key, lambda: _section_diff(old, new, view)),
        "lq": _language_query(concept, language),
    }
    return render_to_string("concepts/_section_compare_body.html", context)


def _identity(version) -> str:
    return f"{version.pk}:{version.created_at.timestamp()}:{version.length}"


def _section_diff(old, new, view) -> str:
    """The comparison of two versions (their texts read now, in one query)."""
    bodies = dict(SectionVersion.objects.filter(pk__in=[old.pk, new.pk]).values_list("pk", "body"))
    old.body, new.body = bodies[old.pk], bodies[new.pk]
    ops = diff_words(old.body, new.body)
    title, title_changes = None, 0
    if old.title != new.title:
        title, title_changes = marked_changes(inline_html(diff_words(old.title, new.title), context=1000))
    diff = {"old": old, "new": new, "title_ops": title, "stats": diff_stats(ops), "inline": None, "rows": None}
    if view == "inline":
        diff["inline"], changes = marked_changes(inline_html(ops, expandable=True))
    else:
        diff["rows"], changes = marked_rows(side_by_side(ops, expandable=True))
    diff["changes"] = changes + title_changes
    return render_to_string("concepts/_section_diff.html", diff)


@login_required
@require_POST
def comment_add(request, concept_id, section_id):
    section = selectors.section_get_for_user(
        user=request.user, concept_id=concept_id, section_id=section_id, need=Capability.COMMENT
    )
    concept = section.concept
    is_reply = bool(request.POST.get("parent_id"))
    form = (ReplyForm if is_reply else CommentForm)(request.POST, **({} if is_reply else {"project": concept.project}))
    language = _language(request, concept)
    if form.is_valid():
        version = selectors.version_get(section=section, number=form.cleaned_data["version_number"], language=language)
        fields = {k: v for k, v in form.cleaned_data.items() if k not in ("version_number", "parent_id")}
        if "quote_occurrence" in fields:
            fields["occurrence"] = fields.pop("quote_occurrence")
        parent = None
        if is_reply:
            parent = section.comments.filter(pk=form.cleaned_data["parent_id"], parent=None).first()
            if parent is None:
                raise Http404("No such comment.")
        try:
            comment = services.comment_add(
                section=section, version=version, author=request.user, parent=parent, **fields
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            drafts.comment_drafts_delete(user=request.user, section=section, language=language, parent=parent)
            messages.success(request, _("Your reply was added.") if is_reply else _("Your comment was added."))
            # To the new comment itself: one that quotes a passage stands in the margin, not in the list.
            return _to_section(section, language, f"#comment-{comment.pk}")
    if not is_reply:
        form.focus_first_error()
    else:
        messages.error(request, _("The reply could not be added: %(errors)s") % {"errors": " ".join(
            str(error) for errors in form.errors.values() for error in errors)})  # fmt: skip
    context = _section_context(request, concept, section, language, comment_form=None if is_reply else form)
    return render(request, "concepts/section_detail.html", context)


def _comment_for(request, concept_id, comment_id, need):
    concept = selectors.concept_get_for_user(user=request.user, concept_id=concept_id, need=need)
    comment = (
        Comment.objects.select_related("section", "version", "author")
        .filter(pk=comment_id, section__concept=concept)
        .first()
    )
    if comment is None:
        raise Http404("No such comment.")
    comment.section.concept = concept
    return concept, comment


@login_required
@require_POST
def comment_disposition(request, concept_id, comment_id):
    concept, comment = _comment_for(request, concept_id, comment_id, Capability.DRAFT)
    form = DispositionForm(request.POST, section=comment.section, language=comment.version.language)
    if form.is_valid():
        try:
            services.comment_set_disposition(comment=comment, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
    if form.errors:
        # Shown again at the comment, with what the drafter chose and typed, and the errors at the fields.
        section = selectors.section_get(concept=concept, section_id=comment.section_id)
        failed = {"comment_id": comment.pk, "form": form}
        context = _section_context(request, concept, section, comment.version.language, failed_disposition=failed)
        return render(request, "concepts/section_detail.html", context)
    messages.success(request, _("The disposition was recorded."))
    return _to_section(comment.section, comment.version.language, f"#comment-{comment.pk}")


@login_required
@require_POST
def suggestion_accept(request, concept_id, comment_id):
    concept, comment = _comment_for(request, concept_id, comment_id, Capability.DRAFT)
    try:
        result = services.suggestion_accept(comment=comment, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _to_section(comment.section, comment.version.language, f"#comment-{comment.pk}")
    if result.already_done:
        messages.info(request, _("This suggestion was already incorporated in version %(number)s.")
                      % {"number": result.version.number})  # fmt: skip
    elif result.version is None:
        data = {"base_number": comment.version.number, "title": comment.version.title,
                "body": services.suggested_body(comment),
                "summary": services.suggestion_summary(comment), "language": comment.version.language,
                "source_number": result.save.theirs.source_version.number if result.save.theirs.source_version_id
                else None}  # fmt: skip
        return _conflict_page(request, concept, comment.section, data, result.save, suggestion=comment)
    else:
        messages.success(
            request, _("The suggestion was applied as version %(number)s.") % {"number": result.version.number}
        )
    return _to_section(comment.section, comment.version.language, f"#comment-{comment.pk}")


@login_required
def edition_create(request, concept_id):
    concept = selectors.concept_get_for_user(user=request.user, concept_id=concept_id, need=Capability.EDIT)
    form = EditionForm(request.POST or None, project=concept.project, initial={"date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            edition = services.edition_create(concept=concept, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The edition “%(name)s” was frozen.") % {"name": edition.name})
            return redirect("concepts:edition", concept_id=concept.pk, edition_id=edition.pk)
    context = {"concept": concept, "project": concept.project, "form": form}
    return render(request, "concepts/edition_create.html", context)


def edition_detail(request, concept_id, edition_id):
    concept = selectors.concept_get_for_user(user=request.user, concept_id=concept_id)
    edition = selectors.edition_get(concept=concept, edition_id=edition_id)
    if Capability.READ_DRAFTS not in concept.capabilities and not edition.is_final:
        raise Http404("Only the final edition of a published concept is public.")
    language = _reading_language(request, concept, lambda code: edition.entries.filter(language=code).exists())
    context = {
        "concept": concept,
        "project": concept.project,
        "edition": edition,
        "language": language,
        "language_name": concept.language_name(language),
        "entries": (entries := selectors.edition_entries(edition=edition, language=language)),
        "editions": selectors.editions_for_concept(concept=concept),
    }
    prefetch_version_html(entry.version for entry in entries)
    return render(request, "concepts/edition_detail.html", context)


DISPOSITION_HEADER = [
    "section", "comment_id", "kind", "author", "date", "source_activity", "organisation", "quote", "comment",
    "suggested_text", "disposition", "reason", "incorporated_in_version", "passage_place",
    "passage_place_version", "passage_now", "language",
]  # fmt: skip


def _matrix_author(comment) -> str:
    who = comment.author.get_full_name() or comment.author.username
    if comment.word_author:
        return _("%(name)s (from Word, imported by %(who)s)") % {"name": comment.word_author, "who": who}
    return who


def _matrix_rows(comments, numbers):
    for comment in comments:
        kind = _("Recommendation") if comment.is_recommendation else (
            _("Suggestion") if comment.is_suggestion else _("Comment"))  # fmt: skip
        yield [
            f"{numbers.get(comment.section_id, '–')} {comment.section.head.title}",
            comment.pk,
            kind,
            _matrix_author(comment),
            comment.created_at.date().isoformat(),
            comment.source_activity.localized("title") if comment.source_activity else "",
            str(comment.source_organisation) if comment.source_organisation else "",
            comment.quote,
            comment.body,
            comment.suggested_text,
            comment.get_disposition_display(),
            comment.disposition_reason,
            comment.incorporated_in.number if comment.incorporated_in else "",
            *_place_cells(comment.anchor),
            comment.version.language,
        ]


def _place_cells(anchor) -> list:
    """Where the quoted passage stands: its label, in which version, and its words there."""
    if anchor is None:
        return ["", "", ""]
    return [anchor.get_status_display(), anchor.version.number, anchor.text]


def dispositions(request, concept_id, export=None):
    concept = selectors.concept_get_for_user(user=request.user, concept_id=concept_id, need=Capability.READ_DRAFTS)
    outline = selectors.outline_for_concept(concept=concept)
    numbers = {entry.section.pk: entry.number for entry in outline}
    filter_form = DispositionFilterForm(
        request.GET or None,
        activities=Activity.objects.filter(project=concept.project).order_by("order"),
        organisations=Organisation.objects.filter(
            pk__in=Comment.objects.filter(section__concept=concept).values("source_organisation")
        ),  # fmt: skip
        outline=outline,
    )
    filters = filter_form.valid_filters() if request.GET else {}
    # In reading order (1, 1.1, 1.2, 2): positions count among siblings only. Removed sections last.
    reading = {entry.section.pk: index for index, entry in enumerate(outline)}
    comments = sorted(selectors.recommendations_for_concept(concept=concept, filters=filters),
                      key=lambda comment: reading.get(comment.section_id, len(reading)))  # fmt: skip
    anchors = latest_anchors(comment.pk for comment in comments)
    for comment in comments:
        comment.anchor = anchors.get(comment.pk)
    if export:
        details = {"export": "dispositions", "format": export, "concept": concept.pk}
        record(kind=AuditKind.EXPORT_DOWNLOADED, project_id=concept.project_id, details=details)
    if export == "csv":
        return csv_response(
            f"concept-{concept.pk}-dispositions.csv", DISPOSITION_HEADER, _matrix_rows(comments, numbers)
        )
    if export == "xlsx":
        return xlsx_response(
            f"concept-{concept.pk}-dispositions.xlsx", _("Dispositions"), DISPOSITION_HEADER,
            _matrix_rows(comments, numbers),
        )  # fmt: skip
    for comment in comments:
        comment.section_number = numbers.get(comment.section_id, "")
    context = {
        "concept": concept,
        "project": concept.project,
        "comments": comments,
        "filter_form": filter_form,
        "query": request.GET.urlencode(),
    }
    return render(request, "concepts/dispositions.html", context)


def concept_compare(request, concept_id):
    """Two editions, or an edition and the current draft, compared section by section."""
    concept = selectors.concept_get_for_user(user=request.user, concept_id=concept_id, need=Capability.READ_DRAFTS)
    old_key, new_key = request.GET.get("from") or "", request.GET.get("to") or ""
    if not all(key in ("", "draft") or (key.isascii() and key.isdigit()) for key in (old_key, new_key)):
        raise Http404("No such edition.")
    # Editions and the current draft are rows of the concept: the body is kept under its revision, the
    # editions asked for and whether the reader is offered the comparison as a file (the request for
    # it decides access again). An edition not of this concept is a 404 while rendering: never kept.
    may_request = render_selectors.may_request_any_render(concept)
    key = concept_fragment_key(concept, "editions-compare", old_key, new_key, int(may_request))
    body = cached_utf8(key, lambda: _concept_compare_body(concept, old_key, new_key, may_request))
    body = utf8_with_csrf_token(body, request) if may_request else body
    return response_around(request, "concepts/concept_compare.html", {"concept": concept}, body)


def _concept_compare_body(concept, old_key, new_key, may_request) -> str:
    """The comparison of editions `old_key` and `new_key` (an edition's id, "draft", or "" for the
    default: the last two editions, or the last one and the current draft)."""
    editions = list(selectors.editions_for_concept(concept=concept))
    by_id = {str(edition.pk): edition for edition in editions}
    default_old = editions[-2] if len(editions) > 1 else (editions[-1] if editions else None)
    old_key = old_key or (str(default_old.pk) if default_old else "")
    new_key = new_key or (str(editions[-1].pk) if len(editions) > 1 else "draft")

    def snapshot(key):
        if key == "draft":
            return snapshot_of_draft(_("Current draft"), selectors.outline_for_concept(concept=concept))
        if key not in by_id:
            raise Http404("No such edition.")
        return snapshot_of_edition(by_id[key], selectors.edition_entries(edition=by_id[key]))

    context = {"concept": concept, "project": concept.project, "editions": editions, "old_key": old_key,
               "new_key": new_key, "csrf_token": CSRF_PLACEHOLDER}  # fmt: skip
    context["may_request_files"] = old_key in by_id and may_request
    if old_key:
        old, new = snapshot(old_key), snapshot(new_key)
        changes = compare_snapshots(old, new)
        reading = comparison_for_reading(changes, lambda ops: inline_html(ops, context=25, expandable=True))
        context.update(old=old, new=new, reading=reading)
    return render_to_string("concepts/_concept_compare_body.html", context)


def split_paragraphs(text: str) -> list[str]:
    """Paragraphs as Markdown separates them: by blank lines."""
    return [part.strip("\n") for part in re.split(r"\n[ \t]*\n", text.strip("\n")) if part.strip()]


def concept_translations(request, concept_id):
    """Where each section's translations stand; managers choose the languages here."""
    concept = selectors.concept_get_for_user(user=request.user, concept_id=concept_id, need=Capability.READ_DRAFTS)
    data = request.POST if request.method == "POST" else None  # no box ticked: an empty, but sent, form
    form = TargetLanguagesForm(data, concept=concept, initial={"target_languages": concept.target_languages})
    if request.method == "POST":
        if Capability.EDIT not in concept.capabilities:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.concept_set_target_languages(concept=concept, **form.cleaned_data)
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(request, _("The languages of the concept were saved."))
                return redirect("concepts:translations", concept_id=concept.pk)
    rows = selectors.translation_states(concept=concept, outline=selectors.outline_for_concept(concept=concept))
    counts = {
        code: {status: sum(1 for _entry, states in rows for state in states if state.language == code
                           and state.status == status) for status in (selectors.UP_TO_DATE, selectors.OUT_OF_DATE,
                                                                      selectors.MISSING)}
        for code in concept.target_languages
    }  # fmt: skip
    context = {
        "concept": concept,
        "project": concept.project,
        "rows": rows,
        "languages": [(code, concept.language_name(code), counts[code]) for code in concept.target_languages],
        "source_name": concept.language_name(concept.language),
        "form": form,
        "may_draft": Capability.DRAFT in concept.capabilities,
        "may_edit": Capability.EDIT in concept.capabilities,
    }
    return render(request, "concepts/translations.html", context)


def _restored_draft(request, section, language, kind):
    """The user's own draft named by `?draft=` on opening an editor, to put back in its form; else None."""
    if request.method == "POST" or "draft" not in request.GET:
        return None
    draft = drafts.draft_get_for_user(user=request.user, section=section, draft_id=request.GET["draft"])
    if draft.kind != kind or draft.language != language:
        raise Http404("No such draft.")
    return draft


@login_required
def section_translate(request, concept_id, section_id, language):
    """The translation beside its source, paragraph by paragraph, for editing."""
    section = selectors.section_get_for_user(
        user=request.user, concept_id=concept_id, section_id=section_id, need=Capability.DRAFT
    )
    concept = section.concept
    if section.is_removed:
        raise Http404("This section was removed.")
    if language not in concept.target_languages:
        # An unknown or unused language: the first the concept is translated into, or the section itself.
        if concept.target_languages:
            return redirect("concepts:section_translate", concept.pk, section.pk, concept.target_languages[0])
        messages.info(request, _("This concept is not translated into other languages."))
        return redirect(section)
    head = selectors.section_head(section=section, language=language)
    source = section.head
    if request.method == "POST":
        try:
            number = int(request.POST.get("source_number", ""))
            count = min(max(int(request.POST.get("paragraphs", "")), 0), MAX_PARAGRAPHS)
        except ValueError:
            number, count = source.number, 0
        source = selectors.version_get(section=section, number=number) if number != source.number else source
    source_paragraphs = split_paragraphs(source.body)
    translated = split_paragraphs(head.body) if head else []
    restored = _restored_draft(request, section, language, TRANSLATOR)
    if restored:
        translated = split_paragraphs(restored.body)
    if request.method != "POST":
        count = max(len(source_paragraphs), len(translated)) + 1  # one more, for a paragraph to add
    initial = {
        "base_number": head.number if head else 0,
        "source_number": source.number,
        "paragraphs": count,
        "title": head.title if head else "",
        **{f"paragraph_{i}": text for i, text in enumerate(translated)},
    }
    if restored:
        initial.update(base_number=restored.base_number, title=restored.title, summary=restored.summary)
    tab = editing.draft_tab(request, restored)
    form = TranslationForm(request.POST or None, count=count, language=language, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = services.section_save(
                section=section, base_number=data["base_number"], title=data["title"], body=form.body(),
                summary=data["summary"], user=request.user, language=language, source_number=data["source_number"],
            )  # fmt: skip
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            if result.conflict:
                edit = SectionEditForm({**data, "body": form.body(), "language": language})
                edit.is_valid()
                return _conflict_page(request, concept, section, edit.cleaned_data, result)
            drafts.drafts_delete(user=request.user, section=section, language=language, kind=TRANSLATOR, tab=tab)
            if result.merged:
                messages.success(
                    request,
                    _("%(other)s saved this translation while you were editing. Your changes touched other parts "
                      "of the text, so both were kept in version %(number)s.")
                    % {"other": _person(result.theirs.author), "number": result.version.number},
                )  # fmt: skip
            else:
                messages.success(request, _("Saved as version %(number)s.") % {"number": result.version.number})
            if result.version.source_version_id != section.head_id:
                messages.warning(request, _("The source text changed while you were translating: the translation "
                                            "is marked out of date."))  # fmt: skip
            return _to_section(section, language)
    fields = form.paragraph_fields()
    rows = [(source_paragraphs[i] if i < len(source_paragraphs) else "", field) for i, field in enumerate(fields)]
    context = {
        "concept": concept,
        "project": concept.project,
        "section": section,
        "source": source,
        "head": head,
        "language": language,
        "language_name": concept.language_name(language),
        "source_name": concept.language_name(concept.language),
        "state": selectors.TranslationState(section=section, language=language, head=head),
        "rows": rows,
        "form": form,
        **editing.editor_page_context(
            kind=TRANSLATOR,
            language=language,
            head=head,
            restored=restored,
            tab=tab,
            offers=(
                drafts.draft_offers(user=request.user, section=section, language=language, kind=TRANSLATOR, head=head)
                if request.method != "POST" and restored is None
                else []
            ),
        ),
    }
    return render(request, "concepts/section_translate.html", context)
