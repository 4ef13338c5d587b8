"""What a printed concept says: the HTML of an edition, the current draft or a redline.

The HTML comes from `templates/concepts/pdf/document.html`, in the language printed (not the
requesting user's), so that everyone who asks for the same content gets the same bytes.
`content_hash` is the sha256 of that exact HTML plus the rendering options (kind, language,
layout, engine version, our stylesheet and logo): a request whose hash matches an earlier
render is served by it.

Languages. An edition freezes each section in the source language and in every language it was
translated into then; the draft has the source heads and each section's translation head. A
document prints one language (`single`: the source, or one translation) or the source together
with one translation: `columns` (section by section, the source on the left, the translation on
the right) or `sequential` (the whole source document, then the whole translation with its own
title page and contents). Its words (cover, contents, page numbers, notes) are in the language
printed; with both languages, in the source's, and the translation's part of a sequential
document in the translation's. A section that was not translated keeps its place and number:
in a one-language translation it prints its source title and text under the marker "[Not
translated: the source text follows]" (so that the document is complete); beside or after the
source text it prints only its number and the marker "[Not translated]" (the source text is
already in the document). The contents flag it too. A translation made from an older version of
the source text than the one printed with it is marked "[Translated from an earlier version of
the source text]". A redline marks the changes of the source text only.

A redline compares two states (two editions, older → newer, or an edition → the current draft)
section by section: sections are matched by their identity, not their number, so a moved
or renumbered section is compared with itself. Each changed text is diffed word by word
(`concepts.textdiff.diff_words`) on its Markdown; the words inserted or deleted are marked in
the Markdown with private-use characters, the merged Markdown is rendered and sanitised as
usual, and only then are the marks turned into <ins>/<del> elements around text (never around
structure), so that the result is always well-formed HTML.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
from dataclasses import dataclass, field
from functools import cache

import lxml.html
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext as _
from lxml import etree

from common.markdown import render_markdown
from projects.models import ProjectPartner, partner_statement

from ..models import Concept, Edition, EditionEntry, RenderJob, SectionTranslation, SectionVersion
from ..outline import build_outline
from ..textdiff import DELETE, EQUAL, INSERT, diff_words
from .fetcher import ALLOWED_STATIC_FILES, LOGO, STYLESHEET, allowed_file_bytes, static_url

# Bump when the templates or the way they are filled change, so that earlier renders are not reused.
DOCUMENT_FORMAT = 2
TEMPLATE = "concepts/pdf/document.html"
TRANSLATION_PART_TEMPLATE = "concepts/pdf/_translation_part.html"
TRANSLATION_PAGE = "translation"  # the CSS page name of a sequential document's translation part

SINGLE, COLUMNS, SEQUENTIAL = RenderJob.Layout.SINGLE, RenderJob.Layout.COLUMNS, RenderJob.Layout.SEQUENTIAL
BOTH_LANGUAGES = (COLUMNS, SEQUENTIAL)

ADDED, REMOVED, CHANGED, UNCHANGED = "added", "removed", "changed", "unchanged"

# Marks of inserted and deleted words inside Markdown (Unicode private use: never typed by users;
# any that were are removed first).
_INS_OPEN, _INS_CLOSE, _DEL_OPEN, _DEL_CLOSE = "\ue000", "\ue001", "\ue002", "\ue003"
_MARKS = _INS_OPEN + _INS_CLOSE + _DEL_OPEN + _DEL_CLOSE
_MARKS_RE = re.compile(f"[{_MARKS}]")
_ENCODED_MARKS_RE = re.compile(r"%EE%80%8[0-3]", re.IGNORECASE)  # the marks, percent-encoded in a URL
# What must stay at the very start of a line for Markdown to see a block: a mark goes after it.
# A footnote's definition (`[^1]: `) is such a prefix too.
_BLOCK_PREFIX_RE = re.compile(
    r"(?:[ \t]*(?:[-*+][ \t]+|\d{1,9}[.)][ \t]+|#{1,6}[ \t]+|>[ \t]?|\|[ \t]*|```|~~~|\[\^[^\]\s]{1,60}\]:[ \t]*))*"
)


@dataclass
class SideEntry:
    """One section in one of the states compared (or printed)."""

    section_id: int
    number: str
    level: int
    title: str
    body: str
    version_id: int | None = None
    source_version_id: int | None = None  # of a translation: the source version it translates


@dataclass
class Part:
    """One section as printed."""

    anchor: str
    number: str
    level: int
    title: str
    title_html: SafeString
    body_html: SafeString
    state: str = ""  # in a redline: added, removed, changed or unchanged
    old_number: str = ""
    language: str = ""  # the language of its title and text
    note: str = ""  # about its translation: not translated, or translated from an older source text
    missing: bool = False  # not translated: its source title (and text) stand in
    translation: Part | None = None  # with both languages in columns: the same section translated


@dataclass
class RedlineSummary:
    old_label: str
    new_label: str
    counts: dict[str, int]
    added: list[Part] = field(default_factory=list)
    removed: list[Part] = field(default_factory=list)
    changed: list[Part] = field(default_factory=list)


@dataclass
class Document:
    kind: str
    language: str
    concept_title: str
    project_title: str
    label: str  # the edition's name, "Current draft", or the redline's "A → B"
    date_text: str
    created: datetime.date
    statement: str
    funding: str
    instrument: str
    author: str
    parts: list[Part]
    filename_stem: str
    draft: bool = False
    draft_note: str = ""
    presented_at: str = ""
    redline: RedlineSummary | None = None
    draft_versions: list = field(default_factory=list)  # the draft's [section, version, number, level(, translation)]
    layout: str = SINGLE
    source_language: str = ""
    translation_language: str = ""  # with both languages: the translation printed with the source
    translation_html: SafeString = mark_safe("")  # sequential: the translation's part, after the source
    translation_draft_word: str = ""  # a draft in both languages: "DRAFT" in the translation's, under the source's
    html: str = ""
    content_hash: str = ""

    @property
    def title(self) -> str:
        return f"{self.concept_title} – {self.label}"

    @property
    def languages_code(self) -> str:
        """The languages printed, for file names: "en", "ru", "en-ru" (columns), "en-then-ru" (sequential)."""
        if self.layout == COLUMNS:
            return f"{self.source_language}-{self.translation_language}"
        if self.layout == SEQUENTIAL:
            return f"{self.source_language}-then-{self.translation_language}"
        return self.language

    def language_name(self, code: str) -> str:
        return translation.get_language_info(code)["name_local"]

    @property
    def printed_language_name(self) -> str:
        return self.language_name(self.language)

    @property
    def source_language_name(self) -> str:
        return self.language_name(self.source_language)

    @property
    def translation_language_name(self) -> str:
        return self.language_name(self.translation_language) if self.translation_language else ""

    def filename(self, extension: str) -> str:
        return f"{self.filename_stem}-{self.languages_code}.{extension}"


# --- Markdown with change marks ----------------------------------------------------------------


def _strip_marks(text: str) -> str:
    return _MARKS_RE.sub("", text)


def _wrap(text: str, opening: str, closing: str) -> str:
    """`text` between marks, each line's block syntax left in front of them, line breaks outside."""
    pieces = []
    for line in re.split(r"(\r\n|\r|\n)", text):
        if not line or line in ("\n", "\r", "\r\n"):
            pieces.append(line)
            continue
        prefix = _BLOCK_PREFIX_RE.match(line).group(0) if not pieces or pieces[-1] in ("\n", "\r", "\r\n") else ""
        rest = line[len(prefix) :]
        pieces.append(f"{prefix}{opening}{rest}{closing}" if rest.strip() else line)
    return "".join(pieces)


def marked_markdown(old: str, new: str) -> str:
    """The Markdown of both texts merged, inserted and deleted words between marks."""
    merged = []
    for op in diff_words(_strip_marks(old), _strip_marks(new)):
        if op.kind == EQUAL:
            merged.append(op.text)
        elif op.kind == INSERT:
            merged.append(_wrap(op.text, _INS_OPEN, _INS_CLOSE))
        elif op.kind == DELETE:
            merged.append(_wrap(op.text, _DEL_OPEN, _DEL_CLOSE))
    return "".join(merged)


def _append_text(parent, text: str | None, state: list) -> None:
    """Appends `text` to `parent` (after its last child), its marked words in <ins>/<del>."""
    if not text:
        return
    for piece in re.split(f"([{_MARKS}])", text):
        if piece == _INS_OPEN:
            state[0] = "ins"
        elif piece == _DEL_OPEN:
            state[0] = "del"
        elif piece in (_INS_CLOSE, _DEL_CLOSE):
            state[0] = None
        elif piece:
            if state[0] and piece.strip():
                mark = etree.SubElement(parent, state[0])
                mark.text = piece
            elif len(parent):
                parent[-1].tail = (parent[-1].tail or "") + piece
            else:
                parent.text = (parent.text or "") + piece


def _rebuild(source, state: list):
    copy = etree.Element(source.tag)
    for name, value in source.attrib.items():
        copy.set(name, _ENCODED_MARKS_RE.sub("", _strip_marks(value)))
    _append_text(copy, source.text, state)
    for child in source:
        if not isinstance(child.tag, str):  # a comment or processing instruction: nh3 leaves none
            continue
        copy.append(_rebuild(child, state))
        _append_text(copy, child.tail, state)
    return copy


def redline_html(old: str, new: str, *, anchor: str = "") -> SafeString:
    """Sanitised HTML of `new`'s Markdown with the words of `old` it lost in <del>, its new ones in <ins>.

    `anchor`: the section's, so that footnote ids stay unique in the document."""
    html = render_markdown(marked_markdown(old, new), anchor=anchor)
    if not _MARKS_RE.search(html):
        return html
    root = lxml.html.fragment_fromstring(str(html), create_parent="div")
    rebuilt = _rebuild(root, [None])
    inner = (rebuilt.text and escape(rebuilt.text)) or ""
    inner += "".join(etree.tostring(child, encoding="unicode", method="html") for child in rebuilt)
    return mark_safe(inner)  # noqa: S308 - rebuilt from sanitised HTML; text is escaped by lxml


def redline_title(old: str, new: str) -> SafeString:
    parts = []
    for op in diff_words(old, new):
        text = escape(op.text)
        parts.append(text if op.kind == EQUAL else f"<{'ins' if op.kind == INSERT else 'del'}>{text}</"
                     f"{'ins' if op.kind == INSERT else 'del'}>")  # fmt: skip
    return mark_safe("".join(parts))  # noqa: S308 - every piece is escaped


# --- The states of a concept ---------------------------------------------------------------------


def edition_side(edition: Edition, language: str | None = None) -> list[SideEntry]:
    """The edition's sections in `language` (default: the source's); a translation has only those it froze."""
    entries = EditionEntry.objects.filter(edition=edition, language=language or edition.concept.language)
    entries = entries.select_related("version").order_by("position")
    return [
        SideEntry(e.section_id, e.number, e.level, e.version.title, e.version.body, e.version_id,
                  e.version.source_version_id)
        for e in entries
    ]  # fmt: skip


def draft_snapshot(concept: Concept, language: str | None = None) -> list[list]:
    """The current draft, pinned: [section id, version id, number, level] in reading order.

    With a translation `language`, each row also holds the id of the section's current version in
    that language (None where it has none).
    """
    sections = concept.sections.filter(is_removed=False).only("pk", "parent_id", "position", "head_id")
    rows = [[entry.section.pk, entry.section.head_id, entry.number, entry.level] for entry in build_outline(sections)]
    if language and language != concept.language:
        heads = dict(
            SectionTranslation.objects.filter(section__in=[row[0] for row in rows], language=language)
            .values_list("section_id", "head_id")
        )  # fmt: skip
        for row in rows:
            row.append(heads.get(row[0]))
    return rows


def draft_side(snapshot: list[list], *, translated: bool = False) -> tuple[list[SideEntry], datetime.datetime | None]:
    """The pinned draft's source text, or (`translated`) the sections its translation has; and its latest save."""
    column = 4 if translated else 1
    pinned = [row[column] for row in snapshot if len(row) > column and row[column]]
    versions = SectionVersion.objects.in_bulk(pinned)
    side = []
    latest = None
    for row in snapshot:
        section_id, _version_id, number, level = row[:4]
        version = versions.get(row[column]) if len(row) > column else None
        if version is None:
            continue
        side.append(SideEntry(section_id, number, level, version.title, version.body, version.pk,
                              version.source_version_id))  # fmt: skip
        latest = max(latest, version.created_at) if latest else version.created_at
    return side, latest


def _anchor(section_id: int, prefix: str = "") -> str:
    return f"{prefix}section-{section_id}"


def _part(entry: SideEntry, *, language: str, anchor_prefix: str = "", **extra) -> Part:
    return Part(
        anchor=_anchor(entry.section_id, anchor_prefix),
        number=entry.number,
        level=entry.level,
        title=entry.title,
        title_html=escape(entry.title),
        body_html=render_markdown(entry.body, anchor=_anchor(entry.section_id, anchor_prefix)),
        language=language,
        **extra,
    )


def _plain_parts(side: list[SideEntry], language: str = "") -> list[Part]:
    return [_part(entry, language=language) for entry in side]


def _translated_parts(
    source: list[SideEntry],
    translated: dict[int, SideEntry],
    *,
    language: str,
    source_language: str,
    with_source_text: bool,
    anchor_prefix: str = "",
) -> list[Part]:
    """Every section of `source` in `language`, in the source's order and numbering (call in that language).

    A section not translated keeps its place under its source title: with `with_source_text` its
    source text stands in for the translation (a one-language document must be complete);
    otherwise it has only the marker (the document prints the source text elsewhere).
    """
    parts = []
    for entry in source:
        version = translated.get(entry.section_id)
        if version is not None:
            stale = version.source_version_id is not None and version.source_version_id != entry.version_id
            translation_entry = SideEntry(entry.section_id, entry.number, entry.level, version.title, version.body)
            note = _("Translated from an earlier version of the source text") if stale else ""
            parts.append(_part(translation_entry, language=language, anchor_prefix=anchor_prefix, note=note))
        elif with_source_text:
            parts.append(_part(entry, language=source_language, anchor_prefix=anchor_prefix, missing=True,
                               note=_("Not translated: the source text follows")))  # fmt: skip
        else:
            parts.append(Part(
                anchor=_anchor(entry.section_id, anchor_prefix), number=entry.number, level=entry.level,
                title=entry.title, title_html=escape(entry.title), body_html=mark_safe(""), language=source_language,
                missing=True, note=_("Not translated"),
            ))  # fmt: skip
    return parts


def _redline_parts(old: list[SideEntry], new: list[SideEntry]) -> list[Part]:
    """Every section of either state: the new state's order, a removed one where it used to be."""
    old_by_id = {entry.section_id: entry for entry in old}
    new_ids = {entry.section_id for entry in new}
    # Removed sections go after the last section before them (in the old order) that is still there.
    removed_after: dict[int | None, list[SideEntry]] = {}
    previous_kept = None
    for entry in old:
        if entry.section_id in new_ids:
            previous_kept = entry.section_id
        else:
            removed_after.setdefault(previous_kept, []).append(entry)

    def removed(entries):
        return [
            Part(
                anchor=_anchor(entry.section_id),
                number=entry.number,
                level=entry.level,
                title=entry.title,
                title_html=mark_safe(f"<del>{escape(entry.title)}</del>"),  # noqa: S308 - escaped
                body_html=redline_html(entry.body, "", anchor=_anchor(entry.section_id)),
                state=REMOVED,
                old_number=entry.number,
            )
            for entry in entries
        ]

    parts = removed(removed_after.get(None, []))
    for entry in new:
        before = old_by_id.get(entry.section_id)
        anchor = _anchor(entry.section_id)
        if before is None:
            part = Part(
                anchor=anchor, number=entry.number, level=entry.level, title=entry.title,
                title_html=mark_safe(f"<ins>{escape(entry.title)}</ins>"),  # noqa: S308 - escaped
                body_html=redline_html("", entry.body, anchor=anchor), state=ADDED,
            )  # fmt: skip
        elif before.title == entry.title and before.body == entry.body:
            part = Part(
                anchor=anchor, number=entry.number, level=entry.level, title=entry.title,
                title_html=escape(entry.title), body_html=render_markdown(entry.body, anchor=anchor), state=UNCHANGED,
                old_number=before.number,
            )  # fmt: skip
        else:
            part = Part(
                anchor=anchor, number=entry.number, level=entry.level, title=entry.title,
                title_html=redline_title(before.title, entry.title),
                body_html=redline_html(before.body, entry.body, anchor=anchor),
                state=CHANGED, old_number=before.number,
            )  # fmt: skip
        parts.append(part)
        parts.extend(removed(removed_after.get(entry.section_id, [])))
    return parts


# --- The document ------------------------------------------------------------------------------


def _css_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\A ").replace("<", "\\3C ")
    return f'"{escaped}"'


def page_css(*, draft: bool, page: str = "") -> SafeString:
    """The translated words of the margin boxes: "Page N of M", and "DRAFT" on a draft.

    `page`: for the pages of that name only (a sequential document's translation part).
    """
    selector = f"@page {page}" if page else "@page"
    pieces = []
    for piece in re.split(r"(%\(page\)s|%\(pages\)s)", _("Page %(page)s of %(pages)s")):
        if piece == "%(page)s":
            pieces.append("counter(page)")
        elif piece == "%(pages)s":
            pieces.append("counter(pages)")
        elif piece:
            pieces.append(_css_string(piece))
    rules = [f"{selector} {{ @bottom-right {{ content: {' '.join(pieces)}; }} }}"]
    if draft:
        rules.append(f"{selector} {{ @top-right {{ content: {_css_string(_('DRAFT – not for circulation'))}; }} }}")
    return mark_safe("\n".join(rules))  # noqa: S308 - our own words, escaped for CSS


def _date(value) -> str:
    if isinstance(value, datetime.datetime):
        return date_format(timezone.localtime(value), "j E Y, H:i")
    return date_format(value, "j E Y")  # E: the genitive month in Russian ("1 мая 2019")


def _stem(*words: str) -> str:
    return (slugify(" ".join(words), allow_unicode=True)[:120].strip("-")) or "concept"


def _project_facts(concept: Concept) -> dict:
    project = concept.project
    partners = list(project.partners.select_related("organisation"))
    implementers = [p.organisation.name for p in partners if p.role == ProjectPartner.PartnerRole.IMPLEMENTING]
    instrument = project.instrument
    return {
        "project_title": project.localized("title"),
        "statement": partner_statement(project, partners),
        "funding": _("Funded by the European Union"),
        "instrument": f"{instrument.code} – {instrument.name}" if instrument else "",
        "author": ", ".join(implementers) or settings.IATI_REPORTING_ORG_NAME,
    }


def printed_languages(concept: Concept, language: str | None, layout: str | None) -> tuple[str, str]:
    """What a request prints: (language, layout), never an error.

    An unknown or unsupported language is the source language; an unknown layout is one language.
    Both languages pair the source with the translation named; when the source is named instead,
    with the concept's only translation (a concept with none, or several, is left for the caller
    to refuse).
    """
    language = concept.language_or_source(language)
    layout = layout if layout in RenderJob.Layout.values else SINGLE
    targets = concept.languages[1:]
    if layout in BOTH_LANGUAGES and language == concept.language and len(targets) == 1:
        language = targets[0]
    return language, layout


def build_document(
    *,
    concept: Concept,
    kind: str,
    edition: Edition | None = None,
    other_edition: Edition | None = None,
    against_draft: bool = False,
    draft_versions: list | None = None,
    language: str | None = None,
    layout: str = SINGLE,
) -> Document:
    """The document of a render request; `draft_versions` pins the draft (taken now if not given).

    `language` and `layout`: what is printed, as `printed_languages` reads them. A redline and a
    Word file print one language; a redline only the source's.
    """
    language, layout = printed_languages(concept, language, layout)
    both = layout in BOTH_LANGUAGES
    if both and (language == concept.language or kind not in (RenderJob.Kind.PDF, RenderJob.Kind.DRAFT)):
        raise ValueError(f"A {kind} render cannot print both languages here.")
    if kind == RenderJob.Kind.REDLINE_PDF and language != concept.language:
        raise ValueError("A redline marks the changes of the source text only.")
    with translation.override(concept.language if both else language):
        document = _build(concept, kind, edition, other_edition, against_draft, draft_versions, language, layout)
    document.content_hash = content_hash(document.html, kind, language=language, layout=layout)
    return document


def _build(concept, kind, edition, other_edition, against_draft, draft_versions, language, layout) -> Document:
    """Called in the language of the document's words: the printed one, the source's with both."""
    source_language = concept.language
    translated = language != source_language
    uses_draft = kind == RenderJob.Kind.DRAFT or (kind == RenderJob.Kind.REDLINE_PDF and against_draft)
    snapshot = []
    source_side, translation_side, draft_time = [], {}, None
    if uses_draft:
        if draft_versions is not None:
            snapshot = draft_versions
        else:
            snapshot = draft_snapshot(concept, language if translated else None)
        source_side, draft_time = draft_side(snapshot)
        if translated:
            entries, latest = draft_side(snapshot, translated=True)
            translation_side = {entry.section_id: entry for entry in entries}
            draft_time = max((time for time in (draft_time, latest) if time), default=None)
        draft_time = draft_time or timezone.now()
    elif kind in (RenderJob.Kind.PDF, RenderJob.Kind.DOCX):
        source_side = edition_side(edition)
        if translated:
            translation_side = {entry.section_id: entry for entry in edition_side(edition, language)}
    if kind == RenderJob.Kind.REDLINE_PDF:
        common = {"kind": kind, "language": source_language, "concept_title": concept.title,
                  **_project_facts(concept)}  # fmt: skip
        document = _redline_document(common, concept, edition, other_edition, against_draft, source_side,
                                     draft_time, snapshot)  # fmt: skip
    elif kind not in (RenderJob.Kind.PDF, RenderJob.Kind.DOCX, RenderJob.Kind.DRAFT):
        raise ValueError(f"Unknown kind of render: {kind}")
    elif layout == SINGLE and translated:
        parts = _translated_parts(source_side, translation_side, language=language, source_language=source_language,
                                  with_source_text=True)  # fmt: skip
        document = _plain_document(concept, kind, edition, draft_time, snapshot, parts, language)
    else:
        document = _plain_document(concept, kind, edition, draft_time, snapshot,
                                   _plain_parts(source_side, source_language), source_language)  # fmt: skip
    document.layout, document.source_language = layout, source_language
    css = page_css(draft=document.draft)
    if layout in BOTH_LANGUAGES:
        document.translation_language = language
        with translation.override(language):
            if document.draft:
                document.translation_draft_word = _("DRAFT")  # the watermark is on every page of both parts
            translation_parts = _translated_parts(
                source_side, translation_side, language=language, source_language=source_language,
                with_source_text=False, anchor_prefix=f"{language}-" if layout == SEQUENTIAL else "",
            )  # fmt: skip
            if layout == COLUMNS:
                for part, translated_part in zip(document.parts, translation_parts, strict=True):
                    part.translation = translated_part
            else:
                part_document = _plain_document(concept, kind, edition, draft_time, snapshot, translation_parts,
                                                language)  # fmt: skip
                document.translation_html = render_to_string(TRANSLATION_PART_TEMPLATE, {"doc": part_document})
                # The translation's pages say "Page N of M" (and "DRAFT") in its language.
                css = mark_safe(f"{css}\n{page_css(draft=document.draft, page=TRANSLATION_PAGE)}")  # noqa: S308
    context = {"doc": document, **_assets(), "page_css": css}
    document.html = render_to_string(TEMPLATE, context)
    return document


def _plain_document(concept, kind, edition, draft_time, snapshot, parts, language) -> Document:
    """An edition or the draft, its words in the active language (`language`: that of its text)."""
    common = {"kind": kind, "language": language, "concept_title": concept.title, **_project_facts(concept)}
    if kind in (RenderJob.Kind.PDF, RenderJob.Kind.DOCX):
        return Document(
            **common, label=edition.name, date_text=_date(edition.date), created=edition.date,
            parts=parts, filename_stem=_stem(concept.title, edition.name),
            presented_at=edition.presented_at.title if edition.presented_at_id else "",
        )  # fmt: skip
    with translation.override(concept.language):
        draft_word = _("draft")  # the file's name is in the source language, whatever is printed
    return Document(
        **common, label=_("Current draft"), date_text=_date(draft_time), created=draft_time.date(),
        parts=parts, filename_stem=_stem(concept.title, draft_word, f"{draft_time:%Y-%m-%d}"),
        draft=True, draft_versions=snapshot,
        draft_note=_("Working draft: the text as saved on %(date)s. Not for circulation.")
        % {"date": _date(draft_time)},
    )  # fmt: skip


def redline_sides(edition: Edition, other_edition: Edition | None) -> tuple[Edition, Edition]:
    """The older and the newer of two editions."""
    first, second = sorted([edition, other_edition], key=lambda e: (e.date, e.pk))
    return first, second


def _redline_document(common, concept, edition, other_edition, against_draft, draft_entries, draft_time, snapshot):
    if against_draft:
        old_label, old_date = edition.name, _date(edition.date)
        new_label, new_date = _("Current draft"), _date(draft_time)
        old_side, new_side = edition_side(edition), draft_entries
        created = draft_time.date()
    else:
        older, newer = redline_sides(edition, other_edition)
        old_label, old_date, new_label, new_date = older.name, _date(older.date), newer.name, _date(newer.date)
        old_side, new_side = edition_side(older), edition_side(newer)
        created = newer.date
    parts = _redline_parts(old_side, new_side)
    counts = {state: sum(1 for part in parts if part.state == state) for state in (ADDED, REMOVED, CHANGED, UNCHANGED)}
    summary = RedlineSummary(
        old_label=f"{old_label} ({old_date})",
        new_label=f"{new_label} ({new_date})",
        counts=counts,
        added=[p for p in parts if p.state == ADDED],
        removed=[p for p in parts if p.state == REMOVED],
        changed=[p for p in parts if p.state == CHANGED],
    )
    label = _("Changes from “%(old)s” to “%(new)s”") % {"old": old_label, "new": new_label}
    return Document(
        **common, label=label, date_text=new_date, created=created, parts=parts, redline=summary,
        filename_stem=_stem(concept.title, old_label, _("to"), new_label, _("redline")),
        draft=against_draft, draft_versions=snapshot,
        draft_note=_("Compared with the working draft as saved on %(date)s. Not for circulation.") % {"date": new_date}
        if against_draft else "",
    )  # fmt: skip


@cache
def _asset_digest() -> str:
    digest = hashlib.sha256()
    for name in ALLOWED_STATIC_FILES:
        digest.update(name.encode() + b"\0" + allowed_file_bytes(name))
    return digest.hexdigest()


def _assets() -> dict:
    return {"stylesheet_url": static_url(STYLESHEET), "logo_url": static_url(LOGO)}


def render_options(kind: str, *, language: str = "", layout: str = SINGLE) -> dict:
    """Everything besides the HTML that decides the bytes of a render."""
    if kind == RenderJob.Kind.DOCX:
        from docx import __version__ as docx_version

        engine = f"python-docx {docx_version}"
    else:
        from weasyprint import __version__ as weasyprint_version

        engine = f"weasyprint {weasyprint_version}"
    return {
        "kind": kind,
        "language": language,
        "layout": layout,
        "engine": engine,
        "assets": _asset_digest(),
        "format": DOCUMENT_FORMAT,
    }


def content_hash(html: str, kind: str, *, language: str = "", layout: str = SINGLE) -> str:
    options = json.dumps(render_options(kind, language=language, layout=layout), sort_keys=True)
    return hashlib.sha256(html.encode("utf-8") + b"\0" + options.encode("utf-8")).hexdigest()


def document_for_job(job: RenderJob) -> Document:
    return build_document(
        concept=job.concept,
        kind=job.kind,
        edition=job.edition,
        other_edition=job.other_edition,
        against_draft=job.against_draft,
        draft_versions=job.draft_versions if job.draft_versions else None,
        language=job.language,
        layout=job.layout,
    )
